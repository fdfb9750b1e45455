"""Differential test of the one write path: mutations against the ledger they stand for.

docs/MUTATIONS.md: "A mutation is a small ledger. Its plan turns the input into rows exactly as
they would appear in the CSV files of IMPORT.md". So a random sequence of valid contract mutations
applied to an imported district must give the same graph, and the same answers to the contract
read operations at dates before, on and after the changes, as importing from scratch the bundle
edited the way a ledger keeper (台账员) records the same changes:

- ``movePerson(pid, dwellingId, since, tenure)``: the person's open residences.csv row gets
  ``until = since``; a row ``pid, dwellingId, tenure, since`` is added;
- ``pairUnit``: a pairings.csv row; ``endPairing``: the open pairings.csv row gets ``until``;
- ``reportToCommunity``: the open reports.csv row gets ``until = since``; a new row is added;
- ``mergeCommunities``: one merges.csv row per old code, plus a regions.csv row when ``newCode``
  is a new community (kind and street of the first old one, as the mutation's plan does), or the
  community's regions.csv name edited when ``newName`` renames an existing one.

Both graphs live on the session's embedded FalkorDB. The mutation side also holds bookkeeping the
ledger cannot have (see ``graph_of``). The cases where a mutation and its ledger edit parted
ways (a report or pairing at a community merged since, a grid a merge moved, a chain of merges, a
merge dated before the bundle's own history) were fixed and each keeps a test below; reports inside
an evaluated year stay out of the random sequences (the evaluation's issuer is derived once).
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import json
import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, dump
from contract import run
from test_mutations import codes, mutate

from graph.base import Backend
from graph.embedded import EmbeddedFalkorDB
from graph.falkor_backend import FalkorBackend
from resolvers import check
from resolvers.identifiers import uscc_check_char
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from seed.generate import generate

DISTRICT = "430105"
FIRST = dt.date(2025, 1, 1)  # the changes are dated in [FIRST, LAST]
LAST = dt.date(2026, 11, 20)  # before conftest.TODAY and the machine's today (the mutations' "future")
KINDS = ("HUKOU", "PARTY", "COLLECTIVE")
DIRECTIONS = ("LIVING_ELSEWHERE", "REGISTERED_ELSEWHERE")
# nodes only the mutation side has: docs/MUTATIONS.md calls them the audit trail ("Every accepted
# write creates an (:Audit) node") and the optimistic lock ("The revision is kept on a Revision
# node keyed Label|key"); neither is part of the domain graph of SPEC.md, and neither has edges
BOOKKEEPING = ("Audit", "Revision")


# ---- the ledger: a bundle's rows, edited like a ledger keeper does --------------------------------
@dataclass
class Ledger:
    """The CSV files of a bundle as rows (one dict per row, every cell a string; '' = empty)."""

    headers: dict[str, list[str]]
    rows: dict[str, list[dict[str, str]]]
    fresh: Iterator[int] = field(default_factory=lambda: iter(range(1, 1_000_000)))

    @classmethod
    def read(cls, folder: Path) -> Ledger:
        headers, rows = {}, {}
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                headers[path.name] = list(reader.fieldnames or [])
                rows[path.name] = [dict(r) for r in reader]
        return cls(headers, rows)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, header in self.headers.items():
            with (folder / name).open("w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
                writer.writeheader()
                writer.writerows(self.rows[name])
        return folder

    def add(self, file: str, **values: str | None) -> None:
        self.rows[file].append({c: values.get(c) or "" for c in self.headers[file]})

    # what the keeper looks up before editing
    def merged(self) -> set[str]:
        return {m["old_code"] for m in self.rows["merges.csv"]}

    def merge_targets(self) -> set[str]:
        return {m["new_code"] for m in self.rows["merges.csv"]}

    def successor(self, code: str) -> str:
        """Where ``code`` is now, along the chain of merges."""
        into = {m["old_code"]: m["new_code"] for m in self.rows["merges.csv"]}
        while code in into:
            code = into[code]
        return code

    def communities(self) -> dict[str, dict[str, str]]:
        return {r["code"]: r for r in self.rows["regions.csv"] if r["level"] == "COMMUNITY"}

    def active_communities(self) -> list[str]:
        merged = self.merged()
        return sorted(c for c in self.communities() if c not in merged)

    def open_row(self, name: str, **match: str) -> dict[str, str] | None:
        found = [r for r in self.rows[name] if not r["until"] and all(r[k] == v for k, v in match.items())]
        assert len(found) <= 1, found
        return found[0] if found else None

    def of(self, name: str, **match: str) -> list[dict[str, str]]:
        return [r for r in self.rows[name] if all(r[k] == v for k, v in match.items())]


# ---- mutations as ledger edits ----------------------------------------------------------------------
@dataclass(frozen=True)
class Op:
    """One contract mutation (operation name and input) and the date it is about."""

    operation: str
    fields: dict[str, Any]
    date: str

    def __str__(self) -> str:
        return f"{self.operation}({json.dumps(self.fields, ensure_ascii=False)})"


def record(ledger: Ledger, op: Op, *, keep_area: bool = True) -> None:
    """Edit the ledger the way a keeper records ``op`` (see the module docstring)."""
    f = op.fields
    if op.operation == "MovePerson":
        if (current := ledger.open_row("residences.csv", pid=f["pid"])) is not None:
            current["until"] = f["since"]
        ledger.add("residences.csv", pid=f["pid"], dwelling_id=f["dwellingId"], tenure=f.get("tenure"),
                   since=f["since"])  # fmt: skip
    elif op.operation == "PairUnit":
        ledger.add("pairings.csv", uscc=f["uscc"], target_type=f["targetType"], target=f["target"],
                   since=f["since"], agreement_no=f.get("agreementNo"))  # fmt: skip
    elif op.operation == "EndPairing":
        current = ledger.open_row(
            "pairings.csv", uscc=f["uscc"], target_type=f["targetType"], target=f["target"]
        )
        assert current is not None
        current["until"] = f["until"]
    elif op.operation == "ReportToCommunity":
        if (current := ledger.open_row("reports.csv", pid=f["pid"])) is not None:
            current["until"] = f["since"]
        ledger.add("reports.csv", pid=f["pid"], community_code=f["communityCode"], grid_code=f.get("gridCode"),
                   since=f["since"])  # fmt: skip
    elif op.operation == "MergeCommunities":
        communities = ledger.communities()
        new = f["newCode"]
        if new not in communities:
            first = communities[f["oldCodes"][0]]
            ledger.add("regions.csv", code=new, name=f["newName"], level="COMMUNITY", kind=first["kind"],
                       parent_code=first["parent_code"])  # fmt: skip
        elif f.get("newName"):
            # a rename: the community's own default Area (IMPORT.md: "id is the community's code",
            # "name is the community's name") was made under the old name and keeps it (SPEC.md: an
            # Area "keeps its identity after a merge"); from scratch, the keeper states it in
            # areas.csv, or it would be made under the new name
            if keep_area and not ledger.of("areas.csv", community_code=new):
                ledger.add("areas.csv", id=new, name=communities[new]["name"], community_code=new)
            communities[new]["name"] = f["newName"]
        for old in f["oldCodes"]:
            ledger.add("merges.csv", old_code=old, new_code=new, on=f["on"], doc_no=f.get("docNo"))
    else:
        raise AssertionError(op.operation)


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def pick_date(
    rng: random.Random, after: str | None = None, *, strict: bool, before: str | None = None
) -> str | None:
    """A date in [FIRST, LAST], after ``after`` (strictly or not) and before ``before``; None if none."""
    low = FIRST
    if after:
        low = max(low, day(after) + dt.timedelta(days=1 if strict else 0))
    high = min(LAST, day(before) - dt.timedelta(days=1)) if before else LAST
    if low > high:
        return None
    return (low + dt.timedelta(days=rng.randrange((high - low).days + 1))).isoformat()


def latest_end(rows: list[dict[str, str]]) -> str | None:
    return max((r["until"] for r in rows if r["until"]), default=None)


class Planner:
    """Chooses random mutations that are valid on the current state (the ledger's rows)."""

    def __init__(self, ledger: Ledger, rng: random.Random) -> None:
        self.ledger, self.rng = ledger, rng
        self.persons = [r["pid"] for r in ledger.rows["persons.csv"]]
        self.dwellings = [r["id"] for r in ledger.rows["dwellings.csv"]]
        self.units = [r["uscc"] for r in ledger.rows["units.csv"]]
        self.compounds = [r["id"] for r in ledger.rows["compounds.csv"]]
        self.orgs = [r["id"] for r in ledger.rows["party_orgs.csv"]]
        self.members = sorted({r["pid"] for r in ledger.rows["party_members.csv"]})
        self.numbers = ledger.fresh

    def next(self) -> Op | None:
        choose = self.rng.choices(
            [self.move, self.pair, self.end_pairing, self.report, self.merge], weights=[5, 3, 2, 3, 2]
        )[0]
        return choose()

    def move(self) -> Op | None:
        pid = self.rng.choice(self.persons)
        rows = self.ledger.of("residences.csv", pid=pid)
        current = self.ledger.open_row("residences.csv", pid=pid)
        if current is not None:
            since = pick_date(self.rng, current["since"], strict=True)
        else:
            since = pick_date(self.rng, latest_end(rows), strict=False)
        dwelling = self.rng.choice(self.dwellings)
        if since is None or (current is not None and current["dwelling_id"] == dwelling):
            return None
        tenure = self.rng.choice(["OWNER", "TENANT", "OTHER", None, "租住"])
        fields = {"pid": pid, "dwellingId": dwelling, "since": since, "tenure": tenure}
        return Op("MovePerson", fields, since)

    def pair(self) -> Op | None:
        target_type = self.rng.choice(["COMMUNITY", "COMPOUND", "PARTY_ORG"])
        target = self.rng.choice(
            {
                "COMMUNITY": self.ledger.active_communities(),
                "COMPOUND": self.compounds,
                "PARTY_ORG": self.orgs,
            }[target_type]
        )
        uscc = self.rng.choice(self.units)
        rows = self.ledger.of("pairings.csv", uscc=uscc, target_type=target_type, target=target)
        if any(not r["until"] for r in rows):
            return None
        since = pick_date(self.rng, latest_end(rows), strict=False)
        if since is None:
            return None
        agreement = self.rng.choice([None, f"WQ-{next(self.numbers):05d}"])
        fields = {
            "uscc": uscc,
            "targetType": target_type,
            "target": target,
            "since": since,
            "agreementNo": agreement,
        }
        return Op("PairUnit", fields, since)

    def end_pairing(self) -> Op | None:
        merged = self.ledger.merged()
        # an open pairing with a merged community cannot be ended by the mutation: see
        # test_end_pairing_with_a_merged_community
        candidates = [
            r for r in self.ledger.rows["pairings.csv"]
            if not r["until"] and not (r["target_type"] == "COMMUNITY" and r["target"] in merged)
        ]  # fmt: skip
        if not candidates:
            return None
        row = self.rng.choice(candidates)
        until = pick_date(self.rng, row["since"], strict=True)
        if until is None:
            return None
        fields = {
            "uscc": row["uscc"],
            "targetType": row["target_type"],
            "target": row["target"],
            "until": until,
        }
        return Op("EndPairing", fields, until)

    def report(self) -> Op | None:
        pid = self.rng.choice(self.members)
        current = self.ledger.open_row("reports.csv", pid=pid)
        after = current["since"] if current else latest_end(self.ledger.of("reports.csv", pid=pid))
        # not inside a year of the person's evaluations: the evaluation's ISSUED_BY community is
        # derived once, when the evaluation is written, and a later report does not move it
        years = [int(e["year"]) for e in self.ledger.of("evaluations.csv", pid=pid)]
        if years:
            after = max(after or "", f"{max(years) + 1}-01-01")
        membership = self.rng.choice(self.ledger.of("party_members.csv", pid=pid))
        low = max(after or "", membership["since"])
        since = pick_date(
            self.rng,
            low,
            strict=current is not None and low == current["since"],
            before=membership["until"] or None,
        )
        if since is None:
            return None
        community = self.rng.choice(self.ledger.active_communities())
        # the community's grids now, those its merges brought in included
        grids = [
            g["code"]
            for g in self.ledger.rows["grids.csv"]
            if self.ledger.successor(g["community_code"]) == community
        ]
        grid = self.rng.choice(grids) if grids and self.rng.random() < 0.4 else None
        fields = {"pid": pid, "communityCode": community, "gridCode": grid, "since": since}
        return Op("ReportToCommunity", fields, since)

    def merge(self) -> Op | None:
        communities = self.ledger.communities()
        active = self.ledger.active_communities()
        first = self.rng.choice(active)
        street = communities[first]["parent_code"]
        same_street = [c for c in active if communities[c]["parent_code"] == street and c != first]
        olds = [first]
        if same_street and self.rng.random() < 0.5:
            olds.append(self.rng.choice(same_street))
        others = [c for c in same_street if c not in olds]
        if others and self.rng.random() < 0.5:
            new = self.rng.choice(others)
            name = self.rng.choice([None, f"更名社区{next(self.numbers)}"])
        else:
            used = set(communities)
            new = next(f"{street}{n:03d}" for n in range(900, 1000) if f"{street}{n:03d}" not in used)
            name = f"合并社区{next(self.numbers)}"
        on = pick_date(self.rng, max(self.latest_start(c) for c in olds), strict=False)
        if on is None:
            return None
        doc = self.rng.choice([None, f"长开政发〔2026〕{next(self.numbers)}号"])
        fields = {"oldCodes": olds, "newCode": new, "newName": name, "on": on, "docNo": doc}
        return Op("MergeCommunities", fields, on)

    def latest_start(self, code: str) -> str:
        """The latest start of what a merge of ``code`` would close (a merge may not predate it)."""
        starts = [h["since"] for h in self.ledger.of("households.csv", hukou_code=code) if h["since"]]
        starts += [m["on"] for m in self.ledger.of("merges.csv", new_code=code)]
        return max(starts, default=FIRST.isoformat())


def plan_sequence(ledger: Ledger, rng: random.Random, count: int) -> list[Op]:
    """``count`` random valid mutations; each is recorded in ``ledger`` as it is planned."""
    planner = Planner(ledger, rng)
    ops: list[Op] = []
    while len(ops) < count:
        op = planner.next()
        if op is not None:
            record(ledger, op)
            ops.append(op)
    return ops


# ---- the two graphs -----------------------------------------------------------------------------
@pytest.fixture
async def graphs(falkor_server: EmbeddedFalkorDB) -> AsyncIterator[tuple[Backend, Backend]]:
    """Two empty graphs on the session's FalkorDB: the mutated one and the ledger one."""
    stores = []
    for side in ("mutated", "ledger"):
        store = FalkorBackend(
            graph_key=f"weq-{side}-{uuid.uuid4().hex[:8]}",
            query_timeout=30,
            unix_socket=str(falkor_server.socket_path),
        )
        await store.setup_schema()
        stores.append(store)
    yield stores[0], stores[1]
    for store in stores:
        await store.close()


async def graph_of(backend: Backend) -> tuple[list[str], list[str]]:
    """``conftest.dump`` without the mutation side's bookkeeping (``BOOKKEEPING``), with each
    node's and edge's properties in key order: FalkorDB returns them in the order they were first
    set, and a residence closed by a later SET lists ``until`` last where the importer's CREATE
    lists it second, which is the same edge."""
    nodes, edges = await dump(backend)

    def canon(text: str) -> str | None:
        row = dict(ast.literal_eval(text))
        if row.get("label") in BOOKKEEPING or row.get("a") in BOOKKEEPING or row.get("b") in BOOKKEEPING:
            return None
        row["props"] = dict(sorted(row["props"].items()))
        return repr(sorted(row.items()))

    return (
        sorted(c for c in map(canon, nodes) if c is not None),
        sorted(c for c in map(canon, edges) if c is not None),
    )


async def load(backend: Backend, bundle: Path, personal: PersonalData) -> None:
    result = await import_bundle(backend, bundle, personal, today=TODAY)
    assert result.ok, result.problems[:10]


async def apply(backend: Backend, personal: PersonalData, ops: list[Op]) -> None:
    for number, op in enumerate(ops):
        payload = await mutate(backend, personal, op.operation, **op.fields)
        assert payload["userErrors"] == [], f"op {number}: {op} -> {payload['userErrors']}"


def graph_difference(mutated: tuple[list[str], list[str]], ledger: tuple[list[str], list[str]]) -> str:
    """The rows only one side has, for an assertion message (empty when the graphs are equal)."""
    lines = []
    for kind, a, b in (
        ("node", *[x[0] for x in (mutated, ledger)]),
        ("edge", *[x[1] for x in (mutated, ledger)]),
    ):
        only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        if len(a) != len(b) and not only_a and not only_b:
            lines.append(f"{kind}s: the same rows, {len(a)} vs {len(b)} (duplicates)")
        lines += [f"{kind} only after the mutations: {r}" for r in only_a[:15]]
        lines += [f"{kind} only in the ledger import: {r}" for r in only_b[:15]]
    return "\n".join(lines)


# ---- the contract reads compared ------------------------------------------------------------------
@dataclass
class Reads:
    """Which contract read operations to compare, with which variables."""

    persons: set[str] = field(default_factory=set)
    communities: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)
    dates: set[str | None] = field(default_factory=lambda: {None, "2024-12-31", LAST.isoformat()})
    person_dates: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, ops: list[Op], ledger: Ledger, rng: random.Random, most: int = 14) -> Reads:
        reads = cls()
        community_of_dwelling = dwelling_communities(ledger)
        for op in ops:
            f = op.fields
            if "pid" in f:
                reads.persons.add(f["pid"])
                around = {op.date, (day(op.date) - dt.timedelta(days=1)).isoformat()}
                reads.person_dates.setdefault(f["pid"], set()).update(around)
            reads.communities.update(c for c in (f.get("communityCode"), f.get("newCode")) if c)
            reads.communities.update(f.get("oldCodes", []))
            if f.get("targetType") == "COMMUNITY":
                reads.communities.add(f["target"])
            if "dwellingId" in f:
                reads.communities.add(community_of_dwelling[f["dwellingId"]])
                before = [r for r in ledger.of("residences.csv", pid=f["pid"]) if r["until"] == f["since"]]
                reads.communities.update(community_of_dwelling[r["dwelling_id"]] for r in before)
            if "uscc" in f:
                reads.units.add(f["uscc"])
        dates = sorted({op.date for op in ops})
        for chosen in rng.sample(dates, min(4, len(dates))):
            reads.dates.update({chosen, (day(chosen) - dt.timedelta(days=1)).isoformat()})
        if len(reads.communities) > most:
            reads.communities = set(rng.sample(sorted(reads.communities), most))
        return reads

    def queries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        dates = sorted(self.dates, key=lambda d: d or "9999")
        for pid in sorted(self.persons):
            for on in [None, "2024-12-31", *sorted(self.person_dates.get(pid, ()))]:
                yield "PersonCard", {"pid": pid, "asOf": on}
        for on in dates:
            for kind in KINDS:
                yield "MismatchMatrix", {"scope": DISTRICT, "kind": kind, "asOf": on}
        for code in sorted(self.communities):
            for on in dates:
                yield "CommunityProfile", {"code": code, "asOf": on}
                yield "CommunityPairings", {"code": code, "asOf": on, "includeEnded": False}
            yield "CommunityPairings", {"code": code, "asOf": None, "includeEnded": True}
        for uscc in sorted(self.units):
            yield "UnitPairings", {"uscc": uscc}

    def mismatch_lists(self) -> Iterator[dict[str, Any]]:
        for code in sorted(self.communities):
            for kind in KINDS:
                for direction in DIRECTIONS:
                    for on in (None, "2025-06-30"):
                        yield {"code": code, "kind": kind, "direction": direction, "asOf": on}


