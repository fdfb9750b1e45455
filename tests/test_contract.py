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
