"""The synthetic district generator: byte-identical output per seed, bundles that pass the import
rules of shared/contract/IMPORT.md (checked here independently, and by the importer's validator),
and the district's figures (seed/params.py) within tolerances.

Everything is measured by re-reading the CSV files the generator wrote, never from its internals.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

from graph.base import Backend
from resolvers.identifiers import (
    citizen_id_problem,
    date_problem,
    phone_problem,
    region_code_problem,
    uscc_problem,
)
from resolvers.ledger.read import read_bundle
from resolvers.ledger.spec import BY_NAME
from resolvers.ledger.validate import Validator
from resolvers.personal import PersonalData
from seed import params
from seed.generate import generate, main

Row = dict[str, str]
Bundle = dict[str, list[Row]]

TODAY = params.TODAY.isoformat()
SMALL = 3_000
DISTRICT = 50_000
FULL_SCALE = 1_000_000


def read(folder: Path) -> Bundle:
    bundle: Bundle = {}
    for name, _ in params.FILES:
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            bundle[name] = list(csv.DictReader(handle))
    return bundle


def add_years(iso: str, years: int) -> str:
    day = dt.date.fromisoformat(iso)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1).isoformat()


class District:
    """A bundle re-read from disk with the lookups the checks need; merges applied by hand."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.b = read(folder)
        b = self.b
        self.regions = {r["code"]: r for r in b["regions.csv"]}
        self.successor = {m["old_code"]: m["new_code"] for m in b["merges.csv"]}
        self.merged_on = {m["old_code"]: m["on"] for m in b["merges.csv"]}
        self.grids = {g["code"]: g for g in b["grids.csv"]}
        self.compounds = {c["id"]: c for c in b["compounds.csv"]}
        self.buildings = {x["code"]: x for x in b["buildings.csv"]}
        self.dwellings = {d["id"]: d for d in b["dwellings.csv"]}
        self.households = {h["key"]: h for h in b["households.csv"]}
        self.persons = {p["pid"]: p for p in b["persons.csv"]}
        self.orgs = {o["id"]: o for o in b["party_orgs.csv"]}
        self.units = {u["uscc"]: u for u in b["units.csv"]}
        self.collectives = {c["uscc"]: c for c in b["collectives.csv"]}
        self.teams = {t["id"]: t for t in b["teams.csv"]}
        self.areas = {a["id"]: a for a in b["areas.csv"]}
        named = {a["community_code"] for a in b["areas.csv"]}
        for code, region in self.regions.items():  # default Areas (IMPORT.md)
            if region["level"] == "COMMUNITY" and code not in named:
                self.areas[code] = {"id": code, "name": region["name"], "community_code": code}
        self.active = [
            code
            for code, r in self.regions.items()
            if r["level"] == "COMMUNITY" and code not in self.successor
        ]

    def now(self, code: str) -> str:
        """The community a place of ``code`` belongs to today, after the merges."""
        while code in self.successor:
            code = self.successor[code]
        return code

    def open_rows(self, name: str) -> dict[str, Row]:
        return {r["pid"]: r for r in self.b[name] if not r["until"]}

    def residence_community(self) -> dict[str, str]:
        out = {}
        for pid, row in self.open_rows("residences.csv").items():
            building = self.buildings[self.dwellings[row["dwelling_id"]]["building_code"]]
            out[pid] = self.now(self.grids[building["grid_code"]]["community_code"])
        return out

    def hukou_place(self) -> dict[str, str]:
        return {
            pid: self.now(self.households[row["household_key"]]["hukou_code"])
            for pid, row in self.open_rows("hukou_members.csv").items()
        }

    def adults(self) -> list[str]:
        return [pid for pid, p in self.persons.items() if add_years(p["birth_date"], 18) <= TODAY]


