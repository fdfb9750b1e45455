"""The Cypher lint harness (tests/cypher_lint.py) both passes good Cypher and fails bad Cypher.

Every expectation below is what @neo4j-cypher/language-support (pinned in tests/cypherlint) was seen
to report, so a change of library behaviour shows up here first. All cases are linted in one batch:
one node process, about 2 s.
"""

from __future__ import annotations

from pathlib import Path

import cypher_lint
import pytest
from cypher_lint import Diagnostic, errors, lint

VALID = "MATCH (p:Person {pid: $pid}) RETURN p {.pid, .name} AS person"
EXISTS_PROP = "MATCH (n) WHERE exists(n.prop) RETURN n"
EXISTS_PROP_MULTILINE = "MATCH (n)\nWHERE exists(n.prop)\nRETURN n"
OLD_INDEX = "CREATE INDEX ON :L(p)"
SIZE_PATTERN = "MATCH (a) RETURN size((a)-->())"
SYNTAX_ERROR = "MATCH (n RETURN n"
UNDEFINED_VARIABLE = "MATCH (n) RETURN m"
CALL_WITH = "MATCH (p:Person) CALL { WITH p MATCH (p)-[:KNOWS]->(f) RETURN collect(f) AS fs } RETURN p, fs"
CALL_SCOPE = "MATCH (p:Person) CALL (p) { MATCH (p)-[:KNOWS]->(f) RETURN count(f) AS c } RETURN p, c"
CONSTRAINT = "CREATE CONSTRAINT person_pid IF NOT EXISTS FOR (n:Person) REQUIRE n.pid IS UNIQUE"
FULLTEXT = "CREATE FULLTEXT INDEX name_ft IF NOT EXISTS FOR (n:Person) ON EACH [n.name]"
SHORTEST_TWO_MATCHES = (
    "MATCH (a:Person {pid: $a}) MATCH (b:Person {pid: $b}) "
    "WITH a, b, shortestPath((a)-[*..6]->(b)) AS path RETURN path"
)
SHORTEST_COMMA = (
    "MATCH (a:Person {pid: $a}), (b:Person {pid: $b}) "
    "WITH a, b, shortestPath((a)-[*..6]->(b)) AS path RETURN path"
)
FALKOR_FULLTEXT = "CALL db.idx.fulltext.queryNodes('Person', $q) YIELD node RETURN node"
REMOVED_PROCEDURE = "CALL db.indexes()"
UNKNOWN_FUNCTION = "RETURN nosuchfn(1)"
PAGED = "MATCH (n:Person) RETURN n.name AS name ORDER BY name SKIP $skip LIMIT $limit"

CASES = [
    VALID,
    EXISTS_PROP,
    EXISTS_PROP_MULTILINE,
    OLD_INDEX,
    SIZE_PATTERN,
    SYNTAX_ERROR,
    UNDEFINED_VARIABLE,
    CALL_WITH,
    CALL_SCOPE,
    CONSTRAINT,
    FULLTEXT,
    SHORTEST_TWO_MATCHES,
    SHORTEST_COMMA,
    FALKOR_FULLTEXT,
    REMOVED_PROCEDURE,
    UNKNOWN_FUNCTION,
    PAGED,
    VALID,  # duplicates keep their place in the output
]

EXISTS_MESSAGE = (
    "The property existence syntax `... exists(variable.property)` is no longer supported. "
    "Please use `variable.property IS NOT NULL` instead."
)
CALL_WITH_MESSAGE = "CALL subquery without a variable scope clause is now deprecated. Use CALL (p) { ... }"
CARTESIAN_PREFIX = (
    "If a part of a query contains multiple disconnected patterns, this will build a cartesian product"
)


@pytest.fixture(scope="module")
def linted() -> dict[str, list[Diagnostic]]:
    results = lint(CASES)
    assert len(results) == len(CASES)
    assert results[0] == results[-1]
    return dict(zip(CASES, results, strict=True))


@pytest.fixture(scope="module")
def error_map() -> dict[str, list[str]]:
    return errors(CASES)


def test_valid_statement_with_parameters_is_clean(linted: dict[str, list[Diagnostic]]) -> None:
    # Parameters count as declared: without that the library reports "Parameter $pid is not defined."
    assert linted[VALID] == []
    assert linted[PAGED] == []


