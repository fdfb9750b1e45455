"""FalkorDB through the ``falkordb`` client's asyncio API (unix socket or TCP).

Only what differs from Neo4j lives here: index/constraint DDL, read-only execution
(GRAPH.RO_QUERY), per-query read timeouts, and normalising results to plain Python values.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis.asyncio as aioredis
from falkordb import Edge, Node, Path
from falkordb.asyncio import FalkorDB
from falkordb.asyncio.query_result import QueryResult
from falkordb.helpers import stringify_param_value
from redis.asyncio.connection import Connection, UnixDomainSocketConnection
from redis.exceptions import (
    BusyLoadingError,
    ResponseError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graph.base import Backend, Row
from graph.embedded import EmbeddedFalkorDB
from graph.errors import ConstraintViolation, GraphError, GraphUnavailable, QueryFailed, QueryTimeout
from graph.model import FULLTEXT_LABELS, NODE_INDEXES, NODE_KEYS, RELATIONSHIP_INDEXES

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 5.0  # seconds; a server that went away refuses at once, a vanished host takes this
READ_GRACE = 2.0  # seconds past the query timeout before a read is given up as unanswered
# Writes between rewrites of the embedded server's append-only log: a restart replays every
# statement written since the last rewrite, one by one (thousands of mutations took minutes).
COMPACT_EVERY = 1_000


@contextmanager
def map_falkordb_errors() -> Iterator[None]:
    """Translate redis/FalkorDB exceptions into graph/errors.py where they enter."""
    try:
        yield
    except BusyLoadingError as exc:
        raise GraphUnavailable("FalkorDB is loading its data set; try again shortly") from exc
    except TimeoutError as exc:  # our own deadline on a read (FalkorBackend._run)
        raise GraphUnavailable("FalkorDB did not answer in time: the server is hung or unreachable") from exc
    except (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError) as exc:
        raise GraphUnavailable(f"FalkorDB is unreachable: {exc}") from exc
    except ResponseError as exc:
        message = str(exc)
        lowered = message.lower()
        if "timed out" in lowered or "timeout" in lowered:
            raise QueryTimeout(message) from exc
        if "constraint" in lowered and ("violat" in lowered or "unique" in lowered):
            raise ConstraintViolation(message) from exc
        if "loading" in lowered:
            raise GraphUnavailable(message) from exc
        raise QueryFailed(message) from exc


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _map_keys(value: Any, keys: set[str]) -> None:
    if isinstance(value, dict):
        keys.update(value)
        for item in value.values():
            if isinstance(item, dict | list):
                _map_keys(item, keys)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                _map_keys(item, keys)


def params_header(params: dict[str, Any]) -> bytes:
    """The ``CYPHER name=value ...`` prefix that carries parameters to FalkorDB, as UTF-8.

    JSON is Cypher literal syntax once map keys are backticked, and ``json.dumps`` is ~10x faster
    than the client's per-value Python serialiser, which matters for 20k-row batches. A map key is
    the only place ``"key":`` can occur in JSON text (inside a JSON string every quote is
    escaped), so each key of the value's maps is replaced as plain bytes (bytes, because one
    character outside the BMP makes a Python str four bytes a character). JSON's ``\\u00XX``
    escapes for control characters are not understood by FalkorDB, so such values take the
    client's serialiser; NUL cannot be carried at all (FalkorDB ends the query text there) and
    is refused.
    """
    parts = [b"CYPHER"]
    for name, value in params.items():
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if "\\u00" in text:  # a control character, or a backslash-u in the data: the slow, exact way
            text = stringify_param_value(value)
            if "\x00" in text:
                raise QueryFailed(
                    f"parameter ${name} contains a NUL character, which the database cannot store"
                )
            data = text.encode()
        else:
            data = text.encode()
            keys: set[str] = set()
            _map_keys(value, keys)
            for key in keys:
                if not _IDENTIFIER.fullmatch(key):
                    raise QueryFailed(f"parameter ${name} has a map key that is not an identifier")
                data = data.replace(b'"' + key.encode() + b'":', b"`" + key.encode() + b"`:")
        parts.append(name.encode() + b"=" + data)
    return b" ".join(parts) + b" "


_SCALARS = frozenset({str, int, float, bool, type(None)})


class _NotPlain(Exception):
    """A value only the client's parser knows: a node, edge, path, point, vector or temporal."""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value if isinstance(value, str) else str(value)


