"""The root fields: each plans one statement from its selection, runs it once, returns maps.

``today()`` is the default as-of date. Global ids are ``base64url("Label:key")``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from graph.base import Backend
from resolvers.plan import UNRESTRICTED, Cypher, Scope, Sel
from resolvers.projections import KEYS, PROJECTORS


class NotAGlobalId(ValueError):
    """The id was not made by this service."""


def today() -> str:
    return dt.date.today().isoformat()


def global_id(label: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{label}:{key}".encode()).decode().rstrip("=")


def parse_global_id(value: str) -> tuple[str, str]:
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise NotAGlobalId(f"'{value[:40]}' is not an id of this service") from exc
    label, _, key = text.partition(":")
    if label not in KEYS or not key:
        raise NotAGlobalId(f"'{value[:40]}' is not an id of this service")
    return label, key


async def fetch_node(
    backend: Backend, label: str, key: str, sel: Sel, as_of: str | None = None, scope: Scope = UNRESTRICTED
) -> dict[str, Any] | None:
    """One node by its key, projected for ``sel``: the plan of community/person/unit/partyOrg/node."""
    q = Cypher(as_of or today(), scope)
    var = "n"
    q.line(f"MATCH ({var}:{label} {{{KEYS[label]}: $key}})")
    q.params["key"] = key
    if (restriction := q.scope.of(q, var, label)) is not None:
        q.line(restriction)  # keeps n only when the caller may see it
    projection = PROJECTORS[label](q, var, sel)
    q.line(f"RETURN {projection} AS result")
    rows = await backend.read(q.text(), q.params)
    return rows[0]["result"] if rows else None
