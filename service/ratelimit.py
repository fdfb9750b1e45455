"""Per-token rate limit: a token bucket per token, 429 with ``Retry-After`` when it is empty.

    app = RateLimit(graphql_app, per_minute=600)

Each token (its ``jti``) may burst ``per_minute`` requests and is refilled at ``per_minute / 60``
a second. The buckets live in this process (one service process per deployment); idle full
buckets are dropped so memory stays bounded. Runs behind ``BearerAuth``, which names the token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth import PRINCIPAL_KEY
from service.responses import send_json

MAX_BUCKETS = 10_000


class RateLimit:
    def __init__(self, app: ASGIApp, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.capacity, self.clock = app, float(per_minute), clock
        self.rate = per_minute / 60.0
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = self.clock()
        tokens, at = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        if tokens >= 1:
            self.buckets[key] = (tokens - 1, now)
            if len(self.buckets) > MAX_BUCKETS:
                self._forget_full(now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        for key, (tokens, at) in list(self.buckets.items()):
            if tokens + (now - at) * self.rate >= self.capacity:
                del self.buckets[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get(PRINCIPAL_KEY)
        if scope["type"] != "http" or principal is None or self.capacity <= 0:
            await self.app(scope, receive, send)
            return
        wait = self.take(principal.token_id or principal.sub)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            await send_json(
                send,
                429,
                {"errors": [{"message": f"rate limit: at most {int(self.capacity)} requests a minute per token; "
                             f"retry in {retry} s", "extensions": {"code": "RATE_LIMITED"}}]},
                [(b"retry-after", str(retry).encode())],
            )  # fmt: skip
            return
        await self.app(scope, receive, send)