def test_exists_property_is_an_error(linted: dict[str, list[Diagnostic]]) -> None:
    assert linted[EXISTS_PROP] == [{"severity": "error", "message": EXISTS_MESSAGE, "line": 1, "column": 17}]


def test_positions_are_one_based_lines_and_columns(linted: dict[str, list[Diagnostic]]) -> None:
    assert linted[EXISTS_PROP_MULTILINE] == [
        {"severity": "error", "message": EXISTS_MESSAGE, "line": 2, "column": 7}
    ]


def test_old_index_syntax_is_an_error(linted: dict[str, list[Diagnostic]]) -> None:
    assert linted[OLD_INDEX] == [
        {
            "severity": "error",
            "message": "Invalid create index syntax, use `CREATE INDEX FOR ...` instead.",
            "line": 1,
            "column": 14,
        }
    ]


def test_size_of_pattern_is_an_error(linted: dict[str, list[Diagnostic]]) -> None:
    (diagnostic,) = linted[SIZE_PATTERN]
    assert diagnostic["severity"] == "error"
    assert diagnostic["message"].startswith(
        "A pattern expression should only be used in order to test the existence"
    )


def test_syntax_error_is_an_error(linted: dict[str, list[Diagnostic]]) -> None:
    assert linted[SYNTAX_ERROR] == [
        {
            "severity": "error",
            "message": (
                "Invalid input 'RETURN': expected a graph pattern, a parameter, "
                "')', ':', 'IS', 'WHERE' or '{'"
            ),
            "line": 1,
            "column": 10,
        }
    ]


def test_undefined_variable_is_an_error(linted: dict[str, list[Diagnostic]]) -> None:
    assert linted[UNDEFINED_VARIABLE] == [
        {"severity": "error", "message": "Variable `m` not defined", "line": 1, "column": 18}
    ]


def test_call_with_subquery_is_only_a_deprecation_warning(linted: dict[str, list[Diagnostic]]) -> None:
    assert linted[CALL_WITH] == [
        {"severity": "warning", "message": CALL_WITH_MESSAGE, "line": 1, "column": 18}
    ]
    assert linted[CALL_SCOPE] == []


def test_neo4j5_schema_ddl_is_accepted(linted: dict[str, list[Diagnostic]]) -> None:
    assert linted[CONSTRAINT] == []
    assert linted[FULLTEXT] == []


def test_shortest_path_in_with(linted: dict[str, list[Diagnostic]]) -> None:
    assert linted[SHORTEST_TWO_MATCHES] == []
    # A comma between the two node patterns only earns a cartesian-product warning.
    (diagnostic,) = linted[SHORTEST_COMMA]
    assert diagnostic["severity"] == "warning"
    assert diagnostic["message"].startswith(CARTESIAN_PREFIX)


def test_procedure_and_function_names_are_not_checked(linted: dict[str, list[Diagnostic]]) -> None:
    # Without a procedure/function registry the library accepts any name: FalkorDB-only procedures,
    # procedures removed in Neo4j 5 and made-up functions all pass. Those need a separate check.
    assert linted[FALKOR_FULLTEXT] == []
    assert linted[REMOVED_PROCEDURE] == []
    assert linted[UNKNOWN_FUNCTION] == []


def test_errors_keeps_only_statements_with_errors(error_map: dict[str, list[str]]) -> None:
    assert set(error_map) == {
        EXISTS_PROP,
        EXISTS_PROP_MULTILINE,
        OLD_INDEX,
        SIZE_PATTERN,
        SYNTAX_ERROR,
        UNDEFINED_VARIABLE,
    }
    assert error_map[EXISTS_PROP] == [EXISTS_MESSAGE]
    assert error_map[UNDEFINED_VARIABLE] == ["Variable `m` not defined"]


def test_empty_batch_needs_no_node() -> None:
    assert lint([]) == []
    assert errors([]) == {}


def test_missing_install_names_make_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cypher_lint, "LIBRARY_DIR", tmp_path / "node_modules" / "missing")
    with pytest.raises(RuntimeError, match="make install"):
        lint([VALID])
