"""The ledger importer (台账导入): read a bundle, validate all of it, then write it through the one
write path (resolvers/writes.py).

    result = await import_bundle(backend, Path("bundle/"), personal, partial=False)
    result.problems  # ["persons.csv:7: id_number: check character does not match (GB 11643)", ...]

All-or-nothing by default: any problem means nothing is written. ``partial=True`` writes the valid
rows and returns the rejected ones, which ``write_report`` puts in ``rejects/`` beside the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.base import Backend
from resolvers import flows, writes
from resolvers.ledger.read import ParsedFile, Problem, read_bundle
from resolvers.ledger.spec import FILES
from resolvers.ledger.validate import Validator
from resolvers.personal import PersonalData
from resolvers.plan import Cypher


@dataclass
class ImportResult:
    problems: list[Problem]
    written: dict[str, int] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    rejected_rows: int = 0
    wrote: bool = False
    seconds: float = 0.0
    parsed: Mapping[str, ParsedFile] = field(default_factory=dict, repr=False)
    rejected: dict[tuple[str, int], list[str]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_rows(self) -> int:
        return sum(self.rows_read.values())


# the file whose validation completes each write step (steps are in file order)
STEP_SOURCE: dict[str, str] = {
    "districts": "regions.csv",
    "streets": "regions.csv",
    "communities": "regions.csv",
    "regions": "regions.csv",
    "areas": "areas.csv",
    "grids": "grids.csv",
    "compounds": "compounds.csv",
    "buildings": "buildings.csv",
    "dwellings": "dwellings.csv",
    "households_community": "households.csv",
    "households_region": "households.csv",
    "persons": "persons.csv",
    "units": "units.csv",
    "party_orgs": "party_orgs.csv",
    "party_org_parents": "party_orgs.csv",
    **{f"covers_{label}": "party_orgs.csv" for label in ("Compound", "Building", "Grid", "Unit")},
    "teams": "teams.csv",
    "collectives": "collectives.csv",
    "hukou_members": "hukou_members.csv",
    "residences": "residences.csv",
    "party_members": "party_members.csv",
    "employments": "employments.csv",
    "reports": "reports.csv",
    **{f"pairings_{label}": "pairings.csv" for label in ("Community", "Compound", "PartyOrg")},
    "team_members": "team_members.csv",
    **{f"roles_{label}": "roles.csv" for label in ("Community", "Grid", "Compound", "Building", "PartyOrg")},
    "collective_members": "collective_members.csv",
    "evaluations": "evaluations.csv",
    "evaluation_org_issuers": "evaluations.csv",
    "evaluation_community_issuers": "evaluations.csv",
    "merges": "merges.csv",
}


COMPACT_AFTER_ROWS = 10_000  # a bulk load is followed by a compaction of the store's log


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """A bundle is millions of small objects without cycles: the cyclic GC only costs time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def import_bundle(
    backend: Backend,
    path: Path,
    personal: PersonalData | None,
    *,
    partial: bool = False,
    today: str | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Validate the whole bundle, then write it (see the module docstring).

    Into an EMPTY graph the writer runs beside the validator, each file's rows written as soon
    as the file is checked; if a problem turns up (and not ``partial``) writing stops and the
    nodes already written are removed, so the graph is empty again.
    """
    started = time.perf_counter()
    with gc_paused():
        parsed, problems = read_bundle(path)
        fresh = not problems and not await backend.read(ANYTHING)
        done: dict[str, asyncio.Event] = {spec.name: asyncio.Event() for spec in FILES}

        def file_checked(name: str) -> None:
            done[name].set()
            if progress is not None and name in parsed:
                progress(f"checked {name}", len(parsed[name].rows))

        validator = Validator(
            backend, personal, today or dt.date.today().isoformat(), fresh=fresh, on_file_done=file_checked
        )

        async def ready(step: str) -> bool:
            await done[STEP_SOURCE[step]].wait()
            return partial or not (validator.out.problems or problems)

        if fresh:

            def filling(step: str) -> asyncio.Event | None:  # a streamed step's rows are final as made
                return (
                    done[STEP_SOURCE[step]] if partial or not (validator.out.problems or problems) else None
                )

            writer = asyncio.create_task(
                writes.apply(backend, validator.out.steps, progress, ready, filling, into_empty=True)
            )
            try:
                outcome = await validator.run(parsed)
            except BaseException:  # checking failed unexpectedly: stop the writer, undo what it wrote
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await writer
                with contextlib.suppress(Exception):
                    await writes.remove_nodes(backend, validator.out.steps)
                raise
            finally:
                for event in done.values():
                    event.set()  # a failed validation must not leave the writer waiting
            try:
                written = await writer
            except BaseException:
                with contextlib.suppress(Exception):
                    await writes.remove_nodes(backend, outcome.steps)
                raise
            if (outcome.problems or problems) and not partial:
                await writes.remove_nodes(backend, outcome.steps)
                written = {}
        else:
            outcome = await validator.run(parsed)
            written = {}
            if partial or not (problems or outcome.problems):
                written = await writes.apply(backend, outcome.steps, progress)
        problems = problems + outcome.problems
        if written:
            await keep_flows(backend, fresh, outcome.steps, progress)
        if written and sum(written.values()) >= COMPACT_AFTER_ROWS:
            await backend.compact()
    result = ImportResult(
        problems=problems,
        written=written,
        rows_read={name: len(f.rows) for name, f in parsed.items()},
        rejected_rows=len(outcome.rejected),
        wrote=partial or not problems,
        parsed=parsed,
        rejected=outcome.rejected,
    )
    result.seconds = time.perf_counter() - started
    return result


ANYTHING = "MATCH (n) WHERE NOT n:Shortcut RETURN 1 AS one LIMIT 1"  # is the graph empty (markers aside)?


async def keep_flows(
    backend: Backend,
    fresh: bool,
    steps: dict[str, list[dict[str, Any]]],
    progress: Callable[[str, int], None] | None,
) -> None:
    """Keep the flow-matrix shortcuts true: a full build after a load into an empty graph, else a
    refresh of the persons whose memberships the rows changed or whose chains a merge moved."""
    if fresh:
        await flows.refresh(backend, None, progress)
        return
    if await flows.ensure(backend, progress):  # a store from before the shortcuts: built whole
        return
    pids = {row["pid"] for step in flows.TOUCHING_STEPS for row in steps.get(step, ())}
    if steps.get("merges"):
        q = Cypher("")
        flows.touched_by_merge(q, q.param(sorted({row["old"] for row in steps["merges"]}), "codes"), "pids")
        q.line("RETURN pids")
        pids.update((await backend.read(q.text(), q.params))[0]["pids"])
    if pids:
        await flows.refresh(backend, sorted(pids), progress)


def write_report(result: ImportResult, report: Path) -> None:
    """The problems, one ``file:line: column: message`` a line; rejected rows beside it in rejects/."""
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("".join(f"{p}\n" for p in result.problems), encoding="utf-8")
    if not result.rejected:
        return
    rejects = report.parent / "rejects"
    rejects.mkdir(exist_ok=True)
    by_file: dict[str, list[tuple[int, list[str]]]] = {}
    for (file, line), reasons in sorted(result.rejected.items()):
        by_file.setdefault(file, []).append((line, reasons))
    for file, rows in by_file.items():
        parsed = result.parsed.get(file)
        if parsed is None:
            continue
        values_by_line: dict[int, dict[str, Any]] = {row.line: row.values for row in parsed.rows}
        with (rejects / file).open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["line", *parsed.header, "reason"])
            for line, reasons in rows:
                values = values_by_line.get(line, {})
                writer.writerow([line, *(values.get(c) or "" for c in parsed.header), "; ".join(reasons)])
