"""A faster completion of dict-backed results, equivalent to graphql-core's.

Every root field fetches its whole answer in one statement and returns plain maps (schema/types.py);
graphql-core then completes that answer field by field — for each field a ``Path``, a resolve
info, the resolver call through Strawberry's wrapper, ``complete_value`` and its type dispatch —
about 30 µs for a MismatchMatrix cell of seven fields. ``FastExecutionContext`` completes such
values with a plan: closures compiled once per (type, field nodes, the request's Boolean
variables) and kept across requests, so that a cell costs the default resolver calls, the leaf
coercions and the type checks, nothing more.

What is fast-pathed: a value whose selection (after ``@skip``/``@include``, fragments and type
conditions, collected by graphql-core's own ``collect_subfields``) reads only *basic* Strawberry
fields — no resolver, no field extension (permission classes are one), no exception handler:
Strawberry gives exactly those fields a resolver marked ``_is_default`` that calls the schema's
default resolver as ``default_resolver(source, python_name)``, which the plan calls directly —
plus ``__typename``, lists, leaves and abstract types. The whole subtree must qualify, otherwise
the normal path completes that value (and tries the fast path again for each of its field
values). Nothing is fast-pathed when resolver middleware is installed (a schema extension with
``resolve``), for ``@defer``/``@stream``, or under a field carrying another directive.

Why it is equivalent: for those fields graphql-core's completion is a pure function of the value
— resolve each field with the default resolver, coerce leaves with ``coerce_output_value`` (the
scalar's or enum's ``serialize``), map lists, ask the abstract type's ``resolve_type`` and the
object type's ``is_type_of`` — and the plan makes the same calls in the same order, with the same
resolve info (built from the field's info with the field's name, nodes, types and path) except
for the two functions of schema/types.py known not to read it (``typename_of``, ``typed``),
which are given whichever info is at hand and need no path. The plan accepts only unremarkable
values: ``None`` (in a nullable position), leaves of type str, int, float, bool or an Enum member,
lists and tuples, objects that are neither exceptions nor awaitable. Anything else — a null in a
non-null position, an exception raised or returned, an awaitable, a failing coercion, a type
``resolve_type`` names that is not possible — abandons the fast completion of the whole value
(nothing of it was published, no error recorded) and graphql-core's own ``complete_value``
completes it, with its errors and null propagation. Default resolvers only read the value (this
schema's read maps), so completing a value twice changes nothing. Two shortcuts are exact by
construction: a value that graphql-core's coercion returns unchanged (a str for String and ID, a
bool for Boolean, a 32-bit int for Int) is not coerced, and for a plain dict the plan reads the key
that ``resolve_from_map`` (schema/types.py) would read.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable
from typing import Any, NamedTuple, TypeAlias

from graphql import (
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    NamedTypeNode,
    NonNullTypeNode,
    Undefined,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from graphql.type import GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLString
from graphql.type.scalars import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.types import graphql_name, resolve_from_map, typed, typename_of

__all__ = ["FastExecutionContext"]

Info: TypeAlias = "GraphQLResolveInfo[Any]"
# (value, path of the value, an info of this request: the field's when the plan reads it) -> completed
Complete: TypeAlias = Callable[[Any, Path, Info], Any]

_PLAIN_LEAVES = frozenset({str, int, float, bool})  # leaf values handed to coerce_output_value
_UNCHANGED = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}  # coerce(v) is v for this type
_ALLOWED_DIRECTIVES = frozenset({"skip", "include"})  # evaluated by collect_subfields
_INFO_FREE = frozenset({typename_of.__code__, typed("").__func__.__code__})  # do not read their info
_MAX_PLANS = 1024  # plans kept across requests (each keeps its document alive)
_PLANS: dict[tuple[Any, ...], tuple[Any, _Plan | None]] = {}  # key -> (what keeps its ids unique, plan)
_OBJECT_OK: dict[type, bool] = {dict: True}  # value types that may be completed as objects


class _Never:
    """The type of no value: every value of the leaf goes through its completion."""


class _Fallback(Exception):
    """Not a value the plan completes: graphql-core completes it."""


class _Ineligible(Exception):
    """The selection reads a field the plan cannot complete (a resolver, an extension, ...)."""


class _Plan(NamedTuple):
    complete: Complete
    uses_info: bool  # calls is_type_of or resolve_type with the info of its field, which reads it
    uses_path: bool  # it or a plan below it does (each below makes its field's info from a path)
    unchanged: type = _Never  # values of this type complete to themselves (str for String, ...)


def _spent(*_args: Any) -> Any:
    raise RuntimeError("this execution has ended")


_SPENT = GraphQLResolveInfoHelpers(gather=_spent, track=_spent)


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, completing basic-field subtrees with cached plans."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self._fast = middleware is None or not middleware.middlewares
        self._request: tuple[Any, ...] | None = None  # what, besides the field nodes, a plan depends on
        # (type, id(field details list)) -> (the list, kept alive so that its id stays its own; plan)
        self._plans: dict[tuple[GraphQLOutputType, int], tuple[FieldDetailsList, _Plan | None]] = {}

    def build_response(self, data: dict[str, Any] | None) -> Any:
        """The response; then the context lets go of its own bound methods. graphql-core keeps
        them in ``async_helpers``, a reference cycle that held each request's context, variables
        and HTTP request until the cyclic GC ran: about 50 objects a request, which under load
        made every young-generation collection a pause of tens of milliseconds."""
        response = super().build_response(data)
        self.async_helpers = _SPENT
        return response

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: Info,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        # graphql-core completes a non-null type by completing its inner type (here) and checking
        # for null; within a plan, each completion checks for null itself
        if self._fast and position_context is None and not isinstance(return_type, GraphQLNonNull):
            plan = self._plan(return_type, field_details_list)
            if plan is not None:
                try:
                    return plan.complete(result, path, info)
                except Exception:  # an anomaly: graphql-core completes the value
                    pass
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    # ---- planning -------------------------------------------------------------------------------
    def _plan(self, type_: GraphQLOutputType, fields: FieldDetailsList) -> _Plan | None:
        memo = self._plans.get((type_, id(fields)))
        if memo is None:
            key = self._key(type_, fields)
            shared = _PLANS.get(key) if key is not None else None
            if shared is not None:
                plan = shared[1]
            else:
                try:
                    plan = self._compile(type_, fields)
                except Exception:  # _Ineligible, or an error graphql-core will raise
                    plan = None
                if key is not None:
                    if len(_PLANS) >= _MAX_PLANS:  # the oldest goes (unless another thread took it)
                        with contextlib.suppress(StopIteration, KeyError):
                            del _PLANS[next(iter(_PLANS))]
                    document = (self.operation, *self.fragment_definitions.values())
                    _PLANS[key] = ((document, [d.node for d in fields]), plan)
            memo = self._plans[type_, id(fields)] = (fields, plan)
        return memo[1]

    def _key(self, type_: GraphQLOutputType, fields: FieldDetailsList) -> tuple[Any, ...] | None:
        """What the plan depends on: the schema, the document (the identity of its operation,
        fragments and field nodes, kept alive with the plan), the type, and the variables @skip and
        @include may read (Boolean ones; all are taken). None: not to be kept across requests."""
        if self._request is None:
            booleans = []
            for definition in self.operation.variable_definitions or ():
                type_node = definition.type
                if isinstance(type_node, NonNullTypeNode):
                    type_node = type_node.type
                if isinstance(type_node, NamedTypeNode) and type_node.name.value == "Boolean":
                    name = definition.variable.name.value
                    booleans.append((name, self.variable_values.coerced.get(name)))
            document = (id(self.operation), *(id(f) for f in self.fragment_definitions.values()))
            fragment_variables = any(f.variable_signatures for f in self.fragments.values())
            self._request = (
                () if fragment_variables else
                (self.schema, self.type_resolver, self.hide_suggestions, document, tuple(booleans))
            )  # fmt: skip
        if not self._request or any(
            d.defer_usage is not None or d.fragment_variable_values is not None for d in fields
        ):
            return None
        return (*self._request, type_, *(id(d.node) for d in fields))

    def _compile(self, type_: GraphQLOutputType, fields: FieldDetailsList, non_null: bool = False) -> _Plan:
        """The completion of ``type_`` for the selection ``fields``; raises _Ineligible."""
        if isinstance(type_, GraphQLNonNull):
            return self._compile(type_.of_type, fields, non_null=True)
        if isinstance(type_, GraphQLList):
            return _compile_list(self._compile(type_.of_type, fields), non_null)
        if is_leaf_type(type_):
            return _compile_leaf(type_, non_null)
        if is_abstract_type(type_):
            return self._compile_abstract(type_, fields, non_null)
        if is_object_type(type_):
            return self._compile_object(type_, fields, non_null)
        raise _Ineligible

    def _compile_abstract(
        self, type_: GraphQLAbstractType, fields: FieldDetailsList, non_null: bool
    ) -> _Plan:
        resolve_type = type_.resolve_type or self.type_resolver
        plans: list[_Plan] = []
        by_name: dict[str, Complete] = {}
        for possible in self.schema.get_possible_types(type_):
            plan = self._plan(possible, fields)
            if plan is not None:
                by_name[possible.name] = plan.complete
                plans.append(plan)
        uses_info = _reads_info(resolve_type) or any(p.uses_info for p in plans)

        def complete_abstract(value: Any, path: Path, info: Info) -> Any:
            if value is None or value is Undefined:
                if non_null:
                    raise _Fallback
                return None
            name = resolve_type(value, info, type_)
            complete = by_name.get(name) if type(name) is str else None
            if complete is None:
                raise _Fallback  # not a possible type (graphql-core's error), or not planned
            return complete(value, path, info)

        return _Plan(complete_abstract, uses_info, uses_info or any(p.uses_path for p in plans))

    def _compile_object(self, type_: GraphQLObjectType, fields: FieldDetailsList, non_null: bool) -> _Plan:
        grouped, new_defer_usages, _forbidden = self.collect_subfields(type_, fields)
        if new_defer_usages:
            raise _Ineligible
        typename = type_.name
        # (response key, default resolver, its python name or for __typename the type's name, the key
        # resolve_from_map reads, completion, the type of values completing to themselves, mode,
        # the field's name, nodes and type); mode 0: __typename, 1: nothing below needs a path,
        # 2: a path, 3: a path and the field's info
        steps: list[tuple[str, Any, str, str | None, Complete, type, int, tuple[Any, ...]]] = []
        uses_path = False
        for response_key, details in grouped.items():
            node = details[0].node
            for detail in details:
                directives = {d.name.value for d in detail.node.directives or ()}
                if detail.defer_usage is not None or not directives <= _ALLOWED_DIRECTIVES:
                    raise _Ineligible
            if node.name.value == "__typename":
                steps.append((response_key, None, typename, None, _typename, _Never, 0, ()))
                continue
            field = type_.fields.get(node.name.value)
            if (
                field is None
                or field.args
                or node.arguments
                or not getattr(field.resolve, "_is_default", False)
            ):
                raise _Ineligible
            definition = field.extensions.get("strawberry-definition")
            if definition is None or not definition.is_basic_field:
                raise _Ineligible
            plan = self._compile(field.type, details)
            resolver, python_name = definition.default_resolver, definition.python_name
            map_key = (
                graphql_name(python_name) if resolver is resolve_from_map and python_name != "id" else None
            )
            mode = 3 if plan.uses_info else 2 if plan.uses_path else 1
            uses_path = uses_path or plan.uses_path
            field_info = (node.name.value, [d.node for d in details], field.type)
            steps.append(
                (
                    response_key,
                    resolver,
                    python_name,
                    map_key,
                    plan.complete,
                    plan.unchanged,
                    mode,
                    field_info,
                )
            )
        is_type_of = type_.is_type_of
        uses_info = _reads_info(is_type_of)

        def complete_object(value: Any, path: Path, info: Info) -> Any:
            if value is None or value is Undefined:
                if non_null:
                    raise _Fallback
                return None
            kind = type(value)
            ok = _OBJECT_OK.get(kind)
            if ok is None:
                ok = _OBJECT_OK[kind] = not issubclass(kind, BaseException)
            if not ok or (kind is not dict and info.is_awaitable(value)):
                raise _Fallback  # exceptions (graphql-core raises them), awaitables
            if is_type_of is not None:
                checked = is_type_of(value, info)
                if checked is not True and (not checked or info.is_awaitable(checked)):
                    raise _Fallback
            completed: dict[str, Any] = {}
            is_map = kind is dict
            for key, resolver, name, map_key, complete, unchanged, mode, field_info in steps:
                if mode == 0:
                    completed[key] = name  # __typename: the type's name
                    continue
                resolved = value.get(map_key) if is_map and map_key is not None else resolver(value, name)
                if mode == 1:
                    completed[key] = (
                        resolved if type(resolved) is unchanged else complete(resolved, path, info)
                    )
                elif mode == 2:
                    completed[key] = complete(resolved, Path(path, key, typename), info)
                else:  # the info graphql-core's build_resolve_info makes for the field
                    sub_path = Path(path, key, typename)
                    field_name, nodes, return_type = field_info
                    sub_info = info._replace(
                        field_name=field_name, field_nodes=nodes, return_type=return_type,
                        parent_type=type_, path=sub_path,
                    )  # fmt: skip
                    completed[key] = complete(resolved, sub_path, sub_info)
            return completed

        return _Plan(complete_object, uses_info, uses_info or uses_path)


def _reads_info(function: Any) -> bool:
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    return function is not None and code not in _INFO_FREE


def _typename(_value: Any, _path: Path, _info: Info) -> Any:
    raise AssertionError("__typename is not completed")


def _compile_list(item: _Plan, non_null: bool) -> _Plan:
    complete_item, uses_path = item.complete, item.uses_path

    def complete_list(value: Any, path: Path, info: Info) -> Any:
        if value is None or value is Undefined:
            if non_null:
                raise _Fallback
            return None
        if type(value) is not list and type(value) is not tuple:
            raise _Fallback  # other iterables, async iterables, exceptions, awaitables
        if uses_path:
            return [complete_item(v, Path(path, i, None), info) for i, v in enumerate(value)]
        return [complete_item(v, path, info) for v in value]

    return _Plan(complete_list, item.uses_info, uses_path)


def _compile_leaf(type_: Any, non_null: bool) -> _Plan:
    coerce = type_.coerce_output_value
    unchanged = _UNCHANGED.get(type_, _Never)
    is_int = type_ is GraphQLInt
    is_enum = isinstance(type_, GraphQLEnumType)

    def complete_leaf(value: Any, _path: Path, _info: Info) -> Any:
        if value is None or value is Undefined:
            if non_null:
                raise _Fallback
            return None
        kind = type(value)
        if kind is unchanged or (is_int and kind is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT):
            return value  # what coerce_output_value returns for it
        if kind not in _PLAIN_LEAVES and not (is_enum and isinstance(value, enum.Enum)):
            raise _Fallback  # exceptions, awaitables, objects with their own __str__
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _Fallback
        return coerced

    return _Plan(complete_leaf, uses_info=False, uses_path=False, unchanged=unchanged)
