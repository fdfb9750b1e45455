"""Lint Cypher with Neo4j's own front end, from Python tests.

`lint()` runs ``node tests/cypherlint/lint.cjs`` once for a whole batch. The linter is the npm package
``@neo4j-cypher/language-support`` (``lintCypherQuery``), pinned in ``tests/cypherlint/package.json``
and installed by ``make install`` (``npm ci --prefix tests/cypherlint``).

What it checks (Cypher 5, no database schema): syntax, and Neo4j's semantic analysis (undefined
variables, removed syntax such as ``exists(n.prop)`` or ``CREATE INDEX ON :L(p)``, aggregation rules,
...). What it does NOT check: procedure and function names (without a registry the library accepts any
name, so FalkorDB-only procedures such as ``db.idx.fulltext.queryNodes`` pass), labels, relationship
types, property keys, and parameter names (every ``$name`` counts as declared).

Each diagnostic is ``{"severity": "error" | "warning", "message": str, "line": int, "column": int}``
with 1-based line and column.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

LINT_DIR = Path(__file__).resolve().parent / "cypherlint"
LINT_SCRIPT = LINT_DIR / "lint.cjs"
LIBRARY_DIR = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
INSTALL_HINT = "run `make install` (it runs `npm ci --prefix tests/cypherlint`)"


# {"severity": "error" | "warning", "message": str, "line": int, "column": int}
Diagnostic = dict[str, Any]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(
            f"the Cypher linter needs Node.js (`node` is not on PATH): install it, {INSTALL_HINT}"
        )
    if not LIBRARY_DIR.is_dir():
        raise RuntimeError(f"the Cypher linter is not installed ({LIBRARY_DIR} is missing): {INSTALL_HINT}")
    return node


def lint(statements: list[str]) -> list[list[Diagnostic]]:
    """Diagnostics for each statement, in the same order (one node process for the whole batch)."""
    if not statements:
        return []
    proc = subprocess.run(
        [_node(), str(LINT_SCRIPT)],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{LINT_SCRIPT.name} failed (exit {proc.returncode}): {proc.stderr.strip()}")
    result: list[list[Diagnostic]] = json.loads(proc.stdout)
    if len(result) != len(statements):
        raise RuntimeError(f"{LINT_SCRIPT.name} gave {len(result)} results for {len(statements)} statements")
    return result


def errors(statements: list[str]) -> dict[str, list[str]]:
    """Only the statements with error diagnostics: statement -> its error messages (warnings dropped)."""
    found: dict[str, list[str]] = {}
    for statement, diagnostics in zip(statements, lint(statements), strict=True):
        messages = [d["message"] for d in diagnostics if d["severity"] == "error"]
        if messages:
            found[statement] = messages
    return found
