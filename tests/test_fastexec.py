"""The fast completion (schema/fastexec.py) answers exactly as graphql-core's own completion.

Every contract query runs on the example bundle in a real embedded FalkorDB with the served
schema (``FastExecutionContext``) and with Strawberry's stock executor; data (key order included)
and errors must be identical. Targeted selections (aliases, fragments on interfaces and unions,
@skip/@include, __typename, enums, dates) and anomalies (nulls in non-null fields, values a leaf
cannot represent, exceptions and awaitables as values, unknown runtime types) are compared
unmasked, straight through graphql-core, on the database and on a small schema of odd values.
"""

from __future__ import annotations

import asyncio
import gc
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
import strawberry
from conftest import EXAMPLE, TODAY
from contract import OPERATIONS, QUERIES, VARIABLES, gid, run
from graphql import ExecutionResult, Executor, GraphQLNonNull, execute, parse
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from graph.base import Backend
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from schema import Context, fastexec, schema
from schema.fastexec import FastExecutionContext
from schema.types import DATE_SCALAR, CommunityKind, Date, resolve_from_map, typed, typename_of

STOCK = StrawberryGraphQLCoreExecutionContext


@pytest.fixture
async def example(backend: Backend, personal: PersonalData) -> AsyncIterator[Backend]:
    assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
    yield backend


