"""The flow-matrix shortcuts (resolvers/flows.py) answer exactly what the chains answer, on a
generated district, on many dates, after an import, after moves, hukou transfers and a merge made
through the mutations — compared with a matrix counted here from the chains, and proved by
``grassroots check``."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY

from graph.base import Backend
from graph.falkor_backend import FalkorBackend, params_header
from resolvers import check, flows
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from schema import Context, schema
from seed.generate import generate

DATES = ["1990-01-01", "2010-06-30", "2018-01-01", "2020-09-01", "2023-06-01", "2025-12-31", TODAY]

CHAIN = {
    "HUKOU": "(p)-[m:HUKOU_MEMBER]->(:Household)-[a:HUKOU_AT]->(home)",
    "PARTY": "(p)-[m:PARTY_MEMBER_OF]->(:PartyOrg)-[a:BASED_IN]->(home:Community)",
    "COLLECTIVE": "(p)-[m:COLLECTIVE_MEMBER_OF]->(:CollectiveOrg)-[:OF_AREA]->(:Area)-[a:PART_OF]->(home:Community)",
}
OPEN = "coalesce({0}.since, '') <= $d AND ({0}.until IS NULL OR {0}.until > $d)"


async def counted(backend: Backend, kind: str, date: str, scope: str) -> dict[tuple[str, str], int]:
    """The matrix counted person by person from the chains (SPEC.md's definitions)."""
    rows = await backend.read(
        "MATCH (p:Person)-[l:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)"
        "-[g:IN_COMMUNITY]->(res:Community) "
        f"WHERE {OPEN.format('l')} AND {OPEN.format('g')} "
        f"MATCH {CHAIN[kind]} WHERE {OPEN.format('m')} AND {OPEN.format('a')} AND home <> res "
        "AND (home.code STARTS WITH $scope OR res.code STARTS WITH $scope) "
        "RETURN home.code AS home, res.code AS res, count(DISTINCT p) AS persons",
        {"d": date, "scope": scope},
    )
    return {(r["home"], r["res"]): r["persons"] for r in rows}


async def served(backend: Backend, kind: str, date: str, scope: str) -> dict[tuple[str, str], int]:
    result = await schema.execute(
        "query($s: String!, $k: MismatchKind!, $d: Date) { mismatchMatrix(scopeCode: $s, kind: $k, asOf: $d) "
        "{ home { code } residence { code } persons } }",
        variable_values={"s": scope, "k": kind, "d": date},
        context_value=Context(backend=backend),
    )
    assert result.errors is None and result.data is not None, result.errors
    return {(c["home"]["code"], c["residence"]["code"]): c["persons"] for c in result.data["mismatchMatrix"]}


async def mismatches_counted(
    backend: Backend, kind: str, date: str, code: str, living_elsewhere: bool
) -> set[Any]:
    """A community's mismatches (person, home, residence) from the chains (SPEC.md)."""
    here = "home.code = $code" if living_elsewhere else "res.code = $code"
    rows = await backend.read(
        "MATCH (p:Person)-[l:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)"
        "-[g:IN_COMMUNITY]->(res:Community) "
        f"WHERE {OPEN.format('l')} AND {OPEN.format('g')} "
        f"MATCH {CHAIN[kind]} WHERE {OPEN.format('m')} AND {OPEN.format('a')} AND home <> res AND {here} "
        "RETURN DISTINCT p.pid AS pid, home.code AS home, res.code AS res",
        {"d": date, "code": code},
    )
    return {(r["pid"], r["home"], r["res"]) for r in rows}


async def mismatches_served(
    backend: Backend, kind: str, date: str, code: str, living_elsewhere: bool
) -> set[Any]:
    """Every page of residenceMismatches (which starts from the shortcuts for HUKOU and PARTY)."""
    found: list[Any] = []
    after, total = None, None
    while True:
        result = await schema.execute(
            "query($c: String!, $k: MismatchKind!, $dir: MismatchDirection!, $d: Date, $a: String) {"
            " residenceMismatches(communityCode: $c, kind: $k, direction: $dir, asOf: $d, first: 7, after: $a) {"
            " totalCount pageInfo { hasNextPage endCursor }"
            " edges { node { person { pid } home { code } residence { code } } } } }",
            variable_values={
                "c": code,
                "k": kind,
                "d": date,
                "a": after,
                "dir": "LIVING_ELSEWHERE" if living_elsewhere else "REGISTERED_ELSEWHERE",
            },
            context_value=Context(backend=backend),
        )
        assert result.errors is None and result.data is not None, result.errors
        page = result.data["residenceMismatches"]
        assert total in (None, page["totalCount"])
        total = page["totalCount"]
        found += [(e["node"]["person"]["pid"], e["node"]["home"]["code"], e["node"]["residence"]["code"])
                  for e in page["edges"]]  # fmt: skip
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(found) == len(set(found)) == total
    return set(found)


async def assert_matrices_agree(backend: Backend, scopes: list[str]) -> None:
    for kind in CHAIN:
        for date in DATES:
            for scope in scopes:
                assert await served(backend, kind, date, scope) == await counted(
                    backend, kind, date, scope
                ), (
                    kind,
                    date,
                    scope,
                )
    communities = [  # two merged ones (they answer as they were before the merge), three active
        r["code"]
        for status, count in (("MERGED", 2), ("ACTIVE", 3))
        for r in await backend.read(
            "MATCH (c:Community {status: $s}) RETURN c.code AS code ORDER BY code LIMIT $n",
            {"s": status, "n": count},
        )
    ]
    seen = 0
    for kind in ("HUKOU", "PARTY"):
        for date in DATES:
            for code in communities:
                for living_elsewhere in (False, True):
                    expected = await mismatches_counted(backend, kind, date, code, living_elsewhere)
                    assert await mismatches_served(backend, kind, date, code, living_elsewhere) == expected, (
                        kind, date, code, living_elsewhere)  # fmt: skip
                    seen += len(expected)
    assert seen > 50  # real mismatches were compared
    failing = [r for r in await check.run_checks(backend) if not r.ok]
    assert failing == []


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("district")
    generate(1500, seed=11, out=folder)
    return folder


@pytest.fixture
async def loaded(backend: Backend, personal: PersonalData, district: Path) -> AsyncIterator[Backend]:
    assert (await import_bundle(backend, district, personal, today=TODAY)).ok
    yield backend


async def mutate(
    backend: Backend, personal: PersonalData, field: str, input_type: str, **fields: Any
) -> None:
    result = await schema.execute(
        f"mutation($i: {input_type}!) {{ {field}(input: $i) {{ userErrors {{ code message }} }} }}",
        variable_values={"i": fields},
        context_value=Context(backend=backend, personal=personal),
    )
    assert result.errors is None and result.data is not None, result.errors
    assert result.data[field]["userErrors"] == [], (field, fields, result.data)


async def test_shortcuts_after_a_fresh_import_agree_with_the_chains(loaded: Backend) -> None:
    district = (await loaded.read("MATCH (d:District) RETURN d.code AS code"))[0]["code"]
    streets = [
        r["code"] for r in await loaded.read("MATCH (s:Street) RETURN s.code AS code ORDER BY code LIMIT 2")
    ]
    sums = await loaded.read(f"MATCH ()-[s:{flows.KINDS['HUKOU'].total}]->() RETURN count(s) AS n")
    assert sums[0]["n"] > 10  # the build made real shortcuts
    await assert_matrices_agree(loaded, [district, *streets])


async def test_shortcuts_follow_moves_transfers_and_a_merge(loaded: Backend, personal: PersonalData) -> None:
    district = (await loaded.read("MATCH (d:District) RETURN d.code AS code"))[0]["code"]
    residents = await loaded.read(
        "MATCH (p:Person)-[l:LIVES_IN]->(:Dwelling) WHERE l.until IS NULL AND l.since < '2026-01-01' "
        "MATCH (p)-[m:HUKOU_MEMBER]->(:Household) WHERE m.until IS NULL AND m.since < '2026-01-01' "
        "RETURN p.pid AS pid ORDER BY pid LIMIT 6"
    )
    dwellings = await loaded.read("MATCH (d:Dwelling) RETURN d.id AS id ORDER BY id LIMIT 40")
    households = await loaded.read(
        "MATCH (h:Household)-[:HUKOU_AT]->(:Region) RETURN h.key AS key ORDER BY key DESC LIMIT 3"
    )
    for i, row in enumerate(residents):
        await mutate(loaded, personal, "movePerson", "MovePersonInput", pid=row["pid"],
                     dwellingId=dwellings[i * 7]["id"], since="2026-02-01")  # fmt: skip
        if i < len(households):
            await mutate(loaded, personal, "transferHukou", "TransferHukouInput", pid=row["pid"],
                         householdKey=households[i]["key"], since="2026-03-01", relToHead="其他")  # fmt: skip
    communities = await loaded.read(
        "MATCH (c:Community {status: 'ACTIVE'})-[:IN_STREET]->(s:Street) "
        "WITH s, collect(c.code) AS codes WHERE size(codes) >= 3 RETURN codes ORDER BY s.code LIMIT 1"
    )
    codes = sorted(communities[0]["codes"])
    # the generated 430105001002 has a household registered there since 2026-06-30: a merge dated
    # before that would close the household's period before it began
    early = await schema.execute(
        "mutation($i: MergeInput!) { mergeCommunities(input: $i) { userErrors { field code } } }",
        variable_values={"i": {"oldCodes": codes[:2], "newCode": codes[2], "on": "2026-04-01"}},
        context_value=Context(backend=loaded, personal=personal),
    )
    assert early.data == {"mergeCommunities": {"userErrors": [{"field": "on", "code": "OVERLAP"}]}}
    await mutate(loaded, personal, "mergeCommunities", "MergeInput", oldCodes=codes[:2], newCode=codes[2],
                 on="2026-11-01", docNo="测试〔2026〕1号")  # fmt: skip
    DATES.extend(["2026-10-31", "2026-11-01"])  # the day before the merge and the merge date itself
    try:
        await assert_matrices_agree(loaded, [district, codes[2][:9]])
    finally:
        del DATES[-2:]


async def test_a_store_from_before_the_shortcuts_gets_them_at_start(loaded: Backend) -> None:
    for kind in flows.KINDS.values():  # what a store imported before the shortcuts existed looks like
        await loaded.write(f"MATCH ()-[f:{kind.flow}]->() DELETE f")
        await loaded.write(f"MATCH ()-[s:{kind.total}]->() DELETE s")
    await loaded.write("MATCH (m:Shortcut) DETACH DELETE m")
    assert await flows.ensure(loaded) is True  # what the service and the importer call first
    assert await flows.ensure(loaded) is False  # and only once
    district = (await loaded.read("MATCH (d:District) RETURN d.code AS code"))[0]["code"]
    await assert_matrices_agree(loaded, [district])


async def test_the_refresh_starts_from_the_persons_not_from_a_scan(loaded: Backend) -> None:
    """At 1M persons a refresh planned from a scan of every community took 0.1 s a person (a
    merge moving 11,000 persons timed out); it must be driven by the pid index."""
    if not isinstance(loaded, FalkorBackend):
        pytest.skip("FalkorDB's plan")
    pids = [r["pid"] for r in await loaded.read("MATCH (p:Person) RETURN p.pid AS pid LIMIT 3")]
    plan = await loaded._graph.execute_command(
        "GRAPH.EXPLAIN", loaded._graph.name, params_header({"pids": pids}) + flows.REFRESH.encode()
    )
    steps = [line.strip() for line in plan]
    assert any(step.startswith("Node By Index Scan | (p:Person)") for step in steps), steps
    assert not [s for s in steps if "Label Scan" in s or "All Node Scan" in s], steps


async def test_an_import_that_rewrites_histories_keeps_the_shortcuts_true(
    loaded: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    """A second import into the same graph, its persons refreshed in one batch. Some persons move
    on a date; others turn out to have moved out before their hukou was registered, so the flow
    that began with the registration is no longer true and one to the new residence community
    takes its place."""
    flow = flows.KINDS["HUKOU"].flow
    rows = await loaded.read(
        f"MATCH (h)-[f:{flow}]->(r) WHERE f.until IS NULL AND f.since < '2026-01-01' "
        "MATCH (p:Person {pid: f.pid})-[l:LIVES_IN]->(d:Dwelling) WHERE l.until IS NULL "
        "RETURN f.pid AS pid, d.id AS dwelling, l.tenure AS tenure, l.since AS since, f.since AS flowSince, "
        "r.code AS res ORDER BY pid LIMIT 40"
    )
    others = await loaded.read(
        "MATCH (d:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[:IN_COMMUNITY]->(c:Community) "
        "RETURN d.id AS id, c.code AS code ORDER BY id DESC LIMIT 400"
    )
    moved = [r for r in rows if r["since"] == r["flowSince"]][:5]
    earlier = [r for r in rows if r["since"] < r["flowSince"]][:5]
    assert moved and earlier, "the district has both kinds of open flow"
    lines = ["pid,dwelling_id,tenure,since,until"]
    for row in moved + earlier:
        elsewhere = next(o["id"] for o in others if o["code"] != row["res"])
        if row in moved:
            day = "2026-05-01"
        else:  # the day after they moved in: before the hukou began
            day = (datetime.date.fromisoformat(row["since"]) + datetime.timedelta(days=1)).isoformat()
            assert day < row["flowSince"]
        tenure = row["tenure"] or ""
        lines += [
            f"{row['pid']},{row['dwelling']},{tenure},{row['since']},{day}",
            f"{row['pid']},{elsewhere},{tenure},{day},",
        ]
    delta = tmp_path / "delta"
    delta.mkdir()
    (delta / "residences.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = await import_bundle(loaded, delta, personal, today=TODAY)
    assert result.ok, result
    for row in earlier:  # the flow that began with the registration, to the old community: gone
        gone = await loaded.read(
            f"MATCH ()-[f:{flow} {{pid: $pid}}]->() WHERE f.pair ENDS WITH $res AND f.since = $since "
            "RETURN f.pair AS pair",
            {"pid": row["pid"], "res": "|" + row["res"], "since": row["flowSince"]},
        )
        assert gone == [], row
    for row in moved:  # the movers' open flows closed on the day
        periods = await loaded.read(
            f"MATCH ()-[f:{flow} {{pid: $pid}}]->() WHERE f.since >= $since "
            "RETURN f.since AS since, f.until AS until ORDER BY since",
            {"pid": row["pid"], "since": row["flowSince"]},
        )
        assert periods[0] == {"since": row["flowSince"], "until": "2026-05-01"}, (row, periods)
    assert [r for r in await check.run_checks(loaded) if not r.ok] == []
    district_code = (await loaded.read("MATCH (d:District) RETURN d.code AS code"))[0]["code"]
    await assert_matrices_agree(loaded, [district_code])
