"""Differential tests: the service's answers to the pairing and party contract operations against an
independent reading of SPEC.md (tests/oracle_pairing.py), on the example bundle, a hand-written
bundle of edge cases and synthetic districts, for every community / unit / person / org and
several dates.

Lists whose order neither the contract nor schema.graphql fixes are compared as multisets;
documented orders (suggestions best first, party-org members by name) are compared as given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import re
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, TODAY
from contract import gid, run
from oracle_pairing import LANDLINE, Ledger, to_global_id

from graph.base import Backend
from graph.embedded import EmbeddedFalkorDB
from graph.falkor_backend import FalkorBackend
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from seed.generate import generate

Json = dict[str, Any]
_graph_numbers = itertools.count()

# ---- bundles -------------------------------------------------------------------------------------
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(base17: str) -> str:
    """SPEC.md: ``w[i] = 3^i mod 31``; check = charset[(31 - sum(v[i]*w[i]) mod 31) mod 31]."""
    total = sum(USCC_CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(base17))
    return base17 + USCC_CHARSET[(31 - total % 31) % 31]


U3 = uscc("91430105MA0000003")  # located in 新河 (merged into 新河湾 on 2022-06-01)
U4 = uscc("91430105MA0000004")  # located in 清水塘 (another street)
U5 = uscc("12430105000000005")  # located in 新河
U6 = uscc("91430105MA0000006")  # located in 新河, paired with 新河 itself until after the merge
MINZHENG = "11430105000010011C"
MERGE_ON = "2022-06-01"

EDGE_ROWS: dict[str, str] = {
    "regions.csv": """
430105001003,新河社区,COMMUNITY,COMMUNITY,430105001
430105001004,新河湾社区,COMMUNITY,COMMUNITY,430105001
430105002,清水塘街道,STREET,,430105
430105002001,清水塘社区,COMMUNITY,COMMUNITY,430105002
430111,雨花区,OUTSIDE,,
""",
    "merges.csv": f"""old_code,new_code,on,doc_no
430105001003,430105001004,{MERGE_ON},长开政发〔2022〕9号
""",
    "grids.csv": """
43010500100301,新河第一网格,430105001003,300
43010500200101,清水塘第一网格,430105002001,300
""",
    "compounds.csv": """
C-C1,新河苑,RESETTLEMENT,430105001003
C-D1,清水塘小区,COMMERCIAL,430105002001
""",
    "buildings.csv": """
4301050010030001,新河苑2栋,C-C1,43010500100301,
4301050020010001,清水塘5栋,C-D1,43010500200101,
""",
    "dwellings.csv": """
D-C1-101,4301050010030001,101
D-C1-102,4301050010030001,102
D-D1-101,4301050020010001,101
""",
    "households.csv": """
H-004,FAMILY,430105001003,2005-01-01
H-005,COLLECTIVE,430111,2016-01-01
""",
    "persons.csv": """
P007,孙丽,F,1980-02-02,,13500000007,汉族,
P008,周强,M,1975-03-03,,13500000008,汉族,社区书记
P009,吴敏,F,1985-04-04,,13500000009,汉族,网格员
P010,郑刚,M,1960-05-05,,073184567890,汉族,楼栋长
P011,冯涛,M,1970-06-06,,13500000011,汉族,
P012,何芳,F,1990-07-07,,,汉族,在职党员
P013,高翔,M,1983-08-08,,13500000013,汉族,在职党员
P014,钱进,M,1972-09-09,,13500000014,汉族,
P015,孙丽,F,1981-10-10,,13500000015,汉族,
""",
    # P007: hukou 德雅, lives in 新河 (-> 新河湾); P011: hukou 新河 (-> 新河湾), lives in 清水塘;
    # P012: hukou outside the district (雨花区); P013: hukou moved from 砚瓦池 to 新河
    "hukou_members.csv": """
P007,H-001,子女,2000-01-01,
P008,H-004,户主,2005-01-01,
P009,H-004,配偶,2005-01-01,
P010,H-004,父母,2005-01-01,
P011,H-004,子女,2005-01-01,
P012,H-005,户主,2016-01-01,
P013,H-002,其他,2010-01-01,2019-12-31
P013,H-004,其他,2019-12-31,
P014,H-001,其他,2001-05-01,
""",
    "residences.csv": """
