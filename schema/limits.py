"""Abuse limits: every request is measured before it reaches the database.

One schema extension, ``Limits``, applies the per-request rules, read from the request's
``Context`` (its ``policy`` and ``principal``):

| limit | value | where |
|---|---|---|
| tokens in the document | 2,000 | the parser stops counting there |
| depth of a selection | 10 | validation |
| aliases | 20 | validation |
| estimated cost (below) | 1,000 (``Policy.max_cost``) | after validation, with the variables |
| NUL characters and lone surrogates in strings | refused | after validation (the databases cannot store them) |
| introspection | off when ``GRASSROOTS_ENV=production`` | validation |
| persisted operations | only the listed operations when ``GRASSROOTS_PERSISTED_OPERATIONS`` is set | validation |
| ANALYST | person-level fields refused (schema/permissions.py) | validation |

Page sizes (at most 100, resolvers/connections.py) and the explore bounds are checked by the
planners before they build a statement; the database's own query timeout, the body size and
the per-token rate are enforced below and above this layer (graph/, service/).

**Cost** estimates the rows a request can make the database touch: each object field costs 1
times the number of parents it is fetched for; a field with ``first`` / ``limit`` fetches that
many children (a connection's ``edges`` and ``nodes`` are those children, not more), any other
list is counted as 10; the analysis root fields add their own weight (``ROOT_WEIGHTS``: a flow
matrix walks every person of the scope). Scalars are free.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NoSchemaIntrospectionCustomRule,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    parse,
    print_ast,
)
from graphql.language import Node
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension

from resolvers.scope import Role
from schema.permissions import AnalystRule

MAX_TOKENS = 2_000
MAX_DEPTH = 10
MAX_ALIASES = 20
MAX_COST = 1_000
LIST_ESTIMATE = 10  # children assumed for a list field without first/limit
DEFAULT_PAGE = 20
ROOT_WEIGHTS = {
    "mismatchMatrix": 100,
    "collectiveMembersElsewhere": 50,
    "pairingCoverage": 50,
    "reportingByUnit": 50,
    "pairingSuggestions": 20,
    "path": 20,
    "neighborhood": 20,
    "residenceMismatches": 10,
    "search": 5,
}
PAGE_ARGUMENTS = ("first", "limit")

# built once: the validation cache keys on the rule classes
DEPTH_RULE = QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules[0]
ALIAS_RULE = MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules[0]


class PersistedOperations:
    """The operations of one or more ``.graphql`` files; a request may send only those (its text
    is compared after parsing and printing, so layout and comments do not matter)."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        allowed: set[str] = set()
        for path in paths:
            document = parse(path.read_text(encoding="utf-8"))
            allowed.update(print_ast(definition) for definition in document.definitions)
        self.allowed = frozenset(allowed)
        known = self.allowed

        class PersistedOnly(ValidationRule):
            def enter_document(self, node: DocumentNode, *_args: Any) -> None:
                for definition in node.definitions:
                    if print_ast(definition) not in known:
                        name = getattr(getattr(definition, "name", None), "value", None) or "anonymous"
                        self.report_error(
                            GraphQLError(
                                f"operation '{name}' is not a persisted operation: this service accepts "
                                "only the operations of its persisted-operations files",
                                definition,
                                extensions={"code": "PERSISTED_OPERATION_NOT_FOUND"},
                            )
                        )

        self.rule = PersistedOnly


@dataclass(frozen=True)
class Policy:
    """Per-deployment request rules; service/app.py builds one from Settings."""

    introspection: bool = True
    persisted: PersistedOperations | None = None
    staff_reveal: bool = False
    max_cost: int = MAX_COST


DEFAULT_POLICY = Policy()


class Limits(SchemaExtension):
    """Applies the table above to each operation (give it after ``ValidationCache``)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        policy: Policy = getattr(context, "policy", DEFAULT_POLICY)
        rules: list[type[Any]] = [DEPTH_RULE, ALIAS_RULE]
        if not policy.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        if policy.persisted is not None:
            rules.append(policy.persisted.rule)
        principal = getattr(context, "principal", None)
        if principal is not None and principal.role is Role.ANALYST:
            rules.append(AnalystRule)
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, *rules)
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and not ctx.pre_execution_errors:
            policy: Policy = getattr(ctx.context, "policy", DEFAULT_POLICY)
            variables = ctx.variables or {}
            error = None
            if has_unstorable_text(document, variables, ctx.query):
                error = GraphQLError(
                    "NUL characters and lone surrogates (\\ud800-\\udfff) are not accepted in a request "
                    "(the database cannot store them)",
                    extensions={"code": "BAD_REQUEST"},
                )
            else:
                cost = remembered_cost(ctx.schema._schema, document, ctx.operation_name, variables, ctx.query)
                if cost > policy.max_cost:
                    error = GraphQLError(
                        f"the request's estimated cost {cost} exceeds the maximum {policy.max_cost}: ask for "
                        "smaller pages or fewer fields per request",
                        extensions={"code": "COST_LIMIT", "cost": cost, "maximum": policy.max_cost},
                    )
            if error is not None:
                ctx.pre_execution_errors = [*(ctx.pre_execution_errors or []), error]
        yield


def unstorable(text: str) -> bool:
    """A NUL, or a lone surrogate (a JSON ``\\ud800`` escape is not Unicode text: it has no UTF-8)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_CLEAN_DOCUMENTS: dict[str, None] = {}  # query texts already walked and found clean (bounded)
