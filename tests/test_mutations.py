"""The write API: every mutation's happy path read back through the contract queries, every
userError code with nothing written, the audit trail, concurrency, idempotency, and a kill -9 of
the embedded server in the middle of a stream of mutations.

Expected answers come from the example bundle (../shared/contract/example): P001 lives in
D-A1-101 (德雅村社区) since 2001-05-01, P003 in D-A1-102 since 2020-09-01 after D-B1-201
(砚瓦池社区); P001 is a full member of PO-A1 (德雅); P002 is no party member; unit
12430105000010022D (开福区第一中学) was paired with compound C-A1 2021-01-01..2023-12-31.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, TODAY, dump
from contract import OPERATIONS, gid, run
from starlette.requests import Request

from graph.base import Backend
from graph.embedded import EmbeddedFalkorDB
from graph.errors import GraphUnavailable
from graph.falkor_backend import FalkorBackend
from resolvers import check
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from resolvers.scope import ADMIN, Principal, Role
from schema import Context, schema

SCHOOL = "12430105000010022D"
BUREAU = "11430105000010011C"
DEYA, YANWACHI = "430105001001", "430105001002"

PERSON_FIELDS = "userErrors { field code message } person { pid residence { since dwelling { key: id } } }"


@pytest.fixture
async def example(backend: Backend, personal: PersonalData) -> AsyncIterator[Backend]:
    assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
    yield backend


async def mutate(backend: Backend, personal: PersonalData, operation: str, **fields: Any) -> dict[str, Any]:
    """Run a contract mutation (by operation name) or any mutation field (by field name)."""
    if operation in OPERATIONS:
        document = OPERATIONS[operation]
    else:
        field, input_type = operation, operation[0].upper() + operation[1:] + "Input"
        document = f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {PERSON_FIELDS} }} }}"
    result = await schema.execute(
        document, variable_values={"input": fields}, context_value=Context(backend=backend, personal=personal)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    [payload] = result.data.values()
    return payload  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def audit_entries(backend: Backend) -> list[dict[str, Any]]:
    return await backend.read(
        "MATCH (a:Audit) RETURN a.operation AS operation, a.keys AS keys, a.before AS before, a.after AS after "
        "ORDER BY a.at"
    )


# ---- happy paths, read back -------------------------------------------------------------------------
async def test_move_person_keeps_history_and_answers_as_of(example: Backend, personal: PersonalData) -> None:
    payload = await mutate(
        example,
        personal,
        "MovePerson",
        pid="P001",
        dwellingId="D-B1-201",
        since="2026-03-01",
        tenure="TENANT",
    )
    assert payload == {
        "userErrors": [],
        "person": {
            "pid": "P001",
            "residence": {
                "since": "2026-03-01",
                "dwelling": {"id": gid("Dwelling", "D-B1-201")},
                "community": {"code": YANWACHI},  # D-B1-201 is in 砚瓦池's grid
            },
        },
    }
    card = await run(example, "PersonCard", pid="P001")
    history = card["person"]["residenceHistory"]
    assert [(h["since"], h["until"], h["community"]["code"]) for h in history] == [
        ("2001-05-01", "2026-03-01", DEYA),  # closed on the date, not deleted
        ("2026-03-01", None, YANWACHI),
    ]
    before = await run(example, "PersonCard", pid="P001", asOf="2026-02-28")
    assert before["person"]["residence"]["community"]["code"] == DEYA
    [entry] = await audit_entries(example)
    assert entry["operation"] == "movePerson" and entry["keys"] == ["P001", "D-B1-201"]
    assert '"D-A1-101"' in entry["before"] and '"D-B1-201"' in entry["after"]
    assert all(result.ok for result in await check.run_checks(example))


async def test_pair_and_end_pairing(example: Backend, personal: PersonalData) -> None:
    paired = await mutate(example, personal, "PairUnit", uscc=SCHOOL, targetType="COMMUNITY", target=DEYA,
                          since="2026-01-15", agreementNo="KF-2026-001")  # fmt: skip
    assert paired == {
        "userErrors": [],
        "pairing": {"since": "2026-01-15", "active": True, "unit": {"uscc": SCHOOL}},
    }
    rows = await run(example, "CommunityPairings", code=DEYA, asOf=TODAY, includeEnded=False)
    assert [p["unit"]["uscc"] for p in rows["community"]["pairings"]] == [SCHOOL]
    ended = await mutate(example, personal, "EndPairing", uscc=SCHOOL, targetType="社区", target=DEYA,
                         until="2026-06-30")  # fmt: skip
    assert ended == {
        "userErrors": [],
        "pairing": {"since": "2026-01-15", "until": "2026-06-30", "active": False},
    }
    now = await run(example, "CommunityPairings", code=DEYA, asOf=TODAY, includeEnded=False)
    assert now["community"]["pairings"] == []
    then = await run(example, "CommunityPairings", code=DEYA, asOf="2026-03-01", includeEnded=False)
    assert [p["unit"]["uscc"] for p in then["community"]["pairings"]] == [SCHOOL]


async def test_report_to_community(example: Backend, personal: PersonalData) -> None:
    payload = await mutate(example, personal, "ReportToCommunity", pid="P001", communityCode=YANWACHI,
                           gridCode=None, since="2026-02-01")  # fmt: skip
    assert payload == {
        "userErrors": [],
        "person": {"pid": "P001", "reportedTo": {"since": "2026-02-01", "community": {"code": YANWACHI}}},
    }


async def test_merge_communities_answers_before_and_after(example: Backend, personal: PersonalData) -> None:
    payload = await mutate(example, personal, "MergeCommunities", oldCodes=[DEYA, YANWACHI],
                           newCode="430105001003", newName="德雅砚瓦社区", on="2026-06-01",
                           docNo="长开政发〔2026〕5号")  # fmt: skip
    assert payload["userErrors"] == []
    community = payload["community"]
    assert community["code"] == "430105001003" and community["name"] == "德雅砚瓦社区"
    assert sorted(m["community"]["code"] for m in community["mergedFrom"]) == [DEYA, YANWACHI]
    assert {m["on"] for m in community["mergedFrom"]} == {"2026-06-01"}
    # P001 lives in 德雅's grid: before the merge the residence community is 德雅, after it the new one
    before = await run(example, "PersonCard", pid="P001", asOf="2026-05-31")
    after = await run(example, "PersonCard", pid="P001")
    assert before["person"]["residence"]["community"]["code"] == DEYA
    assert after["person"]["residence"]["community"]["code"] == "430105001003"
    old = await run(example, "CommunityProfile", code=DEYA)
    assert old["community"]["status"] == "MERGED"
    again = await mutate(example, personal, "MergeCommunities", oldCodes=[DEYA], newCode="430105001004",
                         newName="x", on="2026-07-01")  # fmt: skip
    assert codes(again) == [("oldCodes", "MERGED")]
    assert all(result.ok for result in await check.run_checks(example))


async def test_staff_mutations_beside_the_contract(example: Backend, personal: PersonalData) -> None:
    created = await mutate(example, personal, "upsertPerson", pid="P100", name="欧阳𠮷", gender="F",
                           idNumber="11010519491231002X", phone="13800138000", tags=["新居民"])  # fmt: skip
    assert created == {"userErrors": [], "person": {"pid": "P100", "residence": None}}
    moved = await mutate(
        example, personal, "movePerson", pid="P100", dwellingId="D-A1-102", since="2026-01-01"
    )
    assert moved["person"]["residence"] == {
        "since": "2026-01-01",
        "dwelling": {"key": gid("Dwelling", "D-A1-102")},
    }
    assert (await mutate(example, personal, "transferHukou", pid="P100", householdKey="H-001", since="2026-01-02",
                         relToHead="租客"))["userErrors"] == []  # fmt: skip
    assert (await mutate(example, personal, "joinTeam", pid="P100", teamId="T-A1", role="队员",
                         since="2026-01-03"))["userErrors"] == []  # fmt: skip
    assert codes(
        await mutate(example, personal, "joinTeam", pid="P100", teamId="T-A1", since="2026-02-01")
    ) == [(None, "CONFLICT")]
    assert (await mutate(example, personal, "leaveTeam", pid="P100", teamId="T-A1", until="2026-03-01"))[
        "userErrors"
    ] == []
    assert codes(
        await mutate(example, personal, "leaveTeam", pid="P100", teamId="T-A1", until="2026-04-01")
    ) == [(None, "NOT_A_MEMBER")]
    assert (await mutate(example, personal, "assignRole", pid="P100", role="楼栋长", scopeType="BUILDING",
                         scope="4301050010010001", since="2026-01-05"))["userErrors"] == []  # fmt: skip
    assert (await mutate(example, personal, "endRole", pid="P100", role="BUILDING_HEAD", scopeType="BUILDING",
                         scope="4301050010010001", until="2026-05-05"))["userErrors"] == []  # fmt: skip
    assert (await mutate(example, personal, "recordEvaluation", pid="P001", year=2025, side="ORG",
                         grade="EXCELLENT"))["userErrors"] == []  # fmt: skip
    assert codes(await mutate(example, personal, "recordEvaluation", pid="P001", year=2025, side="ORG",
                              grade="QUALIFIED")) == [("grade", "CONFLICT")]  # fmt: skip
    card = await run(example, "PersonCard", pid="P100")
    person = card["person"]
    assert person["name"] == "欧阳𠮷" and person["idNumberMasked"] == "1101**********002X"
    assert person["phoneMasked"] == "138****8000" and person["tags"] == ["新居民"]
    assert person["household"]["key"] == "H-001" and person["household"]["relToHead"] == "租客"
    assert person["teams"] == [] and person["roles"] == []  # both ended
    rows = await example.read(
        "MATCH (p:Person {pid: 'P100'})-[r]->(t) RETURN type(r) AS type, r.since AS since, r.until AS until "
        "ORDER BY type"
    )
    assert rows == [
        {"type": "HUKOU_MEMBER", "since": "2026-01-02", "until": None},
        {"type": "IN_TEAM", "since": "2026-01-03", "until": "2026-03-01"},
        {"type": "LIVES_IN", "since": "2026-01-01", "until": None},
        {"type": "SERVES_AS", "since": "2026-01-05", "until": "2026-05-05"},
    ]
    entries = await audit_entries(example)
    assert [e["operation"] for e in entries] == [
        "upsertPerson",
        "movePerson",
        "transferHukou",
        "joinTeam",
        "leaveTeam",
        "assignRole",
        "endRole",
        "recordEvaluation",
    ]  # fmt: skip  (refused calls leave no entry)
    text = repr(entries)
    assert "11010519491231002X" not in text and "13800138000" not in text
    assert "1101**********002X" in text and "138****8000" in text


# ---- refusals: a code, the field, and nothing written ------------------------------------------------
REFUSALS = [
    ("MovePerson", {"pid": "P404", "dwellingId": "D-B1-201", "since": "2026-01-01"}, ("pid", "NOT_FOUND")),
    ("MovePerson", {"pid": "P001", "dwellingId": "D-404", "since": "2026-01-01"}, ("dwellingId", "NOT_FOUND")),
    ("MovePerson", {"pid": "P001", "dwellingId": "D-B1-201", "since": "2026-01-01", "tenure": "BORROWED"},
     ("tenure", "INVALID")),
    ("MovePerson", {"pid": "P001", "dwellingId": "D-B1-201", "since": "2099-01-01"}, ("since", "INVALID")),
    ("MovePerson", {"pid": "P001", "dwellingId": "D-B1-201", "since": "2001-05-01"}, ("since", "OVERLAP")),
    ("MovePerson", {"pid": "P001", "dwellingId": "D-A1-101", "since": "2026-01-01"}, ("dwellingId", "CONFLICT")),
    # P003 lived in D-B1-201 until 2020-08-31; a move back-dated into that period overlaps it
    ("movePerson", {"pid": "P002", "dwellingId": "D-B1-201", "since": "1999-01-01"}, ("since", "OVERLAP")),
    ("PairUnit", {"uscc": SCHOOL, "targetType": "COMPOUND", "target": "C-A1", "since": "2022-06-01"},
     ("since", "OVERLAP")),  # inside the ended 2021-01-01..2023-12-31 pairing
    ("PairUnit", {"uscc": BUREAU, "targetType": "COMMUNITY", "target": YANWACHI, "since": "2026-01-01"},
     ("target", "CONFLICT")),  # already paired since 2022
    ("PairUnit", {"uscc": "91350100M000100Y43", "targetType": "COMMUNITY", "target": DEYA, "since": "2026-01-01"},
     ("uscc", "NOT_FOUND")),  # a valid USCC no unit has
    ("PairUnit", {"uscc": "91350100M000100Y44", "targetType": "COMMUNITY", "target": DEYA, "since": "2026-01-01"},
     ("uscc", "INVALID")),  # its check character is wrong
    ("PairUnit", {"uscc": SCHOOL, "targetType": "STREET", "target": DEYA, "since": "2026-01-01"},
     ("targetType", "INVALID")),
    ("EndPairing", {"uscc": SCHOOL, "targetType": "COMPOUND", "target": "C-A1", "until": "2026-01-01"},
     ("target", "NOT_FOUND")),  # that pairing already ended
    ("EndPairing", {"uscc": BUREAU, "targetType": "COMMUNITY", "target": YANWACHI, "until": "2020-01-01"},
     ("until", "INVALID")),  # before the pairing's since
    ("ReportToCommunity", {"pid": "P002", "communityCode": YANWACHI, "since": "2026-01-01"},
     ("since", "NOT_A_MEMBER")),
    ("ReportToCommunity", {"pid": "P001", "communityCode": YANWACHI, "gridCode": "43010500100101",
                           "since": "2026-01-01"}, ("gridCode", "INVALID")),  # 德雅's grid
    ("MergeCommunities", {"oldCodes": [DEYA], "newCode": DEYA, "on": "2026-01-01"}, ("newCode", "INVALID")),
    ("MergeCommunities", {"oldCodes": [DEYA], "newCode": "430105001009", "on": "2026-01-01"},
     ("newName", "INVALID")),
    ("MergeCommunities", {"oldCodes": ["430105001404"], "newCode": YANWACHI, "on": "2026-01-01"},
     ("oldCodes", "NOT_FOUND")),
    ("MergeCommunities", {"oldCodes": [DEYA], "newCode": "430106001003", "newName": "x", "on": "2026-01-01"},
     ("newCode", "INVALID")),  # not under 德雅's street
    ("upsertPerson", {"pid": "P001", "name": "张伟", "gender": "M", "idNumber": "430105198001010011"},
     ("idNumber", "INVALID")),  # bad check digit
    ("upsertPerson", {"pid": "P100", "name": "张伟", "gender": "X"}, ("gender", "INVALID")),
]  # fmt: skip


@pytest.mark.parametrize(("operation", "fields", "expected"), REFUSALS, ids=lambda v: str(v)[:40])
async def test_refusal_writes_nothing(
    example: Backend,
    personal: PersonalData,
    operation: str,
    fields: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    before = await dump(example)
    payload = await mutate(example, personal, operation, **fields)
    assert expected in codes(payload), payload["userErrors"]
    assert all(e["message"] for e in payload["userErrors"])
    assert [v for k, v in payload.items() if k != "userErrors"] == [None]
    assert await dump(example) == before


async def test_merged_community_is_refused_with_its_successor(
    example: Backend, personal: PersonalData
) -> None:
    await mutate(example, personal, "MergeCommunities", oldCodes=[DEYA], newCode=YANWACHI, on="2026-01-01")
    before = await dump(example)
    payload = await mutate(example, personal, "ReportToCommunity", pid="P001", communityCode=DEYA,
                           since="2026-02-01")  # fmt: skip
    assert codes(payload) == [("communityCode", "MERGED")]
    assert YANWACHI in payload["userErrors"][0]["message"]
    assert await dump(example) == before


# ---- concurrency ------------------------------------------------------------------------------------
async def test_twenty_simultaneous_moves_leave_one_open_residence(
    example: Backend, personal: PersonalData
) -> None:
    dwellings = ["D-B1-201", "D-A1-102"]
    moves = [
        mutate(
            example,
            personal,
            "MovePerson",
            pid="P001",
            dwellingId=dwellings[i % 2],
            since=f"2026-{1 + i // 2:02d}-{1 + i % 2:02d}",
        )
        for i in range(20)
    ]
    payloads = await asyncio.gather(*moves)
    accepted = [p for p in payloads if not p["userErrors"]]
    assert accepted, payloads
    assert all(code in ("OVERLAP", "CONFLICT") for p in payloads for _, code in codes(p))
    rows = await example.read(
        "MATCH (:Person {pid: 'P001'})-[r:LIVES_IN]->(d) RETURN r.since AS since, r.until AS until, d.id AS d "
        "ORDER BY since"
    )
    assert sum(r["until"] is None for r in rows) == 1
    for earlier, later in itertools.pairwise(rows):  # one unbroken chain of periods
        assert earlier["until"] == later["since"] and earlier["d"] != later["d"]
    assert len(rows) == len(accepted) + 1  # the original residence plus one per accepted move
    assert len(await audit_entries(example)) == len(accepted)
    assert all(result.ok for result in await check.run_checks(example))


async def test_a_move_leaves_the_persons_indexes_untouched(example: Backend, personal: PersonalData) -> None:
    """The optimistic lock's revision lives on a Revision node, not on the person: FalkorDB
    re-indexes a node on any SET (its range and full-text indexes), and the garbage that leaves
    is collected in a forked child beside the service."""
    if not isinstance(example, FalkorBackend):
        pytest.skip("FalkorDB's index bookkeeping")

    async def person_index() -> tuple[int, int]:
        rows = await example.read(
            "CALL db.indexes() YIELD label, entitytype, info RETURN label, entitytype, info"
        )
        [info] = [r["info"] for r in rows if r["label"] == "Person" and r["entitytype"] == "NODE"]
        return info["maxDocId"], info["numDocuments"]

    before = await person_index()
    for since, dwelling in (("2026-02-01", "D-B1-201"), ("2026-03-01", "D-A1-102")):
        assert (await mutate(example, personal, "MovePerson", pid="P001", dwellingId=dwelling, since=since))[
            "userErrors"
        ] == []
    assert await person_index() == before  # no person document was written again
    rows = await example.read(
        "MATCH (p:Person {pid: 'P001'}) OPTIONAL MATCH (r:Revision {key: 'Person|P001'}) RETURN p.rev AS on, r.rev AS rev"
    )
    assert rows == [{"on": None, "rev": 2}]


async def test_two_simultaneous_pairings_make_one(example: Backend, personal: PersonalData) -> None:
    fields = {"uscc": SCHOOL, "targetType": "COMMUNITY", "target": DEYA, "since": "2026-01-15"}
    first, second = await asyncio.gather(
        mutate(example, personal, "PairUnit", **fields), mutate(example, personal, "PairUnit", **fields)
    )
    assert sorted([codes(first), codes(second)]) == [[], [("target", "CONFLICT")]]
    rows = await example.read(
        "MATCH (:Unit {uscc: $u})-[r:PAIRED_WITH]->(:Community {code: $c}) RETURN count(r) AS n",
        {"u": SCHOOL, "c": DEYA},
    )
    assert rows == [{"n": 1}]


# ---- kill -9 of the embedded server during a stream of mutations ---------------------------------------
async def test_kill_9_during_mutations_loses_no_acknowledged_one(
    tmp_path: Path, personal: PersonalData
) -> None:
    server = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=10_000)
    await server.start()
    backend = FalkorBackend(graph_key="grassroots", query_timeout=10, unix_socket=str(server.socket_path),
                            server=server)  # fmt: skip
    try:
        await backend.setup_schema()
        assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
        acknowledged: list[str] = []
        failed: list[Any] = []

        async def stream() -> None:
            for day in range(1, 200):
                since = f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}"
                variables = {"pid": "P001", "dwellingId": ("D-B1-201", "D-A1-102")[day % 2], "since": since}
                result = await schema.execute(
                    OPERATIONS["MovePerson"],
                    variable_values={"input": variables},
                    context_value=Context(backend=backend, personal=personal),
                )
                if result.errors:  # the database went away: this one was not acknowledged
                    failed.append(result.errors)
                    return
                assert result.data is not None and result.data["movePerson"]["userErrors"] == []
                acknowledged.append(since)

        writer = asyncio.create_task(stream())
        while len(acknowledged) < 40:
            await asyncio.sleep(0.005)
        killed = server.process
        assert killed is not None
        os.kill(killed.pid, signal.SIGKILL)
        await writer
        assert failed, "the stream should have seen the database go away"
        killed.wait()
        with contextlib.suppress(GraphUnavailable):
            await backend.read("RETURN 1 AS ok")  # a failing request makes the backend start it again
        await server.wait_ready(60)
        rows = await backend.read(
            "MATCH (:Person {pid: 'P001'})-[r:LIVES_IN]->() WHERE r.since >= '2025-01-01' RETURN r.since AS since"
        )
        stored = {r["since"] for r in rows}
        assert set(acknowledged) <= stored  # every acknowledged move is there
        assert len(stored) <= len(acknowledged) + 1  # at most the one in flight besides
        assert all(result.ok for result in await check.run_checks(backend))  # and no half change
        audits = await backend.read("MATCH (a:Audit) RETURN count(a) AS n")
        assert audits[0]["n"] == len(stored)  # a change and its audit entry land together
    finally:
        await backend.close()


# ---- who may write, idempotency, the audit log, uploaded ledgers ------------------------------------
async def execute(backend: Backend, personal: PersonalData, document: str, variables: dict[str, Any] | None = None,
                  principal: Principal = ADMIN, key: str | None = None) -> Any:  # fmt: skip
    headers = [(b"idempotency-key", key.encode())] if key else []
    context = Context(backend=backend, personal=personal, principal=principal,
                      request=Request({"type": "http", "headers": headers}))  # fmt: skip
    return await schema.execute(document, variable_values=variables, context_value=context)


async def test_an_analyst_may_not_write(example: Backend, personal: PersonalData) -> None:
    before = await dump(example)
    analyst = Principal(sub="a1", role=Role.ANALYST, name="分析员")
    move = {"input": {"pid": "P001", "dwellingId": "D-B1-201", "since": "2026-01-01"}}
    document = (
        "mutation($input: MovePersonInput!) { movePerson(input: $input) { userErrors { field code } } }"
    )
    result = await execute(example, personal, document, move, analyst)
    assert result.errors is None and result.data is not None
    assert codes(result.data["movePerson"]) == [(None, "FORBIDDEN")]
    assert await dump(example) == before
    log = await execute(example, personal, "{ auditLog { totalCount } }", principal=analyst)
    assert log.errors and "only ADMIN" in log.errors[0].message


async def test_a_retried_mutation_with_an_idempotency_key_applies_once(
    example: Backend, personal: PersonalData
) -> None:
    move = {"input": {"pid": "P001", "dwellingId": "D-B1-201", "since": "2026-01-01"}}
    first = await execute(example, personal, OPERATIONS["MovePerson"], move, key="move-P001-1")
    again = await execute(example, personal, OPERATIONS["MovePerson"], move, key="move-P001-1")
    assert first.errors is None and again.errors is None
    assert first.data == again.data and first.data is not None
    assert (
        first.data["movePerson"]["userErrors"] == []
    )  # the retry did not say CONFLICT: it got the first answer
    assert len(await audit_entries(example)) == 1
    other = await execute(example, personal, OPERATIONS["MovePerson"], move, key="move-P001-2")
    assert other.data is not None and codes(other.data["movePerson"]) == [("dwellingId", "CONFLICT")]
    reused = await execute(example, personal, OPERATIONS["PairUnit"], {"input": {
        "uscc": SCHOOL, "targetType": "COMMUNITY", "target": DEYA, "since": "2026-01-15"}}, key="move-P001-1")  # fmt: skip
    assert reused.data is not None and codes(reused.data["pairUnit"]) == [(None, "CONFLICT")]


async def test_concurrent_retries_with_one_idempotency_key_apply_once(
    example: Backend, personal: PersonalData
) -> None:
    move = {"input": {"pid": "P001", "dwellingId": "D-B1-201", "since": "2026-01-01"}}
    results = await asyncio.gather(
        *(execute(example, personal, OPERATIONS["MovePerson"], move, key="k") for _ in range(5))
    )
    assert all(r.errors is None and r.data == results[0].data for r in results)
    assert len(await audit_entries(example)) == 1


AUDIT_QUERY = """query($first: Int, $after: String, $filter: AuditFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { operation actor role keys before after }
  }
}"""


async def test_the_audit_log_pages_newest_first_and_filters(example: Backend, personal: PersonalData) -> None:
    for month in range(1, 6):
        dwelling = ("D-B1-201", "D-A1-102")[month % 2]
        await mutate(
            example, personal, "MovePerson", pid="P001", dwellingId=dwelling, since=f"2026-0{month}-01"
        )
    await mutate(
        example, personal, "PairUnit", uscc=SCHOOL, targetType="COMMUNITY", target=DEYA, since="2026-01-15"
    )
    page = await execute(example, personal, AUDIT_QUERY, {"first": 4})
    assert page.errors is None and page.data is not None
    log = page.data["auditLog"]
    assert log["totalCount"] == 6 and log["pageInfo"]["hasNextPage"] is True
    assert [n["operation"] for n in log["nodes"]] == ["pairUnit", "movePerson", "movePerson", "movePerson"]
    newest_move = log["nodes"][1]
    assert newest_move["after"]["since"] == "2026-05-01" and newest_move["before"][0]["since"] == "2026-04-01"
    assert newest_move["actor"] == "local admin" and newest_move["role"] == "ADMIN"
    rest = await execute(example, personal, AUDIT_QUERY, {"first": 4, "after": log["pageInfo"]["endCursor"]})
    assert rest.data is not None
    assert [n["after"]["since"] for n in rest.data["auditLog"]["nodes"]] == ["2026-02-01", "2026-01-01"]
    assert rest.data["auditLog"]["pageInfo"]["hasNextPage"] is False
    only = await execute(example, personal, AUDIT_QUERY, {"filter": {"operation": "pairUnit", "key": DEYA}})
    assert only.data is not None and only.data["auditLog"]["totalCount"] == 1


IMPORT = """mutation($input: ImportBundleInput!) {
  importBundle(input: $input) { userErrors { field code message } wrote rowsRead rowsWritten rejectedRows }
}"""


async def test_import_bundle_checks_an_uploaded_ledger_like_the_cli(
    example: Backend, personal: PersonalData
) -> None:
    good = {"name": "residences.csv", "content": "pid,dwelling_id,tenure,since,until\nP002,D-A1-101,OWNER,2001-05-01,2026-02-01\nP002,D-B1-201,租住,2026-02-01,\n"}  # fmt: skip
    result = await execute(example, personal, IMPORT, {"input": {"files": [good]}})
    assert result.errors is None and result.data is not None
    assert result.data["importBundle"] == {"userErrors": [], "wrote": True, "rowsRead": 2, "rowsWritten": 2,
                                           "rejectedRows": 0}  # fmt: skip
    card = await run(example, "PersonCard", pid="P002")
    assert card["person"]["residence"]["tenure"] == "TENANT"
    before = await dump(example)
    bad = {
        "name": "residences.csv",
        "content": "pid,dwelling_id,tenure,since,until\nP002,D-404,OWNER,2026-03-01,\n",
    }
    refused = await execute(example, personal, IMPORT, {"input": {"files": [bad]}})
    assert refused.data is not None
    payload = refused.data["importBundle"]
    assert payload["wrote"] is False and payload["rowsWritten"] == 0
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("residences.csv:2: dwelling_id", "NOT_FOUND")
    ]
    assert await dump(example) == before
    unknown = await execute(
        example, personal, IMPORT, {"input": {"files": [{"name": "x.csv", "content": "a\n"}]}}
    )
    assert unknown.data is not None
    assert [(e["field"], e["code"]) for e in unknown.data["importBundle"]["userErrors"]] == [
        ("files[0].name", "INVALID")
    ]


def test_idempotency_key_over_http(tmp_path: Path) -> None:
    from conftest import TEST_SECRET, bearer
    from starlette.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", secret_key=TEST_SECRET)

    async def load(backend: Backend) -> None:
        assert (await import_bundle(backend, EXAMPLE, PersonalData.from_secret(TEST_SECRET))).ok

    body = {
        "query": OPERATIONS["MovePerson"],
        "variables": {"input": {"pid": "P001", "dwellingId": "D-B1-201", "since": "2026-01-01"}},
    }
    with TestClient(create_app(settings, prepare=load)) as client:
        headers = {**bearer(), "Idempotency-Key": "5b1f0c2e"}
        first = client.post("/graphql", json=body, headers=headers)
        retry = client.post("/graphql", json=body, headers=headers)
        fresh = client.post("/graphql", json=body, headers=bearer())
    assert first.status_code == retry.status_code == 200
    assert first.json() == retry.json()
    assert first.json()["data"]["movePerson"]["userErrors"] == []
    assert fresh.json()["data"]["movePerson"]["userErrors"][0]["code"] == "CONFLICT"  # no key: applied again


async def test_community_staff_change_only_what_they_may_see(
    example: Backend, personal: PersonalData
) -> None:
    # 德雅 staff see P001 (lives in 德雅); P006 lives in 砚瓦池 with hukou in 岳阳楼区: not theirs
    staff = Principal(sub="s1", role=Role.COMMUNITY_STAFF, name="德雅社工", communities=(DEYA,))
    document = (
        "mutation($input: MovePersonInput!) { movePerson(input: $input) { userErrors { field code } } }"
    )
    before = await dump(example)
    hidden = await execute(example, personal, document,
                           {"input": {"pid": "P006", "dwellingId": "D-A1-102", "since": "2026-01-01"}}, staff)  # fmt: skip
    assert hidden.data == {"movePerson": {"userErrors": [{"field": "pid", "code": "NOT_FOUND"}]}}
    assert await dump(example) == before
    mine = await execute(example, personal, document,
                         {"input": {"pid": "P001", "dwellingId": "D-B1-201", "since": "2026-01-01"}}, staff)  # fmt: skip
    assert mine.data == {"movePerson": {"userErrors": []}}
    [entry] = await example.read("MATCH (a:Audit) RETURN a.actor AS actor, a.role AS role")
    assert entry == {"actor": "德雅社工", "role": "COMMUNITY_STAFF"}
