"""Every Cypher statement the service can send to Neo4j passes Neo4j's own front end with no error.

The statements come from the one place each concern keeps its Cypher: the write path, the
importer's lookups, export, check, the read queries, and the Neo4j adapter's own DDL. FalkorDB's
adapter statements (its index DDL and procedures) are never sent to Neo4j and are not linted here.
"""

from __future__ import annotations

import pytest
from cypher_lint import errors

from graph.neo4j_backend import schema_statements as neo4j_schema_statements
from resolvers import check, export, reads, writes
from resolvers.ledger import lookups

GENERIC = [
    "RETURN 1 AS ok",
    "MATCH (n) DETACH DELETE n",
    "CALL db.awaitIndexes(300)",
    "MATCH (p:Person) RETURN p.pid AS pid LIMIT 1",
]


SOURCES = {
    "writes": writes.statements(),
    "lookups": lookups.lookup_statements(),
    "export": export.statements(),
    "check": check.statements(),
    "reads": reads.statements(),
    "neo4j adapter": neo4j_schema_statements(),
    "generic": GENERIC,
}


def test_every_statement_is_valid_on_neo4j() -> None:
    statements = [s for group in SOURCES.values() for s in group]
    assert len(statements) > 80  # the registry really holds the service's statements
    assert errors(statements) == {}


@pytest.mark.parametrize("bad", ["MATCH (n) WHERE exists(n.x) RETURN n", "CREATE INDEX ON :Person(pid)"])
def test_the_lint_rejects_what_neo4j_rejects(bad: str) -> None:
    assert bad in errors([bad])
