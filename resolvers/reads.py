"""Read queries behind the GraphQL root fields: one statement per root field, returning one map.

Nested GraphQL fields read the returned map; they never query the database.
"""

from __future__ import annotations

from typing import Any

from graph.base import Backend

COMMUNITY = """
    MATCH (c:Community {code: $code})
    RETURN c {.code, .name, .kind, .status,
              street: [(c)-[:IN_STREET]->(s:Street) | s {.code, .name}][0]} AS community"""

PERSON = """
    MATCH (p:Person {pid: $pid})
    RETURN p {.pid, .name, .gender, .birthYear, .idNumberMasked, .phoneMasked, .tags} AS person"""


def statements() -> list[str]:
    return [" ".join(q.split()) for q in (COMMUNITY, PERSON)]


async def community(backend: Backend, code: str) -> dict[str, Any] | None:
    rows = await backend.read(COMMUNITY, {"code": code})
    return rows[0]["community"] if rows else None


async def person(backend: Backend, pid: str) -> dict[str, Any] | None:
    rows = await backend.read(PERSON, {"pid": pid})
    return rows[0]["person"] if rows else None
