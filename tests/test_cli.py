"""The ``grassroots`` command as a user runs it: import, --partial --report, check, export."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import EXAMPLE


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRASSROOTS_DATA_DIR": str(data_dir), "GRASSROOTS_SECRET_KEY": "cli-test-key"}
    env.pop("GRAPH_URI", None)
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_import_check_export_round(tmp_path: Path) -> None:
    data = tmp_path / "data"
    imported = run(["import", str(EXAMPLE)], data)
    assert imported.returncode == 0, imported.stderr
    assert "imported 55 rows" in imported.stdout
    checked = run(["check"], data)
    assert checked.returncode == 0, checked.stdout
    assert (
        "FAIL" not in checked.stdout
        and "ok   every building's compound and grid in one community" in checked.stdout
    )
    exported = run(["export", str(tmp_path / "out")], data)
    assert exported.returncode == 0 and "exported 55 rows in 23 files" in exported.stdout
    assert not (data / "falkordb.pid").exists()  # each command stopped its server


def test_bad_bundle_exit_status_and_report(tmp_path: Path, make_bundle: Callable[..., Path]) -> None:
    bad = make_bundle(**{"units.csv": lambda t: t.replace("11430105000010011C", "11430105000010011D")})
    data = tmp_path / "data"
    refused = run(["import", str(bad)], data)
    assert refused.returncode == 1
    assert "units.csv:2: uscc: '11430105000010011D' has a wrong check character (GB 32100)" in refused.stderr
    assert "nothing written" in refused.stderr
    report = tmp_path / "report.txt"
    partial = run(["import", str(bad), "--partial", "--report", str(report)], data)
    assert partial.returncode == 2
    assert "rows rejected" in partial.stdout
    assert (
        (tmp_path / "rejects" / "units.csv").read_text(encoding="utf-8").startswith("line,uscc,name,category")
    )
    assert "units.csv:2: uscc:" in report.read_text(encoding="utf-8")


def test_missing_bundle_is_a_clear_error(tmp_path: Path) -> None:
    result = run(["import", str(tmp_path / "nowhere")], tmp_path / "data")
    assert result.returncode == 1
    assert "not a folder or a .zip file" in result.stderr


def test_seed_as_documented(tmp_path: Path) -> None:
    """``grassroots seed --persons N --seed S --out DIR`` (README); --help names its options."""
    seeded = run(
        ["seed", "--persons", "300", "--seed", "5", "--out", str(tmp_path / "bundle")], tmp_path / "data"
    )
    assert seeded.returncode == 0, seeded.stderr
    assert (tmp_path / "bundle" / "persons.csv").read_text(encoding="utf-8").count("\n") == 301
    helped = run(["seed", "--help"], tmp_path / "data")
    assert helped.returncode == 0 and "--persons" in helped.stdout
    missing = run(["seed", "--out", str(tmp_path / "x")], tmp_path / "data")
    assert missing.returncode == 2 and "--persons" in missing.stderr