def problems_of(d: District) -> list[str]:
    """The import rules of IMPORT.md checked on the whole bundle; each problem as one line."""
    out: list[str] = []
    b = d.b

    def bad(file: str, i: int, message: str) -> None:
        if len(out) < 200:
            out.append(f"{file}:{i + 2}: {message}")

    parsed, reading = read_bundle(d.folder)  # the importer's own reader: headers, cells, encoding
    out += [str(p) for p in reading]
    assert set(parsed) == {name for name, _ in params.FILES}
    for name, rows in b.items():
        spec = BY_NAME[name]
        keys: set[tuple[str, ...]] = set()
        for i, row in enumerate(rows):
            for col in spec.columns:
                value = row.get(col.name, "")
                if col.required and not value:
                    bad(name, i, f"{col.name} is required")
                if value and col.enum is not None and value not in col.enum:
                    bad(name, i, f"{col.name} '{value}' is not a known value")
                if value and col.name in ("since", "until", "joined", "birth_date", "on"):
                    problem = date_problem(value)
                    if problem or value > TODAY:
                        bad(name, i, f"{col.name} {problem or 'after today'}")
            key = tuple(row[k] for k in spec.key)
            if key in keys:
                bad(name, i, f"duplicate key {key}")
            keys.add(key)
            if row.get("until") and row["since"] > row["until"]:
                bad(name, i, "since after until")

    def must(file: str, i: int, value: str, table: Iterable[str] | dict[str, Row], what: str) -> None:
        if value not in table:
            bad(file, i, f"{what} '{value}' does not resolve")

    for i, r in enumerate(b["regions.csv"]):
        parent = r["parent_code"] or None
        problem = region_code_problem(r["code"], r["level"], parent)
        if problem:
            bad("regions.csv", i, problem)
        if parent:
            must("regions.csv", i, parent, d.regions, "parent_code")
    for i, m in enumerate(b["merges.csv"]):
        must("merges.csv", i, m["old_code"], d.regions, "old_code")
        must("merges.csv", i, m["new_code"], d.regions, "new_code")
    communities = {c for c, r in d.regions.items() if r["level"] == "COMMUNITY"}
    for name in ("areas.csv", "grids.csv", "compounds.csv", "units.csv", "teams.csv", "party_orgs.csv"):
        for i, row in enumerate(b[name]):
            must(name, i, row["community_code"], communities, "community_code")
    for i, x in enumerate(b["buildings.csv"]):
        must("buildings.csv", i, x["compound_id"], d.compounds, "compound_id")
        must("buildings.csv", i, x["grid_code"], d.grids, "grid_code")
        if x["area_id"]:
            must("buildings.csv", i, x["area_id"], d.areas, "area_id")
        compound, grid = d.compounds.get(x["compound_id"]), d.grids.get(x["grid_code"])
        if compound is None or grid is None:
            continue
        if compound["community_code"] != grid["community_code"]:
            bad("buildings.csv", i, "compound and grid are in different communities")
        if not x["area_id"] and compound["community_code"] not in d.areas:
            bad("buildings.csv", i, "no area_id and the community has no default Area")
    for i, w in enumerate(b["dwellings.csv"]):
        must("dwellings.csv", i, w["building_code"], d.buildings, "building_code")
    places = communities | {c for c, r in d.regions.items() if r["level"] == "OUTSIDE"}
    for i, h in enumerate(b["households.csv"]):
        must("households.csv", i, h["hukou_code"], places, "hukou_code")
        if h["hukou_code"] in d.merged_on and h["since"] >= d.merged_on[h["hukou_code"]]:
            bad("households.csv", i, "names a merged community after its merge")
    ids: set[str] = set()
    for i, p in enumerate(b["persons.csv"]):
        problem = citizen_id_problem(p["id_number"], p["birth_date"], p["gender"])
        if problem:
            bad("persons.csv", i, problem)
        if p["id_number"] in ids:
            bad("persons.csv", i, "id_number repeats")
        ids.add(p["id_number"])
        if p["phone"] and phone_problem(p["phone"]):
            bad("persons.csv", i, "phone")
    for name in ("units.csv", "collectives.csv"):
        for i, row in enumerate(b[name]):
            problem = uscc_problem(row["uscc"])
            if problem:
                bad(name, i, problem)
    for i, c in enumerate(b["collectives.csv"]):
        must("collectives.csv", i, c["area_id"], d.areas, "area_id")
    for i, o in enumerate(b["party_orgs.csv"]):
        if o["parent_id"]:
            must("party_orgs.csv", i, o["parent_id"], d.orgs, "parent_id")
        covers = {"COMPOUND": d.compounds, "BUILDING": d.buildings, "GRID": d.grids, "UNIT": d.units}
        if o["covers_type"]:
            must("party_orgs.csv", i, o["covers"], covers[o["covers_type"]], "covers")
    person_files: tuple[tuple[str, str, Iterable[str] | dict[str, Row]], ...] = (
        ("hukou_members.csv", "household_key", d.households),
        ("residences.csv", "dwelling_id", d.dwellings),
        ("party_members.csv", "org_id", d.orgs),
        ("employments.csv", "uscc", d.units),
        ("reports.csv", "community_code", communities),
        ("team_members.csv", "team_id", d.teams),
        ("roles.csv", "pid", d.persons),
        ("collective_members.csv", "collective_uscc", d.collectives),
        ("evaluations.csv", "pid", d.persons),
    )
    for name, ref, table in person_files:
        for i, row in enumerate(b[name]):
            must(name, i, row["pid"], d.persons, "pid")
            must(name, i, row[ref], table, ref)
    scopes = {
        "COMMUNITY": communities,
        "GRID": d.grids,
        "COMPOUND": d.compounds,
        "BUILDING": d.buildings,
        "PARTY_ORG": d.orgs,
    }
    for i, r in enumerate(b["roles.csv"]):
        must("roles.csv", i, r["scope"], scopes[r["scope_type"]], "scope")
    targets = {"COMMUNITY": communities, "COMPOUND": d.compounds, "PARTY_ORG": d.orgs}
    for i, r in enumerate(b["pairings.csv"]):
        must("pairings.csv", i, r["uscc"], d.units, "uscc")
        must("pairings.csv", i, r["target"], targets[r["target_type"]], "target")
    # community-level rows dated after a merge must name the successor
    dated = (
        ("reports.csv", "community_code", None),
        ("teams.csv", "community_code", None),
        ("roles.csv", "scope", "COMMUNITY"),
        ("pairings.csv", "target", "COMMUNITY"),
    )
    for name, ref, only in dated:
        for i, row in enumerate(b[name]):
            if only and row.get("scope_type", row.get("target_type")) != only:
                continue
            if row[ref] in d.successor and (row.get("since") or TODAY) >= d.merged_on[row[ref]]:
                bad(name, i, f"{ref} names a merged community")
    # periods: per person and kind, no overlaps and at most one open
    kinds = (
        ("hukou_members.csv", ("pid",)),
        ("residences.csv", ("pid",)),
        ("party_members.csv", ("pid",)),
        ("employments.csv", ("pid",)),
        ("reports.csv", ("pid",)),
        ("team_members.csv", ("pid", "team_id")),
        ("roles.csv", ("pid", "role", "scope_type", "scope")),
        ("collective_members.csv", ("pid", "collective_uscc")),
        ("pairings.csv", ("uscc", "target_type", "target")),
    )
    for name, key in kinds:
        periods: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
        for row in b[name]:
            periods[tuple(row[k] for k in key)].append((row["since"], row["until"] or "9999-12-31"))
        for owner, spans in periods.items():
            spans.sort()
            if sum(1 for _, until in spans if until == "9999-12-31") > 1:
                bad(name, 0, f"{owner} has more than one open period")
            for (_, until), (since, _) in itertools.pairwise(spans):
                if since < until:
                    bad(name, 0, f"{owner} has overlapping periods")
    # a report needs a membership on its first day; its grid is in its community
    memberships: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in b["party_members.csv"]:
        memberships[row["pid"]].append((row["since"], row["until"] or "9999-12-31"))
    for i, r in enumerate(b["reports.csv"]):
        if not any(s <= r["since"] < u for s, u in memberships[r["pid"]]):
            bad("reports.csv", i, "not a party member on since")
        if r["grid_code"] and d.grids[r["grid_code"]]["community_code"] != r["community_code"]:
            bad("reports.csv", i, "grid_code is not a grid of community_code")
    # every person: exactly one open hukou membership; party members adult when they joined
    open_hukou = Counter(r["pid"] for r in b["hukou_members.csv"] if not r["until"])
    for i, pid in enumerate(d.persons):
        if open_hukou[pid] != 1:
            bad("persons.csv", i, f"{pid} has {open_hukou[pid]} open hukou memberships")
    for i, m in enumerate(b["party_members.csv"]):
        if m["joined"] < add_years(d.persons[m["pid"]]["birth_date"], 18):
            bad("party_members.csv", i, "joined before 18")
    return out


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> District:
    folder = tmp_path_factory.mktemp("district")
    counts = generate(DISTRICT, seed=2026, out=folder)
    assert counts["persons.csv"] == DISTRICT
    return District(folder)


