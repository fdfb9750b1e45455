"""The connection (``path``) and the neighbourhood walk the domain model only, answer with a true
shortest path, and keep to the caller's scope; checked on graphs built through the importer in a
real embedded FalkorDB (and Neo4j when NEO4J_URI is set), against a breadth-first search in Python
over the relationships read back from the store.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, TODAY, Recording
from cypher_lint import errors

from graph.base import Backend
from resolvers import explore, flows, writes
from resolvers.explore import TRAVERSED
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from resolvers.plan import UNRESTRICTED, Scope
from resolvers.scope import Principal, Role, scope_for

DEYA, YANWACHI = "430105001001", "430105001002"
BUREAU = "11430105000010011C"  # 开福区民政局
DERIVED = {t for kind in flows.KINDS.values() for t in (kind.flow, kind.total)}
KEY = "coalesce(n.pid, n.code, n.orgId, n.uscc, n.teamId, n.key, n.id)"
Node = tuple[str, str]

# P010 and P011 live in two dwellings of 德雅花园1栋 (德雅村社区) and are registered in H-002, a
# 砚瓦池 household: 德雅's staff see both of them, but not the household that joins them in 2 hops.
TWO_WAYS = {
    "persons.csv": lambda t: t + "P010,孙丽,F,1991-02-02,,,汉族,\nP011,钱明,M,1993-03-03,,,汉族,\n",
    "hukou_members.csv": lambda t: t + "P010,H-002,其他,2015-01-01,\nP011,H-002,其他,2015-01-01,\n",
    "residences.csv": lambda t: t + "P010,D-A1-101,TENANT,2021-01-01,\nP011,D-A1-102,TENANT,2021-01-01,\n",
}


def staff(*communities: str) -> Scope:
    principal = Principal(sub="staff", role=Role.COMMUNITY_STAFF, communities=communities)
    return scope_for(principal, today=TODAY)


@pytest.fixture
async def example(backend: Backend, personal: PersonalData) -> Backend:
    assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
    return backend


@pytest.fixture
async def two_ways(backend: Backend, personal: PersonalData, make_bundle: Callable[..., Path]) -> Backend:
    result = await import_bundle(backend, make_bundle(**TWO_WAYS), personal, today=TODAY)
    assert result.ok, result.problems
    return backend


async def adjacency(backend: Backend) -> dict[Node, set[Node]]:
    """Every node with its neighbours over the domain relationships, either direction."""
    rows = await backend.read(
        f"MATCH (n)-[r]->(m) WHERE type(r) IN $types "
        f"RETURN labels(n)[0] AS a, {KEY} AS ak, labels(m)[0] AS b, {KEY.replace('n.', 'm.')} AS bk",
        {"types": list(TRAVERSED)},
    )
    near: dict[Node, set[Node]] = {}
    for row in rows:
        a, b = (row["a"], row["ak"]), (row["b"], row["bk"])
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)
    return near


def distances(near: dict[Node, set[Node]], start: Node) -> dict[Node, int]:
    seen = {start: 0}
    todo = deque([start])
    while todo:
        node = todo.popleft()
        for other in near.get(node, ()):
            if other not in seen:
                seen[other] = seen[node] + 1
                todo.append(other)
    return seen


def check_path(found: dict[str, Any], start: Node, end: Node) -> list[Node]:
    """The answer is a path from start to end: each edge joins the nodes beside it, none repeats."""
    nodes = [(n["label"], n["key"]) for n in found["nodes"]]
    assert nodes[0] == start and nodes[-1] == end
    assert len(set(nodes)) == len(nodes) and found["length"] == len(found["edges"]) == len(nodes) - 1
    for (left, right), edge in zip(itertools.pairwise(nodes), found["edges"], strict=True):
        ends = {(edge["from"]["label"], edge["from"]["key"]), (edge["to"]["label"], edge["to"]["key"])}
        assert ends == {left, right}, (nodes, found["edges"])
        assert edge["type"] in TRAVERSED
    return nodes


async def visible(backend: Backend, scope: Scope, node: Node) -> bool:
    """What ``node(id)`` would answer the caller: its own scope filter."""
    return await explore.neighbourhood(backend, node, 1, 1, scope) is not None


# ---- which relationships are walked --------------------------------------------------------------
def test_the_walked_types_are_exactly_the_write_paths() -> None:
    created = set(re.findall(r"\[\w*:([A-Z_]+)", "\n".join(writes.statements())))
    assert set(TRAVERSED) == created and len(TRAVERSED) == len(created)
    assert not DERIVED & set(TRAVERSED)


async def test_shortcuts_hang_only_on_the_labels_read_by_type(example: Backend) -> None:
    # explore reads the relationships of other labels all at once and filters them by type: correct
    # anyway, but a shortcut on them would make every read of their neighbours slow
    rows = await example.read(
        "MATCH (n)-[r]-() WHERE type(r) IN $derived RETURN DISTINCT labels(n)[0] AS label",
        {"derived": sorted(DERIVED)},
    )
    assert rows and {row["label"] for row in rows} <= set(explore.SHORTCUT_ENDS)


async def test_a_path_never_takes_a_flow_shortcut(example: Backend) -> None:
    # P003 and P004 are registered in 砚瓦池 and live in 德雅: a HUKOU_FLOW joins the communities
    shortcut = await example.read(
        "MATCH (:Community {code: $a})-[f:HUKOU_FLOW]-(:Community {code: $b}) RETURN count(f) AS n",
        {"a": YANWACHI, "b": DEYA},
    )
    assert shortcut[0]["n"] > 0
    found = await explore.shortest_path(
        example, ("Community", YANWACHI), ("Community", DEYA), 6, UNRESTRICTED
    )
    assert found is not None and found["length"] == 2  # through their street or a paired unit
    check_path(found, ("Community", YANWACHI), ("Community", DEYA))
    around = await explore.neighbourhood(example, ("Community", DEYA), 2, 500, UNRESTRICTED)
    assert around is not None and around["edges"]
    assert {e["type"] for e in around["edges"]} <= set(TRAVERSED)


async def test_bookkeeping_nodes_are_never_walked(example: Backend) -> None:
    # were an audit entry ever tied to two persons, it still would not join them
    await example.write(
        "MATCH (p:Person {pid: 'P001'}), (q:Person {pid: 'P006'}) "
        "CREATE (p)-[:NOTED]->(:Audit {id: 'x'})<-[:NOTED]-(q) RETURN 1 AS ok"
    )
    found = await explore.shortest_path(example, ("Person", "P001"), ("Person", "P006"), 6, UNRESTRICTED)
    assert found is not None and found["length"] == 5
    assert "Audit" not in {n["label"] for n in found["nodes"]}
    around = await explore.neighbourhood(example, ("Person", "P001"), 3, 500, UNRESTRICTED)
    assert around is not None
    assert "Audit" not in {n["label"] for n in around["nodes"]}


# ---- the length is the true distance ----------------------------------------------------------------
async def test_every_length_is_the_true_distance(example: Backend) -> None:
    near = await adjacency(example)
    nodes = sorted(near)
    for start in nodes[::3]:
        far = distances(near, start)
        for end in nodes[1::4]:
            for hops in (2, 6):
                found = await explore.shortest_path(example, start, end, hops, UNRESTRICTED)
                if start == end:
                    assert found is not None and found["length"] == 0
                elif far.get(end, 99) > hops:
                    assert found is None, (start, end, hops)
                else:
                    assert found is not None and found["length"] == far[end], (start, end, hops)
                    check_path(found, start, end)


async def test_either_direction_and_closed_edges(example: Backend) -> None:
    # P003 lived in D-B1-201 until 2020-08-31, P006 lives there: a past residence still connects
    there = await explore.shortest_path(example, ("Person", "P003"), ("Person", "P006"), 4, UNRESTRICTED)
    back = await explore.shortest_path(example, ("Person", "P006"), ("Person", "P003"), 4, UNRESTRICTED)
    assert there is not None and back is not None and there["length"] == back["length"] == 2
    for found in (there, back):
        assert {n["key"] for n in found["nodes"]} == {"P003", "D-B1-201", "P006"}
        assert sorted(str(e["until"]) for e in found["edges"]) == ["2020-08-31", "None"]


# ---- the caller's scope ------------------------------------------------------------------------------
async def test_null_when_every_shortest_path_crosses_a_hidden_node(two_ways: Backend) -> None:
    ends = ("Person", "P010"), ("Person", "P011")
    admin = await explore.shortest_path(two_ways, *ends, 6, UNRESTRICTED)
    assert admin is not None and admin["length"] == 2
    assert [n["key"] for n in admin["nodes"]] == ["P010", "H-002", "P011"]  # the only 2-hop way
    deya = staff(DEYA)
    assert await visible(two_ways, deya, ends[0]) and await visible(two_ways, deya, ends[1])
    assert not await visible(two_ways, deya, ("Household", "H-002"))
    # a 4-hop way through their building exists and is all 德雅's, but it is not a shortest one
    assert await explore.shortest_path(two_ways, *ends, 6, deya) is None
    yanwachi = await explore.shortest_path(two_ways, *ends, 6, staff(YANWACHI))  # H-002 is theirs
    assert yanwachi is not None and yanwachi["length"] == 2


async def test_a_visible_shortest_path_is_found_when_another_is_hidden(two_ways: Backend) -> None:
    # P003 and P004: both in household H-002 (砚瓦池's) and both in dwelling D-A1-102 (德雅's)
    ends = ("Person", "P003"), ("Person", "P004")
    deya = staff(DEYA)
    for start, end in (ends, ends[::-1]):
        found = await explore.shortest_path(two_ways, start, end, 4, deya)
        assert found is not None and found["length"] == 2
        nodes = check_path(found, start, end)
        assert nodes[1] == ("Dwelling", "D-A1-102")
        assert all([await visible(two_ways, deya, node) for node in nodes])
    for start, end in (ends, ends[::-1]):
        found = await explore.shortest_path(two_ways, start, end, 4, staff(YANWACHI))
        assert found is not None and found["length"] == 2  # H-002 is 砚瓦池's; D-A1-102 is not
        assert check_path(found, start, end)[1] == ("Household", "H-002")


async def test_scoped_answers_are_shortest_and_visible(two_ways: Backend) -> None:
    near = await adjacency(two_ways)
    scope = staff(DEYA)
    shown = [node for node in sorted(near) if await visible(two_ways, scope, node)]
    for start, end in itertools.combinations(shown[::3], 2):
        found = await explore.shortest_path(two_ways, start, end, 6, scope)
        if found is None:
            continue
        assert found["length"] == distances(near, start)[end]
        assert all([await visible(two_ways, scope, node) for node in check_path(found, start, end)])


# ---- the neighbourhood -------------------------------------------------------------------------------
async def test_neighbourhood_is_nearest_first_and_says_when_cut(example: Backend) -> None:
    near = await adjacency(example)
    center = ("Person", "P001")
    far = distances(near, center)
    for depth in (1, 2, 3):
        inner = {node for node, d in far.items() if d < depth}
        # a relationship is within `depth` hops when one of its ends is nearer than `depth`
        expected = await example.read(
            f"MATCH (n)-[r]->(m) WHERE type(r) IN $types RETURN labels(n)[0] AS a, {KEY} AS ak, "
            f"labels(m)[0] AS b, {KEY.replace('n.', 'm.')} AS bk, type(r) AS t, r.since AS since",
            {"types": list(TRAVERSED)},
        )
        within = [r for r in expected if (r["a"], r["ak"]) in inner or (r["b"], r["bk"]) in inner]
        whole = await explore.neighbourhood(example, center, depth, 500, UNRESTRICTED)
        assert whole is not None and not whole["truncated"]
        assert len(whole["edges"]) == len(within)
        shown = [min(far[(e["from"]["label"], e["from"]["key"])], far[(e["to"]["label"], e["to"]["key"])])
                 for e in whole["edges"]]  # fmt: skip
        assert shown == sorted(shown)  # nearest first
        cut = await explore.neighbourhood(example, center, depth, len(within) - 1, UNRESTRICTED)
        assert cut is not None and cut["truncated"] and cut["edges"] == whole["edges"][:-1]
        exact = await explore.neighbourhood(example, center, depth, len(within), UNRESTRICTED)
        assert exact is not None and not exact["truncated"]


async def test_scoped_neighbourhood_shows_only_visible_nodes(two_ways: Backend) -> None:
    scope = staff(DEYA)
    around = await explore.neighbourhood(two_ways, ("Person", "P003"), 3, 500, scope)
    everything = await explore.neighbourhood(two_ways, ("Person", "P003"), 3, 500, UNRESTRICTED)
    assert around is not None and everything is not None
    keys = {(n["label"], n["key"]) for n in around["nodes"]}
    assert ("Household", "H-002") not in keys and ("Dwelling", "D-A1-102") in keys
    assert keys < {(n["label"], n["key"]) for n in everything["nodes"]}
    assert all([await visible(two_ways, scope, node) for node in keys])


# ---- one statement each, valid on Neo4j ---------------------------------------------------------------
@pytest.mark.parametrize("backend", ["falkordb"], indirect=True)
async def test_each_shape_is_one_statement_valid_on_neo4j(example: Backend) -> None:
    recording = Recording(example)
    linted = []
    for scope, hops in itertools.product((UNRESTRICTED, staff(DEYA)), range(1, explore.MAX_HOPS + 1)):
        before = len(recording.statements)
        await explore.shortest_path(recording, ("Person", "P001"), ("Unit", BUREAU), hops, scope)
        assert len(recording.statements) == before + 1
        if hops == 2:  # the longer ones repeat the same steps (the lint takes ~1 s per 2 kB)
            linted.append(recording.statements[-1])
    for scope, depth in itertools.product((UNRESTRICTED, staff(DEYA)), range(1, explore.MAX_DEPTH + 1)):
        before = len(recording.statements)
        await explore.neighbourhood(recording, ("Person", "P001"), depth, 10, scope)
        assert len(recording.statements) == before + 1
        if depth == 2:
            linted.append(recording.statements[-1])
    await explore.shortest_path(recording, ("Person", "P001"), ("Person", "P001"), 3, staff(DEYA))
    linted.append(recording.statements[-1])
    assert errors(linted) == {}
