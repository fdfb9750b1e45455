"""Security (issue 6): tokens, roles and community scope on every query, personal data, abuse limits.

Everything runs on the real embedded FalkorDB. The graph is the example bundle plus (``EXTRA``):
a second street 430105002 with community 湘春路社区 (430105002001); P007 lives and is registered
there and is a party member of PO-A1 (based in 德雅); P008 lives and is registered there and
nothing else; P101..P105 are registered there (H-004) and live in 德雅's D-A1-101; P005
(living and registered in 砚瓦池) is a member of collective CO-A of 德雅's default area.

Who each community-staff token sees, from those facts (residence / hukou / party home /
collective home in the token's communities):

| person | 德雅 430105001001 | 砚瓦池 430105001002 | street 430105001 | street 430105002 |
|---|---|---|---|---|
| P001, P002 (live + registered 德雅) | yes | no | yes | no |
| P003, P004 (live 德雅, registered 砚瓦池) | yes | yes | yes | no |
| P005 (砚瓦池; collective home 德雅) | yes (collective) | yes | yes | no |
| P006 (lives 砚瓦池, hukou outside) | no | yes | yes | no |
| P007 (湘春路; party home 德雅) | yes (party) | no | yes (party) | yes |
| P008 (湘春路 only) | no | no | no | yes |
| P101..P105 (live 德雅, registered 湘春路) | yes | no | yes | yes |
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, SHARED, TEST_SECRET, Recording, bearer, clear_personal_values, dump
from contract import OPERATIONS, QUERIES, VARIABLES, gid
from cypher_lint import errors as lint_errors
from graphql import Lexer, Source, TokenKind
from starlette.testclient import TestClient

from graph.base import Backend, Row
from graph.embedded import EmbeddedFalkorDB
from graph.falkor_backend import FalkorBackend
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from resolvers.scope import ADMIN, Principal, Role
from schema import Context, schema
from schema.limits import MAX_ALIASES, MAX_COST, MAX_TOKENS, PersistedOperations, Policy
from service.auth import InvalidToken, make_token, parse_ttl, verify_token
from service.ratelimit import RateLimit
from service.settings import Settings

DEYA, YANWACHI, XIANGCHUN = "430105001001", "430105001002", "430105002001"
BUREAU, SCHOOL = "11430105000010011C", "12430105000010022D"
COLLECTIVE = "N2430105MA0000001X"
ALL = ["P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008", "P101", "P102", "P103", "P104", "P105"]

EXTRA = {
    "regions.csv": lambda t: (
        t + "430105002,望麓园街道,STREET,,430105\n430105002001,湘春路社区,COMMUNITY,COMMUNITY,430105002\n"
    ),
    "grids.csv": lambda t: t + "43010500200101,湘春第一网格,430105002001,300\n",
    "compounds.csv": lambda t: t + "C-C1,湘春小区,OLD,430105002001\n",
    "buildings.csv": lambda t: t + "4301050020010001,5栋,C-C1,43010500200101,\n",
    "dwellings.csv": lambda t: t + "D-C1-501,4301050020010001,501\n",
    "households.csv": lambda t: t + "H-004,FAMILY,430105002001,2005-01-01\n",
    "persons.csv": lambda t: (
        t
        + "P007,周敏,F,1992-03-03,,,汉族,\nP008,吴刚,M,1970-05-05,,,汉族,\n"
        + "".join(f"P10{i},住户{i},M,1980-01-0{i},,,汉族,\n" for i in range(1, 6))
    ),
    "hukou_members.csv": lambda t: (
        t
        + "P007,H-004,户主,2005-01-01,\nP008,H-004,兄弟,2005-01-01,\n"
        + "".join(f"P10{i},H-004,其他,2005-01-01,\n" for i in range(1, 6))
    ),
    "residences.csv": lambda t: (
        t
        + "P007,D-C1-501,OWNER,2005-01-01,\nP008,D-C1-501,OWNER,2005-01-01,\n"
        + "".join(f"P10{i},D-A1-101,TENANT,2022-01-01,\n" for i in range(1, 6))
    ),
    "party_members.csv": lambda t: t + "P007,PO-A1,FULL,2015-07-01,2015-07-01,\n",
    "collectives.csv": f"uscc,name,area_id\n{COLLECTIVE},德雅村股份经济合作社,430105001001\n",
    "collective_members.csv": f"pid,collective_uscc,since,until\nP005,{COLLECTIVE},2000-01-01,\n",
}

STAFF = {
    "deya": Principal(sub="deya", role=Role.COMMUNITY_STAFF, communities=(DEYA,)),
    "yanwachi": Principal(sub="yanwachi", role=Role.COMMUNITY_STAFF, communities=(YANWACHI,)),
    "street1": Principal(sub="street1", role=Role.STREET_STAFF, street="430105001"),
    "street2": Principal(sub="street2", role=Role.STREET_STAFF, street="430105002"),
    "district": Principal(sub="district", role=Role.DISTRICT_STAFF, district="430105"),
    "admin": ADMIN,
    "analyst": Principal(sub="analyst", role=Role.ANALYST),
}
SEES = {
    "deya": {"P001", "P002", "P003", "P004", "P005", "P007", "P101", "P102", "P103", "P104", "P105"},
    "yanwachi": {"P003", "P004", "P005", "P006"},
    "street1": set(ALL) - {"P008"},
    "street2": {"P007", "P008", "P101", "P102", "P103", "P104", "P105"},
    "district": set(ALL),
    "admin": set(ALL),
}


@pytest.fixture
async def district(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path]
) -> AsyncIterator[Backend]:
    result = await import_bundle(backend, make_bundle(**EXTRA), personal)
    assert result.ok, result.problems
    yield backend


async def ask(
    backend: Backend,
    who: str | Principal,
    query: str,
    personal: PersonalData | None = None,
    policy: Policy | None = None,
    **variables: Any,
) -> Any:
    principal = STAFF[who] if isinstance(who, str) else who
    return await schema.execute(
        query,
        variable_values=variables,
        context_value=Context(
            backend=backend, principal=principal, personal=personal, policy=policy or Policy()
        ),
    )


async def data(backend: Backend, who: str, query: str, **variables: Any) -> Any:
    result = await ask(backend, who, query, **variables)
    assert result.errors is None, result.errors
    return result.data


# ---- the scope matrix --------------------------------------------------------------------------
@pytest.mark.parametrize("who", list(SEES))
async def test_persons_visible_exactly_in_scope(district: Backend, who: str) -> None:
    query = "{ " + " ".join(f'{p}: person(pid: "{p}") {{ pid }}' for p in ALL) + " }"
    found = await data(district, who, query)
    assert {p for p, v in found.items() if v is not None} == SEES[who]
    # the same persons through node(id), personByIdNumber needs an ID number: P001..P006 have one
    nodes = await data(
        district, who, "{ " + " ".join(f'{p}: node(id: "{gid("Person", p)}") {{ id }}' for p in ALL) + " }"
    )
    assert {p for p, v in nodes.items() if v is not None} == SEES[who]


COMMUNITIES = {
    "deya": {DEYA},
    "yanwachi": {YANWACHI},
    "street1": {DEYA, YANWACHI},
    "street2": {XIANGCHUN},
    "district": {DEYA, YANWACHI, XIANGCHUN},
    "admin": {DEYA, YANWACHI, XIANGCHUN},
    "analyst": {DEYA, YANWACHI, XIANGCHUN},
}


@pytest.mark.parametrize("who", list(COMMUNITIES))
async def test_communities_units_and_places_in_scope(district: Backend, who: str) -> None:
    codes = [DEYA, YANWACHI, XIANGCHUN]
    query = "{ " + " ".join(f'c{c}: community(code: "{c}") {{ code }}' for c in codes) + " }"
    found = await data(district, who, query)
    assert {v["code"] for v in found.values() if v is not None} == COMMUNITIES[who]
    # a unit is visible where it is located or paired: 民政局 is in 德雅 and paired with 砚瓦池
    units = await data(
        district, who, f'{{ b: unit(uscc: "{BUREAU}") {{ uscc }} s: unit(uscc: "{SCHOOL}") {{ uscc }} }}'
    )
    expected_units = {
        "deya": {"b"}, "yanwachi": {"b", "s"}, "street1": {"b", "s"}, "street2": set(),
        "district": {"b", "s"}, "admin": {"b", "s"}, "analyst": {"b", "s"},
    }[who]  # fmt: skip
    assert {k for k, v in units.items() if v is not None} == expected_units
    # grids, dwellings, party orgs and collectives hang from their community
    things = {
        "g1": gid("Grid", "43010500100101"), "g2": gid("Grid", "43010500100201"),
        "d1": gid("Dwelling", "D-A1-101"), "d2": gid("Dwelling", "D-B1-201"), "d3": gid("Dwelling", "D-C1-501"),
        "o": gid("PartyOrg", "PO-A1"), "co": gid("CollectiveOrg", COLLECTIVE), "h": gid("Household", "H-004"),
        "street": gid("Street", "430105002"),
    }  # fmt: skip
    nodes = await data(
        district, who, "{ " + " ".join(f'{k}: node(id: "{v}") {{ id }}' for k, v in things.items()) + " }"
    )
    by_community = {"g1": DEYA, "g2": YANWACHI, "d1": DEYA, "d2": YANWACHI, "d3": XIANGCHUN, "o": DEYA,
                    "co": DEYA, "h": XIANGCHUN}  # fmt: skip
    expected = {k for k, c in by_community.items() if c in COMMUNITIES[who]} | {
        "street"
    }  # streets are public
    assert {k for k, v in nodes.items() if v is not None} == expected


MISMATCHES = "query($code: String!, $d: MismatchDirection!) { residenceMismatches(communityCode: $code, kind: HUKOU, direction: $d) { totalCount edges { node { person { pid } } } } }"


@pytest.mark.parametrize(
    ("who", "code", "direction", "pids"),
    [
        # registered in 砚瓦池, living elsewhere: P003, P004 (both live in 德雅)
        ("admin", YANWACHI, "LIVING_ELSEWHERE", ["P004", "P003"]),
        ("yanwachi", YANWACHI, "LIVING_ELSEWHERE", ["P004", "P003"]),
        ("deya", YANWACHI, "LIVING_ELSEWHERE", []),  # 砚瓦池 is not theirs: not found
        ("street2", YANWACHI, "LIVING_ELSEWHERE", []),
        # living in 德雅, registered elsewhere: P003, P004 (砚瓦池) and P101..P105 (湘春路)
        ("deya", DEYA, "REGISTERED_ELSEWHERE", ["P101", "P102", "P103", "P104", "P105", "P004", "P003"]),
        ("yanwachi", DEYA, "REGISTERED_ELSEWHERE", []),
        ("street2", DEYA, "REGISTERED_ELSEWHERE", []),  # 德雅 is not in street 2 even if its persons are
        ("analyst", DEYA, "REGISTERED_ELSEWHERE", ["P101", "P102", "P103", "P104", "P105", "P004", "P003"]),
    ],
)
async def test_mismatch_page_in_scope(
    district: Backend, who: str, code: str, direction: str, pids: list[str]
) -> None:
    page = (await data(district, who, MISMATCHES, code=code, d=direction))["residenceMismatches"]
    assert [e["node"]["person"]["pid"] for e in page["edges"]] == pids
    assert page["totalCount"] == len(pids)  # connections count only what is visible


MATRIX = '{ mismatchMatrix(scopeCode: "430105", kind: HUKOU) { home { code } residence { code } persons } }'
CELL_XIANGCHUN = {"home": {"code": XIANGCHUN}, "residence": {"code": DEYA}, "persons": 5}  # P101..P105
CELL_YANWACHI = {"home": {"code": YANWACHI}, "residence": {"code": DEYA}, "persons": 2}  # P003, P004
CELL_OUTSIDE = {"home": {"code": "430602"}, "residence": {"code": YANWACHI}, "persons": 1}  # P006


@pytest.mark.parametrize(
    ("who", "cells"),
    [
        ("admin", [CELL_XIANGCHUN, CELL_YANWACHI, CELL_OUTSIDE]),
        ("district", [CELL_XIANGCHUN, CELL_YANWACHI, CELL_OUTSIDE]),
        ("street1", [CELL_XIANGCHUN, CELL_YANWACHI, CELL_OUTSIDE]),
        ("deya", [CELL_XIANGCHUN, CELL_YANWACHI]),  # P006 is not theirs
        ("yanwachi", [CELL_YANWACHI, CELL_OUTSIDE]),  # P101..P105 are not theirs
        ("street2", [CELL_XIANGCHUN]),
        ("analyst", [CELL_XIANGCHUN]),  # cells under 5 persons are withheld
    ],
)
async def test_matrix_counts_only_visible_persons(district: Backend, who: str, cells: list[Any]) -> None:
    assert (await data(district, who, MATRIX))["mismatchMatrix"] == cells


async def test_analyst_aggregates_withhold_small_cells(district: Backend) -> None:
    stats = '{ community(code: "430105001001") { stats { residents registered registeredElsewhere livingElsewhere partyMembers pairedUnits } } }'
    # 德雅: residents P001-P004 + P101-P105 = 9; registered P001 P002; registered elsewhere 7;
    # party members living there P001, P003, P007 lives elsewhere
    assert (await data(district, "admin", stats))["community"]["stats"] == {
        "residents": 9, "registered": 2, "registeredElsewhere": 7, "livingElsewhere": 0, "partyMembers": 2,
        "pairedUnits": 0,
    }  # fmt: skip
    assert (await data(district, "analyst", stats))["community"]["stats"] == {
        "residents": 9, "registered": None, "registeredElsewhere": 7, "livingElsewhere": 0, "partyMembers": None,
        "pairedUnits": 0,
    }  # fmt: skip
    reporting = '{ reportingByUnit(scopeCode: "430105") { unit { uscc } members reported } }'
    assert (await data(district, "admin", reporting))["reportingByUnit"] == [
        {"unit": {"uscc": BUREAU}, "members": 1, "reported": 1}
    ]
    assert (await data(district, "analyst", reporting))["reportingByUnit"] == []
    collective = (
        '{ collectiveMembersElsewhere(scopeCode: "430105") { org { uscc } members livingElsewhere } }'
    )
    assert (await data(district, "admin", collective))["collectiveMembersElsewhere"] == [
        {"org": {"uscc": COLLECTIVE}, "members": 1, "livingElsewhere": 1}  # P005 lives in 砚瓦池
    ]
    assert (await data(district, "analyst", collective))["collectiveMembersElsewhere"] == []
    assert (await data(district, "yanwachi", collective))["collectiveMembersElsewhere"] == []  # 德雅's org
    # 民政局 (located in 德雅) employs P003, who lives in 德雅: one employee, withheld for ANALYST
    suggest = '{ pairingSuggestions(communityCode: "430105001001") { unit { uscc } score reasons { employeesLivingHere } } }'
    admin_rows = (await data(district, "admin", suggest))["pairingSuggestions"]
    analyst_rows = (await data(district, "analyst", suggest))["pairingSuggestions"]
    bureau = [r for r in admin_rows if r["unit"]["uscc"] == BUREAU]
    assert bureau and bureau[0]["reasons"]["employeesLivingHere"] == 1
    assert all(
        r["reasons"]["employeesLivingHere"] is None for r in analyst_rows if r["unit"]["uscc"] == BUREAU
    )
    assert all((r["reasons"]["employeesLivingHere"] or 5) >= 5 for r in analyst_rows)


@pytest.mark.parametrize(
    "query",
    [
        '{ person(pid: "P001") { name } }',
        '{ person(pid: "P001") { pid idNumberMasked } }',
        '{ node(id: "UGVyc29uOlAwMDE") { ... on Person { residence { since } } } }',
        '{ residenceMismatches(communityCode: "430105001001", kind: HUKOU, direction: REGISTERED_ELSEWHERE) { edges { node { person { name } } } } }',
        '{ dualResponsibility(pid: "P003") { person { pid } } }',
        '{ neighborhood(id: "UGVyc29uOlAwMDE") { truncated } }',
        '{ revealPersonalData(pid: "P001", fields: [PHONE], reason: "audit") { phone } }',
    ],
)
async def test_analyst_gets_no_person_level_fields(district: Backend, query: str) -> None:
    result = await ask(district, "analyst", query)
    assert result.data is None and result.errors is not None  # refused in validation: no statement ran
    assert all(e.extensions == {"code": "FORBIDDEN"} for e in result.errors)


async def test_analyst_pids_and_search_without_persons(district: Backend) -> None:
    assert (await data(district, "analyst", '{ person(pid: "P001") { id pid } }'))["person"]["pid"] == "P001"
    assert (await data(district, "admin", '{ search(text: "王建国") { name } }'))["search"] == [
        {"name": "王建国"}
    ]
    assert (await data(district, "analyst", '{ search(text: "王建国") { name } }'))["search"] == []
    assert (await data(district, "analyst", '{ search(text: "德雅村社区") { label } }'))["search"] == [
        {"label": "Community"}, {"label": "PartyOrg"},
    ]  # fmt: skip


async def test_search_path_and_neighbourhood_in_scope(district: Backend) -> None:
    search = '{ search(text: "赵磊") { name } }'  # P006, 砚瓦池 only
    assert (await data(district, "yanwachi", search))["search"] == [{"name": "赵磊"}]
    assert (await data(district, "deya", search))["search"] == []
    path = (
        f'{{ path(from: "{gid("Person", "P001")}", to: "{gid("Person", "P006")}", maxHops: 6) {{ length }} }}'
    )
    assert (await data(district, "admin", path))["path"] is not None
    assert (await data(district, "deya", path))["path"] is None  # P006 is not theirs
    to_unit = f'{{ path(from: "{gid("Person", "P001")}", to: "{gid("Unit", BUREAU)}") {{ nodes {{ id }} }} }}'
    found = (await data(district, "deya", to_unit))["path"]  # both ends and all between are theirs
    assert found is not None and found["nodes"][-1]["id"] == gid("Unit", BUREAU)
    for node in found["nodes"]:
        assert (await data(district, "deya", f'{{ node(id: "{node["id"]}") {{ id }} }}'))["node"] is not None
    near = (
        f'{{ neighborhood(id: "{gid("Person", "P003")}", depth: 2, limit: 500) {{ nodes {{ id label }} }} }}'
    )
    admin_nodes = {n["id"] for n in (await data(district, "admin", near))["neighborhood"]["nodes"]}
    deya_nodes = {n["id"] for n in (await data(district, "deya", near))["neighborhood"]["nodes"]}
    assert (
        gid("Household", "H-002") in admin_nodes and gid("Household", "H-002") not in deya_nodes
    )  # 砚瓦池's
    assert gid("Dwelling", "D-B1-201") in admin_nodes and gid("Dwelling", "D-B1-201") not in deya_nodes
    assert deya_nodes and deya_nodes < admin_nodes
    for node in deya_nodes:  # every node the 德雅 token got is one it may read by itself
        found = await data(district, "deya", f'{{ node(id: "{node}") {{ id }} }}')
        assert found["node"] is not None, node
    assert (
        await data(
            district, "deya", f'{{ neighborhood(id: "{gid("Community", YANWACHI)}") {{ truncated }} }}'
        )
    )["neighborhood"] is None


async def test_dual_responsibility_both_sides_and_other_fields(district: Backend) -> None:
    dual = '{ dualResponsibility(pid: "P003") { person { pid } } }'
    for who, visible in (("deya", True), ("yanwachi", True), ("street2", False)):  # residence / hukou side
        assert ((await data(district, who, dual))["dualResponsibility"] is not None) is visible
    gaps = '{ evaluationGaps(communityCode: "430105001001", year: 2024) { person { pid } } }'
    assert (await data(district, "deya", gaps))["evaluationGaps"] == [{"person": {"pid": "P003"}}]
    assert (await data(district, "yanwachi", gaps))["evaluationGaps"] == []  # 德雅 is not theirs
    members = '{ partyOrg(orgId: "PO-A1") { members { totalCount nodes { pid } } } }'
    assert (await data(district, "deya", members))["partyOrg"]["members"] == {
        "totalCount": 2, "nodes": [{"pid": "P007"}, {"pid": "P001"}],  # 周敏, 王建国
    }  # fmt: skip
    assert (await data(district, "street2", '{ partyOrg(orgId: "PO-A1") { orgId } }'))["partyOrg"] is None
    coverage = '{ pairingCoverage(scopeCode: "430105") { community { code } } }'
    assert [
        r["community"]["code"] for r in (await data(district, "street2", coverage))["pairingCoverage"]
    ] == [XIANGCHUN]
    suggestions = f'{{ pairingSuggestions(communityCode: "{YANWACHI}") {{ score }} }}'
    assert (await data(district, "deya", suggestions))["pairingSuggestions"] == []


# ---- personal data -------------------------------------------------------------------------
BY_ID = "query($n: String!) { personByIdNumber(idNumber: $n) { pid idNumberMasked } }"
REVEAL = "query($pid: String!, $reason: String!) { revealPersonalData(pid: $pid, fields: [ID_NUMBER, PHONE], reason: $reason) { pid idNumber phone } }"


async def test_person_by_id_number_for_admin_and_staff_in_scope(
    district: Backend, personal: PersonalData
) -> None:
    clear = {pid: value for value, pid in clear_personal_values().items() if len(value) == 18}
    result = await ask(district, "admin", BY_ID, personal, n=clear["P004"].lower())  # check letter x
    assert result.data == {"personByIdNumber": {"pid": "P004", "idNumberMasked": "4301**********006X"}}
    assert (await ask(district, "deya", BY_ID, personal, n=clear["P006"])).data == {"personByIdNumber": None}
    assert (await ask(district, "yanwachi", BY_ID, personal, n=clear["P006"])).data["personByIdNumber"][
        "pid"
    ] == "P006"
    refused = await ask(district, "analyst", BY_ID, personal, n=clear["P006"])
    assert refused.errors is not None and refused.errors[0].extensions == {"code": "FORBIDDEN"}


async def audit_entries(backend: Backend) -> list[Row]:
    return await backend.read(
        "MATCH (a:Audit {operation: 'revealPersonalData'}) RETURN a.actor AS actor, a.role AS role, "
        "a.keys AS keys, a.reason AS reason, a.fields AS fields, properties(a) AS all ORDER BY a.at"
    )


async def test_reveal_writes_an_audit_entry_without_values(district: Backend, personal: PersonalData) -> None:
    admin = Principal(sub="wang", name="王主任", role=Role.ADMIN)
    result = await ask(district, admin, REVEAL, personal, pid="P001", reason="核实低保申请")
    assert result.errors is None
    assert result.data == {
        "revealPersonalData": {"pid": "P001", "idNumber": "430105196204180010", "phone": "13800000001"}
    }
    [entry] = await audit_entries(district)
    assert entry["actor"] == "王主任" and entry["role"] == "ADMIN" and entry["keys"] == ["P001"]
    assert entry["reason"] == "核实低保申请" and entry["fields"] == ["ID_NUMBER", "PHONE"]
    text = json.dumps(entry["all"], ensure_ascii=False)
    assert "430105196204180010" not in text and "13800000001" not in text


async def test_reveal_rules(district: Backend, personal: PersonalData) -> None:
    staff = await ask(district, "deya", REVEAL, personal, pid="P001", reason="入户走访")
    assert staff.errors is not None and staff.errors[0].extensions == {"code": "FORBIDDEN"}  # switch off
    allowed = Policy(staff_reveal=True)
    ok = await ask(district, "deya", REVEAL, personal, allowed, pid="P002", reason="入户走访")
    assert ok.data == {
        "revealPersonalData": {"pid": "P002", "idNumber": "430105196509020026", "phone": "13800000002"}
    }
    out = await ask(district, "deya", REVEAL, personal, allowed, pid="P006", reason="入户走访")
    assert out.errors is None and out.data == {"revealPersonalData": None}  # not theirs: not found
    for reason in ("", "   ", "电话13800000001核对", "x" * 10_001):
        bad = await ask(district, "admin", REVEAL, personal, pid="P001", reason=reason)
        assert bad.errors is not None and "reason:" in bad.errors[0].message
    entries = await audit_entries(district)
    assert [(e["role"], e["keys"]) for e in entries] == [
        ("COMMUNITY_STAFF", ["P002"])
    ]  # only what was revealed


# ---- injection strings -----------------------------------------------------------------------
NASTY = [
    "x' }) MATCH (n) DETACH DELETE n //",
    'a" OR 1=1 --',
    "`Person` {pid: $pid}",
    "{}[]()<>",
    "$asOf $scopeCodes \\u0000 \\",
    "MATCH (n) RETURN n UNION CALL db.labels() YIELD label RETURN label",
    "王'建`国{$}\"",
    "𠀀𪚥𰻞🀄\u200b\u202eabc\ufeff",
    "长" * 10_000,
]


STRING_ARGUMENTS = {  # every string argument of every root field, with a plain value beside it
    "community(code)": ("query($v: String!) { community(code: $v) { code } }", "430105001001"),
    "person(pid)": ("query($v: String!) { person(pid: $v) { pid name } }", "P001"),
    "unit(uscc)": ("query($v: String!) { unit(uscc: $v) { uscc } }", BUREAU),
    "partyOrg(orgId)": ("query($v: String!) { partyOrg(orgId: $v) { orgId } }", "PO-A1"),
    "residenceMismatches(communityCode)": (
        "query($v: String!) { residenceMismatches(communityCode: $v, kind: HUKOU, direction: LIVING_ELSEWHERE) { totalCount } }",
        YANWACHI,
    ),
    "mismatchMatrix(scopeCode)": (
        "query($v: String!) { mismatchMatrix(scopeCode: $v, kind: HUKOU) { persons } }",
        "430105",
    ),
    "collectiveMembersElsewhere(scopeCode)": (
        "query($v: String!) { collectiveMembersElsewhere(scopeCode: $v) { members } }",
        "430105",
    ),
    "pairingCoverage(scopeCode)": (
        "query($v: String!) { pairingCoverage(scopeCode: $v) { pairedUnits } }",
        "430105",
    ),
    "pairingSuggestions(communityCode)": (
        "query($v: String!) { pairingSuggestions(communityCode: $v) { score } }",
        DEYA,
    ),
    "reportingByUnit(scopeCode)": (
        "query($v: String!) { reportingByUnit(scopeCode: $v) { members } }",
        "430105",
    ),
    "dualResponsibility(pid)": (
        "query($v: String!) { dualResponsibility(pid: $v) { person { pid } } }",
        "P003",
    ),
    "evaluationGaps(communityCode)": (
        "query($v: String!) { evaluationGaps(communityCode: $v, year: 2024) { orgGrade } }",
        DEYA,
    ),
    "search(text)": ("query($v: String!) { search(text: $v) { name } }", "王建国"),
    "personByIdNumber(idNumber)": (
        "query($v: String!) { personByIdNumber(idNumber: $v) { pid } }",
        "430105196204180010",
    ),
    "revealPersonalData(pid)": (
        'query($v: String!) { revealPersonalData(pid: $v, fields: [PHONE], reason: "核对") { pid } }',
        "P001",
    ),
    "revealPersonalData(reason)": (
        'query($v: String!) { revealPersonalData(pid: "P002", fields: [PHONE], reason: $v) { pid } }',
        "核对",
    ),
    "node(id)": ("query($v: ID!) { node(id: $v) { id } }", "Person:P001"),
    "path(from)": ('query($v: ID!) { path(from: $v, to: "UGVyc29uOlAwMDI") { length } }', "Person:P001"),
    "neighborhood(id)": ("query($v: ID!) { neighborhood(id: $v) { truncated } }", "Person:P001"),
}


@pytest.mark.parametrize("argument", list(STRING_ARGUMENTS))
async def test_injection_strings_never_change_the_statement(
    district: Backend, personal: PersonalData, argument: str
) -> None:
    query, plain = STRING_ARGUMENTS[argument]

    def value(v: str) -> str:  # ids are global ids around the string
        if plain.startswith("Person:"):
            return gid("Person", v if v != plain else "P001")
        return v

    async def statements(v: str) -> list[str]:
        recording = Recording(district)
        result = await schema.execute(
            query,
            variable_values={"v": value(v)},
            context_value=Context(backend=recording, personal=personal),
        )
        assert result.errors is None, (argument, result.errors)
        return recording.statements

    before = await dump(district)
    expected = await statements(plain)
    for nasty in NASTY:
        if argument == "search(text)":  # one statement whatever the text; the grams are a parameter
            assert len(await statements(nasty)) <= 1
        else:
            assert await statements(nasty) == expected, nasty
    if not argument.startswith("revealPersonalData"):
        assert await dump(district) == before  # nothing changed


async def test_injection_strings_are_stored_and_returned_verbatim(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path]
) -> None:
    def csv_cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    rows = "".join(f"X{i},{csv_cell(name)},M,,,,,\n" for i, name in enumerate(NASTY))
    bundle = make_bundle(**{"persons.csv": lambda t: t + rows})
    assert (await import_bundle(backend, bundle, personal)).ok
    for i, name in enumerate(NASTY):
        got = await data(backend, "admin", "query($p: String!) { person(pid: $p) { name } }", p=f"X{i}")
        assert got["person"]["name"] == name
    hits = await data(
        backend, "admin", "query($t: String!) { search(text: $t, first: 5) { name } }", t="王'建`国"
    )
    assert hits["search"] == [{"name": NASTY[6]}]
    for reason in NASTY:
        result = await ask(backend, "admin", REVEAL, personal, pid="P001", reason=reason)
        assert result.errors is None, result.errors
    assert [e["reason"] for e in await audit_entries(backend)] == NASTY


async def test_nul_is_refused_before_the_database(district: Backend) -> None:
    recording = Recording(district)
    for query, variables in (
        ("query($v: String!) { person(pid: $v) { pid } }", {"v": "P0\x0001"}),
        ('{ person(pid: "P0\\u000001") { pid } }', {}),
    ):
        result = await schema.execute(
            query, variable_values=variables, context_value=Context(backend=recording)
        )
        assert result.errors is not None and "NUL" in result.errors[0].message
    assert recording.statements == []


# ---- abuse limits: just under and just over ------------------------------------------------------
async def rejected(backend: Backend, query: str, **variables: Any) -> str | None:
    """The first error message, asserting no statement ran when there is one."""
    recording = Recording(backend)
    result = await schema.execute(query, variable_values=variables, context_value=Context(backend=recording))
    if result.errors:
        assert recording.statements == [], result.errors
        return result.errors[0].message
    return None


def nested(levels: int) -> str:
    inner = "code"
    for _ in range(levels):
        inner = f"mergedInto {{ {inner} }}"
    return f'{{ community(code: "430105001001") {{ {inner} }} }}'


async def test_depth_limit(district: Backend) -> None:
    assert await rejected(district, nested(9)) is None  # depth 10
    assert "exceeds maximum operation depth of 10" in (await rejected(district, nested(10)) or "")


async def test_alias_limit(district: Backend) -> None:
    def aliases(n: int) -> str:
        return "{ " + " ".join(f'a{i}: community(code: "{DEYA}") {{ code }}' for i in range(n)) + " }"

    assert await rejected(district, aliases(MAX_ALIASES)) is None
    assert f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}" in (
        await rejected(district, aliases(MAX_ALIASES + 1)) or ""
    )


def count_tokens(text: str) -> int:
    lexer, count = Lexer(Source(text)), 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


async def test_token_limit(district: Backend) -> None:
    def document(tokens: int) -> str:  # 8 tokens a field (code @include(if: true)), the rest plain
        fields, plain = divmod(tokens - 11, 8)
        selection = " ".join(["code @include(if: true)"] * fields + ["code"] * plain)
        return f'{{ community(code: "{DEYA}") {{ name {selection} }} }}'

    assert count_tokens(document(MAX_TOKENS)) == MAX_TOKENS
    assert await rejected(district, document(MAX_TOKENS)) is None
    assert count_tokens(document(MAX_TOKENS + 1)) == MAX_TOKENS + 1
    assert f"more than {MAX_TOKENS} tokens" in (await rejected(district, document(MAX_TOKENS + 1)) or "")


async def test_cost_limit(district: Backend) -> None:
    def matrices(n: int) -> str:  # each flow matrix weighs 100 (schema/limits.py)
        return (
            "{ "
            + " ".join(
                f'm{i}: mismatchMatrix(scopeCode: "430105", kind: HUKOU) {{ persons }}' for i in range(n)
            )
            + " }"
        )

    assert await rejected(district, matrices(MAX_COST // 100)) is None
    assert f"estimated cost {MAX_COST + 100} exceeds the maximum {MAX_COST}" in (
        await rejected(district, matrices(MAX_COST // 100 + 1)) or ""
    )
    # a page size counts: 100 rows of a person card is far over the maximum, 2 rows are not
    card = 'query($n: Int) { residenceMismatches(communityCode: "430105001002", kind: HUKOU, direction: LIVING_ELSEWHERE, first: $n) { edges { node { person { residenceHistory { community { code } } roles { role } teams { team { name } } } } } } }'
    assert await rejected(district, card, n=2) is None
    assert "exceeds the maximum" in (await rejected(district, card, n=100) or "")
    # remembered per text and page size (schema/limits.py: remembered_cost), never across sizes
    assert await rejected(district, card, n=2) is None
    assert "exceeds the maximum" in (await rejected(district, card, n=100) or "")
    assert await rejected(district, card) is None  # absent: the field's default page of 20 is allowed


async def test_page_size_limit(district: Backend) -> None:
    query = 'query($n: Int) { residenceMismatches(communityCode: "430105001002", kind: HUKOU, direction: LIVING_ELSEWHERE, first: $n) { totalCount } }'
    assert await rejected(district, query, n=100) is None
    assert "first: must be between 0 and 100, got 101" in (await rejected(district, query, n=101) or "")


async def test_query_timeout(falkor_server: EmbeddedFalkorDB, personal: PersonalData) -> None:
    """The database's own per-query timeout (GRASSROOTS_QUERY_TIMEOUT) stops a long read."""
    graph = f"timeout{time.monotonic_ns()}"
    roomy = FalkorBackend(graph_key=graph, query_timeout=30, unix_socket=str(falkor_server.socket_path))
    await roomy.setup_schema()
    assert (await import_bundle(roomy, EXAMPLE, personal)).ok
    await roomy.write(
        "MATCH (d:Dwelling {id: 'D-A1-101'}), (h:Household {key: 'H-002'}) UNWIND range(1, 40000) AS i "
        "CREATE (p:Person {pid: 'T' + toString(i), name: 'x'}), (p)-[:LIVES_IN {since: '2000-01-01'}]->(d), "
        "(p)-[:HUKOU_MEMBER {since: '2000-01-01'}]->(h)"
    )
    tight = FalkorBackend(graph_key=graph, query_timeout=0.001, unix_socket=str(falkor_server.socket_path))
    try:
        slow = '{ community(code: "430105001001") { stats { residents } } }'  # walks every resident
        staff = STAFF["district"]
        ok = await schema.execute(slow, context_value=Context(backend=roomy, principal=staff))
        assert ok.errors is None and ok.data["community"]["stats"]["residents"] == 40_004
        stopped = await schema.execute(slow, context_value=Context(backend=tight, principal=staff))
        assert stopped.errors is not None and "timed out" in stopped.errors[0].message.lower()
    finally:
        await roomy.clear()
        await tight.close()
        await roomy.close()


