"""Every validation rule of IMPORT.md: a bad bundle names file:line: column, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, TODAY, dump

from graph.base import Backend
from resolvers.ledger import import_bundle, write_report
from resolvers.personal import PersonalData


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"test set-up: {old!r} not in file"
        return text.replace(old, new)

    return edit


def append(line: str) -> Callable[[str], str]:
    return lambda text: text + line + "\n"


CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "unknown column",
        {"grids.csv": replace("target_households", "households")},
        ["grids.csv:1: households: unknown column; expected code (网格编码)*"],
    ),
    (
        "missing required column",
        {"units.csv": "uscc,name,community_code\n"},
        ["units.csv:1: category: required column missing; expected uscc"],
    ),
    ("unknown file", {"people.csv": "pid,name\n"}, ["people.csv:0: -: unknown file"]),
    (
        "required value empty",
        {"persons.csv": replace("P002,李秀英", "P002,")},
        ["persons.csv:3: name: required value is empty"],
    ),
    (
        "citizen ID checksum",
        {"persons.csv": replace("430105196204180010", "430105196204180011")},
        ["persons.csv:2: id_number: check character does not match (GB 11643)"],
    ),
    (
        "citizen ID birth date",
        {"persons.csv": replace("1962-04-18", "1962-04-19")},
        ["persons.csv:2: id_number: birth date in the ID number differs from birth_date"],
    ),
    (
        "citizen ID gender",
        {"persons.csv": replace("P001,王建国,M", "P001,王建国,F")},
        ["persons.csv:2: id_number: digit 17 (odd = male, even = female) disagrees with gender"],
    ),
    (
        "phone",
        {"persons.csv": replace("13800000002", "12800000002")},
        ["persons.csv:3: phone: is neither a mobile"],
    ),
    (
        "USCC checksum",
        {"units.csv": replace("11430105000010011C", "11430105000010011D")},
        ["units.csv:2: uscc: '11430105000010011D' has a wrong check character (GB 32100)"],
    ),
    (
        "USCC charset",
        {"units.csv": replace("12430105000010022D", "12430105000010022I")},
        ["units.csv:3: uscc: '12430105000010022I' must be 18 characters"],
    ),
    (
        "code length",
        {"regions.csv": replace("430105001002,砚瓦池社区", "43010500102,砚瓦池社区")},
        ["regions.csv:5: code: '43010500102' must have 12 digits for level COMMUNITY"],
    ),
    (
        "code prefix",
        {
            "regions.csv": replace(
                "430105001002,砚瓦池社区,COMMUNITY,COMMUNITY,430105001",
                "430106001002,砚瓦池社区,COMMUNITY,COMMUNITY,430105001",
            )
        },
        ["regions.csv:5: code: '430106001002' does not start with its parent's code '430105001'"],
    ),
    (
        "unknown reference",
        {"dwellings.csv": append("D-X-1,4301050019990001,1")},
        ["dwellings.csv:5: building_code: unknown building '4301050019990001'"],
    ),
    (
        "compound and grid in different communities",
        {
            "buildings.csv": replace(
                "4301050010020001,3栋,C-B1,43010500100201", "4301050010020001,3栋,C-B1,43010500100101"
            )
        },
        [
            "buildings.csv:3: grid_code: grid '43010500100101' is in community '430105001001' but compound 'C-B1'"
        ],
    ),
    (
        "not a real date",
        {"residences.csv": replace("P004,D-A1-102,TENANT,2020-09-01", "P004,D-A1-102,TENANT,2023-02-30")},
        ["residences.csv:6: since: '2023-02-30' is not a real date"],
    ),
    (
        "not a date",
        {"households.csv": replace("2001-05-01", "2001/05/01")},
        ["households.csv:2: since: '2001/05/01' is not a date (YYYY-MM-DD)"],
    ),
    (
        "since after until",
        {"residences.csv": replace("2012-06-01,2020-08-31", "2021-06-01,2020-08-31")},
        ["residences.csv:4: until: until 2020-08-31 is before since 2021-06-01"],
    ),
    (
        "overlapping periods",
        {"residences.csv": replace("2012-06-01,2020-08-31", "2012-06-01,2020-09-02")},
        ["residences.csv:5: since: period overlaps 2012-06-01..2020-09-02 (line 4) of the same kind"],
    ),
    (
        "two open memberships",
        {"hukou_members.csv": append("P001,H-002,其他,2010-01-01,")},
        ["hukou_members.csv:8: since: period overlaps 2001-05-01..open (line 2) of the same kind"],
    ),
    (
        "duplicate key",
        {"compounds.csv": append("C-A1,德雅花园二期,COMMERCIAL,430105001001")},
        ["compounds.csv:4: id: duplicate key C-A1 (first at line 2)"],
    ),
    (
        "unknown enumeration",
        {"compounds.csv": replace("C-B1,砚瓦池老宿舍,OLD", "C-B1,砚瓦池老宿舍,ANCIENT")},
        [
            "compounds.csv:3: type: unknown value 'ANCIENT'; expected COMMERCIAL / OLD / RESETTLEMENT / VILLAGE / WORK_UNIT"
        ],
    ),
    (
        "report without party membership",
        {"reports.csv": append("P002,430105001001,,2021-03-01,")},
        ["reports.csv:3: since: person 'P002' is not a party member on 2021-03-01"],
    ),
    (
        "report grid outside the community",
        {"reports.csv": replace("43010500100101", "43010500100201")},
        ["reports.csv:2: grid_code: grid '43010500100201' is not in community '430105001001'"],
    ),
    (
        "pairing target of the wrong kind",
        {"pairings.csv": append("11430105000010011C,COMPOUND,430105001001,2024-01-01,,")},
        ["pairings.csv:4: target: unknown compound '430105001001'"],
    ),
    (
        "role scope unknown",
        {"roles.csv": append("P004,BUILDING_HEAD,BUILDING,999,2020-01-01,")},
        ["roles.csv:5: scope: unknown building '999'"],
    ),
    (
        "party org parent unknown",
        {
            "party_orgs.csv": replace(
                "PO-A1,德雅花园小区党支部,BRANCH,COMPOUND,PO-A,",
                "PO-A1,德雅花园小区党支部,BRANCH,COMPOUND,PO-Z,",
            )
        },
        ["party_orgs.csv:3: parent_id: unknown party org 'PO-Z'"],
    ),
    (
        "rejected parent cascades",
        {"compounds.csv": replace("C-A1,德雅花园,COMMERCIAL", "C-A1,德雅花园,PALACE")},
        [
            "compounds.csv:2: type: unknown value 'PALACE'",
            "buildings.csv:2: compound_id: refers to compound 'C-A1' of rejected row compounds.csv:2",
        ],
    ),
    (
        "future date",
        {"residences.csv": append("P005,D-A1-101,OWNER,2099-01-01,")},
        ["residences.csv:9: since: '2099-01-01' is in the future"],
    ),
    (
        "evaluation year",
        {"evaluations.csv": append("P001,24,ORG,EXCELLENT")},
        ["evaluations.csv:4: year: '24' is not a year between 1921"],
    ),
    (
        "merge into itself",
        {"merges.csv": "old_code,new_code,on,doc_no\n430105001001,430105001001,2023-06-01,x\n"},
        ["merges.csv:2: new_code: a community cannot be merged into itself"],
    ),
    (
        "wrong cell count",
        {"teams.csv": append("T-A2,护学队")},
        ["teams.csv:3: -: row has 2 cells but the header has 4"],
    ),
    (
        "broken quotes",
        {"teams.csv": append('T-A2,"护学"队,护学,430105001001')},
        ["teams.csv:3: -: broken CSV (check the quotes)"],
    ),
    (
        "NUL character",
        {"teams.csv": append("T-A2,护学\x00队,护学,430105001001")},
        ["teams.csv:3: name: contains a NUL character"],
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [(c, e) for _, c, e in CASES], ids=[n for n, _, _ in CASES])
async def test_bad_bundle_names_file_line_column_and_writes_nothing(
    backend: Backend,
    personal: PersonalData,
    make_bundle: Callable[..., Path],
    changes: dict[str, Any],
    expected: list[str],
) -> None:
    result = await import_bundle(backend, make_bundle(**changes), personal, today=TODAY)
    messages = [str(p) for p in result.problems]
    for want in expected:
        assert any(m.startswith(want) for m in messages), f"{want!r} not in {messages}"
    assert not result.wrote
    assert await dump(backend) == ([], [])


async def test_not_utf8_is_reported_with_its_line(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path]
) -> None:
    bundle = make_bundle()
    (bundle / "teams.csv").write_bytes(
        "id,name,type,community_code\nT-A1,德雅银发先锋队,银发志愿,430105001001\n".encode("gbk")
    )
    result = await import_bundle(backend, bundle, personal, today=TODAY)
    messages = [str(p) for p in result.problems]
    assert messages[0] == "teams.csv:2: -: not UTF-8 (byte 0xb5); save the file as UTF-8"
    assert messages[1:] == [  # the unread teams are missing for their members
        f"team_members.csv:{line}: team_id: unknown team 'T-A1' (not in this bundle nor in the graph)"
        for line in (2, 3)
    ]
    assert await dump(backend) == ([], [])


async def test_every_problem_is_reported_not_only_the_first(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path]
) -> None:
    bundle = make_bundle(
        **{
            "persons.csv": replace("430105196204180010", "430105196204180011"),
            "units.csv": replace("11430105000010011C", "11430105000010011D"),
            "grids.csv": replace(",300\n", ",-5\n"),
        }
    )
    result = await import_bundle(backend, bundle, personal, today=TODAY)
    files = {p.file for p in result.problems}
    assert {"persons.csv", "units.csv", "grids.csv"} <= files
    assert await dump(backend) == ([], [])


async def test_overlap_with_history_already_in_the_graph(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path]
) -> None:
    assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
    before = await dump(backend)
    only = {name: None for name in [p.name for p in EXAMPLE.iterdir()] if name != "residences.csv"}
    later = make_bundle(
        **only, **{"residences.csv": "pid,dwelling_id,tenure,since,until\nP001,D-B1-201,TENANT,2024-01-01,\n"}
    )
    result = await import_bundle(backend, later, personal, today=TODAY)
    assert [str(p) for p in result.problems] == [
        "residences.csv:2: since: period overlaps 2001-05-01..open (already in the graph) of the same kind"
    ]
    assert await dump(backend) == before


async def test_merged_community_named_as_current_place_names_its_successor(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path]
) -> None:
    merged = make_bundle(
        **{
            "regions.csv": append("430105001003,德雅砚瓦社区,COMMUNITY,COMMUNITY,430105001"),
            "merges.csv": "old_code,new_code,on,doc_no\n430105001001,430105001003,2023-06-01,长开政发〔2023〕5号\n",
        }
    )
    assert (await import_bundle(backend, merged, personal, today=TODAY)).ok
    others = {p.name: None for p in EXAMPLE.iterdir() if p.name != "teams.csv"}
    later = make_bundle(
        **others, **{"teams.csv": "id,name,type,community_code\nT-9,护学队,护学,430105001001\n"}
    )
    result = await import_bundle(backend, later, personal, today=TODAY)
    assert [str(p) for p in result.problems] == [
        "teams.csv:2: community_code: community '430105001001' was merged into '430105001003'; use '430105001003'"
    ]
    # a merge leaves reports where they are: a report begun before it is that history (closed or
    # open), one begun on or after it names a merged community as a current place
    merged_into = (
        "community_code: community '430105001001' was merged into '430105001003'; use '430105001003'"
    )
    header = "pid,community_code,grid_code,since,until\n"
    for period in ("2023-06-01,", "2024-01-01,2025-01-01"):
        reports = f"{header}P001,430105001001,,{period}\n"
        result = await import_bundle(
            backend,
            make_bundle(**{**others, "teams.csv": None, "reports.csv": reports}),
            personal,
            today=TODAY,
        )
        assert [str(p) for p in result.problems] == [f"reports.csv:2: {merged_into}"]
    reports = f"{header}P001,430105001001,,2010-01-01,2015-01-01\nP001,430105001001,,2015-01-01,\n"
    result = await import_bundle(
        backend, make_bundle(**{**others, "teams.csv": None, "reports.csv": reports}), personal, today=TODAY
    )
    assert result.ok, result.problems


@pytest.mark.parametrize(
    ("second", "accepted"), [("2025-01-01", True), ("2023-06-01", False), ("2020-01-01", False)]
)
async def test_a_chain_of_merges_goes_forward_in_time(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path], second: str, accepted: bool
) -> None:
    """001 into 003, then 003 into 004 in the same merges.csv: the second is dated after the first."""
    bundle = make_bundle(
        **{
            "regions.csv": append(
                "430105001003,德雅砚瓦社区,COMMUNITY,COMMUNITY,430105001\n430105001004,东风社区,COMMUNITY,COMMUNITY,430105001"
            ),
            "merges.csv": "old_code,new_code,on,doc_no\n430105001001,430105001003,2023-06-01,x\n"
            f"430105001003,430105001004,{second},y\n",
        }
    )
    result = await import_bundle(backend, bundle, personal, today=TODAY)
    if accepted:
        assert result.ok, result.problems
        rows = await backend.read(
            "MATCH (g:Grid {code: '43010500100101'})-[r:IN_COMMUNITY]->(c:Community) "
            "RETURN c.code AS code, r.since AS since, r.until AS until ORDER BY code"
        )
        assert rows == [
            {"code": "430105001001", "since": None, "until": "2023-06-01"},
            {"code": "430105001003", "since": "2023-06-01", "until": second},
            {"code": "430105001004", "since": second, "until": None},
        ]
    else:
        assert [str(p) for p in result.problems] == [
            f"merges.csv:2: new_code: '430105001003' is merged by this bundle on {second}, not after 2023-06-01: "
            "in a chain of merges each one is dated after the one before"
        ]


async def test_partial_writes_valid_rows_and_rejects_with_reasons(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    bundle = make_bundle(**{"persons.csv": replace("430105196509020026", "430105196509020027")})
    result = await import_bundle(backend, bundle, personal, partial=True, today=TODAY)
    assert result.wrote and result.rejected_rows >= 1
    pids = [r["pid"] for r in await backend.read("MATCH (p:Person) RETURN p.pid AS pid ORDER BY pid")]
    assert pids == ["P001", "P003", "P004", "P005", "P006"]  # P002 rejected
    # rows that need P002 are rejected too, naming it
    assert any(str(p).startswith("hukou_members.csv:3: pid: refers to person 'P002' of rejected row persons.csv:3")
               for p in result.problems)  # fmt: skip
    report = tmp_path / "report" / "problems.txt"
    write_report(result, report)
    assert "persons.csv:3: id_number: check character does not match" in report.read_text(encoding="utf-8")
    rejects = (tmp_path / "report" / "rejects" / "persons.csv").read_text(encoding="utf-8").splitlines()
    assert rejects[0] == "line,pid,name,gender,birth_date,id_number,phone,ethnicity,tags,reason"
    assert rejects[1].startswith("3,P002,李秀英,F,") and rejects[1].endswith(
        "check character does not match (GB 11643)"
    )