REMEMBERED_TEXT = 16_384  # longer query texts are not kept by the caches here (memory stays bounded)


def has_unstorable_text(
    document: DocumentNode, variables: Mapping[str, Any], query: str | None = None
) -> bool:
    """A NUL or lone surrogate in a variable or in a string literal of the document. A document
    found clean is remembered by its text (walking it cost a third of a small request)."""
    if _unstorable_value(dict(variables)):
        return True
    if query is not None and query in _CLEAN_DOCUMENTS:
        return False
    if _unstorable_node(document):
        return True
    if query is not None and len(query) <= REMEMBERED_TEXT:
        if len(_CLEAN_DOCUMENTS) >= 1024:
            _CLEAN_DOCUMENTS.pop(next(iter(_CLEAN_DOCUMENTS)))
        _CLEAN_DOCUMENTS[query] = None
    return False


class _Reads(dict[str, Any]):
    """Variables that note which of them the estimate reads."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        super().__init__(variables)
        self.read: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.read.append(key)
        return super().get(key, default)


_ABSENT = object()
_READS: dict[tuple[int, str, str | None], tuple[str, ...]] = {}  # which variables a document's cost reads
_COSTS: dict[tuple[Any, ...], int] = {}  # (schema, text, operation, their values) -> cost


def remembered_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    query: str | None,
) -> int:
    """``estimate_cost``, remembered per query text, operation and the values of the variables it
    reads (page sizes); walking the document was about a tenth of a small request's CPU."""
    if query is None or len(query) > REMEMBERED_TEXT:
        return estimate_cost(schema, document, operation_name, variables)
    document_key = (id(schema), query, operation_name)

    def key_of(names: tuple[str, ...]) -> tuple[Any, ...]:
        return (*document_key, *(variables.get(name, _ABSENT) for name in names))

    names = _READS.get(document_key)
    if names is not None:
        try:
            return _COSTS[key_of(names)]
        except KeyError:
            pass
        except TypeError:  # a list or object where a page size goes: not remembered
            return estimate_cost(schema, document, operation_name, variables)
    reads = _Reads(variables)
    cost = estimate_cost(schema, document, operation_name, reads)
    names = tuple(dict.fromkeys(reads.read))
    with contextlib.suppress(TypeError):
        if len(_COSTS) >= 1024 or len(_READS) >= 1024:
            _COSTS.clear()
            _READS.clear()
        _COSTS[key_of(names)] = cost
        _READS[document_key] = names
    return cost


# module functions, not closures: a recursive closure is a reference cycle made on every request
def _unstorable_value(value: Any) -> bool:
    if isinstance(value, str):
        return unstorable(value)
    if isinstance(value, Mapping):
        return any(_unstorable_value(v) or _unstorable_value(k) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable_value(v) for v in value)
    return False


def _unstorable_node(node: Any) -> bool:
    if isinstance(node, StringValueNode):
        return unstorable(node.value)
    if isinstance(node, Node):
        return any(_unstorable_node(getattr(node, key, None)) for key in node.keys)
    if isinstance(node, tuple | list):
        return any(_unstorable_node(child) for child in node)
    return False


def estimate_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any]
) -> int:
    """The cost of the operation that will run (see the module's docstring)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if not chosen:
        return 0
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0

    def argument(node: FieldNode, name: str, default: Any) -> Any:
        for arg in node.arguments or ():
            if arg.name.value == name:
                value = arg.value
                if isinstance(value, VariableNode):
                    return variables.get(value.name.value, default)
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, ListValueNode | ObjectValueNode):
                    return default
                return default
        return default

    def walk(
        selection_set: SelectionSetNode | None, parent: Any, times: int, paged: bool, seen: frozenset[str]
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    target = schema.get_type(fragment.type_condition.name.value)
                    total += walk(fragment.selection_set, target, times, paged, seen | {name})
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += walk(selection.selection_set, target, times, paged, seen)
            elif isinstance(selection, FieldNode):
                if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                    continue
                field = parent.fields.get(selection.name.value)
                if field is None or selection.selection_set is None:
                    continue  # a scalar, or __typename
                name = selection.name.value
                page_arg = next((a for a in PAGE_ARGUMENTS if a in field.args), None)
                if page_arg is not None:
                    default = field.args[page_arg].default_value
                    size = argument(
                        selection, page_arg, default if isinstance(default, int) else DEFAULT_PAGE
                    )
                    size = size if isinstance(size, int) and size > 0 else DEFAULT_PAGE
                elif is_list(field.type):
                    size = 1 if paged and name in ("edges", "nodes") else LIST_ESTIMATE
                else:
                    size = 1
                weight = ROOT_WEIGHTS.get(name, 1) if parent is root else 1
                total += times * weight + walk(
                    selection.selection_set,
                    get_named_type(field.type),
                    times * size,
                    page_arg is not None,
                    seen,
                )
        return total

    return walk(operation.selection_set, root, 1, False, frozenset())


def is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)