# ---------------------------------------------------------------------------------------------
def test_same_seed_same_bytes_and_valid(tmp_path: Path) -> None:
    first = generate(SMALL, seed=7, out=tmp_path / "a")
    second = generate(SMALL, seed=7, out=tmp_path / "b")
    assert first == second
    for name, header in params.FILES:
        data = (tmp_path / "a" / name).read_bytes()
        assert data == (tmp_path / "b" / name).read_bytes(), name
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        assert data.decode("utf-8").split("\n", 1)[0] == ",".join(header)
        assert first[name] == data.count(b"\n") - 1
    other = generate(SMALL, seed=8, out=tmp_path / "c")
    assert other["persons.csv"] == SMALL
    assert (tmp_path / "c" / "persons.csv").read_bytes() != (tmp_path / "a" / "persons.csv").read_bytes()
    assert problems_of(District(tmp_path / "a")) == []


def test_cli_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--persons", "500", "--seed", "3", "--out", str(tmp_path)]) == 0
    assert "persons.csv" in capsys.readouterr().out
    assert (tmp_path / "persons.csv").read_text(encoding="utf-8").count("\n") == 501


def test_district_passes_the_import_rules(district: District) -> None:
    assert problems_of(district) == []


async def test_district_passes_the_importers_validation(
    district: District, backend: Backend, personal: PersonalData
) -> None:
    """The importer itself, against an empty graph: the bundle must stand on its own."""
    parsed, problems = read_bundle(district.folder)
    outcome = await Validator(backend, personal, TODAY).run(parsed)
    assert [str(p) for p in [*problems, *outcome.problems][:20]] == []


