"""Differential tests: bundles imported into the real embedded FalkorDB, the people-side contract
operations answered by the service and by the independent oracle (``oracle_people.py``, written
from SPEC.md alone), compared on many inputs and several ``asOf`` dates.

Lists whose order no document promises (roles, teams, areas, mergedFrom, matrix cells, collective
rows) are compared as sorted lists; ordered ones (mismatches "by person name then pid", grids "by
code", residenceHistory by since) are compared as given.

The differences these tests found between the two readings are minimal reproductions at the end
of the file (residence history as of a date, reported members who are members, a chain of merges
in one bundle, a closed report at a community merged later), each fixed in the service.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, TODAY
from contract import gid, run
from oracle_people import Ledger

from graph.base import Backend
from graph.embedded import EmbeddedFalkorDB
from graph.falkor_backend import FalkorBackend
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from seed.generate import generate

FIXED_DAYS = ["2012-06-30", "2020-01-01", TODAY]
KINDS = ["HUKOU", "PARTY", "COLLECTIVE"]
DIRECTIONS = ["LIVING_ELSEWHERE", "REGISTERED_ELSEWHERE"]
_graph_numbers = itertools.count()


def days_for(ledger: Ledger) -> list[str]:
    """The fixed dates, and the day before, of and after each merge."""
    around = set()
    for merge in ledger.merges:
        on = dt.date.fromisoformat(merge.on)
        around |= {(on + dt.timedelta(days=k)).isoformat() for k in (-1, 0, 1)}
    return sorted(set(FIXED_DAYS) | around)


def canon(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def unordered(items: Iterable[Any]) -> list[Any]:
    return sorted(items, key=canon)


def delta(service: Any, oracle: Any, path: str = "") -> list[tuple[str, str, str]]:
    """The differing leaves of two answers, as (path, service, oracle)."""
    if isinstance(service, dict) and isinstance(oracle, dict) and service.keys() == oracle.keys():
        return [d for k in service for d in delta(service[k], oracle[k], f"{path}.{k}")]
    if isinstance(service, list) and isinstance(oracle, list) and len(service) == len(oracle):
        return [
            d
            for i, (s, o) in enumerate(zip(service, oracle, strict=True))
            for d in delta(s, o, f"{path}[{i}]")
        ]
    return [] if canon(service) == canon(oracle) else [(path, canon(service)[:400], canon(oracle)[:400])]


@dataclass
class Differences:
    """Every difference found, as readable lines by category, so that one run reports them all."""

    found: dict[str, list[str]] = field(default_factory=dict)

    def check(self, category: str, what: str, service: Any, oracle: Any) -> None:
        if canon(service) != canon(oracle):
            parts = "".join(
                f"\n    {path or '.'}: service {s} | oracle {o}" for path, s, o in delta(service, oracle)
            )
            self.found.setdefault(category, []).append(what + parts)

    def assert_none(self, *categories: str) -> None:
        """No difference in the given categories (in any when none are given)."""
        wanted = categories or list(self.found)
        lines = [line for c in wanted for line in self.found.get(c, [])]
        shown = "\n".join(lines[:25])
        assert not lines, f"{len(lines)} differences, the first:\n{shown}"


# ---- one operation each: the service's answer, normalised, against the oracle's ----------------
def card_shape(card: dict[str, Any]) -> dict[str, Any]:
    return {
        **card,
        "roles": unordered(card["roles"]),
        "teams": unordered(card["teams"]),
        "collectiveMemberships": unordered(card["collectiveMemberships"]),
    }


async def compare_person_cards(
    backend: Backend, ledger: Ledger, pids: Iterable[str], days: Iterable[str], diff: Differences
) -> None:
    for pid, day in itertools.product(pids, days):
        service = (await run(backend, "PersonCard", pid=pid, asOf=day))["person"]
        oracle = ledger.person_card(pid, day)["person"]
        what = f"PersonCard pid={pid} asOf={day}"
        if service is None or oracle is None:
            diff.check("PersonCard", what, service, oracle)
            continue
        diff.check("PersonCard", what, card_shape(service), card_shape(oracle))


def profile_shape(profile: dict[str, Any] | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {**profile, "areas": unordered(profile["areas"]), "mergedFrom": unordered(profile["mergedFrom"])}


async def compare_profiles(
    backend: Backend, ledger: Ledger, codes: Iterable[str], days: Iterable[str], diff: Differences
) -> None:
    for code, day in itertools.product(codes, days):
        service = (await run(backend, "CommunityProfile", code=code, asOf=day))["community"]
        oracle = ledger.community_profile(code, day)["community"]
        diff.check(
            "CommunityProfile",
            f"CommunityProfile code={code} asOf={day}",
            profile_shape(service),
            profile_shape(oracle),
        )


async def all_mismatches(backend: Backend, page: int, **variables: Any) -> dict[str, Any]:
    """Every page of ResidenceMismatches, walked with its cursors."""
    nodes: list[Any] = []
    totals: set[int] = set()
    after = None
    while True:
        answer = (await run(backend, "ResidenceMismatches", first=page, after=after, **variables))[
            "residenceMismatches"
        ]
        totals.add(answer["totalCount"])
        nodes += [e["node"] for e in answer["edges"]]
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
    assert len(totals) == 1, f"totalCount changed between pages: {totals}"
    return {"totalCount": totals.pop(), "nodes": nodes}


async def compare_mismatches(
    backend: Backend,
    ledger: Ledger,
    codes: Iterable[str],
    days: Iterable[str],
    diff: Differences,
    *,
    kinds: Iterable[str] = KINDS,
    page: int = 100,
) -> None:
    for code, kind, direction, day in itertools.product(codes, kinds, DIRECTIONS, days):
        variables = {"code": code, "kind": kind, "direction": direction, "asOf": day}
        service = await all_mismatches(backend, page, **variables)
        oracle = ledger.residence_mismatches(code, kind, direction, day)
        diff.check("ResidenceMismatches", f"ResidenceMismatches {variables}", service, oracle)


async def compare_matrix(
    backend: Backend, ledger: Ledger, scopes: Iterable[str], days: Iterable[str], diff: Differences
) -> None:
    for scope, kind, day in itertools.product(scopes, KINDS, days):
        service = (await run(backend, "MismatchMatrix", scope=scope, kind=kind, asOf=day))["mismatchMatrix"]
        oracle = ledger.mismatch_matrix(scope, kind, day)
        diff.check(
            "MismatchMatrix",
            f"MismatchMatrix scope={scope} kind={kind} asOf={day}",
            unordered(service),
            unordered(oracle),
        )


async def compare_collectives(
    backend: Backend, ledger: Ledger, scopes: Iterable[str], diff: Differences
) -> None:
    for scope in scopes:
        service = (await run(backend, "CollectiveMembersElsewhere", scope=scope))[
            "collectiveMembersElsewhere"
        ]
        oracle = ledger.collective_members_elsewhere(scope)
        diff.check(
            "CollectiveMembersElsewhere",
            f"CollectiveMembersElsewhere scope={scope}",
            unordered(service),
            unordered(oracle),
        )


def scopes_of(ledger: Ledger) -> list[str]:
    return sorted(c for c, p in ledger.places.items() if p.level in ("DISTRICT", "STREET"))


# ---- bundles --------------------------------------------------------------------------------
async def imported(backend: Backend, personal: PersonalData, bundle: Path) -> Ledger:
    result = await import_bundle(backend, bundle, personal, today=TODAY)
    assert result.ok, result.problems[:10]
    return Ledger(bundle, ids=gid)


@dataclass
class Loaded:
    backend: Backend
    ledger: Ledger


@pytest.fixture(scope="module", params=[(1500, 11), (2500, 29)], ids=lambda p: f"seed{p[1]}-{p[0]}")
async def generated(
    request: pytest.FixtureRequest,
    falkor_server: EmbeddedFalkorDB,
    personal: PersonalData,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Loaded]:
    """A synthetic district (seed/generate.py, with merges), imported once per module into its own
    graph on the session's embedded FalkorDB (the example and edge-case tests also run on Neo4j
    when NEO4J_URI is set)."""
    persons, seed = request.param
    bundle = tmp_path_factory.mktemp("generated") / f"g{seed}"
    generate(persons, seed, bundle)
    store = FalkorBackend(
        graph_key=f"oracle{next(_graph_numbers)}",
        query_timeout=30,
        unix_socket=str(falkor_server.socket_path),
    )
    await store.setup_schema()
    ledger = await imported(store, personal, bundle)
    yield Loaded(store, ledger)
    await store.close()


# ---- the example bundle ---------------------------------------------------------------------
@pytest.fixture
async def example(backend: Backend, personal: PersonalData) -> Ledger:
    return await imported(backend, personal, EXAMPLE)


EXAMPLE_DAYS = ["2010-01-01", "2015-01-01", "2020-08-31", "2020-09-01", "2021-03-01", *FIXED_DAYS]


async def test_example_person_cards(backend: Backend, example: Ledger) -> None:
    diff = Differences()
    await compare_person_cards(backend, example, [*example.persons, "NOBODY"], EXAMPLE_DAYS, diff)
    diff.assert_none()


async def test_example_profiles(backend: Backend, example: Ledger) -> None:
    diff = Differences()
    await compare_profiles(backend, example, [*example.communities, "430105001999"], EXAMPLE_DAYS, diff)
    diff.assert_none()


async def test_example_mismatches(backend: Backend, example: Ledger) -> None:
    diff = Differences()
    await compare_mismatches(backend, example, example.communities, EXAMPLE_DAYS, diff, page=1)
    await compare_matrix(backend, example, scopes_of(example), EXAMPLE_DAYS, diff)
    await compare_collectives(backend, example, scopes_of(example), diff)
    diff.assert_none()


# ---- synthetic districts --------------------------------------------------------------------
def interesting_persons(ledger: Ledger, limit: int) -> list[str]:
    """Persons with the most to compare first: movers, members, reporters, collective members,
    people touched by merges; then every n-th other person up to ``limit``."""
    merged = {m.old for m in ledger.merges} | {m.new for m in ledger.merges}
    score: dict[str, int] = {}
    for pid in ledger.persons:
        s = 2 * (len(ledger.residences.get(pid, [])) > 1) + 2 * (len(ledger.hukou_members.get(pid, [])) > 1)
        s += (
            2 * (pid in ledger.party_members)
            + (pid in ledger.reports)
            + 2 * (pid in ledger.collective_members)
        )
        s += (pid in ledger.roles) + (pid in ledger.team_members) + (pid in ledger.employments)
        s += 2 * any(
            ledger.hukou_place(pid, d) in merged or ledger.residence(pid, d) in merged for d in FIXED_DAYS
        )
        score[pid] = s
    ranked = sorted(score, key=lambda p: (-score[p], p))
    return ranked[:limit]


async def test_generated_person_cards(generated: Loaded) -> None:
    ledger = generated.ledger
    diff = Differences()
    pids = interesting_persons(ledger, 120)
    await compare_person_cards(generated.backend, ledger, pids, days_for(ledger), diff)
    await compare_person_cards(generated.backend, ledger, ledger.persons, [TODAY], diff)
    diff.assert_none()


async def test_generated_profiles(generated: Loaded) -> None:
    ledger = generated.ledger
    diff = Differences()
    await compare_profiles(generated.backend, ledger, ledger.communities, days_for(ledger), diff)
    diff.assert_none()


async def test_generated_mismatches(generated: Loaded) -> None:
    ledger = generated.ledger
    diff = Differences()
    merged = sorted({m.old for m in ledger.merges} | {m.new for m in ledger.merges})
    busiest = sorted(
        ledger.communities,
        key=lambda c: -len(ledger.residence_mismatches(c, "HUKOU", "LIVING_ELSEWHERE", TODAY)["nodes"]),
    )[:8]
    await compare_mismatches(
        generated.backend, ledger, sorted(set(merged) | set(busiest)), days_for(ledger), diff, page=7
    )
    diff.assert_none()


async def test_generated_matrix(generated: Loaded) -> None:
    ledger = generated.ledger
    diff = Differences()
    await compare_matrix(generated.backend, ledger, scopes_of(ledger), days_for(ledger), diff)
    diff.assert_none()


async def test_generated_collectives(generated: Loaded) -> None:
    ledger = generated.ledger
    diff = Differences()
    await compare_collectives(generated.backend, ledger, scopes_of(ledger), diff)
    diff.assert_none()


# ---- a small ledger with the edge cases a real one has --------------------------------------
def citizen_id(place: str, birth: str, sequence: str) -> str:
    """GB 11643 (SPEC "Identifiers"): 17 digits and the check character."""
    first = place + birth.replace("-", "") + sequence
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first + "10X98765432"[sum(int(c) * w for c, w in zip(first, weights, strict=True)) % 11]


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first: str) -> str:
    """GB 32100 (SPEC "Identifiers"): 17 characters and the check character."""
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first))
    return first + USCC_CHARS[(31 - total % 31) % 31]


A, B, C, D = "430105001001", "430105001002", "430105001003", "430105001004"
E, F, G = "430105002001", "430105002002", "430105002003"
TAGS = {"P01": "在职党员;志愿者", "P02": " 低保户 ;;退役军人"}
OUTSIDE = "430602"
U1, U2 = uscc("11430105000010011"), uscc("12430105000010022")
COL_BE, COL_BW, COL_F = uscc("N2430105001000001"), uscc("N2430105001000002"), uscc("N2430105001000003")
COL_X = uscc("N2430105001000004")  # no members
COL_G = uscc("N2430105002000001")  # of a village merged into a community of another street

PEOPLE = [  # pid, name, gender, birth date
    ("P01", "王一", "M", "1960-01-01"),
    ("P02", "李二", "F", "1970-02-02"),
    ("P03", "张三", "M", "1950-03-03"),
    ("P04", "刘四", "F", "1955-04-04"),
    ("P05", "陈五", "M", "1980-05-05"),
    ("P06", "赵六", "F", "1975-06-06"),
    ("P07", "孙七", "M", "1965-07-07"),
    ("P08", "周八", "F", "1990-08-08"),
    ("P09", "吴九", "M", "1985-09-09"),
    ("P10", "郑十", "F", "1945-10-10"),
    ("P11", "钱十一", "M", "1958-11-11"),
    ("P12", "冯十二", "F", "1988-12-12"),
    ("P13", "王一", "M", "1961-01-01"),  # the same name as P01: ordered by pid after the name
    ("P14", "褚十四", "F", "1992-02-14"),
    ("P15", "卫十五", "M", "1993-03-15"),
    ("P16", "蒋十六", "F", "1994-04-16"),
    ("P17", "王𬌗", "M", "1996-06-17"),  # a rare character outside the BMP (CJK Extension B+)
    ("P18", "沈十八", "F", "1997-07-18"),
    ("P19", "王﨑", "F", "1998-08-19"),  # U+FA11: after U+2C317 in UTF-16 order, before it by code point
    ("P20", "王𬌗", "F", "1999-09-20"),  # the same name as P17
]


def edge_ledger() -> dict[str, str]:
    """The bundle's files. A and B merge into C on 2016-01-01, C into D on 2021-07-01 (a chain),
    F into E on 2019-03-01 (another street); B has two named areas, the others default areas."""
    persons = "\n".join(
        f"{pid},{name},{g},{birth},{citizen_id('430105', birth, f'{10 + i:02d}' + ('1' if g == 'M' else '2'))},"
        f"{'073188881234' if pid == 'P12' else f'139{i:08d}'},汉族,{TAGS.get(pid, '')}"
        for i, (pid, name, g, birth) in enumerate(PEOPLE)
    )
    return {
        "regions.csv": f"""code,name,level,kind,parent_code