@pytest.fixture
def stock_completions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The values graphql-core's own complete_value completed, by parent type and field; "!" marks
    a non-null type, which graphql-core completes by completing its inner type."""
    seen: list[str] = []
    original = Executor.complete_value

    def counting(self: Executor, return_type: Any, fields: Any, info: Any, *args: Any) -> Any:
        non_null = "!" if isinstance(return_type, GraphQLNonNull) else ""
        seen.append(f"{info.parent_type.name}.{info.field_name}{non_null}")
        return original(self, return_type, fields, info, *args)

    monkeypatch.setattr(Executor, "complete_value", counting)
    yield seen


def outcome(result: ExecutionResult | Any) -> tuple[str, list[Any]]:
    """Data as JSON text (so that key order counts) and every error in full, unmasked."""
    errors = [
        (
            e.message,
            e.path,
            [(loc.line, loc.column) for loc in e.locations or ()],
            e.extensions,
            type(e.original_error).__name__,
            str(e.original_error),
        )
        for e in result.errors or ()
    ]
    return json.dumps(result.data, ensure_ascii=False), errors


async def served(backend: Backend, query: str, variables: dict[str, Any], executor: type[Executor]) -> Any:
    """Through the served schema (extensions, masking), with the given executor."""
    saved = schema.execution_context_class
    schema.execution_context_class = executor
    try:
        return await schema.execute(query, variable_values=variables, context_value=Context(backend=backend))
    finally:
        schema.execution_context_class = saved


async def raw(
    query: str, variables: dict[str, Any], executor: type[Executor], context: Any = None, graphql: Any = None
) -> ExecutionResult:
    """Straight through graphql-core (nothing masked), with the given executor."""
    result = execute(
        (graphql or schema._schema),
        parse(query),
        context_value=context,
        variable_values=variables,
        executor_class=executor,
    )
    if asyncio.iscoroutine(result):
        result = await result
    assert isinstance(result, ExecutionResult)
    return result


async def same(backend: Backend, query: str, **variables: Any) -> dict[str, Any]:
    fast = await raw(query, variables, FastExecutionContext, Context(backend=backend))
    stock = await raw(query, variables, STOCK, Context(backend=backend))
    assert outcome(fast) == outcome(stock)
    return {"data": fast.data, "errors": fast.errors}


def test_the_served_schema_uses_it() -> None:
    assert schema.execution_context_class is FastExecutionContext


@pytest.mark.parametrize("name", QUERIES)
async def test_contract_queries_answer_alike(
    example: Backend, name: str, stock_completions: list[str]
) -> None:
    fast = await served(example, OPERATIONS[name], VARIABLES[name], FastExecutionContext)
    by_graphql_core = [s for s in stock_completions if not s.endswith("!")]
    stock_completions.clear()
    stock = await served(example, OPERATIONS[name], VARIABLES[name], STOCK)
    assert outcome(fast) == outcome(stock)
    assert fast.errors is None and fast.data is not None
    # the fast path did the work: graphql-core completed only the objects with a field that has a
    # resolver (Community: grids, stats, pairings; Unit: pairings; PartyOrg: members)
    assert len(by_graphql_core) < len(stock_completions) / 3
    if name not in {"CommunityProfile", "CommunityPairings", "UnitPairings", "PartyOrgTree"}:
        assert by_graphql_core == []


async def test_contract_queries_other_inputs(example: Backend) -> None:
    for name, variables in [
        ("PersonCard", {"pid": "P006"}),  # hukou in a Region outside the district
        ("PersonCard", {"pid": "P004", "asOf": "2010-01-01"}),  # nulls
        ("PersonCard", {"pid": "NOBODY"}),
        ("MismatchMatrix", {"scope": "430105001", "kind": "PARTY", "asOf": "2022-01-01"}),
        (
            "ResidenceMismatches",
            {"code": "430105001001", "kind": "HUKOU", "direction": "REGISTERED_ELSEWHERE"},
        ),
        ("NodeById", {"id": gid("Community", "430105001001")}),
        ("NodeById", {"id": gid("Unit", "11430105000010011C")}),
        ("NodeById", {"id": gid("Compound", "C-A1")}),
    ]:
        await same(example, OPERATIONS[name], **variables)


async def test_aliases_and_typename(example: Backend) -> None:
    answer = await same(
        example,
        """query($pid: String!) {
          who: person(pid: $pid) {
            __typename n: name name pid again: pid
            household { t: __typename k: key place: hukouPlace { __typename c: code code } }
            residenceHistory { s: since u: until community { kind k2: kind status __typename } }
          }
          other: person(pid: "P001") { name roles { role since } }
        }""",
        pid="P003",
    )
    who = answer["data"]["who"]
    assert list(who)[:5] == ["__typename", "n", "name", "pid", "again"]
    assert who["household"]["place"] == {
        "__typename": "Community",
        "c": "430105001002",
        "code": "430105001002",
    }
    assert who["residenceHistory"][0]["community"]["kind"] == "COMMUNITY"  # an enum leaf
    assert who["residenceHistory"][0]["s"] == "2012-06-01"  # a Date leaf


async def test_fragments_on_interfaces_and_unions(example: Backend) -> None:
    fragments = """
      fragment PlaceBits on Place { code ... on Community { name status ...Street } ... on Region { name } }
      fragment Street on Community { street { __typename code } }
      fragment Target on PairingTarget {
        __typename
        ... on Node { id }
        ... on Community { code ...PlaceBits }
        ... on Compound { name type }
        ... on PartyOrg { orgId homeCommunity { ...PlaceBits } }
      }
    """
    for pid in ("P003", "P006"):
        await same(
            example,
            "query($pid: String!) { person(pid: $pid) { household { hukouPlace { __typename ...PlaceBits } } "
            "residence { community { ... on Place { ...PlaceBits } } } } }" + fragments,
            pid=pid,
        )
    answer = await same(
        example,
        "query($uscc: String!) { unit(uscc: $uscc) { pairings(includeEnded: true) { target { ...Target } } } }"
        + fragments,
        uscc="12430105000010022D",
    )
    assert answer["data"]["unit"]["pairings"][0]["target"] == {
        "__typename": "Compound", "id": gid("Compound", "C-A1"), "name": "德雅花园", "type": "COMMERCIAL",
    }  # fmt: skip
    for id_ in (gid("Person", "P001"), gid("Community", "430105001001"), gid("Grid", "43010500100101")):
        await same(
            example,
            "query($id: ID!) { node(id: $id) { __typename id ... on Person { pid ...P } "
            "... on Community { ...PlaceBits } ... on Grid { code targetHouseholds } } }"
            "fragment P on Person { residence { dwelling { building { grid { code } } } } }" + fragments,
            id=id_,
        )


@pytest.mark.parametrize(
    "flags",
    [
        {"withName": True, "noPid": False, "inner": True},
        {"withName": False, "noPid": True, "inner": False},
        {"withName": True, "noPid": True, "inner": False},
    ],
)
async def test_skip_and_include_with_variables(example: Backend, flags: dict[str, bool]) -> None:
    answer = await same(
        example,
        """query($withName: Boolean!, $noPid: Boolean!, $inner: Boolean!) {
          person(pid: "P003") {
            name @include(if: $withName)
            pid @skip(if: $noPid)
            ... @include(if: $inner) { gender residence { since } }
            ...Rest @skip(if: $inner)
            household { key @include(if: $inner) type }
          }
        }
        fragment Rest on Person { tags residence { tenure } }""",
        **flags,
    )
    person = answer["data"]["person"]
    assert ("name" in person) is flags["withName"] and ("pid" in person) is not flags["noPid"]
    assert ("gender" in person) is flags["inner"] and ("tags" in person) is not flags["inner"]


async def test_plans_kept_across_requests_follow_the_variables(
    example: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The served schema parses a document once (ParserCache), so its plans are reused across
    requests; a plan holds for one set of @skip/@include values only."""
    query = """query($pid: String!, $withName: Boolean!, $inner: Boolean = true) {
      person(pid: $pid) { name @include(if: $withName) ... on Person @include(if: $inner) { gender } }
    }"""
    monkeypatch.setattr(fastexec, "_PLANS", {})
    sizes = []
    for _round in range(2):
        for pid, with_name, inner in [("P001", True, True), ("P003", False, True), ("P002", True, False)]:
            variables = {"pid": pid, "withName": with_name, "inner": inner}
            fast = await served(example, query, variables, FastExecutionContext)
            assert outcome(fast) == outcome(await served(example, query, variables, STOCK))
            shown = {"name"} if with_name else set()
            assert fast.errors is None and set(fast.data["person"]) == shown | (
                {"gender"} if inner else set()
            )
        sizes.append(len(fastexec._PLANS))
    assert sizes == [3, 3]  # one plan (for Person) per set of values, then reused


