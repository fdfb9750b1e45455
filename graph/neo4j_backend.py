"""Neo4j 5 through the official async driver.

Reads run in read transactions (a cluster routes them to followers), writes in write
transactions; every transaction carries the query timeout; driver errors become graph/errors.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction
from neo4j import exceptions as neo4j_errors
from neo4j import time as neo4j_time

from graph.base import Backend, Row
from graph.errors import ConstraintViolation, GraphUnavailable, QueryFailed, QueryTimeout
from graph.model import FULLTEXT_LABELS, NODE_INDEXES, NODE_KEYS, RELATIONSHIP_INDEXES

CONNECT_TIMEOUT = 5.0  # seconds to open a connection
RETRY_TIME = 2.0  # seconds a transaction is retried after a transient error (a leader switch)


@contextmanager
def map_neo4j_errors() -> Iterator[None]:
    """Translate ``neo4j.exceptions`` into graph/errors.py where they enter."""
    try:
        yield
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as exc:
        raise GraphUnavailable(f"Neo4j is unreachable: {exc}") from exc
    except neo4j_errors.ConstraintError as exc:
        raise ConstraintViolation(str(exc.message)) from exc
    except neo4j_errors.Neo4jError as exc:
        code = exc.code or ""
        if "TransactionTimedOut" in code or "Timeout" in code:
            raise QueryTimeout(str(exc.message)) from exc
        if exc.is_retryable():
            raise GraphUnavailable(str(exc.message)) from exc
        raise QueryFailed(f"{code}: {exc.message}") from exc
    except neo4j_errors.DriverError as exc:
        raise GraphUnavailable(str(exc)) from exc


def normalise(value: Any) -> Any:
    """Plain values from driver types (temporal types become ISO strings)."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, neo4j_time.Date | neo4j_time.DateTime):
        return value.iso_format()
    return value


def schema_statements() -> list[str]:
    """Uniqueness constraints (each backed by an index) and the extra lookup indexes."""
    unique = [
        f"CREATE CONSTRAINT {label.lower()}_{prop.lower()}_unique IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
        for label, prop in NODE_KEYS.items()
    ]
    indexes = [
        f"CREATE INDEX {label.lower()}_{prop.lower()} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
        for label, prop in NODE_INDEXES
    ]
    indexes += [
        f"CREATE INDEX {rel.lower()}_{prop.lower()} IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.{prop})"
        for rel, prop in RELATIONSHIP_INDEXES
    ]
    labels = "|".join(FULLTEXT_LABELS)
    fulltext = (
        f"CREATE FULLTEXT INDEX name_grams IF NOT EXISTS FOR (n:{labels}) ON EACH [n.nameGrams] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}"
    )
    return [*unique, *indexes, fulltext]


class Neo4jBackend(Backend):
    name = "neo4j"

    def __init__(
        self,
        uri: str,
        *,
        user: str,
        password: str | None,
        database: str | None,
        query_timeout: float,
    ) -> None:
        auth = (user, password) if password is not None else None
        # The driver's defaults (30 s to connect, 60 s to get a connection, 30 s of retries with
        # back-off) let a request wait a minute or more for a server that is gone; these bound
        # it at ~11 s for a vanished host and ~3 s for one that refuses (docs/RELIABILITY.md).
        self._driver = AsyncGraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=CONNECT_TIMEOUT,
            connection_acquisition_timeout=CONNECT_TIMEOUT + query_timeout,
            max_transaction_retry_time=RETRY_TIME,
        )
        self._database = database
        self._timeout = query_timeout

    async def verify(self) -> None:
        with map_neo4j_errors():
            await self._driver.verify_connectivity()

    async def _run(self, query: str, params: dict[str, Any], *, write: bool) -> list[Row]:
        statement = neo4j.Query(query, timeout=self._timeout)

        async def work(tx: AsyncManagedTransaction) -> list[Row]:
            result = await tx.run(statement, params)  # type: ignore[arg-type]
            return [normalise(record.data()) for record in await result.fetch(10**9)]

        with map_neo4j_errors():
            async with self._driver.session(database=self._database) as session:
                if write:
                    return await session.execute_write(work)
                return await session.execute_read(work)

    def schema_statements(self) -> list[str]:
        return schema_statements()

    def fulltext(self, label: str) -> str:
        return (
            f"CALL db.index.fulltext.queryNodes('name_grams', $query) YIELD node WITH node WHERE node:{label}"
        )

    def fulltext_query(self, tokens: list[str]) -> str:
        return " AND ".join(tokens)  # tokens are lower-case letters and digits: nothing to escape

    async def _setup_schema(self) -> None:
        for statement in self.schema_statements():
            await self.write(statement)
        await self.write("CALL db.awaitIndexes(300)")

    async def health(self) -> bool:
        try:
            await self.read("RETURN 1 AS ok")
        except GraphUnavailable:
            return False
        return True

    async def close(self) -> None:
        await self._driver.close()
