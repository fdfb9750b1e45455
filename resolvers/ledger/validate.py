"""Every validation rule of IMPORT.md, turning source rows into write-path rows or problems.

Files are checked in dependency order (spec.FILES). Each row is checked on its own (required
values, enumerations, dates, checksums), then against what the bundle and the graph already hold
(references, parents, duplicates, overlapping periods). A row that fails is rejected; rows that
refer to it are rejected too, naming it. The output is one list of rows per write step of
resolvers/writes.py; nothing here writes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.base import Backend
from resolvers import identifiers as ids
from resolvers.ledger import lookups
from resolvers.ledger.read import ParsedFile, Problem, SourceRow
from resolvers.ledger.spec import FILES
from resolvers.personal import PersonalData
from resolvers.search import name_grams

NOUN = {
    "District": "district",
    "Street": "street",
    "Community": "community",
    "Region": "region",
    "Area": "area",
    "Grid": "grid",
    "Compound": "compound",
    "Building": "building",
    "Dwelling": "dwelling",
    "Household": "household",
    "Person": "person",
    "PartyOrg": "party org",
    "Unit": "unit",
    "VolunteerTeam": "team",
    "CollectiveOrg": "collective org",
}
PLACE_LABEL = {"DISTRICT": "District", "STREET": "Street", "COMMUNITY": "Community", "OUTSIDE": "Region"}
COVERS_LABEL = {"COMPOUND": "Compound", "BUILDING": "Building", "GRID": "Grid", "UNIT": "Unit"}
TARGET_LABEL = {"COMMUNITY": "Community", "COMPOUND": "Compound", "PARTY_ORG": "PartyOrg"}
SCOPE_LABEL = {
    "COMMUNITY": "Community",
    "GRID": "Grid",
    "COMPOUND": "Compound",
    "BUILDING": "Building",
    "PARTY_ORG": "PartyOrg",
}


class RowRejected(Exception):
    """Raised inside a row check once the row has a problem that makes further checks moot."""


@dataclass
class Period:
    """One membership period of a group (a person for one-at-a-time kinds, a pair otherwise)."""

    target: str
    since: str
    until: str | None
    where: str  # "file:line" for bundle rows, "" for the graph
    row: SourceRow | None = None


@dataclass
class Outcome:
    """What validation produced: rows per write step, problems, and the rejected source rows."""

    steps: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    problems: list[Problem] = field(default_factory=list)
    rejected: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Validator:
    """Checks one bundle against itself and the graph. ``await Validator(...).run(parsed)``."""

    def __init__(
        self,
        backend: Backend,
        personal: PersonalData | None,
        today: str | None = None,
        *,
        fresh: bool = False,
        on_file_done: Callable[[str], None] | None = None,
    ) -> None:
        self.backend = backend
        self.fresh = fresh  # the graph was empty at the start: nothing to look up
        self.on_file_done = on_file_done
        self.personal = personal
        self.today = today or dt.date.today().isoformat()
        self.out = Outcome()
        # label -> key -> info, for entities defined by valid bundle rows
        self.bundle: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        # label -> key -> "file:line" of a rejected defining row
        self.rejected_keys: dict[str, dict[str, str]] = defaultdict(dict)
        # label -> key -> info (or None when absent), for entities looked up in the graph
        self.graph: dict[str, dict[str, dict[str, Any] | None]] = defaultdict(dict)
        self.merging: dict[str, str] = {}  # old community code -> new, from this bundle's merges.csv
        self.row_problem = False

    # ---- bookkeeping ------------------------------------------------------------------------
    def problem(self, row: SourceRow, column: str, message: str, code: str = "INVALID") -> None:
        self.out.problems.append(Problem(row.file, row.line, column, message, code))
        self.out.rejected.setdefault((row.file, row.line), []).append(f"{column}: {message}")

    def fail(self, row: SourceRow, column: str, message: str, code: str = "INVALID") -> RowRejected:
        self.problem(row, column, message, code)
        return RowRejected()

    def is_rejected(self, row: SourceRow) -> bool:
        return (row.file, row.line) in self.out.rejected

    def emit(self, step: str, values: dict[str, Any]) -> None:
        self.out.steps[step].append(values)

    async def prefetch(self, label: str, keys: Iterable[str | None]) -> None:
        """Look up, in one batch, the keys neither the bundle nor an earlier lookup knows."""
        if self.fresh:
            return
        wanted = sorted({k for k in keys if k and k not in self.bundle[label] and k not in self.graph[label]})
        if not wanted:
            return
        found = await lookups.fetch(self.backend, label, wanted)
        for key in wanted:
            self.graph[label][key] = found.get(key)

    async def graph_rows(self, query: str, keys: list[str]) -> list[dict[str, Any]]:
        """Rows of a batched ``UNWIND $keys`` lookup; nothing to ask when the graph was empty."""
        if self.fresh or not keys:
            return []
        return await lookups.fetch_rows(self.backend, query, keys)

    def info(self, label: str, key: str) -> dict[str, Any] | None:
        return self.bundle[label].get(key) or self.graph[label].get(key)

    def ref(self, row: SourceRow, column: str, label: str, key: str | None) -> dict[str, Any]:
        """The referenced entity's info, or a rejection naming what is wrong with the reference."""
        if key is None:
            raise self.fail(row, column, "required value is empty")
        found = self.info(label, key)
        if found is not None:
            return found
        where = self.rejected_keys[label].get(key)
        if where:
            raise self.fail(
                row, column, f"refers to {NOUN[label]} '{key}' of rejected row {where}", "NOT_FOUND"
            )
        raise self.fail(
            row, column, f"unknown {NOUN[label]} '{key}' (not in this bundle nor in the graph)", "NOT_FOUND"
        )

    def and_successors(self, codes: list[str]) -> set[str]:
        """Communities and those this bundle merges them into, along chains: a grid of a community
        that a merge of this bundle moves is in the successor too (SPEC.md: grids move)."""
        found: set[str] = set()
        for code in codes:
            while code not in found:
                found.add(code)
                if code not in self.merging:
                    break
                code = self.merging[code]
        return found

    def uscc_ref(self, row: SourceRow, column: str, label: str, uscc: str | None) -> dict[str, Any]:
        """A unit or collective org named by USCC: a malformed one is INVALID (its check character
        says so), not merely unknown."""
        if uscc is not None and (problem := ids.uscc_problem(uscc)):
            raise self.fail(row, column, problem)
        return self.ref(row, column, label, uscc)

    def current_community(
        self, row: SourceRow, column: str, code: str | None, since: str | None = None
    ) -> dict[str, Any]:
        """The community of a row that places something there; a community merged before this
        bundle is refused (IMPORT.md: a later row must name its successor), unless the row is a
        report, pairing or role whose period began before the merge (``since``): a merge leaves
        those where they are (SPEC.md), so such a row is that history, closed or still open."""
        community = self.ref(row, column, "Community", code)
        assert code is not None
        if community.get("status") == "MERGED" and code not in self.merging:
            merged_on = (community.get("mergedOn") or [None])[0]
            if since is not None and merged_on is not None and since < merged_on:
                return community
            successor = (community.get("successor") or ["?"])[0]
            raise self.fail(
                row, column, f"community '{code}' was merged into '{successor}'; use '{successor}'", "MERGED"
            )
        return community

    def define(self, label: str, key: str, row: SourceRow, info: dict[str, Any]) -> None:
        self.bundle[label][key] = {**info, "where": row.where}

    # ---- cell checks -------------------------------------------------------------------------
    def cells(self, row: SourceRow, parsed: ParsedFile) -> dict[str, str | None]:
        """Required values present and enumerations known; returns values with enum codes."""
        values = dict(row.values)
        failed = False
        for name, required, words in parsed.spec.checks:
            value = values.get(name)
            if value is None:
                if required:
                    self.problem(row, name, "required value is empty")
                    failed = True
            elif words is not None:
                code = words.get(value) or words.get(value.upper())
                if code is None:
                    known = " / ".join(sorted(set(words.values())))
                    self.problem(row, name, f"unknown value '{value}'; expected {known}")
                    failed = True
                values[name] = code
            elif "\x00" in value:
                self.problem(row, name, "contains a NUL character")
                failed = True
        if failed:
            raise RowRejected()
        return values

    def date(self, row: SourceRow, column: str, value: str | None, *, future_ok: bool = False) -> str | None:
        if value is None:
            return None
        problem = ids.date_problem(value)
        if problem:
            raise self.fail(row, column, problem)
        if not future_ok and value > self.today:
            raise self.fail(row, column, f"'{value}' is in the future")
        return value

    def period(self, row: SourceRow, values: dict[str, str | None]) -> tuple[str, str | None]:
        since = self.date(row, "since", values["since"])
        until = self.date(row, "until", values.get("until"), future_ok=True)
        assert since is not None
        if until is not None and until < since:
            raise self.fail(row, "until", f"until {until} is before since {since}")
        return since, until

    def duplicates(self, parsed: ParsedFile) -> None:
        seen: dict[tuple[str | None, ...], int] = {}
        for row in parsed.rows:
            key = tuple(row.values.get(c) for c in parsed.spec.key)
            if any(k is None for k in key):
                continue
            if key in seen:
                self.problem(
                    row,
                    ",".join(parsed.spec.key),
                    f"duplicate key {'/'.join(str(k) for k in key)} (first at line {seen[key]})",
                )
            else:
                seen[key] = row.line

    # ---- driver -------------------------------------------------------------------------------
    async def run(self, parsed: Mapping[str, ParsedFile]) -> Outcome:
        if "merges.csv" in parsed:
            for row in parsed["merges.csv"].rows:
                old, new = row.values.get("old_code"), row.values.get("new_code")
                if old and new:
                    self.merging[old] = new
        for spec in FILES:
            if spec.name not in parsed:
                if spec.name == "areas.csv":
                    await self.default_areas(None)
                if self.on_file_done is not None:
                    self.on_file_done(spec.name)
                continue
            file = parsed[spec.name]
            self.duplicates(file)
            handler: Callable[[ParsedFile], Any] = getattr(self, "check_" + spec.name.removesuffix(".csv"))
            await handler(file)
            self.out.counts[spec.name] = len(file.rows)
            if spec.name == "areas.csv":
                await self.default_areas(file)
            if self.on_file_done is not None:
                self.on_file_done(spec.name)
        return self.out

    async def each(self, file: ParsedFile, check: Callable[[SourceRow, dict[str, str | None]], None]) -> None:
        rejected = self.out.rejected
        cells = self.cells
        for number, row in enumerate(file.rows):
            if number % 200 == 0:
                await asyncio.sleep(0)  # let a concurrent writer send its next batch
            if (row.file, row.line) in rejected:
                continue
            try:  # noqa: SIM105 - the hot loop of every import; suppress() costs an object a row
                check(row, cells(row, file))
            except RowRejected:
                pass

    def reject_keys(self, file: ParsedFile, label: str, column: str) -> None:
        for row in file.rows:
            key = row.values.get(column)
            if key and self.is_rejected(row):
                self.bundle[label].pop(key, None)
                self.rejected_keys[label].setdefault(key, row.where)

    # ---- places ------------------------------------------------------------------------------
    async def check_regions(self, file: ParsedFile) -> None:
        by_level: dict[str, list[SourceRow]] = defaultdict(list)
        for row in file.rows:
            by_level[(row.values.get("level") or "").upper()].append(row)
        for label in PLACE_LABEL.values():
            await self.prefetch(label, (r.values.get("code") for r in file.rows))
        await self.prefetch("District", (r.values.get("parent_code") for r in file.rows))
        await self.prefetch("Street", (r.values.get("parent_code") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            code, level, parent = v["code"], v["level"], v["parent_code"]
            assert code is not None and level is not None
            problem = ids.region_code_problem(code, level, parent if level != "OUTSIDE" else None)
            if problem:
                raise self.fail(row, "code", problem)
            for other_level, other in PLACE_LABEL.items():
                if other_level != level and self.info(other, code) is not None:
                    raise self.fail(row, "code", f"code '{code}' is already a {NOUN[other]}")
            if level == "COMMUNITY" and v["kind"] is None:
                raise self.fail(row, "kind", "required for level COMMUNITY (COMMUNITY 社区 / VILLAGE 村)")
            if level != "COMMUNITY" and v["kind"] is not None:
                raise self.fail(row, "kind", "only communities have a kind")
            label = PLACE_LABEL[level]
            parent_label = {"STREET": "District", "COMMUNITY": "Street"}.get(level)
            if parent_label is not None:
                if parent is None:
                    raise self.fail(row, "parent_code", f"required for level {level}")
                self.ref(row, "parent_code", parent_label, parent)
                existing = self.graph[label].get(code)
                if existing and existing.get("parent") and parent not in existing["parent"]:
                    raise self.fail(
                        row,
                        "parent_code",
                        f"'{code}' is under '{existing['parent'][0]}' in the graph, not '{parent}'",
                    )
            info: dict[str, Any] = {"name": v["name"], "parent": parent}
            if level == "COMMUNITY":
                existing = self.graph["Community"].get(code) or {}
                info.update(kind=v["kind"], status=existing.get("status", "ACTIVE"), areas=existing.get("areas", []),
                            successor=existing.get("successor", []))  # fmt: skip
            self.define(label, code, row, info)
            step = {
                "DISTRICT": "districts",
                "STREET": "streets",
                "COMMUNITY": "communities",
                "OUTSIDE": "regions",
            }
            self.emit(step[level], {"code": code, "name": v["name"], "kind": v["kind"], "parent": parent,
                                    "nameGrams": name_grams(v["name"])})  # fmt: skip

        # districts before streets before communities, whatever the row order
        for level in ("DISTRICT", "STREET", "COMMUNITY", "OUTSIDE"):
            await self.each(ParsedFile(file.spec, file.header, by_level.pop(level, [])), check)
        for rows in by_level.values():
            await self.each(ParsedFile(file.spec, file.header, rows), check)
        for label in PLACE_LABEL.values():
            self.reject_keys(file, label, "code")

    async def check_areas(self, file: ParsedFile) -> None:
        await self.prefetch("Community", (r.values.get("community_code") for r in file.rows))
        await self.prefetch("Area", (r.values.get("id") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            key, community = v["id"], v["community_code"]
            assert key is not None and community is not None
            self.current_community(row, "community_code", community)
            self.same_parent(row, "community_code", "Area", key, "community", community)
            self.define("Area", key, row, {"community": [community]})
            self.emit("areas", {"id": key, "name": v["name"], "community": community})

        await self.each(file, check)
        self.reject_keys(file, "Area", "id")

    async def default_areas(self, file: ParsedFile | None) -> None:
        """A community with no areas (in the bundle or the graph) gets one: id = its code."""
        with_areas = {a["community"][0] for a in self.bundle["Area"].values()}
        for code, community in self.bundle["Community"].items():
            if code in with_areas or community.get("areas"):
                continue
            if self.rejected_keys["Area"].get(code):
                continue
            self.bundle["Area"][code] = {"community": [code], "where": community["where"], "default": True}
            self.emit("areas", {"id": code, "name": community["name"], "community": code})

    def same_parent(self, row: SourceRow, column: str, label: str, key: str, alias: str, parent: str) -> None:
        """An entity already in the graph keeps its parent: moving it is not an import."""
        existing = self.graph[label].get(key)
        if existing is not None and existing.get(alias) and parent not in existing[alias]:
            raise self.fail(
                row,
                column,
                f"{NOUN[label]} '{key}' belongs to '{existing[alias][0]}' in the graph, not '{parent}'",
            )

    async def check_grids(self, file: ParsedFile) -> None:
        await self.prefetch("Community", (r.values.get("community_code") for r in file.rows))
        await self.prefetch("Grid", (r.values.get("code") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            code, community = v["code"], v["community_code"]
            assert code is not None and community is not None
            self.current_community(row, "community_code", community)
            self.same_parent(row, "community_code", "Grid", code, "community", community)
            target = v["target_households"]
            if target is not None and (not target.isdigit() or int(target) <= 0):
                raise self.fail(row, "target_households", f"'{target}' is not a positive whole number")
            self.define("Grid", code, row, {"community": [community]})
            self.emit("grids", {"code": code, "name": v["name"], "community": community,
                                "targetHouseholds": int(target) if target else None})  # fmt: skip

        await self.each(file, check)
        self.reject_keys(file, "Grid", "code")

    async def check_compounds(self, file: ParsedFile) -> None:
        await self.prefetch("Community", (r.values.get("community_code") for r in file.rows))
        await self.prefetch("Compound", (r.values.get("id") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            key, community = v["id"], v["community_code"]
            assert key is not None and community is not None
            self.current_community(row, "community_code", community)
            self.same_parent(row, "community_code", "Compound", key, "community", community)
            self.define("Compound", key, row, {"community": [community]})
            self.emit("compounds", {"id": key, "name": v["name"], "type": v["type"], "community": community})

        await self.each(file, check)
        self.reject_keys(file, "Compound", "id")

    async def check_buildings(self, file: ParsedFile) -> None:
        await self.prefetch("Compound", (r.values.get("compound_id") for r in file.rows))
        await self.prefetch("Grid", (r.values.get("grid_code") for r in file.rows))
        await self.prefetch("Area", (r.values.get("area_id") for r in file.rows))
        await self.prefetch("Building", (r.values.get("code") for r in file.rows))
        communities = {
            c
            for label in ("Compound", "Grid")
            for i in self.graph[label].values()
            if i
            for c in i["community"]
        }
        await self.prefetch("Community", communities)
        await self.prefetch("Area", communities)

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            code, compound_id, grid_code, area_id = v["code"], v["compound_id"], v["grid_code"], v["area_id"]
            assert code is not None and compound_id is not None and grid_code is not None
            compound = self.ref(row, "compound_id", "Compound", compound_id)
            grid = self.ref(row, "grid_code", "Grid", grid_code)
            shared = [c for c in compound["community"] if c in grid["community"]]
            if not shared:
                raise self.fail(
                    row,
                    "grid_code",
                    f"grid '{grid_code}' is in community '{grid['community'][0]}' but compound '{compound_id}' "
                    f"is in '{compound['community'][0]}'; a building's compound and grid share one community",
                )
            if area_id is None:
                if self.info("Area", shared[0]) is None:
                    raise self.fail(
                        row,
                        "area_id",
                        f"required: community '{shared[0]}' has named areas and no default area",
                    )
                area_id = shared[0]
            else:
                area = self.ref(row, "area_id", "Area", area_id)
                if not set(area["community"]) & set(shared):
                    raise self.fail(
                        row,
                        "area_id",
                        f"area '{area_id}' is not in community '{shared[0]}' of the building's compound",
                    )
            self.same_parent(row, "compound_id", "Building", code, "compound", compound_id)
            self.same_parent(row, "grid_code", "Building", code, "grid", grid_code)
            self.define(
                "Building", code, row, {"compound": [compound_id], "grid": [grid_code], "community": shared}
            )
            self.emit("buildings", {"code": code, "name": v["name"], "compound": compound_id, "grid": grid_code,
                                    "area": area_id})  # fmt: skip

        await self.each(file, check)
        self.reject_keys(file, "Building", "code")

    async def check_dwellings(self, file: ParsedFile) -> None:
        await self.prefetch("Building", (r.values.get("building_code") for r in file.rows))
        await self.prefetch("Dwelling", (r.values.get("id") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            key, building = v["id"], v["building_code"]
            assert key is not None and building is not None
            self.ref(row, "building_code", "Building", building)
            self.same_parent(row, "building_code", "Dwelling", key, "building", building)
            self.define("Dwelling", key, row, {"building": [building]})
            self.emit("dwellings", {"id": key, "room": v["room"], "building": building})

        await self.each(file, check)
        self.reject_keys(file, "Dwelling", "id")

    async def check_households(self, file: ParsedFile) -> None:
        places = [r.values.get("hukou_code") for r in file.rows]
        await self.prefetch("Community", places)
        await self.prefetch("Region", places)
        await self.prefetch("Household", (r.values.get("key") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            key, place = v["key"], v["hukou_code"]
            assert key is not None and place is not None
            since = self.date(row, "since", v["since"])
            if self.info("Region", place) is not None:
                label = "Region"
            else:
                label = "Community"
                if self.info("Community", place) is None and self.rejected_keys["Region"].get(place):
                    self.ref(row, "hukou_code", "Region", place)
                self.current_community(row, "hukou_code", place)
            existing = self.graph["Household"].get(key)
            if existing and existing.get("hukou") and place not in existing["hukou"]:
                raise self.fail(
                    row,
                    "hukou_code",
                    f"household '{key}' is registered at '{existing['hukou'][0]}' in the graph",
                )
            self.define("Household", key, row, {})
            step = "households_region" if label == "Region" else "households_community"
            self.emit(step, {"key": key, "type": v["type"], "place": place, "since": since})

        await self.each(file, check)
        self.reject_keys(file, "Household", "key")

    async def check_persons(self, file: ParsedFile) -> None:
        seen_ids: dict[str, str] = {}
        hashes: dict[str, SourceRow] = {}

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            pid, gender = v["pid"], v["gender"]
            assert pid is not None
            birth = self.date(row, "birth_date", v["birth_date"])
            id_number = v["id_number"]
            if id_number is not None:
                id_number = id_number.upper()
                problem = ids.citizen_id_problem(id_number, birth, gender)
                if problem:
                    raise self.fail(row, "id_number", problem)
                if id_number in seen_ids:
                    raise self.fail(row, "id_number", f"same ID number as line {seen_ids[id_number]}")
                seen_ids[id_number] = str(row.line)
                birth = birth or f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
            phone = v["phone"]
            if phone is not None:
                phone = phone.replace(" ", "")
                problem = ids.phone_problem(phone)
                if problem:
                    raise self.fail(row, "phone", problem)
            if (id_number or phone) and self.personal is None:
                raise self.fail(
                    row, "id_number" if id_number else "phone", "GRASSROOTS_SECRET_KEY is not set"
                )
            props: dict[str, Any] = {
                "name": v["name"],
                "nameGrams": name_grams(v["name"]),
                "gender": gender,
                "birthDate": birth,
                "birthYear": int(birth[:4]) if birth else None,
                "ethnicity": v["ethnicity"],
                "tags": [t.strip() for t in (v["tags"] or "").replace("；", ";").split(";") if t.strip()],
            }
            # an empty cell leaves stored personal data alone: a ledger (or an export without
            # --include-personal-data) that lacks it must not erase it
            if self.personal is not None and id_number is not None:
                props.update(self.personal.seal("idNumber", id_number))
                hashes[props["idNumberHash"]] = row
            if self.personal is not None and phone is not None:
                props.update(self.personal.seal("phone", phone))
            self.define("Person", pid, row, {"gender": gender, "birthDate": birth})
            self.emit("persons", {"pid": pid, **props})

        await self.each(file, check)
        if hashes:  # the same ID number must not belong to another person already in the graph
            owners = await self.graph_rows(lookups.ID_HASH_OWNERS, sorted(hashes))
            for owner in owners:
                row = hashes[owner["hash"]]
                if owner["pid"] != row.values["pid"]:
                    self.problem(
                        row,
                        "id_number",
                        f"this ID number belongs to person '{owner['pid']}' in the graph",
                        "CONFLICT",
                    )
                    self.out.steps["persons"] = [
                        p for p in self.out.steps["persons"] if p["pid"] != row.values["pid"]
                    ]
        self.reject_keys(file, "Person", "pid")

    async def check_units(self, file: ParsedFile) -> None:
        await self.prefetch("Community", (r.values.get("community_code") for r in file.rows))
        await self.prefetch("Unit", (r.values.get("uscc") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            uscc, community = v["uscc"], v["community_code"]
            assert uscc is not None and community is not None
            problem = ids.uscc_problem(uscc)
            if problem:
                raise self.fail(row, "uscc", problem)
            self.current_community(row, "community_code", community)
            self.same_parent(row, "community_code", "Unit", uscc, "community", community)
            self.define("Unit", uscc, row, {"community": [community]})
            self.emit(
                "units",
                {
                    "uscc": uscc,
                    "name": v["name"],
                    "category": v["category"],
                    "community": community,
                    "nameGrams": name_grams(v["name"]),
                },
            )

        await self.each(file, check)
        self.reject_keys(file, "Unit", "uscc")

    async def check_party_orgs(self, file: ParsedFile) -> None:
        await self.prefetch("Community", (r.values.get("community_code") for r in file.rows))
        await self.prefetch("PartyOrg", (r.values.get(c) for r in file.rows for c in ("id", "parent_id")))
        for covers_type, label in COVERS_LABEL.items():
            await self.prefetch(label, (r.values.get("covers") for r in file.rows if r.values.get("covers_type") in
                                        (covers_type, None) or True))  # fmt: skip
        # every org of the file is known before parents are checked (parents may come later)
        for row in file.rows:
            if row.values.get("id") and not self.is_rejected(row):
                self.define(
                    "PartyOrg", row.values["id"] or "", row, {"community": [row.values.get("community_code")]}
                )

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            key, community, parent = v["id"], v["community_code"], v["parent_id"]
            assert key is not None and community is not None
            self.current_community(row, "community_code", community)
            self.same_parent(row, "community_code", "PartyOrg", key, "community", community)
            if parent is not None:
                if parent == key:
                    raise self.fail(row, "parent_id", "an organisation cannot be its own parent")
                self.ref(row, "parent_id", "PartyOrg", parent)
            if (v["covers_type"] is None) != (v["covers"] is None):
                raise self.fail(row, "covers", "covers_type and covers go together")
            self.emit("party_orgs", {"orgId": key, "name": v["name"], "level": v["level"], "kind": v["kind"],
                                     "community": community, "parent": parent,
                                     "nameGrams": name_grams(v["name"])})  # fmt: skip
            if v["covers_type"] is not None:
                label = COVERS_LABEL[v["covers_type"]]
                self.ref(row, "covers", label, v["covers"])
                self.emit(f"covers_{label}", {"orgId": key, "target": v["covers"]})

        await self.each(file, check)
        self.reject_keys(file, "PartyOrg", "id")
        rejected = set(self.rejected_keys["PartyOrg"])
        if rejected:  # a child of a rejected org is rejected too, with its rows already emitted
            for row in file.rows:
                parent = row.values.get("parent_id")
                if parent in rejected and not self.is_rejected(row):
                    self.problem(row, "parent_id", f"refers to party org '{parent}' of rejected row "
                                 f"{self.rejected_keys['PartyOrg'][parent]}")  # fmt: skip
            self.reject_keys(file, "PartyOrg", "id")
            keep = {k for k in self.bundle["PartyOrg"]}
            self.out.steps["party_orgs"] = [o for o in self.out.steps["party_orgs"] if o["orgId"] in keep]
            for label in COVERS_LABEL.values():
                step = self.out.steps.get(f"covers_{label}")
                if step is not None:
                    self.out.steps[f"covers_{label}"] = [c for c in step if c["orgId"] in keep]

    async def check_teams(self, file: ParsedFile) -> None:
        await self.prefetch("Community", (r.values.get("community_code") for r in file.rows))
        await self.prefetch("VolunteerTeam", (r.values.get("id") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            key, community = v["id"], v["community_code"]
            assert key is not None and community is not None
            self.current_community(row, "community_code", community)
            self.same_parent(row, "community_code", "VolunteerTeam", key, "community", community)
            self.define("VolunteerTeam", key, row, {"community": [community]})
            self.emit("teams", {"teamId": key, "name": v["name"], "type": v["type"], "community": community,
                                "nameGrams": name_grams(v["name"])})  # fmt: skip

        await self.each(file, check)
        self.reject_keys(file, "VolunteerTeam", "id")

    async def check_collectives(self, file: ParsedFile) -> None:
        await self.prefetch("Area", (r.values.get("area_id") for r in file.rows))
        await self.prefetch("CollectiveOrg", (r.values.get("uscc") for r in file.rows))

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            uscc, area = v["uscc"], v["area_id"]
            assert uscc is not None and area is not None
            problem = ids.uscc_problem(uscc)
            if problem:
                raise self.fail(row, "uscc", problem)
            self.ref(row, "area_id", "Area", area)
            self.same_parent(row, "area_id", "CollectiveOrg", uscc, "area", area)
            self.define("CollectiveOrg", uscc, row, {"area": [area]})
            self.emit("collectives", {"uscc": uscc, "name": v["name"], "area": area})

        await self.each(file, check)
        self.reject_keys(file, "CollectiveOrg", "uscc")

    # ---- memberships with periods -------------------------------------------------------------
    async def memberships(
        self,
        file: ParsedFile,
        target_column: str,
        target_label: str,
        step: Callable[[dict[str, str | None], str, str | None], tuple[str, dict[str, Any]] | None],
        group_of: Callable[[dict[str, str | None]], tuple[str, ...]],
        extra_check: Callable[[SourceRow, dict[str, str | None], str], None] | None = None,
    ) -> None:
        """Person -> target periods: references, since <= until, and no overlap within a group.

        ``group_of`` names the periods that must not overlap (the person alone for kinds a person
        holds one at a time). Graph periods of the same group count; one with the same target
        and since as a bundle row is that row (a re-import) and is replaced by it.
        """
        await self.prefetch("Person", (r.values.get("pid") for r in file.rows))
        if target_label:
            await self.prefetch(target_label, (r.values.get(target_column) for r in file.rows))
        accepted: list[
            tuple[SourceRow, dict[str, str | None], str, str | None, tuple[str, dict[str, Any]]]
        ] = []

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            self.ref(row, "pid", "Person", v["pid"])
            since, until = self.period(row, v)
            if extra_check is not None:
                extra_check(row, v, since)
            emitted = step(v, since, until)
            if emitted is not None:
                accepted.append((row, v, since, until, emitted))

        await self.each(file, check)
        pids = sorted({v["pid"] or "" for _, v, *_ in accepted})
        history = await self.graph_rows(lookups.history_statement(file.spec.name), pids)
        groups: dict[tuple[str, ...], list[Period]] = defaultdict(list)
        for _row, v, since, until, (_, values) in accepted:
            groups[group_of(v)].append(Period(str(values.get("target", "")), since, until, _row.where, _row))
        graph_groups: dict[tuple[str, ...], list[Period]] = defaultdict(list)
        for h in history:
            values = {"pid": h["pid"], target_column: h["target"], "role": h.get("role"), "scope": h["target"],
                      "team_id": h["target"], "collective_uscc": h["target"]}  # fmt: skip
            graph_groups[group_of(values)].append(Period(h["target"], h["since"], h["until"], ""))
        for group, periods in groups.items():
            self.against_graph(file, periods, graph_groups.get(group, []))
        for row, _v, _since, _until, (step_name, values) in accepted:
            if not self.is_rejected(row):
                self.emit(step_name, values)

    def against_graph(self, file: ParsedFile, periods: list[Period], graph: list[Period]) -> None:
        """A group's bundle periods with the graph's: a graph period with the target and since of
        a bundle row is that row again (a re-import, or a change closing it) and is replaced by
        it, unless the row would re-open it (history is never overwritten, SPEC.md); then no two
        periods may overlap."""
        ended = {(g.target, g.since): g.until for g in graph if g.until is not None}
        for period in periods:
            until = ended.get((period.target, period.since))
            row = period.row
            if until is not None and period.until is None and row is not None and not self.is_rejected(row):
                self.problem(
                    row,
                    "since",
                    f"the period at '{period.target}' since {period.since} ended on {until}; an ended "
                    "period is not re-opened: start a new one on or after its end",
                    "OVERLAP",
                )
        mine = {(p.target, p.since) for p in periods}
        periods.extend(g for g in graph if (g.target, g.since) not in mine)
        self.overlaps(file, periods)

    def overlaps(self, file: ParsedFile, periods: list[Period]) -> None:
        periods.sort(key=lambda p: (p.since, p.until or "9999-99-99"))
        open_until: Period | None = None
        for period in periods:
            if open_until is not None and (open_until.until is None or open_until.until > period.since):
                earlier = open_until
                row = period.row or earlier.row
                other = earlier if row is period.row else period
                span = f"{other.since}..{other.until or 'open'}"
                where = f"line {other.row.line}" if other.row is not None else "already in the graph"
                if row is not None and not self.is_rejected(row):
                    self.problem(
                        row, "since", f"period overlaps {span} ({where}) of the same kind", "OVERLAP"
                    )
                if earlier.until is None or (period.until is not None and period.until > earlier.until):
                    open_until = period
                continue
            if (
                open_until is None
                or open_until.until is None
                or (period.until is None or period.until > open_until.until)
            ):
                open_until = period

    async def check_hukou_members(self, file: ParsedFile) -> None:
        await self.prefetch("Household", (r.values.get("household_key") for r in file.rows))

        def step(v: dict[str, str | None], since: str, until: str | None) -> tuple[str, dict[str, Any]]:
            return "hukou_members", {"pid": v["pid"], "target": v["household_key"], "relToHead": v["rel_to_head"],
                                     "since": since, "until": until}  # fmt: skip

        def extra(row: SourceRow, v: dict[str, str | None], since: str) -> None:
            self.ref(row, "household_key", "Household", v["household_key"])

        await self.memberships(file, "household_key", "Household", step, lambda v: (v["pid"] or "",), extra)

    async def check_residences(self, file: ParsedFile) -> None:
        def step(v: dict[str, str | None], since: str, until: str | None) -> tuple[str, dict[str, Any]]:
            return "residences", {"pid": v["pid"], "target": v["dwelling_id"], "tenure": v["tenure"],
                                  "since": since, "until": until}  # fmt: skip

        def extra(row: SourceRow, v: dict[str, str | None], since: str) -> None:
            self.ref(row, "dwelling_id", "Dwelling", v["dwelling_id"])

        await self.memberships(file, "dwelling_id", "Dwelling", step, lambda v: (v["pid"] or "",), extra)

    async def check_party_members(self, file: ParsedFile) -> None:
        def step(v: dict[str, str | None], since: str, until: str | None) -> tuple[str, dict[str, Any]]:
            return "party_members", {"pid": v["pid"], "target": v["org_id"], "type": v["type"],
                                     "joined": v["joined"], "since": since, "until": until}  # fmt: skip

        def extra(row: SourceRow, v: dict[str, str | None], since: str) -> None:
            self.ref(row, "org_id", "PartyOrg", v["org_id"])
            joined = self.date(row, "joined", v["joined"])
            person = self.info("Person", v["pid"] or "") or {}
            birth = person.get("birthDate")
            if joined and birth and joined < birth:
                raise self.fail(row, "joined", f"joined {joined} is before the birth date {birth}")

        await self.memberships(file, "org_id", "PartyOrg", step, lambda v: (v["pid"] or "",), extra)
        self.party_periods = {(m["pid"], m["since"], m["until"]) for m in self.out.steps["party_members"]}

    async def check_employments(self, file: ParsedFile) -> None:
        def step(v: dict[str, str | None], since: str, until: str | None) -> tuple[str, dict[str, Any]]:
            return "employments", {"pid": v["pid"], "target": v["uscc"], "since": since, "until": until}

        def extra(row: SourceRow, v: dict[str, str | None], since: str) -> None:
            self.uscc_ref(row, "uscc", "Unit", v["uscc"])

        await self.memberships(file, "uscc", "Unit", step, lambda v: (v["pid"] or "",), extra)

    async def check_reports(self, file: ParsedFile) -> None:
        pids = sorted({r.values.get("pid") or "" for r in file.rows})
        history = await self.graph_rows(lookups.history_statement("party_members.csv"), pids)
        party: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        for h in history:
            party[h["pid"]].append((h["since"], h["until"]))
        for m in self.out.steps.get("party_members", []):
            party[m["pid"]].append((m["since"], m["until"]))
        await self.prefetch("Grid", (r.values.get("grid_code") for r in file.rows))

        def step(v: dict[str, str | None], since: str, until: str | None) -> tuple[str, dict[str, Any]]:
            return "reports", {"pid": v["pid"], "target": v["community_code"], "gridCode": v["grid_code"],
                               "since": since, "until": until}  # fmt: skip

        def extra(row: SourceRow, v: dict[str, str | None], since: str) -> None:
            community = v["community_code"]
            self.current_community(row, "community_code", community, since)
            if v["grid_code"] is not None:
                grid = self.ref(row, "grid_code", "Grid", v["grid_code"])
                if community not in self.and_successors(grid["community"]):
                    raise self.fail(
                        row, "grid_code", f"grid '{v['grid_code']}' is not in community '{community}'"
                    )
            spans = party.get(v["pid"] or "", [])
            if not any(s <= since and (u is None or u > since) for s, u in spans):
                raise self.fail(
                    row, "since", f"person '{v['pid']}' is not a party member on {since}", "NOT_A_MEMBER"
                )

        await self.memberships(file, "community_code", "Community", step, lambda v: (v["pid"] or "",), extra)

    async def check_pairings(self, file: ParsedFile) -> None:
        await self.prefetch("Unit", (r.values.get("uscc") for r in file.rows))
        for label in TARGET_LABEL.values():
            await self.prefetch(label, (r.values.get("target") for r in file.rows))
        accepted: list[tuple[SourceRow, str, dict[str, Any]]] = []

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            uscc, target_type, target = v["uscc"], v["target_type"], v["target"]
            assert target_type is not None and target is not None
            self.uscc_ref(row, "uscc", "Unit", uscc)
            label = TARGET_LABEL[target_type]
            since, until = self.period(row, v)
            if label == "Community":
                self.current_community(row, "target", target, since)
            else:
                self.ref(row, "target", label, target)
            accepted.append((row, label, {"uscc": uscc, "target": target, "since": since, "until": until,
                                          "agreementNo": v["agreement_no"]}))  # fmt: skip

        await self.each(file, check)
        usccs = sorted({values["uscc"] for _, _, values in accepted})
        history = await self.graph_rows(lookups.PAIRING_HISTORY, usccs)
        groups: dict[tuple[str, str, str], list[Period]] = defaultdict(list)
        for row, label, values in accepted:
            groups[(values["uscc"], label, values["target"])].append(
                Period(values["target"], values["since"], values["until"], row.where, row)
            )
        graph_groups: dict[tuple[str, str, str], list[Period]] = defaultdict(list)
        for h in history:
            graph_groups[(h["uscc"], h["targetLabel"], h["target"])].append(
                Period(h["target"], h["since"], h["until"], "")
            )
        for group, periods in groups.items():
            self.against_graph(file, periods, graph_groups.get(group, []))
        for row, label, values in accepted:
            if not self.is_rejected(row):
                self.emit(f"pairings_{label}", values)

    async def check_team_members(self, file: ParsedFile) -> None:
        def step(v: dict[str, str | None], since: str, until: str | None) -> tuple[str, dict[str, Any]]:
            return "team_members", {"pid": v["pid"], "target": v["team_id"], "role": v["role"],
                                    "since": since, "until": until}  # fmt: skip

        def extra(row: SourceRow, v: dict[str, str | None], since: str) -> None:
            self.ref(row, "team_id", "VolunteerTeam", v["team_id"])

        await self.memberships(
            file, "team_id", "VolunteerTeam", step, lambda v: (v["pid"] or "", v["team_id"] or ""), extra
        )

    async def check_roles(self, file: ParsedFile) -> None:
        for scope_type, label in SCOPE_LABEL.items():
            await self.prefetch(label, (r.values.get("scope") for r in file.rows
                                        if (r.values.get("scope_type") or "").upper() == scope_type or True))  # fmt: skip

        def step(v: dict[str, str | None], since: str, until: str | None) -> tuple[str, dict[str, Any]]:
            label = SCOPE_LABEL[v["scope_type"] or ""]
            return f"roles_{label}", {"pid": v["pid"], "target": v["scope"], "role": v["role"],
                                      "since": since, "until": until}  # fmt: skip

        def extra(row: SourceRow, v: dict[str, str | None], since: str) -> None:
            label = SCOPE_LABEL[v["scope_type"] or ""]
            if label == "Community":
                self.current_community(row, "scope", v["scope"], since)
            else:
                self.ref(row, "scope", label, v["scope"])

        await self.memberships(
            file, "scope", "", step, lambda v: (v["pid"] or "", v["role"] or "", v["scope"] or ""), extra
        )

    async def check_collective_members(self, file: ParsedFile) -> None:
        def step(v: dict[str, str | None], since: str, until: str | None) -> tuple[str, dict[str, Any]]:
            return "collective_members", {"pid": v["pid"], "target": v["collective_uscc"], "since": since,
                                          "until": until}  # fmt: skip

        def extra(row: SourceRow, v: dict[str, str | None], since: str) -> None:
            self.uscc_ref(row, "collective_uscc", "CollectiveOrg", v["collective_uscc"])

        await self.memberships(
            file,
            "collective_uscc",
            "CollectiveOrg",
            step,
            lambda v: (v["pid"] or "", v["collective_uscc"] or ""),
            extra,
        )

    async def check_evaluations(self, file: ParsedFile) -> None:
        await self.prefetch("Person", (r.values.get("pid") for r in file.rows))
        this_year = int(self.today[:4])

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            pid, year = v["pid"], v["year"] or ""
            self.ref(row, "pid", "Person", pid)
            if not year.isdigit() or not 1921 <= int(year) <= this_year:
                raise self.fail(row, "year", f"'{year}' is not a year between 1921 and {this_year}")
            self.emit("evaluations", {"key": f"{pid}:{year}:{v['side']}", "pid": pid, "year": int(year),
                                      "side": v["side"], "grade": v["grade"], "yearStart": f"{year}-01-01",
                                      "yearEnd": f"{int(year) + 1}-01-01"})  # fmt: skip

        await self.each(file, check)

    async def check_merges(self, file: ParsedFile) -> None:
        await self.prefetch(
            "Community", (r.values.get(c) for r in file.rows for c in ("old_code", "new_code"))
        )
        olds = {r.values.get("old_code") for r in file.rows}
        merged_on = {r.values.get("old_code"): r.values.get("on") for r in file.rows}
        latest: dict[str, str | None] = {
            r["code"]: max((s for s in r["starts"] if s), default=None)
            for r in await self.graph_rows(lookups.LATEST_START, sorted(o for o in olds if o))
        }
        for household in self.out.steps.get("households_community", []):  # and this bundle's own
            place, since = household["place"], household["since"]
            if place in olds and since and since > (latest.get(place) or ""):
                latest[place] = since

        def check(row: SourceRow, v: dict[str, str | None]) -> None:
            old, new = v["old_code"], v["new_code"]
            assert old is not None and new is not None
            on = self.date(row, "on", v["on"])
            started = latest.get(old)
            if on is not None and started and on < started:
                raise self.fail(
                    row,
                    "on",
                    f"community '{old}' has a grid, compound, household, unit, party org or area there since "
                    f"{started}, after {on}; a merge cannot be dated before the history it closes",
                    "OVERLAP",
                )
            if old == new:
                raise self.fail(row, "new_code", "a community cannot be merged into itself")
            old_info = self.ref(row, "old_code", "Community", old)
            new_info = self.ref(row, "new_code", "Community", new)
            if new in olds and not (on is not None and (merged_on.get(new) or "") > on):
                raise self.fail(
                    row,
                    "new_code",
                    f"'{new}' is merged by this bundle on {merged_on.get(new)}, not after {on}: in a chain "
                    "of merges each one is dated after the one before",
                )
            if new_info.get("status") == "MERGED":
                successor = (new_info.get("successor") or ["?"])[0]
                raise self.fail(
                    row,
                    "new_code",
                    f"community '{new}' was merged into '{successor}'; use '{successor}'",
                    "MERGED",
                )
            successors = old_info.get("successor") or []
            if successors and successors[0] != new:
                raise self.fail(
                    row, "old_code", f"community '{old}' was already merged into '{successors[0]}'", "MERGED"
                )
            self.emit("merges", {"old": old, "new": new, "on": on, "docNo": v["doc_no"]})

        await self.each(file, check)