async def test_broken_data_gives_the_same_errors(example: Backend) -> None:
    """Nulls in non-null fields, values a leaf type cannot represent: graphql-core's errors."""
    await example.write("MATCH (p:Person {pid: 'P003'}) REMOVE p.name")
    await example.write("MATCH (c:Community {code: '430105001001'}) SET c.status = 'BOGUS'")
    broken = await same(example, OPERATIONS["PersonCard"], pid="P003")
    assert broken["data"] == {"person": None}  # Person.name is non-null
    assert [e.message for e in broken["errors"]] == ["Cannot return null for non-nullable field Person.name."]
    answer = await same(example, OPERATIONS["CommunityProfile"], code="430105001001")
    assert answer["data"] == {"community": None} and answer["errors"]  # status is a non-null enum
    answer = await same(example, '{ person(pid: "P001") { residence { community { code status } } } }')
    assert answer["data"] == {"person": {"residence": {"community": None}}}
    for name, variables in VARIABLES.items():
        await same(example, OPERATIONS[name], **variables)


# ---- odd values, on a small schema of the same kind (default resolver, is_type_of, resolve_type) ----
@strawberry.interface
class Thing:
    code: str
    resolve_type = staticmethod(typename_of)


@strawberry.type
class Alpha(Thing):
    code: str
    size: int | None
    is_type_of = typed("Alpha")


@strawberry.type
class Beta(Thing):
    code: str
    kind: CommunityKind | None
    is_type_of = typed("Beta")


Either = Annotated[Alpha | Beta, strawberry.union("Either")]


@strawberry.type
class Row:
    name: str
    nick: str | None
    count: int | None
    kind: CommunityKind | None
    day: Date | None
    tags: list[str] | None
    thing: Thing | None
    things: list[Thing] | None
    either: Either | None  # Strawberry's union resolver reads the info (the field name)


@dataclass
class Plain:  # an object read by attribute, not a map
    name: Any
    nick: Any = None
    count: Any = None
    kind: Any = None
    day: Any = None
    tags: Any = None
    thing: Any = None
    things: Any = None
    either: Any = None


class Shown:
    def __str__(self) -> str:
        return "shown"


async def later(value: Any) -> Any:
    return value


def gen() -> Iterator[str]:
    yield from ("a", "b")


ODD_VALUES: dict[str, Any] = {
    "fine": lambda: [
        {"name": "a", "nick": "n", "count": 1, "kind": "VILLAGE", "day": "2020-01-01", "tags": ["x"]}
    ],
    "null item": lambda: [{"name": "a"}, None, {"name": "b"}],
    "null name": lambda: [{"name": "a"}, {"name": None}],
    "int name": lambda: [{"name": 5, "nick": True, "count": True}],
    "float count": lambda: [{"name": "a", "count": 2.0}, {"name": "b", "count": 2.5}],
    "huge count": lambda: [{"name": "a", "count": 2**40}],
    "string count": lambda: [{"name": "a", "count": "7"}, {"name": "b", "count": "x"}],
    "bad enum": lambda: [{"name": "a", "kind": "BOGUS"}],
    "enum member": lambda: [{"name": "a", "kind": CommunityKind.VILLAGE}],
    "own __str__": lambda: [{"name": Shown(), "day": Shown()}],
    "exception value": lambda: [{"name": "a", "day": ValueError("no day")}, ValueError("no row")],
    "awaitable values": lambda: [{"name": later("a"), "tags": later(["t"])}, later({"name": "b"})],
    "tuple and generator": lambda: [{"name": "a", "tags": ("x", "y")}, {"name": "b", "tags": gen()}],
    "string as list": lambda: [{"name": "a", "tags": "xy"}],
    "null in list": lambda: [{"name": "a", "tags": ["x", None]}],
    "objects": lambda: [Plain("a", thing={"__typename": "Alpha", "code": "1"}), Plain(None)],
    "dict subclass": lambda: [type("D", (dict,), {})({"name": "a"})],
    "abstract": lambda: [
        {
            "name": "a",
            "thing": {"__typename": "Alpha", "code": "1", "size": 3},
            "things": [
                {"__typename": "Beta", "code": "2", "kind": "COMMUNITY"},
                {"__typename": "Alpha", "code": "3"},
            ],
            "either": {"__typename": "Beta", "code": "4"},
        }
    ],
    "unknown type": lambda: [{"name": "a", "thing": {"__typename": "Gamma", "code": "1"}}],
    "unknown member": lambda: [{"name": "a", "either": {"__typename": "Gamma", "code": "1"}}],
    "no type": lambda: [{"name": "a", "thing": {"code": "1"}}, {"name": "b", "things": [{"code": "1"}]}],
    "interface as type": lambda: [{"name": "a", "thing": {"__typename": "Thing", "code": "1"}}],
    "type of another field": lambda: [{"name": "a", "thing": {"__typename": "Row", "code": "1"}}],
    "null code": lambda: [{"name": "a", "things": [{"__typename": "Alpha", "code": None}]}],
}