def dwelling_communities(ledger: Ledger) -> dict[str, str]:
    """Dwelling id -> the community of its building's grid, as listed in grids.csv."""
    grid_of = {b["code"]: b["grid_code"] for b in ledger.rows["buildings.csv"]}
    community_of = {g["code"]: g["community_code"] for g in ledger.rows["grids.csv"]}
    return {d["id"]: community_of[grid_of[d["building_code"]]] for d in ledger.rows["dwellings.csv"]}


async def pages(backend: Backend, variables: dict[str, Any], first: int = 7, most: int = 8) -> list[Any]:
    """Every page of a ResidenceMismatches list (at most ``most``), following endCursor."""
    out: list[Any] = []
    after = None
    for _ in range(most):
        page = (await run(backend, "ResidenceMismatches", **variables, first=first, after=after))[
            "residenceMismatches"
        ]
        out.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return out


async def answers(backend: Backend, reads: Reads) -> dict[str, Any]:
    """The answers of ``backend`` to every read of ``reads``, keyed by operation and variables."""
    out: dict[str, Any] = {}
    for name, variables in reads.queries():
        out[f"{name} {json.dumps(variables, ensure_ascii=False)}"] = await run(backend, name, **variables)
    for variables in reads.mismatch_lists():
        out[f"ResidenceMismatches {json.dumps(variables, ensure_ascii=False)}"] = await pages(
            backend, variables
        )
    return out


