"""``make bench``: every benchmark under bench/, one after the other, each printing its figures.

    python bench/run_all.py [--persons N]

Benchmarks are not tests: they print measured figures and ratios against the targets and never
fail a build. The machine and the figures are recorded in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-") as work:
        bundle, store = Path(work) / "bundle", Path(work) / "store"
        runs = [
            [sys.executable, str(HERE / "seed_bench.py"), "--persons", str(args.persons), "--import",
             "--keep", str(bundle)],
            [sys.executable, str(HERE / "matrix_bench.py"), "--data", str(store), "--bundle", str(bundle)],
            [sys.executable, str(HERE / "read_bench.py")],
        ]  # fmt: skip
        for command in runs:
            print("$", " ".join(command[1:]), flush=True)
            subprocess.run(command, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
