"""Benchmark of the synthetic district generator: time, rows/s and peak memory for N persons.

    python bench/seed_bench.py [--persons 1000000] [--seed 1] [--keep DIR] [--import]

The targets (the generator's issue): 1,000,000 persons written in 60 s or less, with memory that
does not grow with N beyond the place tables (compare the peak at two sizes), and the bundle
imported through the importer in 120 s or less (``--import``: into an embedded FalkorDB started
for the run; the importer's own time, validation and writes).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seed.generate import generate

TARGET_SECONDS_PER_MILLION = 60.0
TARGET_IMPORT_SECONDS_PER_MILLION = 120.0


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_of(pid: int) -> float:
    """Peak resident memory of another process, MiB (Linux /proc: VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(persons: int, seed: int, out: Path, also_import: bool = False) -> int:
    baseline = peak_rss_mib()
    started = time.perf_counter()
    counts = generate(persons, seed, out)
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    size = sum(f.stat().st_size for f in out.iterdir())
    for name, n in counts.items():
        print(f"  {name:24} {n:>10,}")
    print(f"persons            {persons:,}")
    print(f"rows               {rows:,} ({size / 2**20:,.0f} MiB of CSV)")
    print(f"seconds            {seconds:.1f}")
    print(f"rows/s             {rows / seconds:,.0f}")
    print(f"persons/s          {persons / seconds:,.0f}")
    print(f"peak RSS           {peak_rss_mib():.0f} MiB (before generating: {baseline:.0f} MiB)")
    budget = TARGET_SECONDS_PER_MILLION * persons / 1_000_000
    met = seconds <= budget
    print(f"target             <= {budget:.1f} s for {persons:,} persons: {'met' if met else 'NOT met'}")
    if also_import:
        met = asyncio.run(import_bundle(out, persons)) and met
    return 0 if met else 1


async def import_bundle(folder: Path, persons: int) -> bool:
    """Imports the bundle through the project's importer into a fresh embedded FalkorDB."""
    from graph.embedded import EmbeddedFalkorDB
    from graph.falkor_backend import FalkorBackend
    from resolvers.ledger import import_bundle as run_import
    from resolvers.personal import PersonalData
    from seed.params import TODAY

    with tempfile.TemporaryDirectory(prefix="seed-bench-db-") as data:
        server = EmbeddedFalkorDB(Path(data), timeout_ms=3_600_000)
        await server.start()
        try:
            store = FalkorBackend(
                graph_key="seedbench", query_timeout=3_600, unix_socket=str(server.socket_path)
            )
            await store.setup_schema()
            started = time.perf_counter()
            result = await run_import(
                store, folder, PersonalData.from_secret("seed-bench"), today=TODAY.isoformat()
            )
            seconds = time.perf_counter() - started
            await store.close()
            server_peak = peak_of(server.process.pid) if server.process is not None else 0.0
        finally:
            await server.stop()
    budget = TARGET_IMPORT_SECONDS_PER_MILLION * persons / 1_000_000
    met = result.ok and seconds <= budget
    print(
        f"import             {seconds:.1f} s, {result.total_rows / seconds:,.0f} rows/s, problems {len(result.problems)}"
    )
    print(f"import peak RSS    importer {peak_rss_mib():,.0f} MiB, FalkorDB server {server_peak:,.0f} MiB")
    for problem in result.problems[:10]:
        print(f"  {problem}")
    print(f"import target      <= {budget:.1f} s: {'met' if met else 'NOT met'}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the bundle here instead of a temporary folder")
    parser.add_argument(
        "--import", dest="also_import", action="store_true", help="then import it and time that"
    )
    args = parser.parse_args(argv)
    if args.keep:
        return run(args.persons, args.seed, args.keep, args.also_import)
    with tempfile.TemporaryDirectory(prefix="seed-bench-") as folder:
        return run(args.persons, args.seed, Path(folder), args.also_import)


if __name__ == "__main__":
    raise SystemExit(main())