def answer_difference(mutated: dict[str, Any], ledger: dict[str, Any], most: int = 8) -> str:
    differing = [k for k in mutated if mutated[k] != ledger.get(k)]
    lines = [f"{len(differing)} of {len(mutated)} answers differ"] if differing else []
    for key in differing[:most]:
        lines.append(f"{key}\n  mutated: {json.dumps(mutated[key], ensure_ascii=False)[:700]}"
                     f"\n  ledger:  {json.dumps(ledger.get(key), ensure_ascii=False)[:700]}")  # fmt: skip
    return "\n".join(lines)


async def checks_pass(backend: Backend) -> None:
    """``grassroots check`` (resolvers/check.py): every invariant holds."""
    failed = {r.name: r.violations[:3] for r in await check.run_checks(backend)}
    failed = {name: rows for name, rows in failed.items() if rows}
    assert not failed, failed


@dataclass
class Outcome:
    """Both sides after the same changes: graphs, answers, and what was compared."""

    ops: list[Op]
    graphs: tuple[tuple[list[str], list[str]], tuple[list[str], list[str]]]
    answers: tuple[dict[str, Any], dict[str, Any]]


async def both_sides(
    graphs: tuple[Backend, Backend],
    personal: PersonalData,
    base: Path,
    out: Path,
    ops: list[Op] | Callable[[Ledger], list[Op]],
    reads: Reads | None = None,
    rng: random.Random | None = None,
) -> Outcome:
    """Import ``base`` and apply ``ops`` on one graph; import ``base`` edited by the same ops on
    the other; return what each side holds and answers."""
    mutated, ledgered = graphs
    ledger = Ledger.read(base)
    if callable(ops):
        ops = ops(ledger)
    else:
        for op in ops:
            record(ledger, op)
    await load(mutated, base, personal)
    await apply(mutated, personal, ops)
    await load(ledgered, ledger.write(out), personal)
    reads = reads or Reads.of(ops, ledger, rng or random.Random(0))
    return Outcome(
        ops,
        (await graph_of(mutated), await graph_of(ledgered)),
        (await answers(mutated, reads), await answers(ledgered, reads)),
    )


