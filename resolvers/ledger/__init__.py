"""The ledger importer (台账导入): read a bundle, validate all of it, then write it through the one
write path (resolvers/writes.py).

    result = await import_bundle(backend, Path("bundle/"), personal, partial=False)
    result.problems  # ["persons.csv:7: id_number: check character does not match (GB 11643)", ...]

All-or-nothing by default: any problem means nothing is written. ``partial=True`` writes the valid
rows and returns the rejected ones, which ``write_report`` puts in ``rejects/`` beside the report.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.base import Backend
from resolvers import writes
from resolvers.ledger.read import ParsedFile, Problem, read_bundle
from resolvers.ledger.validate import Validator
from resolvers.personal import PersonalData


@dataclass
class ImportResult:
    problems: list[Problem]
    written: dict[str, int] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    rejected_rows: int = 0
    wrote: bool = False
    seconds: float = 0.0
    parsed: dict[str, ParsedFile] = field(default_factory=dict, repr=False)
    rejected: dict[tuple[str, int], list[str]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_rows(self) -> int:
        return sum(self.rows_read.values())


async def import_bundle(
    backend: Backend,
    path: Path,
    personal: PersonalData | None,
    *,
    partial: bool = False,
    today: str | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    started = time.perf_counter()
    parsed, problems = read_bundle(path)
    outcome = await Validator(backend, personal, today or dt.date.today().isoformat()).run(parsed)
    problems = problems + outcome.problems
    result = ImportResult(
        problems=problems,
        rows_read={name: len(f.rows) for name, f in parsed.items()},
        rejected_rows=len(outcome.rejected),
        parsed=parsed,
        rejected=outcome.rejected,
    )
    if not problems or partial:
        result.written = await writes.apply(backend, outcome.steps, progress)
        result.wrote = True
    result.seconds = time.perf_counter() - started
    return result


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
