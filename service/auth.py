"""Bearer tokens: HS256 JSON Web Tokens made by ``grassroots token`` and checked on ``/graphql``.

    token = make_token(secret, Role.COMMUNITY_STAFF, sub="li", communities=("430105001001",), ttl=8 * 3600)
    principal = verify_token(secret, token)      # raises InvalidToken: expired, bad signature, ...

Claims: ``iss`` ("grassroots-graph"), ``sub``, ``name``, ``role``, ``communities``, ``street``,
``district``, ``iat``, ``exp``, ``jti`` (the rate limiter counts by it). The signing key is derived
from ``GRASSROOTS_SECRET_KEY`` with HKDF for this one purpose, so it is never the key that
encrypts personal data. Only ``alg: HS256`` is accepted (no ``none``, no key confusion).

``BearerAuth`` guards the GraphQL endpoint: a request without a valid token gets 401 with
``WWW-Authenticate: Bearer``; the GraphiQL page itself (a browser GET without a query) loads
without one, and the token goes in its Headers tab. /health, /metrics and /explore are not
behind it. With ``GRASSROOTS_AUTH=off`` every request is an ADMIN (local development).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from resolvers.personal import _derive
from resolvers.scope import ADMIN, Principal, Role
from service.responses import send_json

ISSUER = "grassroots-graph"
LEEWAY = 30  # seconds of clock difference tolerated on exp and iat
PRINCIPAL_KEY = "grassroots.principal"  # where the principal is left in the ASGI scope
NOBODY = Principal(sub="anonymous", role=Role.COMMUNITY_STAFF)  # no community: sees nothing
_TTL = re.compile(r"(\d+)([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class InvalidToken(ValueError):
    """The token cannot be trusted; the message says why (never echoes the token)."""


@functools.lru_cache(maxsize=4)  # derived once per secret, not on every request
def signing_key(secret: str) -> bytes:
    return _derive(secret.encode(), "token-hs256-v1")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("malformed token") from exc


def parse_ttl(text: str) -> int:
    """``90s``, ``30m``, ``8h``, ``7d`` (a bare number is seconds) -> seconds."""
    match = _TTL.fullmatch(text.strip())
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"--ttl: '{text}' is not a duration like 30m, 8h or 7d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def check_codes(role: Role, communities: tuple[str, ...], street: str | None, district: str | None) -> None:
    """The codes a role needs, with their lengths (SPEC.md: 6 / 9 / 12 digits)."""

    def digits(code: str, length: int, what: str) -> None:
        if not (code.isdigit() and len(code) == length):
            raise ValueError(f"{what}: '{code}' is not a {length}-digit code")

    if role is Role.COMMUNITY_STAFF and not communities:
        raise ValueError("COMMUNITY_STAFF needs at least one --community CODE")
    if role is Role.STREET_STAFF and not street:
        raise ValueError("STREET_STAFF needs --street CODE")
    if role is Role.DISTRICT_STAFF and not district:
        raise ValueError("DISTRICT_STAFF needs --district CODE")
    for code in communities:
        digits(code, 12, "--community")
    if street:
        digits(street, 9, "--street")
    if district:
        digits(district, 6, "--district")


def make_token(
    secret: str,
    role: Role,
    *,
    sub: str,
    name: str = "",
    communities: tuple[str, ...] = (),
    street: str | None = None,
    district: str | None = None,
    ttl: int = 8 * 3600,
    now: float | None = None,
) -> str:
    check_codes(role, communities, street, district)
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": ISSUER,
        "sub": sub,
        "name": name or sub,
        "role": role.value,
        "communities": list(communities),
        "street": street,
        "district": district,
        "iat": issued,
        "exp": issued + ttl,
        "jti": uuid.uuid4().hex,
    }
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signature = hmac.new(signing_key(secret), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


_VERIFIED: dict[tuple[str, str], tuple[Principal, int, int]] = {}  # (secret, token) -> checked claims
_VERIFIED_MAX = 4096


def verify_token(secret: str, token: str, now: float | None = None) -> Principal:
    """The token's principal, or InvalidToken. A token whose signature and claims were checked is
    remembered (bounded) by its exact text, so only its dates are checked again: a client sends
    the same token with every request, and the check was several percent of a small request."""
    moment = now if now is not None else time.time()
    known = _VERIFIED.get((secret, token))
    if known is None:
        known = _verify(secret, token)
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.pop(next(iter(_VERIFIED)))
        _VERIFIED[(secret, token)] = known
    principal, iat, exp = known
    if exp + LEEWAY <= moment:
        raise InvalidToken("token expired")
    if iat - LEEWAY > moment:
        raise InvalidToken("token issued in the future")
    return principal


def _verify(secret: str, token: str) -> tuple[Principal, int, int]:
    """Signature and claims, not the dates (``verify_token`` checks those on every use)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed token")
    header_text, payload_text, signature_text = parts
    try:
        header = json.loads(_unb64(header_text))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidToken("malformed token") from exc
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise InvalidToken("token algorithm must be HS256")
    expected = hmac.new(
        signing_key(secret), f"{header_text}.{payload_text}".encode(), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(expected, _unb64(signature_text)):
        raise InvalidToken("bad token signature")
    try:
        claims: Any = json.loads(_unb64(payload_text))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidToken("malformed token") from exc
    if not isinstance(claims, dict):
        raise InvalidToken("malformed token")
    if claims.get("iss") != ISSUER:
        raise InvalidToken("token issuer is not grassroots-graph")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int):
        raise InvalidToken("token has no expiry")
    try:
        role = Role(claims.get("role"))
        communities = tuple(str(c) for c in claims.get("communities") or ())
        street, district = claims.get("street"), claims.get("district")
        check_codes(role, communities, street, district)
    except ValueError as exc:
        raise InvalidToken(f"token claims are not usable: {exc}") from exc
    principal = Principal(
        sub=str(claims.get("sub") or ""),
        role=role,
        name=str(claims.get("name") or ""),
        communities=communities,
        street=street,
        district=district,
        token_id=str(claims.get("jti") or signature_text),
    )
    return principal, iat, exp