# ---- the property -------------------------------------------------------------------------------
SEQUENCES = [(700, 11, 40), (1_000, 23, 40), (1_500, 37, 30)]  # (persons, seed, mutations)


@pytest.mark.parametrize(("persons", "seed", "count"), SEQUENCES, ids=lambda v: str(v))
async def test_random_mutations_equal_the_edited_ledger(
    graphs: tuple[Backend, Backend],
    personal: PersonalData,
    tmp_path: Path,
    persons: int,
    seed: int,
    count: int,
) -> None:
    base = tmp_path / "base"
    generate(persons, seed, base)
    rng = random.Random(seed)
    outcome = await both_sides(
        graphs, personal, base, tmp_path / "edited", lambda ledger: plan_sequence(ledger, rng, count), rng=rng
    )
    assert {op.operation for op in outcome.ops} >= {
        "MovePerson",
        "PairUnit",
        "EndPairing",
        "ReportToCommunity",
    }
    await checks_pass(graphs[0])
    await checks_pass(graphs[1])
    assert outcome.graphs[0] == outcome.graphs[1], graph_difference(*outcome.graphs)
    assert outcome.answers[0] == outcome.answers[1], answer_difference(*outcome.answers)


# ---- where a mutation and its ledger edit part ways ------------------------------------------------
MEMBER_DATE = "2025-01-01"  # the chosen party members are members from before this date on