@strawberry.type
class OddQuery:
    @strawberry.field
    def rows(self, case: str) -> list[Row | None]:
        return ODD_VALUES[case]()  # type: ignore[no-any-return]

    @strawberry.field
    def strict_rows(self, case: str) -> list[Row]:
        return ODD_VALUES[case]()  # type: ignore[no-any-return]

    @strawberry.field
    async def later_rows(self, info: Info, case: str) -> list[Row] | None:
        return ODD_VALUES[case]()  # type: ignore[no-any-return]


ODD_SCHEMA = strawberry.Schema(
    query=OddQuery,
    types=[Alpha, Beta],
    config=StrawberryConfig(default_resolver=resolve_from_map, scalar_map={Date: DATE_SCALAR}),
)
ROW = """name nick count kind day tags again: name __typename
  thing { __typename code ... on Alpha { size } ... on Beta { kind } }
  things { code ...B }
  either { __typename ... on Alpha { code size } ...B } """


@pytest.mark.parametrize("case", list(ODD_VALUES))
async def test_odd_values_answer_alike(case: str) -> None:
    query = (
        "query($case: String!) { rows(case: $case) { " + ROW + " } strictRows(case: $case) { " + ROW + " } "
        "laterRows(case: $case) { " + ROW + " } } fragment B on Beta { kind __typename }"
    )
    results = []
    for executor in (FastExecutionContext, STOCK):
        result = await raw(query, {"case": case}, executor, graphql=ODD_SCHEMA._schema)
        results.append(outcome(result))
    assert results[0] == results[1]


async def test_unremarkable_values_take_the_fast_path(stock_completions: list[str]) -> None:
    query = (
        "query($case: String!) { rows(case: $case) { " + ROW + " } } fragment B on Beta { kind __typename }"
    )
    for case in ("fine", "abstract", "null item", "enum member", "int name", "dict subclass"):
        stock_completions.clear()
        result = await raw(query, {"case": case}, FastExecutionContext, graphql=ODD_SCHEMA._schema)
        assert result.errors is None and stock_completions == ["OddQuery.rows!"], case
    stock_completions.clear()
    result = await raw(query, {"case": "null name"}, FastExecutionContext, graphql=ODD_SCHEMA._schema)
    assert result.data == {"rows": [ODD_ROW_A, None]} and result.errors
    # the list fell back, then each item tried the fast path again: only the broken one fell back
    assert stock_completions == ["OddQuery.rows!", "OddQuery.rows", "OddQuery.rows", "Row.name!"]


ODD_ROW_A = {
    "name": "a", "nick": None, "count": None, "kind": None, "day": None, "tags": None, "again": "a",
    "__typename": "Row", "thing": None, "things": None, "either": None,
}  # fmt: skip


async def test_a_request_leaves_no_reference_cycles(example: Backend) -> None:
    """Every contract query, once warm, leaves nothing for the cyclic GC: garbage in cycles
    made every young-generation collection under load a pause of tens of milliseconds
    (graphql-core's execution context held its own bound methods; recursive closures)."""
    for name in QUERIES:
        await run(example, name, **VARIABLES[name])  # warm: plans, caches
    gc.collect()
    gc.disable()
    try:
        for name in QUERIES:
            await run(example, name, **VARIABLES[name])
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = Counter(type(o).__qualname__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not left, left.most_common(10)
