"""The contract operations against the example bundle, with answers written by hand from the
bundle's CSV files (see the comments), on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE, TODAY
from contract import gid, run

from graph.base import Backend
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData

DEYA = {"code": "430105001001", "name": "德雅村社区"}
YANWACHI = {"code": "430105001002", "name": "砚瓦池社区"}
MERGED = {"code": "430105001003", "name": "德雅砚瓦社区"}


@pytest.fixture
async def example(backend: Backend, personal: PersonalData) -> AsyncIterator[Backend]:
    assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
    yield backend


@pytest.fixture
async def merged(
    backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path]
) -> AsyncIterator[Backend]:
    """The example with both communities merged into 430105001003 on 2023-06-01."""
    bundle = make_bundle(
        **{
            "regions.csv": lambda t: t + "430105001003,德雅砚瓦社区,COMMUNITY,COMMUNITY,430105001\n",
            "merges.csv": "old_code,new_code,on,doc_no\n430105001001,430105001003,2023-06-01,长开政发〔2023〕5号\n"
            "430105001002,430105001003,2023-06-01,长开政发〔2023〕5号\n",
        }
    )
    assert (await import_bundle(backend, bundle, personal, today=TODAY)).ok
    yield backend


async def test_community_profile(example: Backend) -> None:
    data = await run(example, "CommunityProfile", code="430105001001")
    assert data == {
        "community": {
            "id": gid("Community", "430105001001"), **DEYA, "kind": "COMMUNITY", "status": "ACTIVE",
            "street": {"code": "430105001", "name": "东风路街道"},
            "mergedInto": None, "mergedFrom": [],
            "areas": [{"id": gid("Area", "430105001001"), "name": "德雅村社区"}],  # the default area
            "grids": {"totalCount": 1, "nodes": [{"code": "43010500100101", "name": "德雅第一网格"}]},
            # residents P001 P002 (D-A1-101), P003 P004 (D-A1-102); registered P001 P002 (H-001);
            # P003 P004 registered in 砚瓦池 (H-002); members living here P001 (PO-A1), P003 (PO-U1);
            # P003 reported here; no unit paired with the community; team T-A1
            "stats": {"residents": 4, "registered": 2, "livingElsewhere": 0, "registeredElsewhere": 2,
                      "residenceUnknown": 0, "partyMembers": 2, "reportedMembers": 1, "pairedUnits": 0,
                      "volunteerTeams": 1},
        }
    }  # fmt: skip


async def test_community_stats_as_of(example: Backend) -> None:
    # 砚瓦池 today: P005 P006 live there; P003 P004 P005 registered (H-002), P003 P004 live in 德雅;
    # P006's hukou is outside the district (H-003, 岳阳楼区); 民政局 paired since 2022
    now = await run(example, "CommunityProfile", code="430105001002")
    assert now["community"]["stats"] == {
        "residents": 2, "registered": 3, "livingElsewhere": 2, "registeredElsewhere": 1, "residenceUnknown": 0,
        "partyMembers": 0, "reportedMembers": 0, "pairedUnits": 1, "volunteerTeams": 0,
    }  # fmt: skip
    # on 2015-01-01: P003 (D-B1-201 until 2020-08-31) and P005 lived there; P004 joined H-002 in
    # 2015-10, P006 moved in 2019; P003 was a member of PO-U1 since 2012-07
    then = await run(example, "CommunityProfile", code="430105001002", asOf="2015-01-01")
    assert then["community"]["stats"] == {
        "residents": 2, "registered": 2, "livingElsewhere": 0, "registeredElsewhere": 0, "residenceUnknown": 0,
        "partyMembers": 1, "reportedMembers": 0, "pairedUnits": 0, "volunteerTeams": 0,
    }  # fmt: skip


async def test_person_card(example: Backend) -> None:
    data = await run(example, "PersonCard", pid="P003")
    assert data == {
        "person": {
            "id": gid("Person", "P003"), "pid": "P003", "name": "张伟", "gender": "M", "birthYear": 1988,
            "idNumberMasked": "4301**********0052", "phoneMasked": "139****0003", "tags": ["在职党员"],
            "household": {"key": "H-002", "type": "FAMILY", "relToHead": "户主", "since": "2012-06-01",
                          "hukouPlace": YANWACHI},
            "residence": {
                "since": "2020-09-01", "tenure": "TENANT",
                "dwelling": {"id": gid("Dwelling", "D-A1-102"), "room": "102", "building": {
                    "code": "4301050010010001", "name": "1栋",
                    "compound": {"id": gid("Compound", "C-A1"), "name": "德雅花园", "type": "COMMERCIAL"},
                    "grid": {"code": "43010500100101", "name": "德雅第一网格"}}},
                "community": DEYA,
            },
            "residenceHistory": [
                {"since": "2012-06-01", "until": "2020-08-31", "community": YANWACHI},
                {"since": "2020-09-01", "until": None, "community": DEYA},
            ],
            "partyMembership": {"type": "FULL", "joined": "2012-07-01", "since": "2012-07-01", "org": {
                "id": gid("PartyOrg", "PO-U1"), "orgId": "PO-U1", "name": "开福区民政局机关党支部", "level": "BRANCH",
                "homeCommunity": DEYA}},
            "reportedTo": {"since": "2021-03-01", "community": DEYA},
            "employer": {"since": "2011-07-01", "unit": {"uscc": "11430105000010011C", "name": "开福区民政局"}},
            "roles": [], "teams": [], "collectiveMemberships": [],
        }
    }  # fmt: skip


async def test_person_card_roles_teams_and_as_of(example: Backend) -> None:
    p001 = (await run(example, "PersonCard", pid="P001"))["person"]
    assert p001["roles"] == [
        {
            "role": "BUILDING_HEAD",
            "since": "2020-01-01",
            "scopeType": "BUILDING",
            "scopeCode": "4301050010010001",
            "scopeName": "1栋",
        }
    ]
    assert p001["teams"] == [
        {"role": "队长", "since": "2019-03-05", "team": {"teamId": "T-A1", "name": "德雅银发先锋队"}}
    ]
    assert p001["household"]["hukouPlace"] == DEYA
    p006 = (await run(example, "PersonCard", pid="P006"))["person"]
    assert p006["household"]["hukouPlace"] == {"code": "430602", "name": "岳阳楼区"}  # a Region outside
    then = (await run(example, "PersonCard", pid="P003", asOf="2015-01-01"))["person"]
    assert then["residence"]["since"] == "2012-06-01" and then["residence"]["community"] == YANWACHI
    assert then["reportedTo"] is None  # reported in 2021
    before = (await run(example, "PersonCard", pid="P004", asOf="2010-01-01"))["person"]
    assert before["residence"] is None and before["household"] is None
    assert (await run(example, "PersonCard", pid="NOBODY"))["person"] is None


async def test_merge_moves_what_is_current_and_keeps_the_past(merged: Backend) -> None:
    old = (await run(merged, "CommunityProfile", code="430105001001"))["community"]
    assert old["status"] == "MERGED" and old["mergedInto"] == MERGED
    assert old["areas"] == [] and old["grids"] == {"totalCount": 0, "nodes": []}
    assert old["stats"]["residents"] == 0 and old["stats"]["registered"] == 0
    before = (await run(merged, "CommunityProfile", code="430105001001", asOf="2023-05-31"))["community"]
    assert before["stats"]["residents"] == 4 and before["stats"]["registered"] == 2
    new = (await run(merged, "CommunityProfile", code="430105001003"))["community"]
    assert new["mergedFrom"] == [
        {"community": DEYA, "on": "2023-06-01", "docNo": "长开政发〔2023〕5号"},
        {"community": YANWACHI, "on": "2023-06-01", "docNo": "长开政发〔2023〕5号"},
    ]
    assert sorted(a["name"] for a in new["areas"]) == ["德雅村社区", "德雅砚瓦社区", "砚瓦池社区"]
    assert new["grids"]["totalCount"] == 2
    # all six residents now live in the merged community; P006's hukou is still outside
    assert new["stats"] == {
        "residents": 6, "registered": 5, "livingElsewhere": 0, "registeredElsewhere": 1, "residenceUnknown": 0,
        "partyMembers": 2, "reportedMembers": 0, "pairedUnits": 0, "volunteerTeams": 0,
    }  # fmt: skip
    p003 = (await run(merged, "PersonCard", pid="P003"))["person"]
    assert p003["residence"]["community"] == MERGED and p003["household"]["hukouPlace"] == MERGED
    assert [h["community"] for h in p003["residenceHistory"]] == [YANWACHI, DEYA]  # as of each move


async def test_unit_pairings(example: Backend) -> None:
    data = await run(example, "UnitPairings", uscc="12430105000010022D")
    assert data == {
        "unit": {
            "uscc": "12430105000010022D", "name": "开福区第一中学", "category": "INSTITUTION", "community": YANWACHI,
            "pairings": [{"since": "2021-01-01", "until": "2023-12-31", "active": False,
                          "target": {"__typename": "Compound", "id": gid("Compound", "C-A1"), "name": "德雅花园"}}],
        }
    }  # fmt: skip


async def test_community_pairings(example: Backend) -> None:
    data = await run(example, "CommunityPairings", code="430105001002")
    assert data["community"]["pairings"] == [
        {"since": "2022-01-01", "until": None, "agreementNo": "KF-2022-017", "active": True,
         "unit": {"uscc": "11430105000010011C", "name": "开福区民政局", "category": "ORGAN"}}
    ]  # fmt: skip
    before = await run(example, "CommunityPairings", code="430105001002", asOf="2021-12-31")
    assert before["community"]["pairings"] == []
    assert (await run(example, "CommunityPairings", code="430105001001", includeEnded=True))["community"][
        "pairings"
    ] == []


async def test_party_org_tree(example: Backend) -> None:
    data = await run(example, "PartyOrgTree", orgId="PO-A")
    assert data == {
        "partyOrg": {
            "orgId": "PO-A", "name": "德雅村社区党委", "level": "COMMITTEE", "kind": "COMMUNITY",
            "homeCommunity": DEYA, "parent": None,
            "children": [{"orgId": "PO-A1", "name": "德雅花园小区党支部", "level": "BRANCH", "memberCount": 1}],
            "memberCount": 0, "members": {"totalCount": 0, "nodes": []},
        }
    }  # fmt: skip
    branch = (await run(example, "PartyOrgTree", orgId="PO-A1"))["partyOrg"]
    assert branch["parent"] == {"orgId": "PO-A", "name": "德雅村社区党委", "level": "COMMITTEE"}
    assert branch["members"] == {"totalCount": 1, "nodes": [{"pid": "P001", "name": "王建国"}]}


async def test_node_by_id(example: Backend) -> None:
    assert await run(example, "NodeById", id=gid("Person", "P001")) == {
        "node": {"id": gid("Person", "P001"), "__typename": "Person", "pid": "P001", "name": "王建国"}
    }
    assert await run(example, "NodeById", id=gid("Community", "430105001002")) == {
        "node": {"id": gid("Community", "430105001002"), "__typename": "Community", **YANWACHI}
    }
    unit = await run(example, "NodeById", id=gid("Unit", "11430105000010011C"))
    assert unit["node"]["name"] == "开福区民政局"
    assert await run(example, "NodeById", id=gid("Person", "P999")) == {"node": None}


ZHANGWEI = {"id": gid("Person", "P003"), "pid": "P003", "name": "张伟"}
LIUYANG = {"id": gid("Person", "P004"), "pid": "P004", "name": "刘洋"}


async def test_residence_mismatches_page_walk(example: Backend) -> None:
    # 砚瓦池's registered P003, P004, P005: P003 and P004 live in 德雅; by name 刘洋 (U+5218) < 张伟 (U+5F20)
    first = (await run(example, "ResidenceMismatches", code="430105001002", kind="HUKOU",
                       direction="LIVING_ELSEWHERE", first=1))["residenceMismatches"]  # fmt: skip
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"] is True
    assert [e["node"] for e in first["edges"]] == [{"person": LIUYANG, "home": YANWACHI, "residence": DEYA}]
    assert first["edges"][0]["cursor"] == first["pageInfo"]["endCursor"]
    second = (await run(example, "ResidenceMismatches", code="430105001002", kind="HUKOU",
                        direction="LIVING_ELSEWHERE", first=1, after=first["pageInfo"]["endCursor"]))["residenceMismatches"]  # fmt: skip
    assert second["totalCount"] == 2 and second["pageInfo"]["hasNextPage"] is False
    assert [e["node"] for e in second["edges"]] == [{"person": ZHANGWEI, "home": YANWACHI, "residence": DEYA}]


async def test_residence_mismatches_other_directions_and_kinds(example: Backend) -> None:
    # living in 砚瓦池, registered elsewhere: P006, whose hukou is outside the district
    outside = (await run(example, "ResidenceMismatches", code="430105001002", kind="HUKOU",
                         direction="REGISTERED_ELSEWHERE"))["residenceMismatches"]  # fmt: skip
    assert outside["totalCount"] == 1
    assert outside["edges"][0]["node"] == {
        "person": {"id": gid("Person", "P006"), "pid": "P006", "name": "赵磊"},
        "home": {"code": "430602", "name": "岳阳楼区"}, "residence": YANWACHI,
    }  # fmt: skip
    # party: PO-U1 is based in 德雅; P003 lived in 砚瓦池 until 2020-08-31, and lives in 德雅 now
    now = await run(
        example, "ResidenceMismatches", code="430105001001", kind="PARTY", direction="LIVING_ELSEWHERE"
    )
    assert now["residenceMismatches"]["totalCount"] == 0
    then = await run(example, "ResidenceMismatches", code="430105001001", kind="PARTY",
                     direction="LIVING_ELSEWHERE", asOf="2015-01-01")  # fmt: skip
    assert [e["node"] for e in then["residenceMismatches"]["edges"]] == [
        {"person": ZHANGWEI, "home": DEYA, "residence": YANWACHI}
    ]


@pytest.mark.parametrize("first", [101, -1])
async def test_page_size_limits(example: Backend, first: int) -> None:
    from contract import OPERATIONS

    from schema import Context, schema

    result = await schema.execute(
        OPERATIONS["ResidenceMismatches"],
        variable_values={
            "code": "430105001002",
            "kind": "HUKOU",
            "direction": "LIVING_ELSEWHERE",
            "first": first,
        },
        context_value=Context(backend=example),
    )
    assert (
        result.errors is not None
        and f"first: must be between 0 and 100, got {first}" in result.errors[0].message
    )


async def test_bad_cursor_is_a_clear_error(example: Backend) -> None:
    from contract import OPERATIONS

    from schema import Context, schema

    result = await schema.execute(
        OPERATIONS["ResidenceMismatches"],
        variable_values={
            "code": "430105001002",
            "kind": "HUKOU",
            "direction": "LIVING_ELSEWHERE",
            "after": "bm9wZQ",
        },
        context_value=Context(backend=example),
    )
    assert result.errors is not None and "is not a cursor returned by this field" in result.errors[0].message


async def test_mismatch_matrix(example: Backend) -> None:
    cells = (await run(example, "MismatchMatrix", scope="430105", kind="HUKOU"))["mismatchMatrix"]
    assert cells == [
        {"home": YANWACHI, "residence": DEYA, "persons": 2},  # P003, P004
        {"home": {"code": "430602", "name": "岳阳楼区"}, "residence": YANWACHI, "persons": 1},  # P006
    ]
    assert (await run(example, "MismatchMatrix", scope="430105001", kind="PARTY"))["mismatchMatrix"] == []
    then = (await run(example, "MismatchMatrix", scope="430105", kind="PARTY", asOf="2015-01-01"))[
        "mismatchMatrix"
    ]
    assert then == [{"home": DEYA, "residence": YANWACHI, "persons": 1}]  # P003 in PO-U1, living in 砚瓦池


async def test_pairing_coverage(example: Backend) -> None:
    rows = (await run(example, "PairingCoverage", scope="430105"))["pairingCoverage"]
    # 民政局 (in 德雅) is paired with 砚瓦池; 第一中学 (in 砚瓦池) paired C-A1 until 2023-12-31
    assert rows == [
        {"community": DEYA, "pairedUnits": 0, "unpairedLocalUnits": []},
        {"community": YANWACHI, "pairedUnits": 1,
         "unpairedLocalUnits": [{"uscc": "12430105000010022D", "name": "开福区第一中学"}]},
    ]  # fmt: skip
    then = (await run(example, "PairingCoverage", scope="430105001", asOf="2021-06-01"))["pairingCoverage"]
    assert then == [
        {
            "community": DEYA,
            "pairedUnits": 0,
            "unpairedLocalUnits": [{"uscc": "11430105000010011C", "name": "开福区民政局"}],
        },
        {"community": YANWACHI, "pairedUnits": 0, "unpairedLocalUnits": []},
    ]


async def test_pairing_suggestions(example: Backend) -> None:
    rows = (await run(example, "PairingSuggestions", code="430105001001", first=5))["pairingSuggestions"]
    # 民政局: P003 works there and lives in 德雅, same street, 1 open pairing -> 1 + 3 - 1
    # 第一中学: nobody, same street, no open pairing -> 0 + 3 - 0; ties by USCC
    assert rows == [
        {"score": 3.0, "unit": {"uscc": "11430105000010011C", "name": "开福区民政局"},
         "reasons": {"employeesLivingHere": 1, "sameStreet": True, "currentPairings": 1}},
        {"score": 3.0, "unit": {"uscc": "12430105000010022D", "name": "开福区第一中学"},
         "reasons": {"employeesLivingHere": 0, "sameStreet": True, "currentPairings": 0}},
    ]  # fmt: skip
    # 民政局 is already paired with 砚瓦池, so only 第一中学 is suggested there
    there = (await run(example, "PairingSuggestions", code="430105001002"))["pairingSuggestions"]
    assert [r["unit"]["uscc"] for r in there] == ["12430105000010022D"]


async def test_reporting_by_unit(example: Backend) -> None:
    rows = (await run(example, "ReportingByUnit", scope="430105"))["reportingByUnit"]
    assert rows == [
        {
            "unit": {"uscc": "11430105000010011C", "name": "开福区民政局"},
            "members": 1,
            "reported": 1,
            "unreported": 0,
        }
    ]


async def test_dual_responsibility(example: Backend) -> None:
    p003 = (await run(example, "DualResponsibility", pid="P003"))["dualResponsibility"]
    assert p003 == {
        "person": {"pid": "P003", "name": "张伟"},
        "hukouSide": {"place": YANWACHI, "contacts": []},
        # 德雅's secretary P002, 1栋's building head P001; nobody serves the grid 43010500100101
        "residenceSide": {"place": DEYA, "contacts": [
            {"role": "BUILDING_HEAD", "name": "王建国", "phoneMasked": "138****0001", "scopeName": "1栋"},
            {"role": "COMMUNITY_SECRETARY", "name": "李秀英", "phoneMasked": "138****0002", "scopeName": "德雅村社区"},
        ]},
    }  # fmt: skip
    p006 = (await run(example, "DualResponsibility", pid="P006"))["dualResponsibility"]
    assert p006["hukouSide"] == {"place": {"code": "430602", "name": "岳阳楼区"}, "contacts": []}
    assert p006["residenceSide"]["contacts"] == [
        {"role": "GRID_WORKER", "name": "陈静", "phoneMasked": "137****0005", "scopeName": "砚瓦池第一网格"}
    ]
    assert (await run(example, "DualResponsibility", pid="NOBODY"))["dualResponsibility"] is None


async def test_evaluation_gaps(example: Backend) -> None:
    assert (await run(example, "EvaluationGaps", code="430105001001", year=2024))["evaluationGaps"] == [
        {"person": {"pid": "P003", "name": "张伟"}, "orgGrade": "EXCELLENT", "communityGrade": "QUALIFIED"}
    ]
    assert (await run(example, "EvaluationGaps", code="430105001001", year=2023))["evaluationGaps"] == [
        {"person": {"pid": "P003", "name": "张伟"}, "orgGrade": None, "communityGrade": None}
    ]
    assert (await run(example, "EvaluationGaps", code="430105001001", year=2020))[
        "evaluationGaps"
    ] == []  # reported 2021


async def test_search_finds_chinese_names_by_any_part(example: Backend) -> None:
    assert (await run(example, "Search", text="张伟"))["search"] == [
        {"id": gid("Person", "P003"), "label": "Person", "name": "张伟"}
    ]
    names = [h["name"] for h in (await run(example, "Search", text="德雅", first=10))["search"]]
    assert names == ["德雅村社区", "德雅村社区党委", "德雅银发先锋队", "德雅花园小区党支部"]
    assert [h["name"] for h in (await run(example, "Search", text="建国"))["search"]] == ["王建国"]
    assert [h["name"] for h in (await run(example, "Search", text="砚瓦池社区"))["search"]] == ["砚瓦池社区"]
    assert (await run(example, "Search", text="不存在"))["search"] == []


async def test_connection_and_neighborhood(example: Backend) -> None:
    path = (
        await run(
            example, "Connection", **{"from": gid("Person", "P003"), "to": gid("Unit", "11430105000010011C")}
        )
    )["path"]
    assert path["length"] == 1 and path["edges"] == [
        {
            "type": "EMPLOYED_BY",
            "from": gid("Person", "P003"),
            "to": gid("Unit", "11430105000010011C"),
            "since": "2011-07-01",
            "until": None,
        }
    ]
    far = (
        await run(
            example,
            "Connection",
            **{"from": gid("Person", "P001"), "to": gid("Person", "P006"), "maxHops": 6},
        )
    )["path"]
    assert (
        far["length"] == 5
        and far["nodes"][0]["id"] == gid("Person", "P001")
        and far["nodes"][-1]["id"] == gid("Person", "P006")
    )
    assert (
        await run(
            example,
            "Connection",
            **{"from": gid("Person", "P001"), "to": gid("Person", "P006"), "maxHops": 2},
        )
    )["path"] is None
    around = (await run(example, "Neighborhood", id=gid("Person", "P001"), depth=1))["neighborhood"]
    # P001: dwelling, household, party org, team, and the building it heads
    assert around["truncated"] is False and len(around["edges"]) == 5
    assert sorted(n["label"] for n in around["nodes"]) == [
        "Building",
        "Dwelling",
        "Household",
        "PartyOrg",
        "Person",
        "VolunteerTeam",
    ]
    cut = (await run(example, "Neighborhood", id=gid("Person", "P001"), depth=1, limit=2))["neighborhood"]
    assert cut["truncated"] is True and len(cut["edges"]) == 2