def district(tmp_path: Path, persons: int = 800, seed: int = 7) -> tuple[Path, Ledger]:
    base = tmp_path / "base"
    generate(persons, seed, base)
    return base, Ledger.read(base)


def member(ledger: Ledger, *, evaluated: bool | None = False, reporting: bool | None = None) -> str:
    """A party member, open since before MEMBER_DATE, whose open report (if any) is to an active
    community since before MEMBER_DATE; ``evaluated``: with a COMMUNITY evaluation of 2025 (None:
    either); ``reporting``: with an open report (None: either)."""
    merged = ledger.merged()
    for m in ledger.rows["party_members.csv"]:
        pid = m["pid"]
        if m["until"] or m["since"] >= MEMBER_DATE:
            continue
        report = ledger.open_row("reports.csv", pid=pid)
        if report is not None and (report["since"] >= MEMBER_DATE or report["community_code"] in merged):
            continue
        if reporting is not None and (report is not None) != reporting:
            continue
        has_evaluation = bool(ledger.of("evaluations.csv", pid=pid, year="2025", side="COMMUNITY"))
        if evaluated is not None and has_evaluation != evaluated:
            continue
        return pid
    raise AssertionError("no such party member in the district")


def street_pair(ledger: Ledger, *, without_areas: bool = False, count: int = 2) -> list[str]:
    """``count`` active communities of one street that never absorbed another one, latest start of
    what a merge would close no later than 2026-07-01."""
    communities = ledger.communities()
    planner = Planner(ledger, random.Random(0))
    with_areas = {a["community_code"] for a in ledger.rows["areas.csv"]}
    fit = [
        c for c in ledger.active_communities()
        if c not in ledger.merge_targets() and planner.latest_start(c) <= "2026-07-01"
        and not (without_areas and c in with_areas)
    ]  # fmt: skip
    by_street: dict[str, list[str]] = {}
    for code in fit:
        by_street.setdefault(communities[code]["parent_code"], []).append(code)
    return next(codes[:count] for codes in by_street.values() if len(codes) >= count)


