"""The audit trail: one ``(:Audit)`` node per accepted write, stored in the graph (so it is backed
up with it) and read back by ``auditLog``.

An entry says who (actor name and role), when (UTC timestamp), which operation, which keys, and
the state before and after as JSON text. Personal fields appear only masked: entries are built
from the maps the mutations make, which never hold clear ID numbers or phones.

Mutations CREATE their entry inside their own statement (``create_clause``), so a change and its
entry are written together or not at all. ``record`` writes a stand-alone entry (a reveal of
personal data, a bundle import).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from graph.base import Backend
from resolvers.connections import decode_cursor, page_size
from resolvers.plan import Cypher


@dataclass(frozen=True)
class Actor:
    """Who makes a change: the token's name and role (``system`` for the CLI and tests)."""

    name: str = "system"
    role: str = "ADMIN"


def entry(
    actor: Actor, operation: str, keys: list[str], before: Any, after: Any, **extra: Any
) -> dict[str, Any]:
    """The properties of one entry (every value goes to Cypher as a parameter)."""
    entry_id = uuid.uuid4().hex
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    return {
        "id": entry_id,
        "at": at,
        "cursor": f"{at}|{entry_id}",  # the page order; one unindexed key (see audit_log)
        "actor": actor.name,
        "role": actor.role,
        "operation": operation,
        "keys": [str(k) for k in keys],
        "before": json.dumps(before, ensure_ascii=False, sort_keys=True),
        "after": json.dumps(after, ensure_ascii=False, sort_keys=True),
        **{k: v for k, v in extra.items() if v is not None},
    }


def create_clause(q: Cypher, props: dict[str, Any], var: str = "audit") -> None:
    """``CREATE (audit:Audit) SET audit += $props`` inside a statement being built."""
    q.line(f"CREATE ({var}:Audit) SET {var} += {q.param(props, 'audit')}")


async def record(backend: Backend, props: dict[str, Any]) -> None:
    """A stand-alone entry."""
    await backend.write("CREATE (a:Audit) SET a += $props RETURN a.id AS id", {"props": props})


async def find_idempotent(backend: Backend, key: str) -> dict[str, Any] | None:
    """The entry written under an ``Idempotency-Key`` (already scoped to its actor), if any."""
    rows = await backend.read(
        "MATCH (a:Audit {idempotencyKey: $key}) RETURN a.operation AS operation, a.response AS response LIMIT 1",
        {"key": key},
    )
    return rows[0] if rows else None


async def store_response(backend: Backend, audit_id: str, response: Any) -> None:
    """Keep the first result of an idempotent mutation, to answer its retries with."""
    await backend.write(
        "MATCH (a:Audit {id: $id}) SET a.response = $response RETURN a.id AS id",
        {"id": audit_id, "response": json.dumps(response, ensure_ascii=False)},
    )


FILTERS = {  # filter field -> Cypher condition on the entry ``a``
    "operation": "a.operation = {}",
    "actor": "a.actor = {}",
    "key": "{} IN a.keys",
    "since": "a.at >= {}",
    "until": "a.at < {}",
}


FIELDS = ".id, .at, .actor, .role, .operation, .keys, .before, .after, .reason"


async def audit_log(
    backend: Backend, first: int | None, after: str | None, filters: dict[str, str | None], want_total: bool
) -> dict[str, Any]:
    """A page of entries, newest first.

    The keyset is ``cursor`` (time, then id), deliberately not indexed: FalkorDB 4.16 answers a
    range comparison on an indexed string property wrongly (``a.k < 'x2'`` matched every node).
    """
    size = page_size(first)
    q = Cypher("")
    conditions = [FILTERS[name].format(q.param(value, "f")) for name, value in filters.items() if value]
    if want_total:
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        q.line(f"CALL {{ MATCH (a:Audit){where} RETURN count(a) AS total }}")
    if after is not None:  # newest first: after the cursor means older
        conditions.append(f"a.cursor < {q.param(decode_cursor(after, 1)[0], 'after')}")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    q.line(f"CALL {{ MATCH (a:Audit){where}")
    q.line(f"  WITH a ORDER BY a.cursor DESC LIMIT {q.param(size + 1, 'limit')}")
    q.line(f"  RETURN collect({{node: a {{{FIELDS}}}, key: [a.cursor]}}) AS page")
    q.line("}")
    q.line(f"RETURN page{', total' if want_total else ''}")
    rows = await backend.read(q.text(), q.params)
    row: dict[str, Any] = rows[0] if rows else {"page": [], "total": 0}
    page: list[Any] = row["page"]
    return {"total": row.get("total", 0), "page": page[:size], "more": len(page) > size}
