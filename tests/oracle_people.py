"""An independent reading of SPEC.md: loads an import bundle (IMPORT.md) into plain Python and
answers the people-side contract operations (PersonCard, ResidenceMismatches, MismatchMatrix,
CommunityProfile, CollectiveMembersElsewhere) from the spec's definitions alone.

Nothing here reads the service's resolvers or schema code; where SPEC.md is silent, the choice
follows the field descriptions of ``schema.graphql`` and says so. It is the other side of the
differential tests in ``test_oracle_people.py``.

Time: every relationship is a period ``[since, until)``; an edge is open on ``d`` when
``since <= d AND (until IS NULL OR until > d)`` (SPEC "History is never overwritten"). Dates are
ISO strings, compared as text.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BEGINNING = "0000-01-01"  # a structural edge without a date has been there from the start

Json = dict[str, Any]
IdMaker = Callable[[str, str], str]


def relay_id(label: str, key: str) -> str:
    """The opaque global id the contract tests use (``contract.gid``): base64url of ``label:key``."""
    return base64.urlsafe_b64encode(f"{label}:{key}".encode()).decode().rstrip("=")


def is_open(since: str, until: str | None, day: str) -> bool:
    """SPEC: ``since <= asOf AND (until IS NULL OR until > asOf)``."""
    return since <= day and (until is None or until > day)


@dataclass
class Edge:
    """A dated relationship to ``target`` (a code, key or id)."""

    target: str
    since: str
    until: str | None = None
    props: dict[str, str | None] = field(default_factory=dict)

    def open_on(self, day: str) -> bool:
        return is_open(self.since, self.until, day)


def open_edges(edges: Iterable[Edge], day: str) -> list[Edge]:
    return [e for e in edges if e.open_on(day)]


def first_open(edges: Iterable[Edge], day: str) -> Edge | None:
    """The open edge of a one-at-a-time relationship (IMPORT.md: at most one is open)."""
    found = open_edges(edges, day)
    return min(found, key=lambda e: e.since) if found else None


# ---- reading the CSV files (IMPORT.md "Rules for every file") -----------------------------------
HEADER_ALIASES = {
    "代码": "code",
    "名称": "name",
    "层级": "level",
    "类型": "type",
    "上级代码": "parent_code",
    "编号": "id",
    "社区代码": "community_code",
    "原代码": "old_code",
    "新代码": "new_code",
    "日期": "on",
    "文号": "doc_no",
    "网格编码": "grid_code",
    "目标户数": "target_households",
    "楼栋编码": "building_code",
    "小区编号": "compound_id",
    "片区编号": "area_id",
    "房屋编号": "dwelling_id",
    "房号": "room",
    "户号": "household_key",
    "户籍地代码": "hukou_code",
    "起始": "since",
    "人员编号": "pid",
    "姓名": "name",
    "性别": "gender",
    "出生日期": "birth_date",
    "身份证号": "id_number",
    "电话": "phone",
    "民族": "ethnicity",
    "标签": "tags",
    "与户主关系": "rel_to_head",
    "组织编号": "id",
    "上级组织": "parent_id",
    "所在社区": "community_code",
    "入党日期": "joined",
    "统一社会信用代码": "uscc",
    "协议编号": "agreement_no",
    "角色": "role",
}
# a header whose canonical name differs by file
FILE_HEADER_ALIASES = {
    ("regions.csv", "类型"): "kind",
    ("buildings.csv", "编号"): "code",
    ("dwellings.csv", "房屋编号"): "id",
    ("households.csv", "户号"): "key",
    ("grids.csv", "网格编码"): "code",
    ("buildings.csv", "楼栋编码"): "code",
    ("compounds.csv", "小区编号"): "id",
    ("areas.csv", "片区编号"): "id",
}
ENUM_WORDS = {
    "男": "M",
    "女": "F",
    "区县": "DISTRICT",
    "街道": "STREET",
    "社区村": "COMMUNITY",
    "外地": "OUTSIDE",
    "社区": "COMMUNITY",
    "村": "VILLAGE",
    "家庭户": "FAMILY",
    "集体户": "COLLECTIVE",
    "自有": "OWNER",
    "租住": "TENANT",
    "其他": "OTHER",
    "正式": "FULL",
    "预备": "PROBATIONARY",
    "商品房": "COMMERCIAL",
    "单位院": "WORK_UNIT",
    "老旧": "OLD",
    "安置": "RESETTLEMENT",
    "村组": "VILLAGE",
    "党工委": "WORKING_COMMITTEE",
    "党委": "COMMITTEE",
    "党总支": "GENERAL_BRANCH",
    "党支部": "BRANCH",
    "党小组": "GROUP",
    "网格员": "GRID_WORKER",
    "网格长": "GRID_LEADER",
    "楼栋长": "BUILDING_HEAD",
    "片长": "AREA_HEAD",
    "组长": "GROUP_HEAD",
    "邻长": "NEIGHBOR_HEAD",
    "小区书记": "COMPOUND_SECRETARY",
    "社区书记": "COMMUNITY_SECRETARY",
    "业委会": "OWNERS_COMMITTEE",
    "物业": "PROPERTY_MANAGER",
    "党员中心户": "PARTY_CENTRAL_HOUSEHOLD",
}


def enum(value: str | None) -> str | None:
    """IMPORT.md: "Enumerations accept the code or the Chinese word"."""
    return None if value is None else ENUM_WORDS.get(value, value)


def read_rows(folder: Path, name: str) -> list[dict[str, str]]:
    """One CSV file as rows of canonical column -> value, empty cells left out ("Empty cell = no
    value"); a missing file is no rows."""
    path = folder / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        columns = [
            FILE_HEADER_ALIASES.get((name, h.strip()), HEADER_ALIASES.get(h.strip(), h.strip()))
            for h in header
        ]
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows.append({c: v.strip() for c, v in zip(columns, cells, strict=False) if v.strip()})
        return rows


# ---- the ledger as plain data -----------------------------------------------------------------
@dataclass
class Place:
    code: str
    name: str
    level: str
    kind: str | None
    parent: str | None


@dataclass
class Merge:
    old: str
    new: str
    on: str
    doc_no: str | None


@dataclass
class Person:
    pid: str
    name: str
    gender: str | None
    birth_date: str | None
    id_number: str | None
    phone: str | None
    tags: list[str]


def mask_id_number(value: str | None) -> str | None:
    """SPEC "Personal data": ``4301**********123X`` — first four and last four characters shown."""
    return None if not value else value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """SPEC "Personal data": ``138****5678`` — first three and last four characters shown."""
    return None if not value else value[:3] + "*" * (len(value) - 7) + value[-4:]


class Ledger:
    """A bundle read into dictionaries, with every community-valued relationship dated so that a
    merge can re-point it (SPEC: "current hukou, grids, compounds, units and party-org seats move to
    the new community as of the merge date, and the closed edges stay")."""

    def __init__(self, folder: Path, ids: IdMaker = relay_id, today: str | None = None) -> None:
        self.ids = ids
        self.today = today or dt.date.today().isoformat()

        def rows(name: str) -> list[dict[str, str]]:
            return read_rows(folder, name)

        self.places: dict[str, Place] = {
            r["code"]: Place(
                r["code"], r["name"], enum(r["level"]) or "", enum(r.get("kind")), r.get("parent_code")
            )
            for r in rows("regions.csv")
        }
        self.communities = [c for c, p in self.places.items() if p.level == "COMMUNITY"]

        # areas: IMPORT.md "Every community without an areas.csv row gets one default Area whose id
        # is the community's code and whose name is the community's name"
        self.area_names: dict[str, str] = {}
        self.area_of: dict[str, list[Edge]] = {}  # area -> PART_OF community
        with_areas = set()
        for r in rows("areas.csv"):
            self.area_names[r["id"]] = r["name"]
            self.area_of[r["id"]] = [Edge(r["community_code"], BEGINNING)]
            with_areas.add(r["community_code"])
        self.default_area: dict[str, str] = {}
        for code in self.communities:
            if code not in with_areas:
                self.area_names[code] = self.places[code].name
                self.area_of[code] = [Edge(code, BEGINNING)]
                self.default_area[code] = code

        self.grids: dict[str, Json] = {}
        self.grid_of: dict[str, list[Edge]] = {}
        for r in rows("grids.csv"):
            self.grids[r["code"]] = {"code": r["code"], "name": r["name"]}
            self.grid_of[r["code"]] = [Edge(r["community_code"], BEGINNING)]
        self.compounds: dict[str, Json] = {}
        self.compound_of: dict[str, list[Edge]] = {}
        for r in rows("compounds.csv"):
            self.compounds[r["id"]] = {"id": r["id"], "name": r["name"], "type": enum(r["type"])}
            self.compound_of[r["id"]] = [Edge(r["community_code"], BEGINNING)]
        self.buildings: dict[str, Json] = {}
        for r in rows("buildings.csv"):
            grid = r["grid_code"]
            home = self.grid_of[grid][0].target if grid in self.grid_of else None
            # IMPORT.md: "a building with no area_id is in its community's default Area"
            area = r.get("area_id") or (self.default_area.get(home) if home else None)
            self.buildings[r["code"]] = {
                "code": r["code"],
                "name": r["name"],
                "compound": r["compound_id"],
                "grid": grid,
                "area": area,
            }
        self.dwellings: dict[str, Json] = {
            r["id"]: {"id": r["id"], "room": r.get("room"), "building": r["building_code"]}
            for r in rows("dwellings.csv")
        }
        self.households: dict[str, Json] = {}
        self.hukou_at: dict[str, list[Edge]] = {}
        for r in rows("households.csv"):
            self.households[r["key"]] = {"key": r["key"], "type": enum(r["type"])}
            self.hukou_at[r["key"]] = [Edge(r["hukou_code"], r.get("since") or BEGINNING)]
        self.persons: dict[str, Person] = {}
        for r in rows("persons.csv"):
            tags = [t.strip() for t in (r.get("tags") or "").split(";") if t.strip()]
            self.persons[r["pid"]] = Person(
                r["pid"],
                r["name"],
                enum(r.get("gender")),
                r.get("birth_date"),
                r.get("id_number"),
                r.get("phone"),
                tags,
            )

        def dated(name: str, key: str, target: str, *props: str) -> dict[str, list[Edge]]:
            found: dict[str, list[Edge]] = {}
            for r in rows(name):
                edge = Edge(r[target], r["since"], r.get("until"), {p: r.get(p) for p in props})
                found.setdefault(r[key], []).append(edge)
            return found

        self.hukou_members = dated("hukou_members.csv", "pid", "household_key", "rel_to_head")
        self.residences = dated("residences.csv", "pid", "dwelling_id", "tenure")
        self.party_members = dated("party_members.csv", "pid", "org_id", "type", "joined")
        self.employments = dated("employments.csv", "pid", "uscc")
        self.reports = dated("reports.csv", "pid", "community_code", "grid_code")
        self.team_members = dated("team_members.csv", "pid", "team_id", "role")
        self.roles = dated("roles.csv", "pid", "scope", "role", "scope_type")
        self.collective_members = dated("collective_members.csv", "pid", "collective_uscc")
        self.pairings: list[tuple[str, Edge]] = []
        for r in rows("pairings.csv"):
            edge = Edge(r["target"], r["since"], r.get("until"), {"type": r["target_type"]})
            self.pairings.append((r["uscc"], edge))

        self.party_orgs: dict[str, Json] = {}
        self.based_in: dict[str, list[Edge]] = {}
        for r in rows("party_orgs.csv"):
            self.party_orgs[r["id"]] = {"orgId": r["id"], "name": r["name"], "level": enum(r["level"])}
            self.based_in[r["id"]] = [Edge(r["community_code"], BEGINNING)]
        self.units: dict[str, Json] = {}
        self.unit_in: dict[str, list[Edge]] = {}
        for r in rows("units.csv"):
            self.units[r["uscc"]] = {"uscc": r["uscc"], "name": r["name"]}
            self.unit_in[r["uscc"]] = [Edge(r["community_code"], BEGINNING)]
        self.teams: dict[str, Json] = {
            r["id"]: {"teamId": r["id"], "name": r["name"], "community": r["community_code"]}
            for r in rows("teams.csv")
        }
        self.collectives: dict[str, Json] = {
            r["uscc"]: {"uscc": r["uscc"], "name": r["name"], "area": r["area_id"]}
            for r in rows("collectives.csv")
        }

        self.merges = [
            Merge(r["old_code"], r["new_code"], r["on"], r.get("doc_no")) for r in rows("merges.csv")
        ]
        self._apply_merges()
        # answers are read many times per day: the per-person definitions are remembered
        self._residence: dict[tuple[str, str], str | None] = {}
        self._hukou: dict[tuple[str, str], str | None] = {}
        self._mismatches: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self._stats: dict[str, dict[str, dict[str, int]]] = {}

    def _apply_merges(self) -> None:
        """IMPORT.md: "a merge re-points what is current at the old communities to the new one as of
        `on`, closing the old edges". Merges apply in date order, so a chain A->B, later B->C carries
        A's places on to C at the second date."""
        structural = [
            self.area_of,
            self.grid_of,
            self.compound_of,
            self.unit_in,
            self.based_in,
            self.hukou_at,
        ]
        for merge in sorted(self.merges, key=lambda m: m.on):
            for edges_of in structural:
                for edges in edges_of.values():
                    for edge in list(edges):
                        if edge.target != merge.old or edge.until is not None:
                            continue
                        if edge.since >= merge.on:  # opened on or after the merge: it names the successor
                            edge.target = merge.new
                            continue
                        edge.until = merge.on
                        edges.append(Edge(merge.new, merge.on))

    # ---- definitions (SPEC "Definitions the answers depend on") ---------------------------------
    @staticmethod
    def place_on(edges: list[Edge] | None, day: str) -> str | None:
        found = first_open(edges or [], day)
        return found.target if found else None

    def grid_community(self, grid: str, day: str) -> str | None:
        return self.place_on(self.grid_of.get(grid), day)

    def residence_edge(self, pid: str, day: str) -> Edge | None:
        return first_open(self.residences.get(pid, []), day)

    def dwelling_community(self, dwelling: str, day: str) -> str | None:
        """ "the community of the grid of the building of the dwelling"."""
        building = self.buildings[self.dwellings[dwelling]["building"]]
        return self.grid_community(building["grid"], day)

    def residence(self, pid: str, day: str) -> str | None:
        """Residence community: via the open LIVES_IN."""
        if (pid, day) not in self._residence:
            edge = self.residence_edge(pid, day)
            self._residence[pid, day] = self.dwelling_community(edge.target, day) if edge else None
        return self._residence[pid, day]

    def residence_area(self, pid: str, day: str) -> str | None:
        edge = self.residence_edge(pid, day)
        if edge is None:
            return None
        area: str | None = self.buildings[self.dwellings[edge.target]["building"]]["area"]
        return area

    def hukou_place(self, pid: str, day: str) -> str | None:
        """Hukou place: "the HUKOU_AT target of the household of their open HUKOU_MEMBER"."""
        if (pid, day) not in self._hukou:
            member = first_open(self.hukou_members.get(pid, []), day)
            self._hukou[pid, day] = self.place_on(self.hukou_at.get(member.target), day) if member else None
        return self._hukou[pid, day]

    def party_home(self, pid: str, day: str) -> str | None:
        """Party home community: "the BASED_IN community of the party org of the open PARTY_MEMBER_OF"."""
        member = first_open(self.party_members.get(pid, []), day)
        return self.place_on(self.based_in.get(member.target), day) if member else None

    def area_community(self, area: str | None, day: str) -> str | None:
        return self.place_on(self.area_of.get(area), day) if area else None

    def collective_homes(self, pid: str, day: str) -> list[str]:
        """Collective home: "the Area (and its Community) of the collective org of an open
        COLLECTIVE_MEMBER_OF" — a person may hold more than one."""
        homes = set()
        for edge in open_edges(self.collective_members.get(pid, []), day):
            org = self.collectives.get(edge.target)
            home = self.area_community(org["area"], day) if org else None
            if home:
                homes.add(home)
        return sorted(homes)

    def homes(self, pid: str, kind: str, day: str) -> list[str]:
        if kind == "HUKOU":
            place = self.hukou_place(pid, day)
        elif kind == "PARTY":
            place = self.party_home(pid, day)
        elif kind == "COLLECTIVE":
            return self.collective_homes(pid, day)
        else:
            raise ValueError(kind)
        return [place] if place else []

    def mismatches(self, kind: str, day: str) -> list[tuple[str, str, str]]:
        """Every (pid, home, residence) with both known and different (SPEC "mismatch")."""
        if (kind, day) in self._mismatches:
            return self._mismatches[kind, day]
        found: list[tuple[str, str, str]] = []
        for pid in self.persons:
            lives = self.residence(pid, day)
            if lives is None:
                continue
            found.extend((pid, home, lives) for home in self.homes(pid, kind, day) if home != lives)
        self._mismatches[kind, day] = found
        return found

    # ---- answers --------------------------------------------------------------------------------
    def place(self, code: str | None) -> Json | None:
        if code is None:
            return None
        return {"code": code, "name": self.places[code].name}

    def area(self, area: str | None) -> Json | None:
        if area is None:
            return None
        return {"id": self.ids("Area", area), "name": self.area_names[area]}

    def person_ref(self, pid: str) -> Json:
        return {"id": self.ids("Person", pid), "pid": pid, "name": self.persons[pid].name}

    def under(self, code: str, scope: str) -> bool:
        """A code lies under a district or street when it starts with its code (SPEC "Codes")."""
        return code.startswith(scope)

    def community_stats(self, code: str, day: str) -> Json:
        """CommunityProfile.stats, each count as its comment in operations.graphql defines it."""
        if day not in self._stats:
            self._stats[day] = self._all_stats(day)
        counts = self._stats[day].get(code, {})
        return {
            name: counts.get(name, 0)
            for name in (
                "residents",
                "registered",
                "livingElsewhere",
                "registeredElsewhere",
                "residenceUnknown",
                "partyMembers",
                "reportedMembers",
                "pairedUnits",
                "volunteerTeams",
            )
        }

    def _all_stats(self, day: str) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}

        def add(code: str | None, name: str) -> None:
            if code is not None:
                row = counts.setdefault(code, {})
                row[name] = row.get(name, 0) + 1

        for pid in self.persons:
            lives = self.residence(pid, day)
            hukou = self.hukou_place(pid, day)
            member = first_open(self.party_members.get(pid, []), day) is not None
            add(lives, "residents")  # "people whose residence community is this one"
            add(hukou, "registered")  # "people whose hukou place is this community"
            if hukou is not None and lives is not None and hukou != lives:
                add(hukou, "livingElsewhere")  # "hukou here, residence known and elsewhere"
                add(lives, "registeredElsewhere")  # "residence here, hukou elsewhere"
            if lives is None:
                add(hukou, "residenceUnknown")  # "hukou here, no open residence"
            if member:
                add(lives, "partyMembers")  # "party members living here"
                # "members with an open report to this community": a member on the day, with an open report
                for target in {e.target for e in open_edges(self.reports.get(pid, []), day)}:
                    add(target, "reportedMembers")
        paired = {
            (e.target, uscc) for uscc, e in self.pairings if e.props["type"] == "COMMUNITY" and e.open_on(day)
        }
        for target, _ in paired:
            add(target, "pairedUnits")  # "units with an open pairing to this community"
        for team in self.teams.values():
            add(team["community"], "volunteerTeams")  # "teams based here"
        return counts

    def community_profile(self, code: str, day: str) -> Json:
        """CommunityProfile. Areas and grids are "of the community today" (schema.graphql), i.e. as
        re-pointed by merges up to today; grids "by code"."""
        place = self.places.get(code)
        if place is None or place.level != "COMMUNITY":
            return {"community": None}
        merged_into = next((m.new for m in self.merges if m.old == code), None)
        grids = sorted(g for g, edges in self.grid_of.items() if self.place_on(edges, self.today) == code)
        return {
            "community": {
                "id": self.ids("Community", code),
                "code": code,
                "name": place.name,
                "kind": place.kind,
                "status": "MERGED" if merged_into else "ACTIVE",
                "street": self.place(place.parent),
                "mergedInto": self.place(merged_into),
                "mergedFrom": [
                    {"community": self.place(m.old), "on": m.on, "docNo": m.doc_no}
                    for m in self.merges
                    if m.new == code
                ],
                "areas": [
                    self.area(a)
                    for a, edges in self.area_of.items()
                    if self.place_on(edges, self.today) == code
                ],
                "grids": {"totalCount": len(grids), "nodes": [self.grids[g] for g in grids[:100]]},
                "stats": self.community_stats(code, day),
            }
        }

    def residence_answer(self, edge: Edge, community_day: str) -> Json:
        dwelling = self.dwellings[edge.target]
        building = self.buildings[dwelling["building"]]
        compound = self.compounds.get(building["compound"])
        return {
            "since": edge.since,
            "tenure": enum(edge.props.get("tenure")),
            "dwelling": {
                "id": self.ids("Dwelling", dwelling["id"]),
                "room": dwelling["room"],
                "building": {
                    "code": building["code"],
                    "name": building["name"],
                    "compound": compound
                    and {
                        "id": self.ids("Compound", compound["id"]),
                        "name": compound["name"],
                        "type": compound["type"],
                    },
                    "grid": self.grids.get(building["grid"]),
                },
            },
            "community": self.place(self.dwelling_community(edge.target, community_day)),
        }

    def scope_name(self, scope_type: str, scope: str) -> str | None:
        table: dict[str, Any] = {
            "COMMUNITY": {c: {"name": p.name} for c, p in self.places.items()},
            "GRID": self.grids,
            "COMPOUND": self.compounds,
            "BUILDING": self.buildings,
            "PARTY_ORG": self.party_orgs,
        }.get(scope_type, {})
        found = table.get(scope)
        return found["name"] if found else None

    def person_card(self, pid: str, day: str) -> Json:
        """PersonCard: each relationship open on ``day``; ``residenceHistory`` is every residence
        that began on or before ``day``, by since, each with "the community of the dwelling's grid
        then" (schema.graphql), i.e. on the day it began."""
        person = self.persons.get(pid)
        if person is None:
            return {"person": None}
        household = None
        if member := first_open(self.hukou_members.get(pid, []), day):
            h = self.households[member.target]
            household = {
                "key": h["key"],
                "type": h["type"],
                "relToHead": member.props.get("rel_to_head"),
                "since": member.since,
                "hukouPlace": self.place(self.hukou_place(pid, day)),
            }
        lives = self.residence_edge(pid, day)
        history = sorted((e for e in self.residences.get(pid, []) if e.since <= day), key=lambda e: e.since)
        party = None
        if member := first_open(self.party_members.get(pid, []), day):
            org = self.party_orgs[member.target]
            party = {
                "type": enum(member.props.get("type")),
                "joined": member.props.get("joined"),
                "since": member.since,
                "org": {
                    "id": self.ids("PartyOrg", org["orgId"]),
                    **org,
                    "homeCommunity": self.place(self.place_on(self.based_in[org["orgId"]], day)),
                },
            }
        report = first_open(self.reports.get(pid, []), day)
        job = first_open(self.employments.get(pid, []), day)
        return {
            "person": {
                "id": self.ids("Person", pid),
                "pid": pid,
                "name": person.name,
                "gender": person.gender,
                "birthYear": int(person.birth_date[:4]) if person.birth_date else None,
                "idNumberMasked": mask_id_number(person.id_number),
                "phoneMasked": mask_phone(person.phone),
                "tags": person.tags,
                "household": household,
                "residence": self.residence_answer(lives, day) if lives else None,
                "residenceHistory": [
                    {
                        "since": e.since,
                        "until": e.until,
                        "community": self.place(self.dwelling_community(e.target, e.since)),
                    }
                    for e in history
                ],
                "partyMembership": party,
                "reportedTo": report and {"since": report.since, "community": self.place(report.target)},
                "employer": job and {"since": job.since, "unit": self.units[job.target]},
                "roles": [
                    {
                        "role": enum(e.props["role"]),
                        "since": e.since,
                        "scopeType": e.props["scope_type"],
                        "scopeCode": e.target,
                        "scopeName": self.scope_name(e.props["scope_type"] or "", e.target),
                    }
                    for e in open_edges(self.roles.get(pid, []), day)
                ],
                "teams": [
                    {
                        "role": e.props.get("role"),
                        "since": e.since,
                        "team": {k: self.teams[e.target][k] for k in ("teamId", "name")},
                    }
                    for e in open_edges(self.team_members.get(pid, []), day)
                ],
                "collectiveMemberships": [
                    {
                        "since": e.since,
                        "org": {
                            "uscc": e.target,
                            "name": self.collectives[e.target]["name"],
                            "area": self.area(self.collectives[e.target]["area"]),
                        },
                    }
                    for e in open_edges(self.collective_members.get(pid, []), day)
                ],
            }
        }

    def residence_mismatches(self, code: str, kind: str, direction: str, day: str) -> Json:
        """All of ResidenceMismatches' nodes, "ordered by person name then pid", and totalCount.
        LIVING_ELSEWHERE: home is ``code``; REGISTERED_ELSEWHERE: residence is ``code``."""
        if code not in self.communities:  # "one community's mismatches": a Region or street has none
            return {"totalCount": 0, "nodes": []}
        side = 1 if direction == "LIVING_ELSEWHERE" else 2
        rows = [m for m in self.mismatches(kind, day) if m[side] == code]
        rows.sort(key=lambda m: (self.persons[m[0]].name, m[0]))
        nodes = [
            {"person": self.person_ref(pid), "home": self.place(home), "residence": self.place(lives)}
            for pid, home, lives in rows
        ]
        return {"totalCount": len(nodes), "nodes": nodes}

    def mismatch_matrix(self, scope: str, kind: str, day: str) -> list[Json]:
        """One cell per (home, residence) with persons > 0 and home != residence, "for every pair
        whose home or residence lies under the scope"; no order is promised (sorted here)."""
        cells: dict[tuple[str, str], set[str]] = {}
        for pid, home, lives in self.mismatches(kind, day):
            if self.under(home, scope) or self.under(lives, scope):
                cells.setdefault((home, lives), set()).add(pid)
        return [
            {"home": self.place(home), "residence": self.place(lives), "persons": len(pids)}
            for (home, lives), pids in sorted(cells.items())
        ]

    def collective_members_elsewhere(self, scope: str) -> list[Json]:
        """Per collective org whose Area's community (today) lies under the scope: members with an open
        membership today, those without an open residence, and those who "live outside its Area" (the
        area of the building they live in differs); share = livingElsewhere / (members -
        residenceUnknown), null when that is 0. No order is promised (sorted by USCC here)."""
        day = self.today
        rows = []
        for uscc, org in sorted(self.collectives.items()):
            home = self.area_community(org["area"], day)
            if home is None or not self.under(home, scope):
                continue
            members = sorted(
                {
                    pid
                    for pid, edges in self.collective_members.items()
                    for e in open_edges(edges, day)
                    if e.target == uscc
                }
            )
            unknown = sum(self.residence_edge(pid, day) is None for pid in members)
            elsewhere = sum(
                self.residence_edge(pid, day) is not None and self.residence_area(pid, day) != org["area"]
                for pid in members
            )
            known = len(members) - unknown
            rows.append(
                {
                    "org": {"uscc": uscc, "name": org["name"], "area": self.area(org["area"])},
                    "members": len(members),
                    "livingElsewhere": elsewhere,
                    "residenceUnknown": unknown,
                    "share": elsewhere / known if known else None,
                }
            )
        return rows
