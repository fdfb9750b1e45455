"""Query planning: a GraphQL selection becomes ONE Cypher statement, built as data, then printed.

    sel = selection(info)                       # the root field's selection tree
    q = Cypher(as_of="2024-01-01")              # collects parameters and clauses
    q.line("MATCH (p:Person {pid: $pid})"); q.params["pid"] = pid
    person = project_person(q, "p", sel)        # adds CALL subqueries, returns a map expression
    q.line(f"RETURN {person} AS result")
    rows = await backend.read(q.text(), q.params)

Nested fields are fetched by correlated ``CALL { WITH x ... }`` subqueries (nested as deep as the
selection goes), which both Neo4j 5 and FalkorDB run correctly, unlike nested pattern
comprehensions (../shared/CYPHER.md). Every value is a parameter; labels, relationship types and
property names come from the projection code, never from the request.

A ``Scope`` (the security layer's row-level filter) is handed to every root planner and
added after the root match and after every match that reaches a person.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import FragmentSpreadNode, VariableNode
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, convert_arguments


@dataclass
class Sel:
    """One requested field: its name, response key, arguments and sub-selection."""

    name: str
    key: str
    args: dict[str, Any] = field(default_factory=dict)
    children: dict[str, Sel] = field(default_factory=dict)
    # statements planned from this selection by a planner whose statement depends on nothing else
    # (resolvers/queries.py: fetch_node); kept with the tree (``selection``), so a request with
    # the same document reuses the statement and binds only its own key and date
    plans: dict[Any, tuple[str, dict[str, Any]]] = field(default_factory=dict, compare=False, repr=False)

    def __contains__(self, name: str) -> bool:
        return any(child.name == name for child in self.children.values())

    def get(self, name: str) -> list[Sel]:
        """Every request of the field ``name`` (several when aliased with different arguments)."""
        return [child for child in self.children.values() if child.name == name]

    def one(self, name: str) -> Sel | None:
        found = self.get(name)
        return found[0] if found else None

    def names(self) -> set[str]:
        return {child.name for child in self.children.values()}


INT_ARGUMENTS = frozenset({"first", "depth", "limit", "maxHops", "year"})


def _arguments(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Argument values of a nested field; literals arrive as text and are coerced here."""
    args = dict(raw or {})
    for name, value in args.items():
        if isinstance(value, str) and name in INT_ARGUMENTS:
            args[name] = int(value)
        elif isinstance(value, str) and name == "includeEnded":
            args[name] = value == "true"
    return args


def _merge(target: dict[str, Sel], nodes: Iterable[Any], keyed_by_alias: frozenset[str]) -> None:
    for node in nodes:
        if isinstance(node, SelectedField):
            if node.name == "__typename":
                continue
            key = (node.alias or node.name) if node.name in keyed_by_alias else node.name
            sel = target.get(key)
            if sel is None:
                sel = target[key] = Sel(node.name, key, _arguments(node.arguments))
            _merge(sel.children, node.selections or (), keyed_by_alias)
        elif isinstance(node, FragmentSpread | InlineFragment):
            _merge(target, node.selections or (), keyed_by_alias)


# Fields with arguments are keyed by their response key (alias) so that the same field asked
# twice with different arguments gets two map entries; all other fields by their name.
ARGUMENT_FIELDS = frozenset({"stats", "grids", "pairings", "members"})


def selection(info: Any) -> Sel:
    """The selection tree of the root field being resolved (fragments and aliases folded in; a
    field asked twice under one response key, which GraphQL merges, is one tree).

    The nested tree is the same for every request of one document whose variables used inside it
    are equal, so it is kept (planners only read it): converting the selection took a third of a
    small request's time. The root's own arguments (a pid, a code) are converted every time."""
    raw = info._raw_info
    nodes = tuple(raw.field_nodes)
    first = nodes[0]
    root = Sel(
        first.name.value,
        first.alias.value if first.alias else first.name.value,
        _arguments(convert_arguments(raw, first.arguments)),
    )
    variables = _variables_inside(nodes, raw.fragments)
    key = (
        tuple(map(id, nodes)),
        json.dumps([raw.variable_values.get(name) for name in variables], default=str, sort_keys=True),
    )
    cached = _TREES.get(key)
    if cached is not None and all(a is b for a, b in zip(cached[0], nodes, strict=True)):
        root.children, root.plans = cached[1], cached[2]
        return root
    for field_ in info.selected_fields:
        _merge(root.children, field_.selections or (), ARGUMENT_FIELDS)
    if len(_TREES) >= _MAX_TREES:
        _TREES.clear()
    _TREES[key] = (nodes, root.children, root.plans)  # the nodes are kept alive, so their ids stay theirs
    return root


_MAX_TREES = 1024
_TREES: dict[tuple[tuple[int, ...], str], tuple[tuple[Any, ...], dict[str, Sel], dict[Any, Any]]] = {}
_VARIABLES: dict[tuple[int, ...], tuple[tuple[Any, ...], tuple[str, ...]]] = {}


