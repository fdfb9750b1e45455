"""The GraphQL schema (Strawberry). Root fields fetch one map each; nested fields read it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.types import Info

from graph.base import Backend
from resolvers import reads


@dataclass
class Context:
    """Built per request by the app's ``get_context``."""

    backend: Backend
    request: Any = None
    response: Any = None


@strawberry.type
class Street:
    code: str
    name: str


@strawberry.enum
class CommunityKind(enum.Enum):
    COMMUNITY = "COMMUNITY"
    VILLAGE = "VILLAGE"


@strawberry.enum
class CommunityStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    MERGED = "MERGED"


@strawberry.type(description="A community (社区) or village (村).")
class Community:
    code: str
    name: str
    kind: CommunityKind | None
    status: CommunityStatus
    street: Street | None

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> Community:
        street = m.get("street")
        return cls(
            code=m["code"],
            name=m["name"],
            kind=CommunityKind(m["kind"]) if m.get("kind") else None,
            status=CommunityStatus(m.get("status") or "ACTIVE"),
            street=Street(code=street["code"], name=street["name"]) if street else None,
        )


@strawberry.type(description="A resident (居民). ID number and phone are shown masked.")
class Person:
    pid: str
    name: str
    gender: str | None
    birth_year: int | None
    id_number_masked: str | None
    phone_masked: str | None
    tags: list[str]

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> Person:
        return cls(
            pid=m["pid"],
            name=m["name"],
            gender=m.get("gender"),
            birth_year=m.get("birthYear"),
            id_number_masked=m.get("idNumberMasked"),
            phone_masked=m.get("phoneMasked"),
            tags=list(m.get("tags") or []),
        )


@strawberry.type
class Query:
    @strawberry.field(description="A community by its 12-digit code.")
    async def community(self, info: Info[Context, None], code: str) -> Community | None:
        found = await reads.community(info.context.backend, code)
        return Community.from_map(found) if found else None

    @strawberry.field(description="A person by pid.")
    async def person(self, info: Info[Context, None], pid: str) -> Person | None:
        found = await reads.person(info.context.backend, pid)
        return Person.from_map(found) if found else None


class ClientError(Exception):
    """An expected failure whose message is safe to show to the client."""


def _masked(error: Any) -> bool:
    """Parse and validation errors, and ClientErrors, are shown; everything else is masked."""
    original = getattr(error, "original_error", None)
    return original is not None and not isinstance(original, ClientError)


schema = strawberry.Schema(
    query=Query,
    extensions=[
        lambda: MaskErrors(should_mask_error=_masked),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
)
