"""Role checks for resolvers, and the rule that keeps ANALYST at pid level.

Row-level scope is not checked here: it is a predicate in every planned statement
(resolvers/scope.py). These are the coarser questions a resolver asks before planning:

    @strawberry.mutation
    async def move_person(self, info: Info[Context, None], input: MovePersonInput) -> MovePayload:
        principal = require_role(info, *WRITERS)   # ANALYST -> error with extensions.code FORBIDDEN
        ...

``principal_of(info)`` is the caller (an unrestricted ADMIN for non-HTTP callers such as tests
and the CLI).
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import FieldNode, GraphQLError, ValidationRule

from resolvers.scope import STAFF, Principal, Role

WRITERS = (Role.ADMIN, *STAFF)  # who may change the graph

# ANALYST sees aggregates and pids, nothing person-level: these fields are refused in validation
ANALYST_PERSON_FIELDS = frozenset({"pid", "id", "__typename"})  # all a Person shows to ANALYST
ANALYST_DENIED = {
    "Contact": frozenset({"name", "phoneMasked"}),
    "Query": frozenset(
        {
            "dualResponsibility",
            "evaluationGaps",
            "path",
            "neighborhood",
            "personByIdNumber",
            "revealPersonalData",
        }
    ),
}


class Forbidden(Exception):
    """The caller's role does not allow this; shown to the client with ``extensions.code``."""

    extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}


def principal_of(info: Any) -> Principal:
    principal: Principal = info.context.principal
    return principal


def require_role(info: Any, *roles: Role) -> Principal:
    """The caller, if their role is one of ``roles``; else ``Forbidden`` (before any query)."""
    principal = principal_of(info)
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"FORBIDDEN: this needs the role {allowed}; the token has {principal.role.value}")
    return principal


class AnalystRule(ValidationRule):
    """Refuses, before execution, every person-level field an ANALYST token may not read."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        parent = self.context.get_parent_type()
        if parent is None:
            return
        name = node.name.value
        denied = (
            name not in ANALYST_PERSON_FIELDS
            if parent.name == "Person"
            else name in ANALYST_DENIED.get(parent.name, frozenset())
        )
        if denied:
            self.report_error(
                GraphQLError(
                    f"FORBIDDEN: the ANALYST role may not read {parent.name}.{name} "
                    "(persons are shown to it by pid only)",
                    node,
                    extensions={"code": "FORBIDDEN"},
                )
            )