def _wants_ide(scope: Scope) -> bool:
    """A browser loading GraphiQL: GET, no query, accepts HTML (strawberry's own test)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if scope["method"] != "GET" or "query" in query:
        return False
    accept = dict(scope["headers"]).get(b"accept", b"")
    return b"text/html" in accept or b"*/*" in accept


class BearerAuth:
    """ASGI wrapper: puts the verified ``Principal`` at ``scope[PRINCIPAL_KEY]``, or answers 401."""

    def __init__(self, app: ASGIApp, secret: str | None, enabled: bool = True) -> None:
        if enabled and not secret:
            raise ValueError(
                "GRASSROOTS_SECRET_KEY is not set: it signs the API's tokens "
                "(GRASSROOTS_AUTH=off serves without tokens, for local development only)"
            )
        self.app, self.secret, self.enabled = app, secret or "", enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _wants_ide(scope):
            await self.app(scope, receive, send)
            return
        if not self.enabled:
            scope[PRINCIPAL_KEY] = ADMIN
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            await self.refuse(
                send, "missing bearer token: send Authorization: Bearer <token> (grassroots token)"
            )
            return
        try:
            scope[PRINCIPAL_KEY] = verify_token(self.secret, token.strip())
        except InvalidToken as exc:
            await self.refuse(send, str(exc))
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def refuse(send: Send, reason: str) -> None:
        await send_json(
            send,
            401,
            {"errors": [{"message": reason, "extensions": {"code": "UNAUTHENTICATED"}}]},
            [(b"www-authenticate", f'Bearer realm="{ISSUER}", error="invalid_token"'.encode())],
        )
