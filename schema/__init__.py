"""The GraphQL schema (Strawberry). Root fields plan and run one query each; nested fields read
the fetched maps (schema/types.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext, Info

from graph.base import Backend
from graph.errors import QueryTimeout
from resolvers import analysis, explore, queries
from resolvers.connections import BadPageRequest, shape_connection
from resolvers.personal import PersonalData
from resolvers.plan import Scope, selection
from resolvers.reveal import BadReveal
from resolvers.scope import ADMIN, Principal, scope_for
from schema import mutations as mutation_schema
from schema import personal as personal_schema
from schema.fastexec import FastExecutionContext
from schema.limits import DEFAULT_POLICY, Limits, Policy
from schema.mutations import AuditConnection, AuditFilter, Mutation
from schema.permissions import Forbidden
from schema.personal import PersonalDataUnavailable, PersonalField, RevealedPersonalData
from schema.types import (
    DATE_SCALAR,
    NODE_TYPES,
    CollectiveElsewhere,
    Community,
    CoverageRow,
    Date,
    DualResponsibility,
    EvaluationGap,
    MatrixCell,
    MismatchConnection,
    MismatchDirection,
    MismatchKind,
    Neighborhood,
    Node,
    PairingSuggestion,
    PartyOrg,
    Path,
    Person,
    SearchHit,
    Unit,
    UnitReporting,
    resolve_from_map,
)
from schema.unavailable import DatabaseUnavailable, unexpected


@dataclass
class Context:
    """Built per request by the app's ``get_context``."""

    backend: Backend
    principal: Principal = ADMIN  # the token's caller (service/auth.py); non-HTTP callers are ADMIN
    policy: Policy = DEFAULT_POLICY  # abuse limits and switches (schema/limits.py)
    request: Any = None
    response: Any = None
    personal: PersonalData | None = None  # seals ID numbers and phones that mutations store
    scope: Scope = field(init=False)  # the principal's row-level scope (resolvers/scope.py)

    def __post_init__(self) -> None:
        self.scope = scope_for(self.principal, queries.today())


class ClientError(Exception):
    """An expected failure whose message is safe to show to the client."""


EXPECTED = (
    ClientError,
    BadPageRequest,
    queries.NotAGlobalId,
    analysis.BadArgument,
    explore.BadExploreRequest,
    Forbidden,
    BadReveal,
    PersonalDataUnavailable,
    QueryTimeout,
)


def graph_node(info: dict[str, Any]) -> dict[str, Any]:
    return {"id": queries.global_id(info["label"], info["key"]), "label": info["label"], "name": info["name"]}


def graph_edge(edge: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": edge["type"],
        "from_": graph_node(edge["from"])["id"],  # the field is from_ in Python
        "to": graph_node(edge["to"])["id"],
        "since": edge.get("since"),
        "until": edge.get("until"),
    }