def _plain(cell: list[Any]) -> Any:
    """One value of a ``--compact`` reply, ``[type, value]``, as plain data — what the client's
    parser and ``normalise`` make of it, without a coroutine per value (types: falkordb's
    ResultSetScalarTypes)."""
    kind, value = cell[0], cell[1]
    if kind == 2:  # string
        return _text(value)
    if kind == 3:  # integer
        return int(value)
    if kind == 1:  # null
        return None
    if kind == 10:  # map: key, value, key, value, ...
        return {_text(value[i]): _plain(value[i + 1]) for i in range(0, len(value), 2)}
    if kind == 6:  # array
        return [_plain(item) for item in value]
    if kind == 4:  # boolean
        return _text(value) == "true"
    if kind == 5:  # double
        return float(value)
    raise _NotPlain


def plain_rows(reply: list[Any]) -> tuple[list[str], list[list[Any]]] | None:
    """The column names and rows of a reply holding only scalars, lists and maps (nearly every
    statement here); None when the client must parse it (an error in the reply, or graph
    entities), which it does as before. Parsing each value through the client's coroutines was
    most of the cost of reading thousands of rows."""
    if isinstance(reply[0], ResponseError) or isinstance(reply[-1], ResponseError):
        return None
    if len(reply) == 1 or not reply[0]:  # statistics only, or no columns
        return [], []
    try:
        return [_text(column[1]) for column in reply[0]], [[_plain(cell) for cell in row] for row in reply[1]]
    except _NotPlain:
        return None


def normalise(value: Any) -> Any:
    """Plain dicts/lists/scalars from FalkorDB's OrderedDicts, nodes, edges and paths."""
    if type(value) in _SCALARS:  # most values: checked first, one lookup
        return value
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, Node):
        return {k: normalise(v) for k, v in value.properties.items()}
    if isinstance(value, Edge):
        return {"type": value.relation, **{k: normalise(v) for k, v in value.properties.items()}}
    if isinstance(value, Path):
        return {
            "nodes": [normalise(n) for n in value.nodes()],
            "edges": [normalise(e) for e in value.edges()],
        }
    return value