P007,D-C1-101,OWNER,2015-01-01,
P008,D-C1-102,OWNER,2005-01-01,
P009,D-C1-102,OWNER,2005-01-01,
P010,D-C1-101,OWNER,2005-01-01,
P011,D-D1-101,TENANT,2018-01-01,
P012,D-C1-102,TENANT,2016-01-01,
P013,D-A1-101,TENANT,2010-01-01,2019-12-31
P013,D-D1-101,TENANT,2019-12-31,
P014,D-A1-102,TENANT,2010-01-01,2020-01-01
P015,D-C1-101,OTHER,2019-01-01,
""",
    "party_orgs.csv": """
PO-C,新河社区党委,COMMITTEE,COMMUNITY,,430105001003,,
PO-C1,新河苑小区党支部,BRANCH,COMPOUND,PO-C,430105001003,COMPOUND,C-C1
PO-C2,新河苑第二党支部,BRANCH,,PO-C,430105001003,,
""",
    "party_members.csv": """
P008,PO-C,FULL,1998-07-01,2000-01-01,
P012,PO-C1,FULL,2014-07-01,2016-01-01,
P013,PO-C1,FULL,2009-07-01,2015-01-01,
P009,PO-C1,PROBATIONARY,2024-01-01,2024-01-01,
P010,PO-C1,FULL,1980-07-01,2005-01-01,2020-12-31
P010,PO-C2,FULL,1980-07-01,2020-12-31,
P015,PO-C2,FULL,2001-07-01,2019-01-01,
P014,PO-C2,FULL,2001-07-01,2019-01-01,2020-01-01
""",
    "units.csv": f"""
{U3},新河建筑有限公司,ENTERPRISE,430105001003
{U4},清水塘物业服务有限公司,ENTERPRISE,430105002001
{U5},新河卫生院,INSTITUTION,430105001003
{U6},新河商贸有限公司,ENTERPRISE,430105001003
""",
    "employments.csv": f"""
P013,{U3},2015-01-01,
P012,{U3},2016-01-01,
P011,{U4},2018-01-01,
P007,{U5},2015-01-01,2021-12-31
P009,{MINZHENG},2010-01-01,
P008,{U5},2010-01-01,
P010,{U6},2005-01-01,
P004,{U4},2015-01-01,2020-01-01
""",
    "reports.csv": """
P013,430105001003,43010500100301,2018-01-01,2021-06-30
P013,430105001004,,2022-07-01,
P001,430105001001,,2019-01-01,2020-12-31
P001,430105001001,,2021-12-31,
P012,430105001003,,2017-01-01,2020-01-01
P010,430105001003,,2015-01-01,2020-06-30
""",
    "pairings.csv": f"""
{U3},COMMUNITY,430105001001,2019-01-01,2020-06-30,XH-2019-001
{U3},COMMUNITY,430105001001,2024-01-01,,XH-2024-006
{U4},PARTY_ORG,PO-A,2020-01-01,,QST-2020-002
{U4},COMPOUND,C-C1,2021-03-01,,QST-2021-003
{U5},COMMUNITY,430105001004,{MERGE_ON},,XH-2022-004
{U3},COMMUNITY,430105002001,2023-01-01,,XH-2023-005
{U6},COMMUNITY,430105001003,2018-01-01,2022-06-01,XH-2018-007
{U6},PARTY_ORG,PO-C1,2019-05-01,2021-05-01,XH-2019-008
{U6},COMMUNITY,430105001001,2016-01-01,2017-12-31,XH-2016-009
""",
    "roles.csv": """
P008,COMMUNITY_SECRETARY,COMMUNITY,430105001003,2010-01-01,2022-06-01
P008,COMMUNITY_SECRETARY,COMMUNITY,430105001004,2022-06-01,
P009,GRID_WORKER,GRID,43010500100301,2012-01-01,
P010,BUILDING_HEAD,BUILDING,4301050010030001,2015-01-01,
P007,NEIGHBOR_HEAD,BUILDING,4301050010030001,2016-01-01,2020-01-01
P011,AREA_HEAD,COMMUNITY,430105002001,2019-01-01,
P012,COMPOUND_SECRETARY,COMPOUND,C-C1,2018-01-01,
P005,GRID_LEADER,GRID,43010500200101,2020-01-01,
P012,PARTY_CENTRAL_HOUSEHOLD,PARTY_ORG,PO-C1,2019-01-01,
P004,OWNERS_COMMITTEE,COMMUNITY,430105001001,2017-01-01,2021-01-01
P004,NEIGHBOR_HEAD,BUILDING,4301050010030001,2021-01-01,
P003,GRID_WORKER,GRID,43010500100101,2021-01-01,
P015,GROUP_HEAD,COMMUNITY,430105001004,2022-06-01,
""",
    "evaluations.csv": """