430105,开福区,DISTRICT,,
430105001,东风路街道,STREET,,430105
430105002,清水塘街道,STREET,,430105
{A},甲社区,COMMUNITY,COMMUNITY,430105001
{B},乙村,COMMUNITY,VILLAGE,430105001
{C},甲乙社区,COMMUNITY,COMMUNITY,430105001
{D},丁社区,COMMUNITY,COMMUNITY,430105001
{E},戊社区,COMMUNITY,COMMUNITY,430105002
{F},己村,COMMUNITY,VILLAGE,430105002
{G},庚村,COMMUNITY,VILLAGE,430105002
{OUTSIDE},岳阳楼区,OUTSIDE,,
110101,东城区,OUTSIDE,,
""",
        "areas.csv": f"id,name,community_code\nB-E,乙村东片,{B}\nB-W,乙村西片,{B}\n",
        "merges.csv": f"""old_code,new_code,on,doc_no
{A},{C},2016-01-01,长开政发〔2016〕1号
{B},{C},2016-01-01,长开政发〔2016〕1号
{C},{D},2021-07-01,长开政发〔2021〕7号
{F},{E},2019-03-01,
{G},{D},2020-06-01,跨街道合并
""",
        "grids.csv": f"""code,name,community_code,target_households
{A}01,甲第一网格,{A},300
{B}01,乙第一网格,{B},300
{D}01,丁第一网格,{D},300
{E}01,戊第一网格,{E},300
{F}01,己第一网格,{F},
{G}01,庚第一网格,{G},300
""",
        "compounds.csv": f"""id,name,type,community_code
