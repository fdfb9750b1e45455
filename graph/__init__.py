"""Database access: one small backend interface (base.py), a Neo4j and a FalkorDB implementation.

``connect(settings)`` is the only place that knows which backend runs.
"""

from __future__ import annotations

from urllib.parse import urlparse

from graph.base import Backend
from graph.errors import GraphError, GraphUnavailable
from service.settings import Settings

__all__ = ["Backend", "GraphError", "GraphUnavailable", "connect"]

NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


async def connect(settings: Settings) -> Backend:
    """Open the configured backend, starting the embedded FalkorDB when GRAPH_URI is unset."""
    if settings.graph_uri is None:
        from graph.embedded import EmbeddedFalkorDB
        from graph.falkor_backend import FalkorBackend

        server = EmbeddedFalkorDB(settings.data_dir, timeout_ms=int(settings.query_timeout * 1000))
        await server.start()
        embedded = FalkorBackend(
            graph_key=settings.graph_key,
            query_timeout=settings.query_timeout,
            unix_socket=str(server.socket_path),
            server=server,
        )
        await embedded.compact_if_grown()  # in the background, in the server
        return embedded
    uri = urlparse(settings.graph_uri)
    if uri.scheme in NEO4J_SCHEMES:
        from graph.neo4j_backend import Neo4jBackend

        backend = Neo4jBackend(
            settings.graph_uri,
            user=settings.graph_user,
            password=settings.graph_password,
            database=settings.graph_database,
            query_timeout=settings.query_timeout,
        )
        await backend.verify()
        return backend
    if uri.scheme == "falkor":
        from graph.falkor_backend import FalkorBackend

        return FalkorBackend(
            graph_key=settings.graph_key,
            query_timeout=settings.query_timeout,
            host=uri.hostname,
            port=uri.port,
            password=uri.password or settings.graph_password,
        )
    if uri.scheme == "unix":  # falkor over a unix socket: unix:///path/to/falkordb.sock
        from graph.falkor_backend import FalkorBackend

        return FalkorBackend(
            graph_key=settings.graph_key, query_timeout=settings.query_timeout, unix_socket=uri.path
        )
    raise GraphError(
        f"GRAPH_URI scheme '{uri.scheme}' is not supported; use neo4j://, neo4j+s://, bolt://, "
        "falkor://host:port or unix:///path.sock"
    )