# ---- HTTP: tokens, body size, rate, production, allow-list ---------------------------------
@pytest.fixture(scope="module")
def app_factory(
    tmp_path_factory: pytest.TempPathFactory, falkor_server: EmbeddedFalkorDB
) -> Iterator[Callable[..., TestClient]]:
    """Apps on the session's FalkorDB server (no server of their own), each with its own graph."""
    clients: list[TestClient] = []
    base = tmp_path_factory.mktemp("security")
    server = falkor_server

    def make(**overrides: Any) -> TestClient:
        settings = Settings(
            graph_uri=f"unix://{server.socket_path}",
            graph_key=f"security{len(clients)}",
            data_dir=base / "data",
            secret_key=TEST_SECRET,
            **overrides,
        )
        from service.app import create_app

        async def load(backend: Backend) -> None:
            await backend.clear()
            assert (await import_bundle(backend, EXAMPLE, PersonalData.from_secret(TEST_SECRET))).ok

        client = TestClient(create_app(settings, prepare=load))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


QUERY = {"query": '{ person(pid: "P001") { pid idNumberMasked } }'}


def test_every_graphql_request_needs_a_valid_token(app_factory: Callable[..., TestClient]) -> None:
    client = app_factory()
    good = client.post("/graphql", json=QUERY, headers=bearer())
    assert good.status_code == 200 and good.json() == {
        "data": {"person": {"pid": "P001", "idNumberMasked": "4301**********0010"}}
    }
    now = time.time()
    cases = {
        "missing bearer token": {},
        "missing bearer token: send": {"Authorization": "Basic dXNlcjpwYXNz"},
        "token expired": {
            "Authorization": "Bearer " + make_token(TEST_SECRET, Role.ADMIN, sub="a", ttl=60, now=now - 3600)
        },
        "bad token signature": {"Authorization": "Bearer " + make_token("another-key", Role.ADMIN, sub="a")},
        "malformed token": {"Authorization": "Bearer not-a-token"},
    }
    for reason, headers in cases.items():
        response = client.post("/graphql", json=QUERY, headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer ")
        assert reason in response.json()["errors"][0]["message"]
        assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert client.get("/graphql", params={"query": "{ __typename }"}).status_code == 401  # GET queries too
    assert client.get("/graphql", headers={"Accept": "text/html"}).status_code == 200  # the GraphiQL page
    assert client.get("/health").status_code == 200 and client.get("/metrics").status_code == 200  # open


def test_token_claims_are_checked() -> None:
    token = make_token(
        TEST_SECRET, Role.COMMUNITY_STAFF, sub="li", name="李", communities=(DEYA,), ttl=parse_ttl("8h")
    )
    principal = verify_token(TEST_SECRET, token)
    assert (principal.role, principal.communities, principal.name) == (Role.COMMUNITY_STAFF, (DEYA,), "李")
    header, payload, signature = token.split(".")
    import base64

    def forged(**changes: Any) -> str:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(changes)
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"{header}.{body}.{signature}"

    for bad, message in (
        (forged(role="ADMIN"), "bad token signature"),  # escalation needs the key
        (forged(iss="someone-else"), "bad token signature"),
        ("eyJhbGciOiJub25lIn0." + payload + ".", "token algorithm must be HS256"),
    ):
        with pytest.raises(InvalidToken, match=message):
            verify_token(TEST_SECRET, bad)
    eight_hours = make_token(TEST_SECRET, Role.ADMIN, sub="a")
    assert verify_token(TEST_SECRET, eight_hours, now=time.time() + 8 * 3600 - 60).role is Role.ADMIN
    import service.auth as auth

    assert (TEST_SECRET, eight_hours) in auth._VERIFIED  # remembered: its dates are still checked
    with pytest.raises(InvalidToken, match="token expired"):
        verify_token(TEST_SECRET, eight_hours, now=time.time() + 8 * 3600 + 60)
    with pytest.raises(InvalidToken, match="issued in the future"):
        verify_token(TEST_SECRET, eight_hours, now=time.time() - 3600)

    original = auth.ISSUER
    auth.ISSUER = "another-service"
    try:
        other = make_token(TEST_SECRET, Role.ADMIN, sub="a")
    finally:
        auth.ISSUER = original
    with pytest.raises(InvalidToken, match="issuer"):
        verify_token(TEST_SECRET, other)
    with pytest.raises(ValueError, match="needs at least one --community"):
        make_token(TEST_SECRET, Role.COMMUNITY_STAFF, sub="x")
    with pytest.raises(ValueError, match="12-digit"):
        make_token(TEST_SECRET, Role.COMMUNITY_STAFF, sub="x", communities=("4301' OR 1=1",))


def test_scope_applies_over_http(app_factory: Callable[..., TestClient]) -> None:
    client = app_factory()
    staff = bearer(Role.COMMUNITY_STAFF, communities=(YANWACHI,))
    query = {"query": '{ a: person(pid: "P001") { pid } b: person(pid: "P005") { pid } }'}
    assert client.post("/graphql", json=query, headers=staff).json() == {
        "data": {"a": None, "b": {"pid": "P005"}}
    }


def test_body_size_limit(app_factory: Callable[..., TestClient]) -> None:
    client = app_factory(max_body_bytes=2_000)

    def body(size: int) -> bytes:
        text = json.dumps({"query": '{ community(code: "x") { code } }', "variables": {"pad": ""}})
        return text.replace('"pad": ""', '"pad": "' + "a" * (size - len(text)) + '"').encode()

    headers = {**bearer(), "Content-Type": "application/json"}
    assert len(body(2_000)) == 2_000 and len(body(2_001)) == 2_001
    assert client.post("/graphql", content=body(2_000), headers=headers).status_code == 200
    over = client.post("/graphql", content=body(2_001), headers=headers)
    assert over.status_code == 413 and over.json()["errors"][0]["extensions"] == {"code": "BODY_TOO_LARGE"}

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        data = body(2_001)
        yield data[:1000]
        yield data[1000:]

    assert client.post("/graphql", content=chunks(), headers=headers).status_code == 413


def test_rate_limit_per_token(app_factory: Callable[..., TestClient]) -> None:
    client = app_factory(rate_limit=5)
    one, other = bearer(), bearer()
    assert [client.post("/graphql", json=QUERY, headers=one).status_code for _ in range(5)] == [200] * 5
    limited = client.post("/graphql", json=QUERY, headers=one)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["errors"][0]["extensions"] == {"code": "RATE_LIMITED"}
    assert client.post("/graphql", json=QUERY, headers=other).status_code == 200  # per token


def test_rate_limit_refills() -> None:
    now = [0.0]
    limiter = RateLimit(lambda *_: None, per_minute=60, clock=lambda: now[0])  # type: ignore[arg-type,return-value]
    assert [limiter.take("t") for _ in range(60)] == [0.0] * 60
    assert limiter.take("t") == pytest.approx(1.0)
    now[0] = 1.0
    assert limiter.take("t") == 0.0 and limiter.take("t") > 0


def test_production_turns_introspection_and_graphiql_off(app_factory: Callable[..., TestClient]) -> None:
    introspection = {"query": "{ __schema { queryType { name } } }"}
    development = app_factory()
    assert development.post("/graphql", json=introspection, headers=bearer()).json()["data"]["__schema"]
    production = app_factory(env="production")
    refused = production.post("/graphql", json=introspection, headers=bearer()).json()
    assert refused.get("data") is None and "introspection" in refused["errors"][0]["message"].lower()
    assert production.post("/graphql", json=QUERY, headers=bearer()).json()["data"]["person"]["pid"] == "P001"
    assert production.get("/graphql", headers={"Accept": "text/html"}).status_code in (401, 404)


def test_persisted_operations_allow_list(app_factory: Callable[..., TestClient]) -> None:
    contract = SHARED / "contract" / "operations.graphql"
    client = app_factory(persisted_operations=(contract,))
    card = {"query": OPERATIONS["PersonCard"], "variables": {"pid": "P003"}}
    assert client.post("/graphql", json=card, headers=bearer()).json()["data"]["person"]["pid"] == "P003"
    spaced = {
        "query": "\n\n  " + OPERATIONS["PersonCard"].replace("{", "{\n   ") + "  # comment\n",
        "variables": {"pid": "P003"},
    }
    assert (
        "errors" not in client.post("/graphql", json=spaced, headers=bearer()).json()
    )  # layout does not matter
    other = client.post("/graphql", json=QUERY, headers=bearer()).json()
    assert (
        other.get("data") is None
        and other["errors"][0]["extensions"]["code"] == "PERSISTED_OPERATION_NOT_FOUND"
    )
    changed = {
        "query": OPERATIONS["PersonCard"].replace("tags", "tags ethnicity"),
        "variables": {"pid": "P003"},
    }
    assert (
        "not a persisted operation"
        in client.post("/graphql", json=changed, headers=bearer()).json()["errors"][0]["message"]
    )
    assert len(PersistedOperations([contract]).allowed) == len(OPERATIONS)


def test_auth_off_is_for_development_only(
    app_factory: Callable[..., TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    client = app_factory(auth=False)
    assert client.post("/graphql", json=QUERY).json()["data"]["person"]["pid"] == "P001"
    assert "GRASSROOTS_AUTH=off" in caplog.text
    with pytest.raises(ValueError, match="refused when GRASSROOTS_ENV=production"):
        app_factory(auth=False, env="production")
    from service.app import create_app

    with pytest.raises(ValueError, match="GRASSROOTS_SECRET_KEY is not set"):
        create_app(Settings(secret_key=None))


def test_token_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {
        "GRASSROOTS_SECRET_KEY": TEST_SECRET,
        "PATH": "/usr/bin:/bin",
        "GRASSROOTS_DATA_DIR": str(tmp_path),
    }
    made = subprocess.run(
        [sys.executable, "-m", "service.cli", "token", "--role", "COMMUNITY_STAFF", "--community", DEYA,
         "--community", YANWACHI, "--ttl", "30m", "--name", "李四"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    principal = verify_token(TEST_SECRET, made.stdout.strip())
    assert principal.communities == (DEYA, YANWACHI) and principal.name == "李四"
    refused = subprocess.run(
        [sys.executable, "-m", "service.cli", "token", "--role", "STREET_STAFF"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "STREET_STAFF needs --street CODE" in refused.stderr


# ---- every statement the scopes add is valid on Neo4j ---------------------------------------
@pytest.mark.parametrize("backend", ["falkordb"], indirect=True)
async def test_scoped_statements_are_valid_on_neo4j(district: Backend, personal: PersonalData) -> None:
    recording = Recording(district)
    for who in ("deya", "street1", "analyst"):  # the other roles plan the same shapes
        for name in QUERIES:
            await schema.execute(
                OPERATIONS[name], variable_values=VARIABLES[name],
                context_value=Context(backend=recording, principal=STAFF[who], personal=personal),
            )  # fmt: skip
    extra = [
        (BY_ID, {"n": "430105196204180010"}),
        (REVEAL, {"pid": "P001", "reason": "核对"}),
        (MATRIX, {}),
    ]
    for who in ("admin", "deya", "street1"):
        for query, variables in extra:
            await schema.execute(
                query, variable_values=variables,
                context_value=Context(backend=recording, principal=STAFF[who], personal=personal,
                                      policy=Policy(staff_reveal=True)),
            )  # fmt: skip
    statements = sorted(set(recording.statements))
    assert len(statements) > 40
    assert lint_errors(statements) == {}


def test_the_leak_check_watches_the_suite(no_clear_personal_data: list[str]) -> None:
    assert no_clear_personal_data, "the session fixture records GraphQL results"
    assert not any(re.search(r"4301051962041800[0-9]{2}", text) for text in no_clear_personal_data)