def test_places(district: District) -> None:
    regions = district.regions
    assert sum(1 for r in regions.values() if r["level"] == "STREET") == 12
    kinds = Counter(regions[c]["kind"] for c in district.active)
    assert kinds == {"COMMUNITY": 109, "VILLAGE": 9}
    originals = [c for c, r in regions.items() if r["level"] == "COMMUNITY" and c in district.successor]
    successors = Counter(district.successor[c] for c in originals)
    assert Counter(regions[c]["kind"] for c in successors) == {"VILLAGE": 6, "COMMUNITY": 4}
    assert all(2 <= n <= 5 for n in successors.values())
    assert all(m["doc_no"] and m["on"] for m in district.b["merges.csv"])
    per_community = Counter(district.now(c["community_code"]) for c in district.compounds.values())
    assert all(8 <= per_community[c] <= 25 for c in district.active)
    assert {c["type"] for c in district.compounds.values()} == {
        "COMMERCIAL",
        "WORK_UNIT",
        "OLD",
        "RESETTLEMENT",
        "VILLAGE",
    }
    # residents per community, extrapolated to the 1M-person district: 5–10k
    residents = Counter(district.residence_community().values())
    factor = FULL_SCALE / DISTRICT
    assert all(5_000 <= residents[c] * factor <= 10_000 for c in district.active), sorted(
        (residents[c] * factor, c) for c in district.active
    )[:3]
    # grids of about 300 households (200–500): none over 500 occupied homes; a community with
    # fewer than 200 households (a small district) has one grid
    occupied = {r["dwelling_id"] for r in district.b["residences.csv"] if not r["until"]}
    homes = Counter(district.buildings[district.dwellings[d]["building_code"]]["grid_code"] for d in occupied)
    assert set(homes) == set(district.grids) and max(homes.values()) <= 500
    grids_of = Counter(g["community_code"] for g in district.grids.values())
    for code, n in grids_of.items():
        households = sum(homes[g] for g, row in district.grids.items() if row["community_code"] == code)
        assert n == max(1, round(households / params.GRID_TARGET_HOUSEHOLDS))