P013,2021,ORG,EXCELLENT
P012,2018,ORG,QUALIFIED
P012,2018,COMMUNITY,QUALIFIED
P012,2019,COMMUNITY,EXCELLENT
P001,2020,ORG,QUALIFIED
P001,2020,COMMUNITY,BASICALLY_QUALIFIED
P013,2023,COMMUNITY,QUALIFIED
P010,2019,ORG,EXCELLENT
P010,2019,COMMUNITY,EXCELLENT
P012,2020,ORG,QUALIFIED
P001,2021,COMMUNITY,EXCELLENT
P015,2019,ORG,EXCELLENT
""",
}


def edge_bundle(target: Path) -> Path:
    """The example plus the edge cases a real ledger has (see the comments in EDGE_ROWS)."""
    shutil.copytree(EXAMPLE, target)
    for path in target.iterdir():
        path.chmod(0o644)
    for name, rows in EDGE_ROWS.items():
        path = target / name
        if rows.startswith("\n"):
            path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + rows, encoding="utf-8")
        else:
            path.write_text(rows, encoding="utf-8")
    return target


@dataclasses.dataclass
class Case:
    name: str
    backend: Backend
    ledger: Ledger
    bundle: Path


BUNDLES: dict[str, Callable[[Path], Path]] = {
    "example": lambda tmp: EXAMPLE,
    "edges": lambda tmp: edge_bundle(tmp / "edges"),
    "district-1500-s11": lambda tmp: _generated(tmp / "d1", 1500, 11),
    "district-2500-s5": lambda tmp: _generated(tmp / "d2", 2500, 5),
}


def _generated(target: Path, persons: int, seed: int) -> Path:
    generate(persons, seed, target)
    return target


@pytest.fixture(scope="module", params=list(BUNDLES))
async def case(
    request: pytest.FixtureRequest,
    falkor_server: EmbeddedFalkorDB,
    personal: PersonalData,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Case]:
    """A bundle imported into its own graph on the embedded FalkorDB, with the oracle's ledger."""
    bundle = BUNDLES[request.param](tmp_path_factory.mktemp("oracle"))
    store = FalkorBackend(
        graph_key=f"oracle{next(_graph_numbers)}",
        query_timeout=30,
        unix_socket=str(falkor_server.socket_path),
    )
    await store.setup_schema()
    result = await import_bundle(store, bundle, personal, today=TODAY)
    assert result.ok, result
    yield Case(request.param, store, Ledger(bundle), bundle)
    await store.clear()
    await store.close()