CA,甲花园,COMMERCIAL,{A}
CB,乙村组,VILLAGE,{B}
CD,丁小区,OLD,{D}
CE,戊小区,RESETTLEMENT,{E}
CF,己村组,VILLAGE,{F}
CG,庚村组,VILLAGE,{G}
""",
        "buildings.csv": f"""code,name,compound_id,grid_code,area_id
{A}0001,甲1栋,CA,{A}01,
{B}0001,乙东1栋,CB,{B}01,B-E
{B}0002,乙西1栋,CB,{B}01,B-W
{D}0001,丁1栋,CD,{D}01,
{E}0001,戊1栋,CE,{E}01,
{F}0001,己1栋,CF,{F}01,
{G}0001,庚1栋,CG,{G}01,
""",
        "dwellings.csv": f"""id,building_code,room
DA1,{A}0001,101
DA2,{A}0001,102
DB1,{B}0001,
DB2,{B}0002,2
DD1,{D}0001,301
DE1,{E}0001,401
DF1,{F}0001,501
DG1,{G}0001,601
""",
        "households.csv": f"""key,type,hukou_code,since
HA,FAMILY,{A},2000-01-01
HB,FAMILY,{B},2000-01-01
HD,FAMILY,{D},2000-01-01
HE,FAMILY,{E},2000-01-01
HF,COLLECTIVE,{F},2005-01-01
HX,FAMILY,{OUTSIDE},2000-01-01
HN,FAMILY,{E},
HG,FAMILY,{G},2000-01-01
""",
        "persons.csv": "pid,name,gender,birth_date,id_number,phone,ethnicity,tags\n" + persons + "\n",
        "hukou_members.csv": """pid,household_key,rel_to_head,since,until
