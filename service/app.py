"""The Starlette application: ``/graphql`` (GraphiQL on GET), ``/health`` and ``/metrics``.

The database backend is owned by the app's lifespan: opened (and the embedded FalkorDB started)
before the first request, closed (and the server stopped) at shutdown.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from graph import Backend, connect
from schema import Context, schema
from service.settings import Settings

log = logging.getLogger(__name__)

Prepare = Callable[[Backend], Awaitable[None]]


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, app: Starlette) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.app = app

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(backend=self.app.state.backend, request=request, response=response)


def create_app(settings: Settings, prepare: Prepare | None = None) -> Starlette:
    """The service; ``prepare`` runs once the database is up (the demo loads its district there)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        backend = await connect(settings)
        try:
            await backend.setup_schema()
            if prepare is not None:
                await prepare(backend)
            app.state.backend = backend
            yield
        finally:
            await backend.close()

    async def health(request: Request) -> Response:
        backend: Backend = request.app.state.backend
        if await backend.health():
            return JSONResponse({"status": "ok", "backend": backend.name})
        return JSONResponse({"status": "unavailable", "backend": backend.name}, status_code=503)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app = Starlette(
        routes=[Route("/health", health), Route("/metrics", metrics)],
        lifespan=lifespan,
    )
    graphql = GraphQLApp(app)
    app.add_route("/graphql", graphql, methods=["GET", "POST"])  # type: ignore[arg-type]  # an ASGI app
    return app