def test_households(district: District) -> None:
    open_members = Counter(r["household_key"] for r in district.b["hukou_members.csv"] if not r["until"])
    family = [n for key, n in open_members.items() if district.households[key]["type"] == "FAMILY"]
    mean = sum(family) / len(family)
    assert abs(mean - params.TARGET_MEAN_HOUSEHOLD_SIZE) <= 0.06, mean
    shares = Counter(min(n, 5) for n in family)
    targets = {1: 0.25, 2: 0.30, 3: 0.25, 4: 0.12, 5: 0.08}
    for size, target in targets.items():
        assert abs(shares[size] / len(family) - target) <= 0.025, (size, shares[size] / len(family))
    collective = sum(n for key, n in open_members.items() if district.households[key]["type"] == "COLLECTIVE")
    assert abs(collective / len(district.persons) - 0.08) <= 0.015
    outside = {c for c, r in district.regions.items() if r["level"] == "OUTSIDE"}
    assert any(h["hukou_code"] in outside for h in district.households.values())


def test_hukou_and_residence_separation(district: District) -> None:
    living = district.residence_community()
    registered = district.hukou_place()
    assert 0.0 < 1 - len(living) / len(district.persons) < 0.06  # residence unknown: a small share
    elsewhere = sum(1 for pid, c in living.items() if registered[pid] != c)
    assert 0.40 <= elsewhere / len(living) <= 0.60, elsewhere / len(living)
    local = [
        pid for pid in living if registered[pid] in district.regions and registered[pid] in district.active
    ]
    away = sum(1 for pid in local if living[pid] != registered[pid])
    assert 0.10 <= away / len(local) <= 0.25, away / len(local)
    # history: as of 2020 some people lived in another community than today
    before: dict[str, str] = {}
    for r in district.b["residences.csv"]:
        if r["since"] <= "2020-01-01" < (r["until"] or "9999"):
            building = district.buildings[district.dwellings[r["dwelling_id"]]["building_code"]]
            before[r["pid"]] = district.now(district.grids[building["grid_code"]]["community_code"])
    moved = sum(1 for pid, c in before.items() if pid in living and living[pid] != c)
    assert moved > 0
    assert sum(1 for r in district.b["hukou_members.csv"] if r["until"]) > 0


def test_chahua_collective(district: District) -> None:
    living = district.residence_community()
    members: dict[str, list[str]] = defaultdict(list)
    for row in district.b["collective_members.csv"]:
        if not row["until"] and row["pid"] in living:
            members[row["collective_uscc"]].append(row["pid"])
    assert set(members) == set(district.collectives)  # every original village has its organisation
    shares = {}
    for uscc, pids in members.items():
        home = district.now(district.areas[district.collectives[uscc]["area_id"]]["community_code"])
        shares[uscc] = sum(1 for pid in pids if living[pid] != home) / len(pids)
    chahua = max(shares, key=lambda u: shares[u])
    assert abs(shares[chahua] - params.CHAHUA_AWAY_SHARE) <= 0.08, shares[chahua]
    # living outside the original village's Area, not only outside its merged community
    area_of: dict[str, str] = {}
    for pid, row in district.open_rows("residences.csv").items():
        building = district.buildings[district.dwellings[row["dwelling_id"]]["building_code"]]
        area_of[pid] = building["area_id"] or district.compounds[building["compound_id"]]["community_code"]
    area = district.collectives[chahua]["area_id"]
    outside_area = sum(1 for pid in members[chahua] if area_of[pid] != area) / len(members[chahua])
    assert abs(outside_area - params.CHAHUA_AWAY_SHARE) <= 0.08
    merged_villages = {
        district.successor[a["area_id"]]
        for a in district.collectives.values()
        if a["area_id"] in district.successor
    }
    assert sum(1 for c in merged_villages if district.regions[c]["kind"] == "VILLAGE") == 6