class FalkorBackend(Backend):
    """A FalkorDB graph, optionally owning the embedded server it talks to."""

    name = "falkordb"

    def __init__(
        self,
        *,
        graph_key: str,
        query_timeout: float,
        unix_socket: str | None = None,
        host: str | None = None,
        port: int | None = None,
        password: str | None = None,
        server: EmbeddedFalkorDB | None = None,
        max_connections: int = 64,
    ) -> None:
        self.server = server
        self._writes = 0  # since the last log rewrite (embedded server only)
        self.timeout_ms = max(1, int(query_timeout * 1000))
        pool_kwargs: dict[str, Any] = {
            "max_connections": max_connections,
            "timeout": query_timeout,  # waiting for a free connection
            "decode_responses": True,
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": query_timeout + 60,  # the server stops reads at query_timeout itself
            "password": password,
        }
        if unix_socket is not None:
            pool = aioredis.BlockingConnectionPool(
                connection_class=UnixDomainSocketConnection, path=unix_socket, **pool_kwargs
            )
        else:
            pool = aioredis.BlockingConnectionPool(
                connection_class=Connection, host=host or "localhost", port=port or 6379, **pool_kwargs
            )
        self._pool = pool
        self._db = FalkorDB(connection_pool=pool)
        self._graph = self._db.select_graph(graph_key)

    async def _send(self, command: list[Any], write: bool) -> Any:
        # the server stops a read at its timeout; no answer soon after means it is hung or cut
        # off, and the request must not wait out the socket timeout. Writes have no server
        # timeout (graph/embedded.py), so only the socket timeout bounds them.
        async with asyncio.timeout(None if write else self.timeout_ms / 1000 + READ_GRACE):
            return await self._graph.execute_command(*command)

    async def _run(self, query: str, params: dict[str, Any], *, write: bool) -> list[Row]:
        try:
            with map_falkordb_errors():
                text = (params_header(params) if params else b"") + query.encode()
                command: list[Any] = [
                    "GRAPH.QUERY" if write else "GRAPH.RO_QUERY",
                    self._graph.name,
                    text,
                    "--compact",
                ]
                if not write:
                    command += ["timeout", self.timeout_ms]
                try:
                    reply = await self._send(command, write)
                except RedisConnectionError as exc:
                    if write or isinstance(exc, BusyLoadingError):
                        raise
                    # a pooled connection the server closed or reset while it sat idle (the server
                    # restarted): a read is safe to send again, once, on a fresh connection
                    reply = await self._send(command, write)
                plain = plain_rows(reply)
                if plain is None:  # graph entities, or an error in the reply: the client's parser
                    result = QueryResult(self._graph)
                    await result.parse(reply)
        except GraphUnavailable:
            self._revive_server()
            raise
        except QueryFailed as exc:
            if not write and "empty key" in str(exc):
                return []  # the graph has never been written to: nothing to read
            raise
        if write and self.server is not None:
            self._writes += 1
            if self._writes >= COMPACT_EVERY:
                self._writes = 0
                try:
                    await self.compact()  # in the background, in the server
                except GraphError as exc:
                    log.warning("could not rewrite the append-only log: %s", exc)
        if plain is None:
            names = [column[1] for column in result.header]
            return [dict(zip(names, (normalise(v) for v in row), strict=True)) for row in result.result_set]
        names, rows = plain
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _revive_server(self) -> None:
        """If our embedded server died, start it again; the caller's request still fails fast, and
        the pool's connections to the dead server are replaced as they are next taken."""
        if self.server is None:
            return
        try:
            self.server.restart_if_dead()
        except OSError as exc:  # cannot fork, or write the pid file
            log.error("could not restart embedded FalkorDB: %s", exc)

    def schema_statements(self) -> list[str]:
        return [f"CREATE INDEX FOR (n:{label}) ON (n.{prop})" for label, prop in self._indexed()] + [
            f"CALL db.idx.fulltext.createNodeIndex({{label: '{label}', stopwords: []}}, 'nameGrams')"
            for label in FULLTEXT_LABELS
        ]

    def fulltext(self, label: str) -> str:
        return f"CALL db.idx.fulltext.queryNodes('{label}', $query) YIELD node"

    def fulltext_query(self, tokens: list[str]) -> str:
        return " ".join(tokens)  # RediSearch: terms separated by spaces must all match

    @staticmethod
    def _indexed() -> list[tuple[str, str]]:
        return list(NODE_KEYS.items()) + NODE_INDEXES

    async def _setup_schema(self) -> None:
        await self.write("MERGE (n:_Schema {key: 'schema'}) DELETE n")  # creates the graph key
        existing = {
            (row["label"], prop)
            for row in await self.read("CALL db.indexes() YIELD label, properties RETURN label, properties")
            for prop in row["properties"]
        }
        for (label, prop), statement in zip(self._indexed(), self.schema_statements(), strict=False):
            if (label, prop) not in existing:
                await self.write(statement)
        for label, statement in zip(
            FULLTEXT_LABELS, self.schema_statements()[len(self._indexed()) :], strict=True
        ):
            if (label, "nameGrams") not in existing:
                await self.write(statement)
        for rel, prop in RELATIONSHIP_INDEXES:
            if (rel, prop) not in existing:
                await self.write(f"CREATE INDEX FOR ()-[r:{rel}]-() ON (r.{prop})")
        with map_falkordb_errors():
            constraints = await self._graph.list_constraints()
        have = {(c["label"], tuple(c["properties"])) for c in constraints if c["type"] == "UNIQUE"}
        for label, prop in NODE_KEYS.items():
            if (label, (prop,)) not in have:
                with map_falkordb_errors():
                    await self._graph.create_node_unique_constraint(label, prop)

    async def compact(self) -> None:
        """Rewrite the append-only file as a snapshot, so a restart loads the graph instead of
        replaying every import batch (which took minutes for 20k persons and scans without the
        indexes that are still being built)."""
        with map_falkordb_errors():
            try:
                await self._db.connection.execute_command("BGREWRITEAOF")
            except ResponseError as exc:  # one already running is as good
                if "in progress" not in str(exc).lower() and "already" not in str(exc).lower():
                    raise

    async def rewrite_finished(self, seconds: float = 120.0) -> dict[str, Any]:
        """Wait until no log rewrite runs or is scheduled; the server's persistence figures."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            with map_falkordb_errors():
                stats: dict[str, Any] = await self._db.connection.info("persistence")
            if not stats["aof_rewrite_in_progress"] and not stats["aof_rewrite_scheduled"]:
                return stats
            if asyncio.get_running_loop().time() > deadline:
                raise GraphUnavailable(f"the log rewrite did not finish in {seconds:.0f} s")
            await asyncio.sleep(0.05)

    async def compact_if_grown(self) -> bool:
        """Rewrite the log if writes were appended since its last rewrite; True when it did.
        Called when the embedded server starts: the count behind COMPACT_EVERY starts again at 0
        in every process, so a service restarted between fewer writes than that never rewrote
        its log, and every start replayed a longer tail of it (22 s on a 200k-person store that
        had been served many times; docs/PERFORMANCE.md)."""
        with map_falkordb_errors():
            stats = await self._db.connection.info("persistence")
        if int(stats.get("aof_current_size", 0)) <= int(stats.get("aof_base_size", 0)):
            return False
        await self.compact()
        return True

    async def health(self) -> bool:
        try:
            await self.read("RETURN 1 AS ok")
        except GraphUnavailable:
            return False
        return True

    async def close(self) -> None:
        await self._pool.aclose()
        if self.server is not None:
            await self.server.stop()