P01,HA,户主,2000-01-01,
P02,HX,户主,2000-01-01,
P03,HB,户主,2000-01-01,
P04,HB,配偶,2000-01-01,
P05,HF,集体户成员,2005-01-01,
P06,HA,子女,2000-01-01,2017-01-01
P06,HE,户主,2017-01-01,
P07,HD,户主,2000-01-01,
P08,HX,子女,2000-01-01,
P10,HB,母亲,2000-01-01,2010-01-01
P11,HB,子女,2000-01-01,
P12,HE,配偶,2000-01-01,
P13,HA,兄弟,2000-01-01,
P14,HA,孙女,2018-05-01,
P15,HD,子女,1995-01-01,
P16,HN,户主,2001-01-01,
P17,HG,户主,2000-01-01,
P18,HE,子女,2000-01-01,
P19,HG,子女,2000-01-01,
P20,HG,子女,2000-01-01,
""",
        "residences.csv": """pid,dwelling_id,tenure,since,until
P01,DA1,OWNER,2000-01-01,2010-05-01
P01,DE1,TENANT,2010-05-01,2018-03-01
P01,DB1,OTHER,2018-03-01,
P02,DA2,TENANT,2012-01-01,
P04,DB2,OWNER,2000-01-01,
P05,DE1,TENANT,2006-01-01,
P06,DD1,OWNER,2001-01-01,
P07,DB1,OWNER,2000-01-01,
P08,DF1,TENANT,2015-01-01,
P09,DA1,TENANT,2011-01-01,
P10,DE1,OWNER,2000-01-01,2022-01-01
P11,DA2,OWNER,2005-01-01,
P12,DE1,OWNER,2000-01-01,
P13,DD1,OWNER,2000-01-01,2016-01-01
P13,DA1,OWNER,2016-01-01,
P14,DE1,TENANT,2018-05-01,
P15,DD1,OWNER,1995-01-01,
P16,DA1,TENANT,2001-01-01,
P17,DE1,TENANT,2000-01-01,
P18,DG1,OWNER,2000-01-01,
P19,DE1,TENANT,2000-01-01,
P20,DE1,TENANT,2000-01-01,
""",
        "party_orgs.csv": f"""id,name,level,kind,parent_id,community_code,covers_type,covers
