"""The Starlette application: ``/graphql`` (GraphiQL on GET), ``/health``, ``/metrics`` and ``/explore``.

The database backend is owned by the app's lifespan: opened (and the embedded FalkorDB started)
before the first request, closed (and the server stopped) at shutdown.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from cross_web import HTTPException
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from graph import Backend, GraphError, connect
from resolvers import flows
from resolvers.personal import PersonalData
from schema import Context, schema
from schema.limits import PersistedOperations, Policy
from schema.unavailable import RETRY_AFTER_SECONDS
from service.auth import NOBODY, PRINCIPAL_KEY, BearerAuth
from service.bodylimit import BodyLimit
from service.explore import explore_routes
from service.ratelimit import RateLimit
from service.settings import Settings

log = logging.getLogger(__name__)

GC_THRESHOLDS = (50_000, 20, 20)  # CPython's default is (700, 10, 10)


def tune_gc() -> None:
    """For a serving process: what exists at start (modules, the schema) lives as long as the
    process, so it is kept out of the cyclic collector's scans, and young objects are collected
    less often; the collector's pauses were part of the tail of small requests under load."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


Prepare = Callable[[Backend], Awaitable[None]]


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, app: Starlette, policy: Policy, ide: bool = True) -> None:
        super().__init__(schema, graphql_ide="graphiql" if ide else None)
        self.app = app
        self.policy = policy

    async def get_context(self, request: Any, response: Any) -> Context:
        principal = request.scope.get(PRINCIPAL_KEY)
        if principal is None:  # BearerAuth lets only the GraphiQL page through without a token
            if request.method != "GET" or "query" in request.query_params:
                raise HTTPException(401, "missing bearer token")
            principal = NOBODY  # the page is rendered; no operation runs
        return Context(
            backend=self.app.state.backend,
            principal=principal,
            policy=self.policy,
            request=request,
            response=response,
            personal=self.app.state.personal,
        )


class BriefStartupErrors:
    """A database that cannot start (data directory full, read-only or in use, server unreachable)
    is reported as one line instead of a traceback; the server then exits (uvicorn: status 3)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def brief(message: Message) -> None:
            error = sys.exc_info()[1]  # Starlette sends startup.failed while handling the error
            if message["type"] == "lifespan.startup.failed" and isinstance(error, GraphError):
                message = {**message, "message": f"grassroots cannot start: {error}"}
            await send(message)

        await self.app(scope, receive, brief)


def create_app(settings: Settings, prepare: Prepare | None = None) -> Starlette:
    """The service; ``prepare`` runs once the database is up (the demo loads its district there)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        backend = await connect(settings)
        try:
            await backend.setup_schema()
            if prepare is not None:
                await prepare(backend)
            if await flows.ensure(backend):  # a store from before the flow shortcuts (or older ones)
                log.info("built the flow-matrix shortcuts of this store (resolvers/flows.py)")
            app.state.backend = backend
            app.state.personal = (
                PersonalData.from_secret(settings.secret_key) if settings.secret_key else None
            )
            yield
        finally:
            await backend.close()

    async def health(request: Request) -> Response:
        backend: Backend = request.app.state.backend
        if await backend.health():
            return JSONResponse({"status": "ok", "backend": backend.name})
        return JSONResponse(
            {"status": "unavailable", "backend": backend.name},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app = Starlette(
        routes=[Route("/health", health), Route("/metrics", metrics), *explore_routes()],
        middleware=[Middleware(BriefStartupErrors)],
        lifespan=lifespan,
    )
    graphql = GraphQLApp(app, policy(settings), ide=not settings.production)
    guarded = BodyLimit(
        BearerAuth(RateLimit(graphql, settings.rate_limit), settings.secret_key, settings.auth),
        settings.max_body_bytes,
    )  # 413, then 401, then 429, before GraphQL parses anything
    app.add_route("/graphql", guarded, methods=["GET", "POST"])  # type: ignore[arg-type]  # an ASGI app
    return app


def policy(settings: Settings) -> Policy:
    """The request rules of schema/limits.py for these settings; refuses unsafe combinations."""
    if not settings.auth:
        if settings.production:
            raise ValueError("GRASSROOTS_AUTH=off is refused when GRASSROOTS_ENV=production")
        log.warning(
            "GRASSROOTS_AUTH=off: every request is served as ADMIN without a token (local development only)"
        )
    persisted = list(settings.persisted_operations)
    return Policy(
        introspection=not settings.production,
        persisted=PersistedOperations(persisted) if persisted else None,
        staff_reveal=settings.staff_reveal,
        max_cost=settings.max_cost,
    )
