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
    """One node by its key, projected for ``sel``: the plan of community/person/unit/partyOrg/node.

    The statement depends on the label, the selection and the caller's scope, not on the key or
    the date (both parameters), so it is planned once per selection, label and scope and kept
    with the selection (planning it again was a fifth of a small request's time).
    """
    cache_key = (label, scope.key) if scope.key is not None else None
    planned = sel.plans.get(cache_key) if cache_key is not None else None
    if planned is None:
        q = Cypher("", scope)  # $key and $asOf are bound below, per request
        var = "n"
        q.line(f"MATCH ({var}:{label} {{{KEYS[label]}: $key}})")
        if (restriction := q.scope.of(q, var, label)) is not None:
            q.line(restriction)  # keeps n only when the caller may see it
        projection = PROJECTORS[label](q, var, sel)
        q.line(f"RETURN {projection} AS result")
        planned = q.text(), q.params
        if cache_key is not None:
            if len(sel.plans) >= PLANS_PER_SELECTION:
                sel.plans.pop(next(iter(sel.plans)))
            sel.plans[cache_key] = planned
    text, params = planned
    rows = await backend.read(text, {**params, "key": key, "asOf": as_of or today()})
    return rows[0]["result"] if rows else None


PLANS_PER_SELECTION = 64  # one per label and scope of the callers sending the same document