PO-A,甲社区党支部,BRANCH,COMMUNITY,PO-D,{A},,
PO-B,乙村党支部,BRANCH,COMMUNITY,PO-D,{B},,
PO-D,丁社区党委,COMMITTEE,COMMUNITY,,{D},,
PO-E,戊社区党支部,BRANCH,COMMUNITY,,{E},,
PO-G,庚村党支部,BRANCH,COMMUNITY,,{G},,
""",
        "party_members.csv": """pid,org_id,type,joined,since,until
P01,PO-A,FULL,2005-07-01,2005-07-01,2015-06-30
P01,PO-E,FULL,2005-07-01,2015-06-30,
P02,PO-A,PROBATIONARY,,2010-01-01,2019-12-31
P06,PO-D,FULL,2003-01-01,2003-01-01,
P07,PO-E,FULL,2010-01-01,2010-01-01,
P09,PO-B,FULL,2012-01-01,2012-01-01,
P17,PO-G,FULL,2010-01-01,2010-01-01,
P18,PO-E,PROBATIONARY,2024-01-01,2024-01-01,
""",
        "units.csv": f"uscc,name,category,community_code\n{U1},甲街道办,ORGAN,{A}\n{U2},戊公司,ENTERPRISE,{E}\n",
        "employments.csv": f"pid,uscc,since,until\nP06,{U1},2010-01-01,\nP01,{U2},2001-01-01,2012-01-01\n",
        "reports.csv": f"""pid,community_code,grid_code,since,until
P02,{A},,2014-01-01,2015-12-31
P09,{A},{A}01,2012-03-01,
P06,{D},,2016-05-01,
""",
        "pairings.csv": f"""uscc,target_type,target,since,until,agreement_no
{U1},COMMUNITY,{A},2012-01-01,,KF-1
{U2},COMMUNITY,{D},2022-01-01,,KF-2
{U2},COMMUNITY,{F},2010-01-01,2019-03-01,KF-3
""",
        "teams.csv": f"id,name,type,community_code\nT-A,甲银发先锋队,银发志愿,{A}\nT-E,戊骑士队,骑士志愿,{E}\n",
        "team_members.csv": "team_id,pid,role,since,until\nT-A,P01,队长,2010-01-01,\nT-E,P12,队员,2015-01-01,2020-01-01\n",
        "roles.csv": f"""pid,role,scope_type,scope,since,until
P12,GRID_WORKER,GRID,{E}01,2010-01-01,
P12,BUILDING_HEAD,BUILDING,{E}0001,2012-01-01,
P06,COMMUNITY_SECRETARY,COMMUNITY,{D},2015-01-01,
P07,AREA_HEAD,PARTY_ORG,PO-E,2011-01-01,2020-01-01
P13,GRID_LEADER,GRID,{A}01,2010-01-01,
""",
        "collectives.csv": f"""uscc,name,area_id
{COL_BE},乙村东片股份经济合作社,B-E
{COL_BW},乙村西片股份经济合作社,B-W
{COL_F},己村股份经济合作社,{F}
{COL_X},甲社区经济合作社,{A}
{COL_G},庚村股份经济合作社,{G}
""",
        "collective_members.csv": f"""pid,collective_uscc,since,until