# ---- inputs --------------------------------------------------------------------------------------
def dates(ledger: Ledger) -> list[str | None]:
    """Before, on and after every merge; some pairing boundaries; a far past; today (None)."""
    days: set[dt.date] = {dt.date(2010, 1, 1), dt.date(2021, 6, 1), dt.date(2024, 1, 1)}
    for _, on in ledger.merged_into.values():
        days |= {on - dt.timedelta(days=1), on}
    boundaries = sorted({d for p in ledger.pairings for d in (p.span.since, p.span.until) if d})
    days |= set(boundaries[:: max(1, len(boundaries) // 6)])
    return [d.isoformat() for d in sorted(days)] + [None]


def streets(ledger: Ledger) -> list[str]:
    return sorted(code for code, row in ledger.regions.items() if row["level"] in ("DISTRICT", "STREET"))


def answer(ledger: Ledger, op: str, v: Json) -> Json:
    """The oracle's answer to a contract operation with these variables."""
    day = dt.date.fromisoformat(v["asOf"]) if v.get("asOf") else None
    if op == "CommunityPairings":
        return ledger.community_pairings(v["code"], day, v.get("includeEnded"))
    if op == "UnitPairings":
        return ledger.unit_pairings(v["uscc"])
    if op == "PairingCoverage":
        return ledger.pairing_coverage(v["scope"], day)
    if op == "PairingSuggestions":
        return ledger.pairing_suggestions(v["code"], v.get("first"))
    if op == "ReportingByUnit":
        return ledger.reporting_by_unit(v["scope"])
    if op == "DualResponsibility":
        return ledger.dual_responsibility(v["pid"])
    if op == "PartyOrgTree":
        return ledger.party_org_tree(v["orgId"])
    if op == "EvaluationGaps":
        return ledger.evaluation_gaps(v["code"], v["year"])
    raise AssertionError(op)


MOBILE_MASK = re.compile(r"^1\d{2}\*{4}\d{4}$")


def _sorted(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True))


def normalize(op: str, data: Json) -> Json:
    """Lists of undocumented order as multisets (sorted); a landline's mask as LANDLINE."""
    data = json.loads(json.dumps(data))
    if op == "CommunityPairings" and data["community"]:
        data["community"]["pairings"] = _sorted(data["community"]["pairings"])
    elif op == "UnitPairings" and data["unit"]:
        data["unit"]["pairings"] = _sorted(data["unit"]["pairings"])
    elif op == "PairingCoverage":
        for row in data["pairingCoverage"]:
            row["unpairedLocalUnits"] = _sorted(row["unpairedLocalUnits"])
        data["pairingCoverage"] = _sorted(data["pairingCoverage"])
    elif op == "ReportingByUnit":
        data["reportingByUnit"] = _sorted(data["reportingByUnit"])
    elif op == "DualResponsibility" and data["dualResponsibility"]:
        for side in ("hukouSide", "residenceSide"):
            if data["dualResponsibility"][side]:
                for c in data["dualResponsibility"][side]["contacts"]:
                    if (
                        c["phoneMasked"]
                        and not MOBILE_MASK.match(c["phoneMasked"])
                        and "*" in c["phoneMasked"]
                    ):
                        c["phoneMasked"] = LANDLINE
                data["dualResponsibility"][side]["contacts"] = _sorted(
                    data["dualResponsibility"][side]["contacts"]
                )
    elif op == "PartyOrgTree" and data["partyOrg"]:
        data["partyOrg"]["children"] = _sorted(data["partyOrg"]["children"])
    elif op == "EvaluationGaps":
        data["evaluationGaps"] = _sorted(data["evaluationGaps"])
    return data


def first_difference(got: Any, want: Any, path: str = "") -> str:
    """Where two answers first differ, for a readable failure."""
    if isinstance(got, dict) and isinstance(want, dict):
        for key in sorted(set(got) | set(want)):
            if got.get(key, "<missing>") != want.get(key, "<missing>"):
                return first_difference(
                    got.get(key, "<missing>"), want.get(key, "<missing>"), f"{path}.{key}"
                )
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            extra = [x for x in got if x not in want][:3]
            missing = [x for x in want if x not in got][:3]
            return (
                f"{path}: {len(got)} items, oracle {len(want)}; service only {extra}; oracle only {missing}"
            )
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{i}]")
    return f"{path}: service {json.dumps(got, ensure_ascii=False)} != oracle {json.dumps(want, ensure_ascii=False)}"


async def differences(
    case: Case, op: str, inputs: list[Json], prepare: Callable[[Json], Json] = lambda data: data
) -> list[str]:
    """Each input's answer from the service and from the oracle (``prepare``d, then normalized)."""
    found = []
    for variables in inputs:
        got = normalize(op, prepare(await run(case.backend, op, **variables)))
        want = normalize(op, prepare(answer(case.ledger, op, variables)))
        if got != want:
            found.append(f"{op}({variables}): {first_difference(got, want)}")
    return found


def check(found: list[str], inputs: list[Json]) -> None:
    assert not found, f"{len(found)} of {len(inputs)} answers differ:\n" + "\n".join(found[:8])


# ---- the tests -----------------------------------------------------------------------------------
def test_global_ids_are_the_services() -> None:
    assert to_global_id("Compound", "C-A1") == gid("Compound", "C-A1")


async def test_community_pairings_today(case: Case) -> None:
    """No asOf: open pairings, and with includeEnded the ended ones too; active = open today."""
    inputs = [
        {"code": code, **({"includeEnded": ended} if ended is not None else {})}
        for code in sorted(case.ledger.communities)
        for ended in (None, False, True)
    ] + [{"code": "430105999999"}, {"code": "430105001"}, {"code": "430105"}]
    check(await differences(case, "CommunityPairings", inputs), inputs)


def _without_active(data: Json) -> Json:
    data = json.loads(json.dumps(data))
    for row in (data.get("community") or {}).get("pairings", []):
        row.pop("active")
    return data


async def test_community_pairings_as_of_open(case: Case) -> None:
    """With asOf: exactly the pairings open on that date (SPEC.md: "as of a date when given
    asOf"), merges before and after; ``active`` is left to the next test."""
    inputs = [
        {"code": code, "asOf": day}
        for code in sorted(case.ledger.communities)
        for day in dates(case.ledger)
        if day
    ]
    check(await differences(case, "CommunityPairings", inputs, _without_active), inputs)


async def test_community_pairings_as_of_active(case: Case) -> None:
    """``active`` of a pairing listed as of a date: open on that date (SPEC.md "History is never
    overwritten": queries answer "as of a date" when given asOf)."""
    inputs = [
        {"code": code, "asOf": day}
        for code in sorted(case.ledger.communities)
        for day in dates(case.ledger)
        if day
    ]
    check(await differences(case, "CommunityPairings", inputs), inputs)


async def test_community_pairings_as_of_include_ended(case: Case) -> None:
    """includeEnded with asOf: the pairings open or ended on that date (schema.graphql "ended ones
    only with includeEnded"); one that starts after asOf is neither."""
    inputs = [
        {"code": code, "asOf": day, "includeEnded": True}
        for code in sorted(case.ledger.communities)
        for day in dates(case.ledger)
        if day
    ]
    check(await differences(case, "CommunityPairings", inputs, _without_active), inputs)


async def test_unit_pairings(case: Case) -> None:
    inputs = [{"uscc": u} for u in sorted(case.ledger.unit)] + [{"uscc": uscc("91430105MA0999999")}]
    check(await differences(case, "UnitPairings", inputs), inputs)


async def test_pairing_coverage(case: Case) -> None:
    inputs = [
        {"scope": scope, **({"asOf": day} if day else {})}
        for scope in streets(case.ledger)
        for day in dates(case.ledger)
    ]
    check(await differences(case, "PairingCoverage", inputs), inputs)


async def _suggestion_differences(case: Case) -> tuple[list[str], list[Json]]:
    """Rows: the oracle's score and reasons for the same unit; order: score descending; the set:
    the oracle's best scores (which of several tied units fill the last places is not fixed)."""
    found = []
    active = [c for c in sorted(case.ledger.communities) if case.ledger.active_on(c, dt.date.today())]
    inputs = [  # the whole list of every community is compared by the ties test below
        {"code": code, **({"first": first} if first is not None else {})}
        for code in active[:: max(1, len(active) // 12)]
        for first in (None, 1)
    ]
    for v in inputs:
        got = (await run(case.backend, "PairingSuggestions", **v))["pairingSuggestions"]
        every = {r["unit"]["uscc"]: r for r in case.ledger.suggestion_scores(v["code"])}
        want = case.ledger.pairing_suggestions(v["code"], v.get("first"))
        want_rows = want["pairingSuggestions"]
        scores = [r["score"] for r in got]
        problems = []
        if scores != sorted(scores, reverse=True):
            problems.append(f"not best first: {scores}")
        if scores != [r["score"] for r in want_rows]:
            missing = [r for r in want_rows if r not in got][:3]
            problems.append(
                f"scores {scores} != oracle {[r['score'] for r in want_rows]}, oracle only {missing}"
            )
        for row in got:
            if row != every.get(row["unit"]["uscc"]):
                problems.append(f"row {row} != oracle {every.get(row['unit']['uscc'], 'not a candidate')}")
        if problems:
            found.append(f"PairingSuggestions({v}): " + "; ".join(problems[:3]))
    return found, inputs


async def test_pairing_suggestions(case: Case) -> None:
    """Every unit without an open pairing to the community is a candidate: neither SPEC.md, the
    operation's comment ("Units that could pair with a community") nor schema.graphql excludes
    more; a unit whose pairing with the community ended may be suggested again."""
    check(*await _suggestion_differences(case))


async def test_pairing_suggestions_ties_by_uscc(case: Case) -> None:
    """The whole list in order, ties by USCC (the order the example's hand-written answers use,
    tests/test_contract.py)."""
    inputs = [
        {"code": code, "first": 100}
        for code in sorted(case.ledger.communities)
        if case.ledger.active_on(code, dt.date.today())
    ]
    found = []
    for v in inputs:
        got = (await run(case.backend, "PairingSuggestions", **v))["pairingSuggestions"]
        want = case.ledger.pairing_suggestions(v["code"], 100)
        if got != want["pairingSuggestions"]:
            found.append(f"PairingSuggestions({v}): {first_difference(got, want['pairingSuggestions'])}")
    check(found, inputs)


async def test_reporting_by_unit(case: Case) -> None:
    inputs = [{"scope": scope} for scope in streets(case.ledger)]
    check(await differences(case, "ReportingByUnit", inputs), inputs)


async def test_dual_responsibility(case: Case) -> None:
    inputs = [{"pid": pid} for pid in sorted(case.ledger.person)] + [{"pid": "NOBODY"}]
    check(await differences(case, "DualResponsibility", inputs), inputs)


async def test_party_org_tree(case: Case) -> None:
    inputs = [{"orgId": org} for org in sorted(case.ledger.org)] + [{"orgId": "PO-NONE"}]
    check(await differences(case, "PartyOrgTree", inputs), inputs)


async def test_evaluation_gaps(case: Case) -> None:
    years = sorted({year for _, year, _ in case.ledger.evaluations} | {2017, 2020, 2021, 2022, 2023, 2026})
    inputs = [{"code": code, "year": year} for code in sorted(case.ledger.communities) for year in years]
    check(await differences(case, "EvaluationGaps", inputs), inputs)


# ---- the oracle against answers written by hand -------------------------------------------------
def test_oracle_on_the_example_matches_the_hand_written_answers() -> None:
    """tests/test_contract.py's hand-written answers, from the oracle alone (no database)."""
    ledger = Ledger(EXAMPLE)
    deya, yanwachi = (
        {"code": "430105001001", "name": "德雅村社区"},
        {"code": "430105001002", "name": "砚瓦池社区"},
    )
    assert ledger.pairing_coverage("430105001", dt.date(2021, 6, 1))["pairingCoverage"] == [
        {
            "community": deya,
            "pairedUnits": 0,
            "unpairedLocalUnits": [{"uscc": MINZHENG, "name": "开福区民政局"}],
        },
        {"community": yanwachi, "pairedUnits": 0, "unpairedLocalUnits": []},
    ]
    assert [
        (r["score"], r["unit"]["uscc"])
        for r in ledger.pairing_suggestions("430105001001", 5)["pairingSuggestions"]
    ] == [
        (3.0, MINZHENG),
        (3.0, "12430105000010022D"),
    ]
    assert ledger.evaluation_gaps("430105001001", 2020) == {"evaluationGaps": []}
    p006 = ledger.dual_responsibility("P006")["dualResponsibility"]
    assert p006["hukouSide"] == {"place": {"code": "430602", "name": "岳阳楼区"}, "contacts": []}
    tree = ledger.party_org_tree("PO-A")["partyOrg"]
    assert (tree["memberCount"], tree["children"][0]["memberCount"]) == (0, 1)


def test_oracle_on_the_edge_cases_by_hand(tmp_path: Path) -> None:
    """The merge and period rules of the oracle, checked against answers worked out by hand."""
    ledger = Ledger(edge_bundle(tmp_path / "edges"))
    xinhe, xinhewan = (
        {"code": "430105001003", "name": "新河社区"},
        {"code": "430105001004", "name": "新河湾社区"},
    )
    u3, u5, u6 = ({"uscc": u, "name": ledger.unit[u]["name"]} for u in (U3, U5, U6))
    # the day before the merge: 新河 is active, its units are local to it, U6 is paired with it
    before = {
        r["community"]["code"]: r
        for r in ledger.pairing_coverage("430105001", dt.date(2022, 5, 31))["pairingCoverage"]
    }
    assert before["430105001003"] == {"community": xinhe, "pairedUnits": 1, "unpairedLocalUnits": [u5, u3]}
    assert before["430105001004"] == {"community": xinhewan, "pairedUnits": 0, "unpairedLocalUnits": []}
    # on the merge day: 新河 is gone, its units are at 新河湾, U6's pairing with 新河 closed
    on = {
        r["community"]["code"]: r
        for r in ledger.pairing_coverage("430105001", dt.date(2022, 6, 1))["pairingCoverage"]
    }
    assert "430105001003" not in on
    assert on["430105001004"] == {"community": xinhewan, "pairedUnits": 1, "unpairedLocalUnits": [u3, u6]}
    assert ledger.unit_pairings(U3)["unit"]["community"] == xinhewan
    # 双重负责 across a merge, an ended residence, a hukou outside the district, a landline
    p007 = ledger.dual_responsibility("P007")["dualResponsibility"]
    assert p007["hukouSide"]["contacts"] == [
        {
            "role": "COMMUNITY_SECRETARY",
            "name": "李秀英",
            "phoneMasked": "138****0002",
            "scopeName": "德雅村社区",
        }
    ]  # not 德雅's grid worker P003: the hukou side is the community's roles only
    assert p007["residenceSide"] == {"place": xinhewan, "contacts": [
        {"role": "BUILDING_HEAD", "name": "郑刚", "phoneMasked": LANDLINE, "scopeName": "新河苑2栋"},
        {"role": "COMMUNITY_SECRETARY", "name": "周强", "phoneMasked": "135****0008", "scopeName": "新河湾社区"},
        {"role": "GRID_WORKER", "name": "吴敏", "phoneMasked": "135****0009", "scopeName": "新河第一网格"},
        {"role": "GROUP_HEAD", "name": "孙丽", "phoneMasked": "135****0015", "scopeName": "新河湾社区"},
        {"role": "NEIGHBOR_HEAD", "name": "刘洋", "phoneMasked": None, "scopeName": "新河苑2栋"},
    ]}  # fmt: skip
    assert ledger.dual_responsibility("P014")["dualResponsibility"]["residenceSide"] is None
    assert ledger.dual_responsibility("P012")["dualResponsibility"]["hukouSide"] == {
        "place": {"code": "430111", "name": "雨花区"},
        "contacts": [],
    }
    # 双重评议: a report open on one day of the year counts; one closed on 1 January or never open does not
    gaps = lambda code, year: [  # noqa: E731
        (g["person"]["pid"], g["orgGrade"], g["communityGrade"])
        for g in ledger.evaluation_gaps(code, year)["evaluationGaps"]
    ]
    assert gaps("430105001001", 2021) == [("P003", None, None), ("P001", None, "EXCELLENT")]
    assert gaps("430105001003", 2020) == [("P010", None, None), ("P013", None, None)]
    assert gaps("430105001003", 2019) == [("P012", None, "EXCELLENT"), ("P013", None, None)]
    # party orgs seated in the merged community, members now
    tree = ledger.party_org_tree("PO-C")["partyOrg"]
    assert tree["homeCommunity"] == xinhewan and tree["members"]["nodes"] == [{"pid": "P008", "name": "周强"}]
    assert [(c["orgId"], c["memberCount"]) for c in tree["children"]] == [("PO-C1", 3), ("PO-C2", 2)]
    assert ledger.reporting_by_unit("430105002") == {"reportingByUnit": []}  # U4's employee is no member
    rows = {
        r["unit"]["uscc"]: (r["members"], r["reported"])
        for r in ledger.reporting_by_unit("430105001")["reportingByUnit"]
    }
    assert rows == {MINZHENG: (2, 1), U3: (2, 1), U5: (1, 0), U6: (1, 0)}
    # suggestions for 德雅, every unit not paired with it now (U3 is, since 2024)
    assert [(r["score"], r["unit"]["uscc"]) for r in ledger.suggestion_scores("430105001001")] == [
        (3.0, MINZHENG), (3.0, "12430105000010022D"), (3.0, U6), (2.0, U5), (-2.0, U4)
    ]  # fmt: skip


# ---- minimal reproductions on small bundles ------------------------------------------------------
async def _differences_on(
    backend: Backend, personal: PersonalData, bundle: Path, op: str, inputs: list[Json]
) -> list[str]:
    assert (await import_bundle(backend, bundle, personal, today=TODAY)).ok
    return await differences(Case("small", backend, Ledger(bundle), bundle), op, inputs)


async def test_evaluation_gaps_ignore_a_report_open_on_no_day(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    bundle = edge_bundle(tmp_path / "edges")
    with (bundle / "reports.csv").open("a", encoding="utf-8") as f:
        f.write("P015,430105001003,,2019-02-01,2019-02-01\n")  # P015: a member, ORG grade 2019 only
    inputs = [{"code": "430105001003", "year": 2019}]
    check(await _differences_on(backend, personal, bundle, "EvaluationGaps", inputs), inputs)


MEMBER_NAMES = ["王芳", "李明", "李明", "张伟", "𠮷野", "Ａ组", "艾", "王芳", "刘一", "刘二", "赵", "钱", "孙", "李",
                "周", "吴", "郑", "王", "冯", "陈", "褚", "卫", "蒋", "沈", "韩"]  # fmt: skip


async def test_party_org_members_page_by_name(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    """25 members of one org (the districts' orgs have at most 3): the first 20 by name then pid,
    with equal names and names outside the BMP."""
    bundle = edge_bundle(tmp_path / "edges")
    pids = [f"P3{i:02d}" for i in reversed(range(len(MEMBER_NAMES)))]
    with (bundle / "persons.csv").open("a", encoding="utf-8") as f:
        f.writelines(
            f"{pid},{name},M,1980-01-01,,,汉族,\n" for pid, name in zip(pids, MEMBER_NAMES, strict=True)
        )
    with (bundle / "party_members.csv").open("a", encoding="utf-8") as f:
        f.writelines(f"{pid},PO-A,FULL,2000-07-01,2020-01-01,\n" for pid in pids)
    inputs = [{"orgId": "PO-A"}, {"orgId": "PO-A1"}]
    check(await _differences_on(backend, personal, bundle, "PartyOrgTree", inputs), inputs)


async def test_a_merged_community_merged_again(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    """新河 -> 新河湾 (2022), then 新河湾 -> 新河湾联合 (2024) in a second import (the importer asks
    to "merge in steps"): units, grids, hukou and party seats follow both merges, each as of its
    date; open roles, reports and pairings at 新河湾 stay there (SPEC.md lists only "current hukou,
    grids, compounds, units and party-org seats")."""
    bundle = edge_bundle(tmp_path / "edges")
    step = tmp_path / "step2"
    step.mkdir()
    (step / "regions.csv").write_text(
        "code,name,level,kind,parent_code\n430105001005,新河湾联合社区,COMMUNITY,COMMUNITY,430105001\n",
        encoding="utf-8",
    )
    (step / "merges.csv").write_text(
        "old_code,new_code,on,doc_no\n430105001004,430105001005,2024-01-01,长开政发〔2024〕1号\n",
        encoding="utf-8",
    )
    assert (await import_bundle(backend, bundle, personal, today=TODAY)).ok
    assert (await import_bundle(backend, step, personal, today=TODAY)).ok
    ledger = Ledger(bundle)
    ledger.regions["430105001005"] = ledger.communities["430105001005"] = {
        "code": "430105001005", "name": "新河湾联合社区", "level": "COMMUNITY", "parent_code": "430105001"
    }  # fmt: skip
    ledger._merge("430105001004", "430105001005", dt.date(2024, 1, 1))
    case = Case("two-steps", backend, ledger, bundle)
    days = [None, "2022-05-31", "2022-06-01", "2023-12-31", "2024-01-01"]
    codes = ["430105001003", "430105001004", "430105001005"]
    inputs: dict[str, list[Json]] = {
        "CommunityPairings": [{"code": c, **({"asOf": d} if d else {})} for c in codes for d in days],
        "PairingCoverage": [{"scope": "430105001", **({"asOf": d} if d else {})} for d in days],
        "UnitPairings": [{"uscc": u} for u in sorted(ledger.unit)],
        "DualResponsibility": [{"pid": pid} for pid in sorted(ledger.person)],
        "PartyOrgTree": [{"orgId": org} for org in sorted(ledger.org)],
        "ReportingByUnit": [{"scope": "430105"}, {"scope": "430105001"}],
        "EvaluationGaps": [{"code": c, "year": y} for c in codes for y in (2021, 2022, 2023, 2024)],
    }
    found = [  # `active` as of a date: see test_community_pairings_as_of_active
        f
        for op, given in inputs.items()
        for f in await differences(
            case, op, given, _without_active if op == "CommunityPairings" else lambda d: d
        )
    ]
    check(found, [v for given in inputs.values() for v in given])
