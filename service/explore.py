"""The explorer page: ``/explore`` and its built assets under ``/explore/assets/``.

The page (source in ``web/``, built into ``web/dist`` by ``make install``) holds no data: it asks
``/graphql`` with the user's token, so these routes need none. Every script, style and font is
served from ``web/dist``; the Content-Security-Policy keeps the page on this origin. When the
assets were not built, both routes answer 503 with a page that says how to build them.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

NOT_BUILT = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>浏览页面尚未构建 · Explorer not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>浏览页面尚未构建</h1>
<p>服务找不到浏览页面的文件（<code>{dist}</code>）。请在项目目录运行 <code>make install</code>
（其中执行 <code>npm ci</code> 和 <code>npm run build</code>，目录 <code>web/</code>），然后重新打开本页。</p>
<p lang="en">The explorer's assets were not built: run <code>make install</code> (it runs
<code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>) and reload.</p>
<p>GraphQL 接口不受影响：<a href="/graphql">/graphql</a></p>
</body></html>
"""


def not_built(dist: Path) -> Response:
    return HTMLResponse(NOT_BUILT.format(dist=dist), status_code=503, headers={"Retry-After": "60"})


class Assets:
    """StaticFiles for the hashed assets, or the 503 page while they are not built."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist
        self.files = StaticFiles(directory=dist / "assets", check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (self.dist / "assets").is_dir():
            await not_built(self.dist)(scope, receive, send)
            return
        await self.files(scope, receive, send)


def explore_routes(dist: Path = DIST) -> list[BaseRoute]:
    """The routes to add to the app: ``routes=[..., *explore_routes()]``."""

    async def page(request: Request) -> Response:
        index = dist / "index.html"
        if not index.is_file():
            return not_built(dist)
        headers = {
            "Content-Security-Policy": POLICY,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=headers)

    return [Route("/explore", page, methods=["GET"]), Mount("/explore/assets", app=Assets(dist))]
