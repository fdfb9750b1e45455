"""The one small interface the rest of the service uses to talk to a graph database.

Usage::

    backend = await connect(settings)          # graph/__init__.py picks Neo4j or FalkorDB
    await backend.setup_schema()
    rows = await backend.read("MATCH (c:Community {code: $code}) RETURN c.name AS name", {"code": code})
    await backend.write_batches("UNWIND $rows AS row MERGE (p:Person {pid: row.pid})", rows)
    await backend.close()

Every call is one round trip and is counted in ``grassroots_db_queries_total``. Results are plain
lists of dicts whose values are ``None``, ``bool``, ``int``, ``float``, ``str``, lists and dicts
(dates are stored and returned as ISO strings). Errors are those of graph/errors.py.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from prometheus_client import Counter

Row = dict[str, Any]
Params = Mapping[str, Any]

DB_QUERIES = Counter(
    "grassroots_db_queries",
    "Round trips to the graph database, by backend and mode (read/write).",
    ["backend", "mode"],
)

DEFAULT_BATCH = 20_000


class Pipeline:
    """Writes sent one ahead: the next batch is encoded and sent while the database still works
    on the last. Leaving the block waits for every write sent, also when the caller fails or is
    cancelled (a write is never cancelled half-sent: the server may run it anyway, and a batch
    landing after an import was undone would be left behind)."""

    def __init__(self) -> None:
        self._sent: list[asyncio.Future[Any]] = []

    async def send(self, write: Awaitable[Any]) -> None:
        """Start ``write``, then wait for the one before it."""
        self._sent.append(asyncio.ensure_future(write))
        if len(self._sent) > 1:
            await self._finish_first()

    async def __aenter__(self) -> Pipeline:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            await self._settle()
            return
        while self._sent:
            await self._finish_first()

    async def _finish_first(self) -> None:
        """Wait for the oldest write; if it failed or the wait is cancelled, wait out the rest."""
        try:
            await asyncio.shield(self._sent[0])
        except BaseException:
            await self._settle()
            raise
        self._sent.pop(0)

    async def _settle(self) -> None:
        """Wait out every write still running; their own errors give way to the caller's."""
        sent, self._sent = self._sent, []
        for task in sent:
            while not task.done():
                with contextlib.suppress(BaseException):
                    await asyncio.shield(task)
            if not task.cancelled():
                task.exception()  # retrieved: a failure here is not reported as never retrieved


class Backend(abc.ABC):
    """A graph database. Subclasses implement ``_run``, ``_setup_schema``, ``health`` and ``close``."""

    name: str = "abstract"

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        """Run a read-only statement (routed to a follower on a cluster)."""
        DB_QUERIES.labels(self.name, "read").inc()
        return await self._run(query, dict(params or {}), write=False)

    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        """Run one statement that writes, atomically."""
        DB_QUERIES.labels(self.name, "write").inc()
        return await self._run(query, dict(params or {}), write=True)

    async def write_batches(
        self,
        query: str,
        rows: Sequence[Any],
        batch_size: int = DEFAULT_BATCH,
        progress: Callable[[int], None] | None = None,
        params: Params | None = None,
    ) -> int:
        """Run ``query`` once per batch of ``rows`` (bound to ``$rows``); each batch is atomic.

        ``params`` are passed alongside ``$rows`` to every batch; ``progress`` is told how
        many rows each finished batch held. Returns the number of rows sent.
        """
        sent = 0
        async with Pipeline() as pipeline:
            for start in range(0, len(rows), batch_size):
                batch = list(rows[start : start + batch_size])
                await pipeline.send(self.write(query, {**(params or {}), "rows": batch}))
                sent += len(batch)
                if progress is not None:
                    progress(len(batch))
        return sent

    async def setup_schema(self) -> None:
        """Create the uniqueness constraints and indexes of graph/model.py, idempotently."""
        await self._setup_schema()

    @abc.abstractmethod
    async def _run(self, query: str, params: dict[str, Any], *, write: bool) -> list[Row]: ...

    @abc.abstractmethod
    async def _setup_schema(self) -> None: ...

    @abc.abstractmethod
    async def health(self) -> bool:
        """True when the database answers a trivial query now."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections (and stop an embedded server this process started)."""

    async def compact(self) -> None:  # noqa: B027 - optional hook; Neo4j needs nothing here
        """After a bulk write: store it in the compact form a restart loads fastest (no-op by default)."""

    async def clear(self) -> None:
        """Delete every node and relationship (tests, and re-seeding an empty demo store)."""
        await self.write("MATCH (n) DETACH DELETE n")

    @abc.abstractmethod
    def fulltext(self, label: str) -> str:
        """Cypher that yields ``node`` for the name-gram full-text query ``$query`` on ``label``
        (resolvers/search.py builds ``$query`` with ``fulltext_query``)."""

    @abc.abstractmethod
    def fulltext_query(self, tokens: list[str]) -> str:
        """The backend's full-text query text requiring every token."""

    def schema_statements(self) -> list[str]:
        """The DDL this backend sends in ``setup_schema`` (linted by the tests)."""
        return []