async def assert_same(outcome: Outcome, graphs: tuple[Backend, Backend]) -> None:
    await checks_pass(graphs[0])
    assert outcome.graphs[0] == outcome.graphs[1], graph_difference(*outcome.graphs)
    assert outcome.answers[0] == outcome.answers[1], answer_difference(*outcome.answers)


def merge(olds: list[str], new: str, on: str, name: str | None = None) -> Op:
    return Op(
        "MergeCommunities", {"oldCodes": olds, "newCode": new, "newName": name, "on": on, "docNo": None}, on
    )


def report(pid: str, community: str, since: str, grid: str | None = None) -> Op:
    return Op(
        "ReportToCommunity", {"pid": pid, "communityCode": community, "gridCode": grid, "since": since}, since
    )


async def test_report_after_the_reported_community_was_merged(
    graphs: tuple[Backend, Backend], personal: PersonalData, tmp_path: Path
) -> None:
    base, ledger = district(tmp_path)
    pid = member(ledger)
    old, new = street_pair(ledger)
    ops = [report(pid, old, "2026-02-01"), merge([old], new, "2026-07-01"), report(pid, new, "2026-08-01")]
    await assert_same(await both_sides(graphs, personal, base, tmp_path / "edited", ops), graphs)


async def test_end_pairing_with_a_merged_community(
    graphs: tuple[Backend, Backend], personal: PersonalData, tmp_path: Path
) -> None:
    base, ledger = district(tmp_path)
    old, new = street_pair(ledger)
    uscc = next(u["uscc"] for u in ledger.rows["units.csv"] if not ledger.of("pairings.csv", uscc=u["uscc"]))
    pairing = {"uscc": uscc, "targetType": "COMMUNITY", "target": old}
    ops = [
        Op("PairUnit", {**pairing, "since": "2026-02-01", "agreementNo": "WQ-1"}, "2026-02-01"),
        merge([old], new, "2026-07-01"),
        Op("EndPairing", {**pairing, "until": "2026-08-01"}, "2026-08-01"),
    ]
    await assert_same(await both_sides(graphs, personal, base, tmp_path / "edited", ops), graphs)


async def test_report_with_a_grid_moved_by_a_merge(
    graphs: tuple[Backend, Backend], personal: PersonalData, tmp_path: Path
) -> None:
    base, ledger = district(tmp_path)
    pid = member(ledger)
    moved = ledger.rows["merges.csv"][0]
    grid = ledger.of("grids.csv", community_code=moved["old_code"])[0]["code"]
    ops = [report(pid, moved["new_code"], "2026-03-01", grid=grid)]
    await assert_same(await both_sides(graphs, personal, base, tmp_path / "edited", ops), graphs)


async def test_chained_merges(
    graphs: tuple[Backend, Backend], personal: PersonalData, tmp_path: Path
) -> None:
    base, ledger = district(tmp_path)
    a, b, c = street_pair(ledger, count=3)
    ops = [merge([a], b, "2026-07-01"), merge([b], c, "2026-08-01")]
    await assert_same(await both_sides(graphs, personal, base, tmp_path / "edited", ops), graphs)


async def test_merge_dated_before_history(
    graphs: tuple[Backend, Backend], personal: PersonalData, tmp_path: Path
) -> None:
    base, ledger = district(tmp_path)
    planner = Planner(ledger, random.Random(0))
    old = next(
        c for c in ledger.active_communities()
        if c not in ledger.merge_targets() and planner.latest_start(c) > "2025-06-01"
    )  # fmt: skip
    street = ledger.communities()[old]["parent_code"]
    new = next(
        c
        for c in ledger.active_communities()
        if c != old and ledger.communities()[c]["parent_code"] == street
    )
    op = merge([old], new, "2025-06-01")
    mutated, ledgered = graphs
    await load(mutated, base, personal)
    payload = await mutate(mutated, personal, op.operation, **op.fields)
    assert ("on", "OVERLAP") in codes(payload)
    record(ledger, op)
    result = await import_bundle(ledgered, ledger.write(tmp_path / "edited"), personal, today=TODAY)
    assert not result.ok, "the from-scratch import accepted the merge the mutation refused"


# ---- refusals: userErrors naming the field, and nothing written ----------------------------------
def _unknown_uscc() -> str:
    first17 = "91430105MA0WQ0000"
    return first17 + uscc_check_char(first17)


