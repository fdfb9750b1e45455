"""The GraphQL schema (Strawberry). Root fields plan and run one query each; nested fields read
the fetched maps (schema/types.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from graph.base import Backend
from resolvers import queries
from resolvers.connections import BadPageRequest
from resolvers.plan import UNRESTRICTED, Scope, selection
from schema.types import (
    DATE_SCALAR,
    NODE_TYPES,
    Community,
    Date,
    Node,
    PartyOrg,
    Person,
    Unit,
    resolve_from_map,
)


@dataclass
class Context:
    """Built per request by the app's ``get_context``."""

    backend: Backend
    scope: Scope = UNRESTRICTED
    request: Any = None
    response: Any = None


class ClientError(Exception):
    """An expected failure whose message is safe to show to the client."""


EXPECTED = (ClientError, BadPageRequest, queries.NotAGlobalId)


def _masked(error: Any) -> bool:
    """Parse and validation errors and expected failures are shown; everything else is masked."""
    original = getattr(error, "original_error", None)
    return original is not None and not isinstance(original, EXPECTED)


async def _node(info: Info[Context, None], label: str, key: str, as_of: str | None = None) -> Any:
    return await queries.fetch_node(
        info.context.backend, label, key, selection(info), as_of, info.context.scope
    )


@strawberry.type
class Query:
    @strawberry.field(description="A community by its 12-digit code.")
    async def community(self, info: Info[Context, None], code: str) -> Community | None:
        return await _node(info, "Community", code)  # type: ignore[no-any-return]

    @strawberry.field(description="A person by pid; relationships as of `asOf` (default today).")
    async def person(self, info: Info[Context, None], pid: str, as_of: Date | None = None) -> Person | None:
        return await _node(info, "Person", pid, as_of)  # type: ignore[no-any-return]

    @strawberry.field(description="A unit by its USCC.")
    async def unit(self, info: Info[Context, None], uscc: str) -> Unit | None:
        return await _node(info, "Unit", uscc)  # type: ignore[no-any-return]

    @strawberry.field(description="A party organisation by id.")
    async def party_org(self, info: Info[Context, None], org_id: str) -> PartyOrg | None:
        return await _node(info, "PartyOrg", org_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        label, key = queries.parse_global_id(id)
        return await _node(info, label, key)  # type: ignore[no-any-return]


schema = strawberry.Schema(
    query=Query,
    types=NODE_TYPES,
    config=StrawberryConfig(default_resolver=resolve_from_map, scalar_map={Date: DATE_SCALAR}),
    extensions=[
        lambda: MaskErrors(should_mask_error=_masked),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
)