def test_party(district: District) -> None:
    adults = district.adults()
    members = district.open_rows("party_members.csv")
    share = len(members) / len(adults)
    assert 0.08 <= share <= 0.10, share
    probationary = sum(1 for m in members.values() if m["type"] == "PROBATIONARY") / len(members)
    assert 0.01 <= probationary <= 0.035, probationary
    kinds = Counter(district.orgs[m["org_id"]]["kind"] for m in members.values())
    assert kinds["COMMUNITY"] and kinds["COMPOUND"] and kinds["ORGAN"] + kinds["ENTERPRISE"]
    assert any(o["level"] == "GROUP" and o["covers_type"] == "BUILDING" for o in district.orgs.values())
    # a compound where 3+ full members organised where they live live has a branch
    living = district.open_rows("residences.csv")
    covered = {o["covers"] for o in district.orgs.values() if o["covers_type"] == "COMPOUND"}
    full: Counter[str] = Counter()
    for pid, m in members.items():
        org = district.orgs[m["org_id"]]
        if (
            m["type"] != "FULL"
            or org["kind"] not in ("COMMUNITY", "COMPOUND", "BUILDING")
            or pid not in living
        ):
            continue
        building = district.buildings[district.dwellings[living[pid]["dwelling_id"]]["building_code"]]
        compound = building["compound_id"]
        if district.now(district.compounds[compound]["community_code"]) == district.now(
            org["community_code"]
        ):
            full[compound] += 1
    assert full and all(c in covered for c, n in full.items() if n >= 3)
    # in-service members reported to communities: 100–400 per community at 1M
    reports = [r for r in district.b["reports.csv"] if not r["until"]]
    per_community = len(reports) / len(district.active) * FULL_SCALE / DISTRICT
    assert 100 <= per_community <= 400, per_community
    assert any(r["until"] for r in district.b["reports.csv"])
    employed = {r["pid"] for r in district.b["employments.csv"] if not r["until"]}
    assert all(r["pid"] in employed for r in reports)
    # 双重评议 of last year, with gaps and disagreements
    evaluations: dict[str, dict[str, str]] = defaultdict(dict)
    for e in district.b["evaluations.csv"]:
        assert e["year"] == str(params.EVALUATION_YEAR)
        evaluations[e["pid"]][e["side"]] = e["grade"]
    both = [v for v in evaluations.values() if len(v) == 2]
    assert both and any(v["ORG"] != v["COMMUNITY"] for v in both)
    assert any(pid not in evaluations for pid in members)
    assert any(m["until"] for m in district.b["party_members.csv"])


def test_units_pairings_teams_roles(district: District) -> None:
    open_pairings = [p for p in district.b["pairings.csv"] if not p["until"]]
    units_of: dict[str, set[str]] = defaultdict(set)
    for p in open_pairings:
        if p["target_type"] == "COMMUNITY":
            units_of[p["target"]].add(p["uscc"])
    assert all(5 <= len(units) <= 15 for units in units_of.values())
    assert any(c not in units_of for c in district.active)  # some communities have no partner
    assert {p["target_type"] for p in open_pairings} == {"COMMUNITY", "COMPOUND", "PARTY_ORG"}
    assert any(p["until"] for p in district.b["pairings.csv"])
    assert len(district.units) >= params.COMMUNITY_OF_UNITS_SIZE
    teams = Counter(t["community_code"] for t in district.teams.values())
    assert all(3 <= teams[c] <= 8 for c in district.active)
    assert any(t["until"] for t in district.b["team_members.csv"])
    roles = district.b["roles.csv"]
    workers = Counter(r["scope"] for r in roles if r["role"] == "GRID_WORKER" and not r["until"])
    assert set(workers) == set(district.grids) and set(workers.values()) == {1}
    assert any(r["role"] == "GRID_WORKER" and r["until"] for r in roles)
    seen = {r["role"] for r in roles}
    assert seen == set(BY_NAME["roles.csv"].column("role").enum.values())  # type: ignore[union-attr]


def test_people(district: District) -> None:
    persons = list(district.persons.values())
    for p in persons[:5000]:
        assert citizen_id_problem(p["id_number"], p["birth_date"], p["gender"]) is None
    names = [p["name"] for p in persons]
    assert any("·" in n for n in names)
    assert any(any(ord(ch) > 0xFFFF for ch in n) for n in names)
    assert any(n[:2] in ("欧阳", "司马", "诸葛", "上官", "司徒") for n in names)
    surnames = Counter(n[0] for n in names)
    assert {s for s, _ in surnames.most_common(6)} & {"王", "李", "张", "刘", "陈"}
    han = sum(1 for p in persons if p["ethnicity"] == "汉族") / len(persons)
    assert 0.95 < han < 0.995
    phones = [p["phone"] for p in persons if p["phone"]]
    assert len(set(phones)) == len(phones) and 0.7 < len(phones) / len(persons) < 0.97
    assert any(p["tags"] for p in persons)
    assert all(u["uscc"] and uscc_problem(u["uscc"]) is None for u in district.units.values())