def _variables_inside(nodes: tuple[Any, ...], fragments: dict[str, Any]) -> tuple[str, ...]:
    """The names of the variables used below the root fields ``nodes`` (in arguments and
    directives of nested fields and fragments), sorted; remembered per node."""
    ident = tuple(map(id, nodes))
    known = _VARIABLES.get(ident)
    if known is not None and all(a is b for a, b in zip(known[0], nodes, strict=True)):
        return known[1]
    found: set[str] = set()
    seen: set[str] = set()

    def value(node: Any) -> None:
        if isinstance(node, VariableNode):
            found.add(node.name.value)
        for item in getattr(node, "values", None) or ():  # lists
            value(item)
        for item in getattr(node, "fields", None) or ():  # input objects
            value(item.value)

    def walk(node: Any, top: bool = False) -> None:
        if not top:
            for argument in getattr(node, "arguments", None) or ():
                value(argument.value)
            for directive in getattr(node, "directives", None) or ():
                for argument in directive.arguments or ():
                    value(argument.value)
        if isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                walk(fragments[name])
            return
        selection_set = getattr(node, "selection_set", None)
        for child in selection_set.selections if selection_set else ():
            walk(child)

    for node in nodes:
        walk(node, top=True)
        for directive in node.directives or ():  # @include on the root field itself
            for argument in directive.arguments or ():
                value(argument.value)
    names = tuple(sorted(found))
    if len(_VARIABLES) >= _MAX_TREES:
        _VARIABLES.clear()
    _VARIABLES[ident] = (nodes, names)
    return names


@dataclass(frozen=True)
class Scope:
    """The row-level scope of the caller, injected into every planned query (resolvers/scope.py
    builds it from the token; ``None`` everywhere means unrestricted).

    ``community(q, var)`` is a boolean expression over a Community variable, for a WHERE.
    ``person(q, var)``, ``node(q, var, label)`` (other labels) and ``anything(q, var)`` (a node of
    any label, on a path) are *filter clauses*: a ``CALL { WITH var ... }`` that returns no row
    when the node is not visible, written as the clause right after the one that binds ``var``.
    (Visibility walks relationships, and FalkorDB accepts no pattern comprehension in a WHERE.)
    ``of(q, var, label)`` is the filter clause for a node of a known label. All values are
    parameters added through the builder. ``min_cell`` > 0 withholds aggregate cells of fewer
    persons; ``person_names`` False keeps persons out of name search.
    """

    person: Callable[[Cypher, str], str | None] = lambda q, v: None
    community: Callable[[Cypher, str], str | None] = lambda q, v: None
    node: Callable[[Cypher, str, str], str | None] = lambda q, v, label: None
    anything: Callable[[Cypher, str], str | None] = lambda q, v: None
    min_cell: int = 0
    person_names: bool = True
    # equal keys build the same statement and parameters; None: not to be reused (built ad hoc)
    key: tuple[Any, ...] | None = None

    def of(self, q: Cypher, var: str, label: str) -> str | None:
        """The filter clause for a node of a known label."""
        if label == "Person":
            return self.person(q, var)
        if label == "Community":
            expression = self.community(q, var)
            if expression is None:
                return None
            return f"CALL {{ WITH {var} WITH {var} WHERE {expression} RETURN true AS {q.var('seen')} }}"
        return self.node(q, var, label)


UNRESTRICTED = Scope(key=("everything",))


class Cypher:
    """The statement being built: clauses, parameters, fresh variable names, the as-of date."""

    def __init__(self, as_of: str, scope: Scope = UNRESTRICTED) -> None:
        self.lines: list[str] = []
        self.params: dict[str, Any] = {"asOf": as_of}
        self.scope = scope
        self._names = itertools.count()
        self._depth = 0

    def var(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}"

    def param(self, value: Any, prefix: str = "v") -> str:
        name = f"{prefix}{next(self._names)}"
        self.params[name] = value
        return f"${name}"

    def line(self, text: str) -> None:
        self.lines.append("  " * self._depth + text)

    def text(self) -> str:
        return "\n".join(self.lines)

    # ---- building blocks ----------------------------------------------------------------------
    def subquery(
        self,
        imports: list[str],
        match: str,
        build: Callable[[], str],
        *,
        where: Iterable[str | None] = (),
        many: bool = False,
        order_by: str | None = None,
        null_unless: str,
        skip_limit: tuple[str | None, str | None] = (None, None),
    ) -> str:
        """``CALL { WITH imports OPTIONAL MATCH match WHERE ... RETURN <collected> AS alias }``.

        ``build`` is called inside the subquery to produce the item's map expression (and may add
        nested subqueries first). One item becomes ``head(collect(item))``; ``many`` keeps the
        ordered list. ``null_unless`` names the variable whose absence makes the item null.
        """
        alias = self.var("r")
        self.line(f"CALL {{ WITH {', '.join(imports)}")
        self._depth += 1
        self.line(f"OPTIONAL MATCH {match}")
        conditions = [w for w in where if w]
        if conditions:
            self.line("WHERE " + " AND ".join(conditions))
        item = build()
        value = f"CASE WHEN {null_unless} IS NULL THEN null ELSE {item} END"
        if many:
            if order_by:
                self.line(f"WITH {value} AS item, {order_by} AS sortKey ORDER BY sortKey")
            else:
                self.line(f"WITH {value} AS item")
            skip, limit = skip_limit
            collected = "collect(item)"
            if skip or limit:
                collected = f"{collected}[{skip or 0}..{f'{skip or 0} + {limit}' if limit else ''}]"
            self.line(f"RETURN {collected} AS {alias}")
        else:
            self.line(f"RETURN head(collect({value})) AS {alias}")
        self._depth -= 1
        self.line("}")
        return alias

    def open_at(self, rel: str, date: str = "$asOf") -> str:
        """The relationship is open on ``date`` (a missing since means 'always was')."""
        return f"coalesce({rel}.since, '') <= {date} AND ({rel}.until IS NULL OR {rel}.until > {date})"


def map_expr(entries: dict[str, str]) -> str:
    return "{" + ", ".join(f"{key}: {value}" for key, value in entries.items()) + "}"
