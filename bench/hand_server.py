"""The read benchmark's floor for HTTP: the hand-written queries behind the thinnest endpoint.

One Starlette route, ``POST /hand``, takes ``{"operationName": ..., "variables": ...}``, runs that
operation's hand-written Cypher (bench/read_bench.py: the same statement and the same Python that
shapes its rows) through the same ``FalkorBackend`` and answers ``{"data": ...}``. It runs under the
same uvicorn settings as the service (Python's event loop, httptools), with no token check, no
limits and no GraphQL. What it costs beyond the in-process hand-written query is what any server
over HTTP pays on this machine before it does anything of its own.

    python bench/hand_server.py --socket DATA/falkordb.sock --port 8124   # serves /hand, /health
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.naive_schema import serve
from bench.read_bench import hand_mismatches, hand_person_card
from graph.falkor_backend import FalkorBackend

HANDS = {"PersonCard": hand_person_card, "ResidenceMismatches": hand_mismatches}


def create_app(socket: str, graph_key: str) -> Starlette:
    backend = FalkorBackend(graph_key=graph_key, query_timeout=30, unix_socket=socket)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await backend.close()

    async def hand(request: Request) -> Response:
        body = await request.json()
        return JSONResponse({"data": await HANDS[body["operationName"]](backend, body["variables"])})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok" if await backend.health() else "unavailable"})

    return Starlette(
        routes=[Route("/hand", hand, methods=["POST"]), Route("/health", health)], lifespan=lifespan
    )


def main(argv: list[str] | None = None) -> int:
    return serve(create_app, (__doc__ or "").splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