def _masked(error: Any) -> bool:
    """Errors of the request itself (parsing, validation, variable values: they have no path) and
    expected failures are shown; everything else raised while resolving is masked. A bad variable
    or Date literal carries the coercion error as ``original_error``, yet it is the client's to fix."""
    original = getattr(error, "original_error", None)
    if original is None or getattr(error, "path", None) is None:
        return False
    return not isinstance(original, (GraphQLError, *EXPECTED))


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

    @strawberry.field(description="One community's mismatches (人户分离), by person name then pid.")
    async def residence_mismatches(
        self,
        info: Info[Context, None],
        community_code: str,
        kind: MismatchKind,
        direction: MismatchDirection,
        as_of: Date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> MismatchConnection:
        page = await analysis.residence_mismatches(
            info.context.backend, selection(info), community_code, kind.value, direction.value,
            as_of or queries.today(), info.context.scope,
        )  # fmt: skip
        return shape_connection(page)  # type: ignore[return-value]

    @strawberry.field(description="Flow matrix home × residence under a district or street code.")
    async def mismatch_matrix(
        self, info: Info[Context, None], scope_code: str, kind: MismatchKind, as_of: Date | None = None
    ) -> list[MatrixCell]:
        return await analysis.mismatch_matrix(  # type: ignore[return-value]
            info.context.backend,
            selection(info),
            scope_code,
            kind.value,
            as_of or queries.today(),
            info.context.scope,
        )

    @strawberry.field(
        description="插花式: per collective org under the scope, members living outside its area."
    )
    async def collective_members_elsewhere(
        self, info: Info[Context, None], scope_code: str
    ) -> list[CollectiveElsewhere]:
        return await analysis.collective_members_elsewhere(  # type: ignore[return-value]
            info.context.backend, selection(info), scope_code, queries.today(), info.context.scope
        )

    @strawberry.field(
        description="Communities under the scope, their open pairings, their unpaired local units."
    )
    async def pairing_coverage(
        self, info: Info[Context, None], scope_code: str, as_of: Date | None = None
    ) -> list[CoverageRow]:
        return await analysis.pairing_coverage(  # type: ignore[return-value]
            info.context.backend, selection(info), scope_code, as_of or queries.today(), info.context.scope
        )

    @strawberry.field(description="Units that could pair with a community, best first, with reasons.")
    async def pairing_suggestions(
        self,
        info: Info[Context, None],
        community_code: str,
        first: int | None = 10,
        as_of: Date | None = None,
    ) -> list[PairingSuggestion]:
        count = first if first is not None else 10
        if not 1 <= count <= 100:
            raise ClientError("first: must be between 1 and 100")
        return await analysis.pairing_suggestions(  # type: ignore[return-value]
            info.context.backend, selection(info), community_code, count, as_of or queries.today(),
            info.context.scope,
        )  # fmt: skip

    @strawberry.field(description="In-service party members per unit under the scope, and how many reported.")
    async def reporting_by_unit(self, info: Info[Context, None], scope_code: str) -> list[UnitReporting]:
        return await analysis.reporting_by_unit(  # type: ignore[return-value]
            info.context.backend, selection(info), scope_code, queries.today(), info.context.scope
        )

    @strawberry.field(description="双重负责: contacts for a person in the hukou and the residence community.")
    async def dual_responsibility(self, info: Info[Context, None], pid: str) -> DualResponsibility | None:
        return await analysis.dual_responsibility(  # type: ignore[return-value]
            info.context.backend, selection(info), pid, queries.today(), info.context.scope
        )

    @strawberry.field(
        description="双重评议: reported members whose two grades for the year are missing or differ."
    )
    async def evaluation_gaps(
        self, info: Info[Context, None], community_code: str, year: int
    ) -> list[EvaluationGap]:
        return await analysis.evaluation_gaps(  # type: ignore[return-value]
            info.context.backend, selection(info), community_code, year, info.context.scope
        )

    @strawberry.field(
        description="A shortest connection between two nodes, any direction, within maxHops (≤ 6)."
    )
    async def path(
        self,
        info: Info[Context, None],
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int | None = 4,
    ) -> Path | None:  # fmt: skip
        found = await explore.shortest_path(
            info.context.backend, queries.parse_global_id(from_), queries.parse_global_id(to),
            max_hops if max_hops is not None else 4, info.context.scope,
        )  # fmt: skip
        if found is None:
            return None
        return {  # type: ignore[return-value]
            "length": found["length"],
            "nodes": [graph_node(n) for n in found["nodes"]],
            "edges": [graph_edge(e) for e in found["edges"]],
        }

    @strawberry.field(description="Everything within depth (≤ 3) hops, at most limit (≤ 500) relationships.")
    async def neighborhood(
        self, info: Info[Context, None], id: strawberry.ID, depth: int | None = 1, limit: int | None = 100
    ) -> Neighborhood | None:
        found = await explore.neighbourhood(
            info.context.backend, queries.parse_global_id(id), depth if depth is not None else 1,
            limit if limit is not None else 100, info.context.scope,
        )  # fmt: skip
        if found is None:
            return None
        return {  # type: ignore[return-value]
            "nodes": [graph_node(n) for n in found["nodes"]],
            "edges": [graph_edge(e) for e in found["edges"]],
            "truncated": found["truncated"],
        }

    @strawberry.field(
        description="Names of persons, communities, units, teams and party orgs containing text."
    )
    async def search(self, info: Info[Context, None], text: str, first: int | None = 10) -> list[SearchHit]:
        hits = await explore.search(
            info.context.backend, text, first if first is not None else 10, info.context.scope
        )
        return [graph_node(h) for h in hits]  # type: ignore[misc]

    @strawberry.field(description="The audit trail, newest first (ADMIN only).")
    async def audit_log(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter: AuditFilter | None = None,
    ) -> AuditConnection:
        return await mutation_schema.audit_log(info, first, after, filter)

    @strawberry.field(
        description="A person by exact ID number (looked up by its keyed hash): ADMIN, and staff in scope."
    )
    async def person_by_id_number(
        self, info: Info[Context, None], id_number: str, as_of: Date | None = None
    ) -> Person | None:
        return await personal_schema.person_by_id_number(info, id_number, as_of)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Clear ID number / phone of a person in scope, for a stated reason that is written to "
        "the audit log with who asked (ADMIN; staff too when GRASSROOTS_STAFF_REVEAL=on)."
    )
    async def reveal_personal_data(
        self, info: Info[Context, None], pid: str, fields: list[PersonalField], reason: str
    ) -> RevealedPersonalData | None:
        return await personal_schema.reveal_personal_data(info, pid, fields, reason)  # type: ignore[no-any-return]

    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        label, key = queries.parse_global_id(id)
        return await _node(info, label, key)  # type: ignore[no-any-return]


