"""Relay connections: opaque keyset cursors, page sizes, and the Cypher for a page.

A cursor is the sort key of a row (e.g. ``[name, pid]``), JSON in URL-safe base64, so a page
starts strictly after it however many rows were added elsewhere meanwhile. ``totalCount`` is
computed only when asked.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from resolvers.plan import Cypher, Sel

DEFAULT_PAGE = 20
MAX_PAGE = 100


class BadPageRequest(ValueError):
    """A cursor or page size the client must fix; the message says how."""


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode()


def decode_cursor(cursor: str, parts: int) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise BadPageRequest(f"after: '{cursor[:40]}' is not a cursor returned by this field") from exc
    if not isinstance(key, list) or len(key) != parts or not all(_cursor_part(k) for k in key):
        raise BadPageRequest(f"after: '{cursor[:40]}' is not a cursor returned by this field")
    return key


def _cursor_part(value: Any) -> bool:
    """A value a cursor of ours can hold and the database can take as a parameter: a 64-bit int,
    null, or text without NUL or lone surrogates (a forged cursor may decode to either)."""
    if value is None:
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise BadPageRequest(f"first: must be between 0 and {MAX_PAGE}, got {first}")
    return first


def after_predicate(q: Cypher, keys: list[str], cursor: list[Any]) -> str:
    """Strictly after ``cursor`` in the order of ``keys``: (k1 > a) OR (k1 = a AND k2 > b) ..."""
    values = [q.param(v, "after") for v in cursor]
    alternatives = []
    for i, key in enumerate(keys):
        equal = [f"{keys[j]} = {values[j]}" for j in range(i)]
        alternatives.append("(" + " AND ".join([*equal, f"{key} > {values[i]}"]) + ")")
    return "(" + " OR ".join(alternatives) + ")"


def nested_connection(
    q: Cypher,
    sel: Sel,
    *,
    imports: list[str],
    match: str,
    where: list[str | None],
    node: str,
    sort_key: str,
    project: Callable[[Sel], str],
    keep: str | None = None,
) -> str:
    """A connection inside a node (``grids``, ``members``): all rows collected, then sliced.

    ``sort_key`` is one Cypher expression (a string, or a list for several keys). Fit for the
    small lists nodes hold; root connections page in the database (see ``root_page``).
    """
    first = page_size(sel.args.get("first"))
    after = sel.args.get("after")
    nodes_sel = Sel("nodes", "nodes")
    for part in ("nodes", "edges"):
        for child in sel.get(part):
            target = child if part == "nodes" else child.one("node")
            if target is not None:
                for key, grandchild in target.children.items():
                    nodes_sel.children.setdefault(key, grandchild)
    alias = q.var("conn")
    q.line(f"CALL {{ WITH {', '.join(imports)}")
    q.line(f"  OPTIONAL MATCH {match}")
    conditions = [w for w in where if w]
    if conditions:
        q.line("  WHERE " + " AND ".join(conditions))
    if keep is not None:  # a filter clause (the caller's scope, resolvers/plan.py)
        q.line("  " + keep)
    item = project(nodes_sel)
    q.line(
        f"  WITH CASE WHEN {node} IS NULL THEN null ELSE {{node: {item}, key: {sort_key}}} END AS e ORDER BY e.key"
    )
    q.line("  WITH collect(e) AS entries")
    rows = "entries"
    if after is not None:
        cursor = decode_cursor(after, 1)
        rows = f"[e IN entries WHERE e.key[0] > {q.param(cursor[0], 'after')}]"
    q.line(f"  WITH entries, {rows} AS rest")
    q.line(
        f"  RETURN {{total: size(entries), page: rest[0..{first}], more: size(rest) > {first}}} AS {alias}"
    )
    q.line("}")
    return alias


def shape_connection(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The fetched ``{total, page, more}`` as a Relay connection map."""
    raw = raw or {"total": 0, "page": [], "more": False}
    edges = [{"cursor": encode_cursor(e["key"]), "node": e["node"]} for e in raw["page"]]
    return {
        "totalCount": raw["total"],
        "edges": edges,
        "nodes": [e["node"] for e in edges],
        "pageInfo": {
            "hasNextPage": raw["more"],
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasPreviousPage": False,
            "startCursor": edges[0]["cursor"] if edges else None,
        },
    }