def _bad_checksum(uscc: str) -> str:
    """The same USCC with another check character (SPEC.md: "invalid: change any character")."""
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return uscc[:17] + charset[(charset.index(uscc[17]) + 1) % len(charset)]


def _refusal_cases() -> dict[str, Callable[[Ledger], tuple[str, dict[str, Any], tuple[str, str]]]]:
    """Case name -> (operation, input, expected (field, code)), built from the district's ledger."""

    def resident(ledger: Ledger) -> dict[str, str]:
        return next(r for r in ledger.rows["residences.csv"] if not r["until"] and r["since"] > "2010-01-01")

    def other_dwelling(ledger: Ledger, row: dict[str, str]) -> str:
        return next(d["id"] for d in ledger.rows["dwellings.csv"] if d["id"] != row["dwelling_id"])

    def open_pairing(ledger: Ledger) -> dict[str, str]:
        return next(p for p in ledger.rows["pairings.csv"] if not p["until"])

    def ended_pairing(ledger: Ledger) -> dict[str, str]:
        return next(
            p for p in ledger.rows["pairings.csv"]
            if p["until"] and not ledger.open_row("pairings.csv", uscc=p["uscc"], target_type=p["target_type"],
                                                  target=p["target"])
        )  # fmt: skip

    def non_member(ledger: Ledger) -> str:
        members = {m["pid"] for m in ledger.rows["party_members.csv"]}
        return next(p["pid"] for p in ledger.rows["persons.csv"] if p["pid"] not in members)

    def first_membership(ledger: Ledger) -> dict[str, str]:
        return next(
            m for m in ledger.rows["party_members.csv"]
            if m["since"] > "2010-01-01" and not ledger.of("reports.csv", pid=m["pid"]) and all(o["since"] >= m["since"] for o in ledger.of("party_members.csv", pid=m["pid"]))
        )  # fmt: skip

    def merged(ledger: Ledger) -> dict[str, str]:
        return ledger.rows["merges.csv"][0]

    def active(ledger: Ledger) -> list[str]:
        return street_pair(ledger)

    def unit(ledger: Ledger) -> str:
        return next(
            u["uscc"] for u in ledger.rows["units.csv"] if not ledger.of("pairings.csv", uscc=u["uscc"])
        )

    def foreign_grid(ledger: Ledger, community: str) -> str:
        return next(g["code"] for g in ledger.rows["grids.csv"] if g["community_code"] != community)

    def late_history(ledger: Ledger) -> str:
        planner = Planner(ledger, random.Random(0))
        return next(
            c for c in ledger.active_communities()
            if c not in ledger.merge_targets() and planner.latest_start(c) > "2025-06-01"
        )  # fmt: skip

    def pairing(p: dict[str, str], **changes: str) -> dict[str, Any]:
        return {"uscc": p["uscc"], "targetType": p["target_type"], "target": p["target"]} | changes

    return {
        "move to an unknown dwelling": lambda lg: (
            "MovePerson", {"pid": resident(lg)["pid"], "dwellingId": "D-404", "since": "2026-01-01"},
            ("dwellingId", "NOT_FOUND")),
        "move an unknown person": lambda lg: (
            "MovePerson", {"pid": "P9999999", "dwellingId": other_dwelling(lg, resident(lg)), "since": "2026-01-01"},
            ("pid", "NOT_FOUND")),
        "move dated before the open residence": lambda lg: (
            "MovePerson", {"pid": resident(lg)["pid"], "dwellingId": other_dwelling(lg, resident(lg)),
                           "since": (day(resident(lg)["since"]) - dt.timedelta(days=1)).isoformat()},
            ("since", "OVERLAP")),
        "move dated on the open residence's since": lambda lg: (
            "MovePerson", {"pid": resident(lg)["pid"], "dwellingId": other_dwelling(lg, resident(lg)),
                           "since": resident(lg)["since"]},
            ("since", "OVERLAP")),
        "move into the dwelling one lives in": lambda lg: (
            "MovePerson", {"pid": resident(lg)["pid"], "dwellingId": resident(lg)["dwelling_id"], "since": "2026-01-01"},
            ("dwellingId", "CONFLICT")),
        "move dated in the future": lambda lg: (
            "MovePerson", {"pid": resident(lg)["pid"], "dwellingId": other_dwelling(lg, resident(lg)),
                           "since": "2099-01-01"},
            ("since", "INVALID")),
        "move with an unknown tenure": lambda lg: (
            "MovePerson", {"pid": resident(lg)["pid"], "dwellingId": other_dwelling(lg, resident(lg)),
                           "since": "2026-01-01", "tenure": "BORROWED"},
            ("tenure", "INVALID")),
        "pair an unknown unit": lambda lg: (
            "PairUnit", {"uscc": _unknown_uscc(), "targetType": "COMMUNITY", "target": active(lg)[0],
                         "since": "2026-01-01"},
            ("uscc", "NOT_FOUND")),
        "pair a USCC with a bad check character": lambda lg: (
            "PairUnit", {"uscc": _bad_checksum(unit(lg)), "targetType": "COMMUNITY", "target": active(lg)[0],
                         "since": "2026-01-01"},
            ("uscc", "INVALID")),
        "pair with an unknown community": lambda lg: (
            "PairUnit", {"uscc": unit(lg), "targetType": "COMMUNITY", "target": "430105001999", "since": "2026-01-01"},
            ("target", "NOT_FOUND")),
        "pair with a merged community": lambda lg: (
            "PairUnit", {"uscc": unit(lg), "targetType": "COMMUNITY", "target": merged(lg)["old_code"],
                         "since": "2026-01-01"},
            ("target", "MERGED")),
        "pair what is already paired": lambda lg: (
            "PairUnit", pairing(open_pairing(lg), since="2026-10-01"), ("target", "CONFLICT")),
        "pair inside an ended pairing": lambda lg: (
            "PairUnit", pairing(ended_pairing(lg), since=(day(ended_pairing(lg)["since"]) + dt.timedelta(days=1)).isoformat()),
            ("since", "OVERLAP")),
        "pair on the since of an ended pairing": lambda lg: (
            "PairUnit", pairing(ended_pairing(lg), since=ended_pairing(lg)["since"]), ("since", "OVERLAP")),
        "pair with an unknown target type": lambda lg: (
            "PairUnit", {"uscc": unit(lg), "targetType": "STREET", "target": active(lg)[0], "since": "2026-01-01"},
            ("targetType", "INVALID")),
        "end a pairing that ended": lambda lg: (
            "EndPairing", pairing(ended_pairing(lg), until="2026-01-01"), ("target", "NOT_FOUND")),
        "end a pairing that never was": lambda lg: (
            "EndPairing", {"uscc": unit(lg), "targetType": "COMMUNITY", "target": active(lg)[0], "until": "2026-01-01"},
            ("target", "NOT_FOUND")),
        "end a pairing before its since": lambda lg: (
            "EndPairing", pairing(open_pairing(lg), until=(day(open_pairing(lg)["since"]) - dt.timedelta(days=1)).isoformat()),
            ("until", "INVALID")),
        "merge a community into itself": lambda lg: (
            "MergeCommunities", {"oldCodes": [active(lg)[0]], "newCode": active(lg)[0], "on": "2026-08-01"},
            ("newCode", "INVALID")),
        "merge into a merged community": lambda lg: (
            "MergeCommunities", {"oldCodes": [active(lg)[0]], "newCode": merged(lg)["old_code"], "on": "2026-08-01"},
            ("newCode", "MERGED")),
        "merge a merged community": lambda lg: (
            "MergeCommunities", {"oldCodes": [merged(lg)["old_code"]], "newCode": active(lg)[0], "on": "2026-08-01"},
            ("oldCodes", "MERGED")),
        "merge into a new community without a name": lambda lg: (
            "MergeCommunities", {"oldCodes": [active(lg)[0]], "newCode": active(lg)[0][:9] + "999", "newName": None,
                                 "on": "2026-08-01"},
            ("newName", "INVALID")),
        "merge dated before the history it closes": lambda lg: (
            "MergeCommunities", {"oldCodes": [late_history(lg)], "newCode": late_history(lg)[:9] + "999",
                                 "newName": "x", "on": "2025-06-01"},
            ("on", "OVERLAP")),
        "report a person who is no party member": lambda lg: (
            "ReportToCommunity", {"pid": non_member(lg), "communityCode": active(lg)[0], "since": "2026-01-01"},
            ("since", "NOT_A_MEMBER")),
        "report a member before the membership began": lambda lg: (
            "ReportToCommunity", {"pid": first_membership(lg)["pid"], "communityCode": active(lg)[0],
                                  "since": (day(first_membership(lg)["since"]) - dt.timedelta(days=1)).isoformat()},
            ("since", "NOT_A_MEMBER")),
        "report to a merged community": lambda lg: (
            "ReportToCommunity", {"pid": member(lg), "communityCode": merged(lg)["old_code"], "since": "2026-01-01"},
            ("communityCode", "MERGED")),
        "report with a grid of another community": lambda lg: (
            "ReportToCommunity", {"pid": member(lg), "communityCode": active(lg)[0],
                                  "gridCode": foreign_grid(lg, active(lg)[0]), "since": "2026-01-01"},
            ("gridCode", "INVALID")),
    }  # fmt: skip


REFUSALS = _refusal_cases()
# the spec's code for a case the service answers with another one


@pytest.mark.parametrize(
    "case",
    list(REFUSALS),
)
async def test_refusal_names_the_field_and_writes_nothing(
    backend: Backend, personal: PersonalData, tmp_path: Path, case: str
) -> None:
    """docs/MUTATIONS.md: "Expected failures come back as data, and nothing is written"; "field
    names the input field"; contract: "on any userError nothing is written"."""
    base, ledger = district(tmp_path, persons=500, seed=5)
    operation, fields, expected = REFUSALS[case](ledger)
    await load(backend, base, personal)
    before = await dump(backend)  # everything, bookkeeping included: a refusal writes no Revision either
    payload = await mutate(backend, personal, operation, **fields)
    assert payload["userErrors"], f"accepted: {payload}"
    assert all(e["field"] in fields and e["message"] for e in payload["userErrors"]), payload["userErrors"]
    assert [v for k, v in payload.items() if k != "userErrors"] == [None]
    assert await dump(backend) == before
    assert expected in codes(payload), payload["userErrors"]