class ValidationCache(SchemaExtension):
    """Validation remembered per parsed document and rule set. Strawberry's own cache keys an
    ``lru_cache`` on the document, which hashes its whole syntax tree on every request (a third
    of a millisecond for PersonCard); ParserCache hands out one document object per query text,
    so its identity is the key here (the document is kept, so the identity stays its own)."""

    MAX = 256
    _cache: ClassVar[dict[tuple[int, int, Any], tuple[Any, Any, list[GraphQLError]]]] = {}

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        schema_, document, rules = ctx.schema._schema, ctx.graphql_document, ctx.validation_rules
        key = (id(schema_), id(document), rules)
        hit = self._cache.get(key)
        if hit is not None and hit[0] is schema_ and hit[1] is document:
            errors = hit[2]
        else:
            errors = validate_document(schema_, document, rules)  # type: ignore[arg-type]
            if len(self._cache) >= self.MAX:
                self._cache.clear()
            self._cache[key] = (schema_, document, errors)
        ctx.pre_execution_errors = errors
        yield


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Unexpected errors (those masked for the client) are logged in full; a database outage
        as one warning (schema/unavailable.py). The client's own errors — parsing, validation,
        variable values, expected failures — are answered, not logged: they would fill the log
        with tracebacks and could carry what the client sent, such as an ID number."""
        super().process_errors([e for e in unexpected(errors) if _masked(e)], execution_context)


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=NODE_TYPES,
    config=StrawberryConfig(default_resolver=resolve_from_map, scalar_map={Date: DATE_SCALAR}),
    execution_context_class=FastExecutionContext,  # completes fetched maps faster (schema/fastexec.py)
    extensions=[
        lambda: MaskErrors(should_mask_error=_masked),
        lambda: ParserCache(maxsize=256),
        ValidationCache,
        Limits,  # after the validation cache: it adds rules and checks the cost (schema/limits.py)
        DatabaseUnavailable,  # 503 + Retry-After instead of a masked error (schema/unavailable.py)
    ],
)