P03,{COL_BE},2005-01-01,
P04,{COL_BE},2005-01-01,
P05,{COL_F},2005-01-01,
P08,{COL_F},2016-01-01,
P11,{COL_BE},2005-01-01,2015-01-01
P11,{COL_BW},2015-01-01,
P07,{COL_BE},2005-01-01,
P07,{COL_F},2010-01-01,
P17,{COL_G},2000-01-01,
P18,{COL_G},2000-01-01,
""",
    }


def write_bundle(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


CHAIN = f"{C},{D},2021-07-01,长开政发〔2021〕7号\n"


@pytest.fixture
async def edges(backend: Backend, personal: PersonalData, tmp_path: Path) -> Ledger:
    """The edge-case ledger; the chain's second merge (C into D) comes as a second import, as the
    service asks ("merge in steps"), and the oracle reads both as one ledger."""
    files = edge_ledger()
    first = {**files, "merges.csv": files["merges.csv"].replace(CHAIN, "")}
    await imported(backend, personal, write_bundle(tmp_path / "first", first))
    second = write_bundle(tmp_path / "second", {"merges.csv": "old_code,new_code,on,doc_no\n" + CHAIN})
    await imported(backend, personal, second)
    return Ledger(write_bundle(tmp_path / "whole", files), ids=gid)


async def test_edge_ledger_everything(backend: Backend, edges: Ledger) -> None:
    diff = Differences()
    days = [*days_for(edges), "1990-01-01", "1998-01-01", "2015-06-30", "2019-12-31", "2022-01-01"]
    await compare_person_cards(backend, edges, [*edges.persons, "P99"], days, diff)
    others = ["430105001", OUTSIDE, "430105009999"]
    await compare_profiles(backend, edges, [*edges.communities, *others], days, diff)
    await compare_mismatches(backend, edges, [*edges.communities, *others], days, diff, page=2)
    await compare_matrix(backend, edges, scopes_of(edges), days, diff)
    await compare_collectives(backend, edges, [*scopes_of(edges), *edges.communities], diff)
    diff.assert_none()


async def test_edge_ledger_without_as_of(backend: Backend, edges: Ledger) -> None:
    """ "Omitted `asOf` means today" (operations.graphql)."""
    today = dt.date.today().isoformat()
    diff = Differences()
    for pid in edges.persons:
        service = (await run(backend, "PersonCard", pid=pid))["person"]
        diff.check(
            "PersonCard",
            f"PersonCard pid={pid}",
            card_shape(service),
            card_shape(edges.person_card(pid, today)["person"]),
        )
    for code in edges.communities:
        service = (await run(backend, "CommunityProfile", code=code))["community"]
        diff.check(
            "CommunityProfile",
            f"CommunityProfile code={code}",
            profile_shape(service),
            profile_shape(edges.community_profile(code, today)["community"]),
        )
        for kind, direction in itertools.product(KINDS, DIRECTIONS):
            variables = {"code": code, "kind": kind, "direction": direction}
            diff.check(
                "ResidenceMismatches",
                f"ResidenceMismatches {variables}",
                await all_mismatches(backend, 100, **variables),
                edges.residence_mismatches(code, kind, direction, today),
            )
    for scope, kind in itertools.product(scopes_of(edges), KINDS):
        service = (await run(backend, "MismatchMatrix", scope=scope, kind=kind))["mismatchMatrix"]
        diff.check(
            "MismatchMatrix",
            f"MismatchMatrix scope={scope} kind={kind}",
            unordered(service),
            unordered(edges.mismatch_matrix(scope, kind, today)),
        )
    diff.assert_none()


# ---- headers and enumerations in Chinese ----------------------------------------------------
CHINESE_HEADERS = {
    "regions.csv": {
        "code": "代码",
        "name": "名称",
        "level": "层级",
        "kind": "类型",
        "parent_code": "上级代码",
    },
    "grids.csv": {
        "code": "网格编码",
        "name": "名称",
        "community_code": "社区代码",
        "target_households": "目标户数",
    },
    "compounds.csv": {"id": "编号", "name": "名称", "type": "类型", "community_code": "社区代码"},
    "buildings.csv": {
        "code": "楼栋编码",
        "name": "名称",
        "compound_id": "小区编号",
        "grid_code": "网格编码",
        "area_id": "片区编号",
    },
    "dwellings.csv": {"id": "房屋编号", "building_code": "楼栋编码", "room": "房号"},
    "households.csv": {"key": "户号", "type": "类型", "hukou_code": "户籍地代码", "since": "起始"},
    "persons.csv": {
        "pid": "人员编号",
        "name": "姓名",
        "gender": "性别",
        "birth_date": "出生日期",
        "id_number": "身份证号",
        "phone": "电话",
        "ethnicity": "民族",
        "tags": "标签",
    },
    "hukou_members.csv": {"household_key": "户号", "rel_to_head": "与户主关系"},
    "residences.csv": {"dwelling_id": "房屋编号"},
    "party_orgs.csv": {"id": "组织编号", "parent_id": "上级组织", "community_code": "所在社区"},
    "party_members.csv": {"joined": "入党日期"},
}
CHINESE_WORDS = {
    ("regions.csv", "level"): {
        "DISTRICT": "区县",
        "STREET": "街道",
        "COMMUNITY": "社区村",
        "OUTSIDE": "外地",
    },
    ("regions.csv", "kind"): {"COMMUNITY": "社区", "VILLAGE": "村"},
    ("compounds.csv", "type"): {"COMMERCIAL": "商品房", "OLD": "老旧"},
    ("households.csv", "type"): {"FAMILY": "家庭户", "COLLECTIVE": "集体户"},
    ("persons.csv", "gender"): {"M": "男", "F": "女"},
    ("residences.csv", "tenure"): {"OWNER": "自有", "TENANT": "租住", "OTHER": "其他"},
    ("party_members.csv", "type"): {"FULL": "正式", "PROBATIONARY": "预备"},
    ("party_orgs.csv", "level"): {"COMMITTEE": "党委", "BRANCH": "党支部"},
}


def in_chinese(source: Path, target: Path) -> Path:
    """The bundle with Chinese headers and enumeration words, and a BOM (IMPORT.md allows all three)."""
    target.mkdir()
    for path in sorted(source.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        words = [CHINESE_WORDS.get((path.name, h), {}) for h in header]
        body = [[w.get(v, v) for w, v in zip(words, row, strict=True)] for row in rows[1:]]
        names = CHINESE_HEADERS.get(path.name, {})
        with (target / path.name).open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([[names.get(h, h) for h in header], *body])
    return target


async def test_chinese_headers_and_words(backend: Backend, personal: PersonalData, tmp_path: Path) -> None:
    ledger = await imported(backend, personal, in_chinese(EXAMPLE, tmp_path / "zh"))
    english = Ledger(EXAMPLE, ids=gid)
    assert ledger.person_card("P003", TODAY) == english.person_card(
        "P003", TODAY
    )  # the oracle reads both alike
    diff = Differences()
    await compare_person_cards(backend, ledger, ledger.persons, EXAMPLE_DAYS, diff)
    await compare_profiles(backend, ledger, ledger.communities, EXAMPLE_DAYS, diff)
    diff.assert_none()


# ---- the same ledger in several imports -----------------------------------------------------
PEOPLE_FILES = ["hukou_members.csv", "residences.csv", "collective_members.csv"]


async def test_edge_ledger_in_steps(backend: Backend, personal: PersonalData, tmp_path: Path) -> None:
    """Structure and merges first, then the people's relationships (pointing at places merged by
    the earlier imports), then moves that close open residences; each step imported twice
    (IMPORT.md: "Importing the same bundle twice changes nothing the second time")."""
    files = edge_ledger()
    structure = {k: v for k, v in files.items() if k not in PEOPLE_FILES}
    structure["merges.csv"] = structure["merges.csv"].replace(CHAIN, "")
    people = {k: files[k] for k in PEOPLE_FILES}
    moves = {
        "residences.csv": "pid,dwelling_id,tenure,since,until\n"
        "P05,DE1,TENANT,2006-01-01,2024-05-01\nP05,DB2,OWNER,2024-05-01,\nP10,DG1,TENANT,2023-01-01,\n"
    }
    chain = {"merges.csv": "old_code,new_code,on,doc_no\n" + CHAIN}
    steps = [structure, structure, chain, chain, people, people, moves, moves]
    for number, step in enumerate(steps):
        await imported(backend, personal, write_bundle(tmp_path / f"step{number}", step))
    whole = dict(files)
    whole["residences.csv"] = (
        files["residences.csv"].replace(
            "P05,DE1,TENANT,2006-01-01,\n", "P05,DE1,TENANT,2006-01-01,2024-05-01\n"
        )
        + "P05,DB2,OWNER,2024-05-01,\nP10,DG1,TENANT,2023-01-01,\n"
    )
    ledger = Ledger(write_bundle(tmp_path / "whole", whole), ids=gid)
    diff = Differences()
    days = [*days_for(ledger), "2023-06-01", "2024-05-01"]
    await compare_person_cards(backend, ledger, ledger.persons, days, diff)
    await compare_profiles(backend, ledger, ledger.communities, days, diff)
    await compare_mismatches(backend, ledger, ledger.communities, days, diff)
    await compare_matrix(backend, ledger, scopes_of(ledger), days, diff)
    await compare_collectives(backend, ledger, [*scopes_of(ledger), *ledger.communities], diff)
    diff.assert_none()


# ---- the example merged, and the differences found (each a minimal reproduction) -------------
NEW = "430105001003"
MERGE_BOTH = f"old_code,new_code,on,doc_no\n430105001001,{NEW},2023-06-01,长开政发〔2023〕5号\n430105001002,{NEW},2023-06-01,长开政发〔2023〕5号\n"


def example_with(tmp_path: Path, name: str, **files: str) -> Path:
    """A copy of the example bundle with files added or replaced."""
    target = tmp_path / name
    target.mkdir()
    for path in EXAMPLE.glob("*.csv"):
        (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    for file, text in files.items():
        (target / file.replace("_csv", ".csv")).write_text(text, encoding="utf-8")
    return target


def regions_plus(*rows: str) -> str:
    return (EXAMPLE / "regions.csv").read_text(encoding="utf-8") + "".join(r + "\n" for r in rows)


async def test_example_merged(backend: Backend, personal: PersonalData, tmp_path: Path) -> None:
    """The example with both communities merged into a new one on 2023-06-01 (as test_contract)."""
    bundle = example_with(
        tmp_path,
        "merged",
        regions_csv=regions_plus(f"{NEW},德雅砚瓦社区,COMMUNITY,COMMUNITY,430105001"),
        merges_csv=MERGE_BOTH,
    )
    ledger = await imported(backend, personal, bundle)
    days = [*EXAMPLE_DAYS, *days_for(ledger)]
    diff = Differences()
    await compare_person_cards(backend, ledger, ledger.persons, days, diff)
    await compare_profiles(backend, ledger, ledger.communities, days, diff)
    await compare_mismatches(backend, ledger, ledger.communities, days, diff, page=1)
    await compare_matrix(backend, ledger, scopes_of(ledger), days, diff)
    diff.assert_none()


async def test_residence_history_as_of(backend: Backend, example: Ledger) -> None:
    # P004 moved into D-A1-102 on 2020-09-01; on 2015-01-01 she had no residence in the ledger
    diff = Differences()
    await compare_person_cards(backend, example, ["P004"], ["2015-01-01"], diff)
    diff.assert_none()


async def test_reported_members_are_members(backend: Backend, personal: PersonalData, tmp_path: Path) -> None:
    # P003's membership of PO-U1 ends on 2022-12-31; the report to 德雅 (since 2021-03-01) stays open
    members = (EXAMPLE / "party_members.csv").read_text(encoding="utf-8")
    ended = members.replace(
        "P003,PO-U1,FULL,2012-07-01,2012-07-01,", "P003,PO-U1,FULL,2012-07-01,2012-07-01,2022-12-31"
    )
    ledger = await imported(backend, personal, example_with(tmp_path, "ended", party_members_csv=ended))
    assert ledger.community_stats("430105001001", "2024-01-01")["reportedMembers"] == 0
    diff = Differences()
    await compare_profiles(backend, ledger, ["430105001001"], ["2024-01-01"], diff)
    diff.assert_none()


async def test_chain_of_merges_in_one_bundle(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    later = "430105001004"
    bundle = example_with(
        tmp_path,
        "chain",
        regions_csv=regions_plus(
            f"{NEW},德雅砚瓦社区,COMMUNITY,COMMUNITY,430105001",
            f"{later},东风社区,COMMUNITY,COMMUNITY,430105001",
        ),
        merges_csv=MERGE_BOTH + f"{NEW},{later},2025-01-01,长开政发〔2025〕1号\n",
    )
    ledger = await imported(backend, personal, bundle)
    diff = Differences()
    await compare_profiles(backend, ledger, ledger.communities, days_for(ledger), diff)
    diff.assert_none()


async def test_past_report_to_merged_community(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    bundle = example_with(
        tmp_path,
        "merged",
        regions_csv=regions_plus(f"{NEW},德雅砚瓦社区,COMMUNITY,COMMUNITY,430105001"),
        merges_csv=MERGE_BOTH,
    )
    await imported(backend, personal, bundle)
    past = "pid,community_code,grid_code,since,until\nP001,430105001001,,2010-01-01,2015-01-01\n"
    later = tmp_path / "later"
    later.mkdir()
    (later / "reports.csv").write_text(past, encoding="utf-8")
    await imported(backend, personal, later)
    (bundle / "reports.csv").write_text(
        (bundle / "reports.csv").read_text(encoding="utf-8") + past.splitlines()[1] + "\n", encoding="utf-8"
    )
    ledger = Ledger(bundle, ids=gid)
    diff = Differences()
    await compare_profiles(backend, ledger, ["430105001001"], ["2012-06-30"], diff)
    await compare_person_cards(backend, ledger, ["P001"], ["2012-06-30"], diff)
    diff.assert_none()
