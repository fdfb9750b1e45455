"""Exploring the graph: name search, the shortest connection between two nodes, and a bounded
neighbourhood for drawing.

Both walks go over the domain model's relationships only (``TRAVERSED``), in either direction,
closed ones included (a connection through a past residence is still a connection; every edge
carries its ``since``/``until`` for the client to show). The flow-matrix shortcuts
(resolvers/flows.py) and bookkeeping nodes (``Audit``, ``Shortcut``) are never walked.

A connection is a bidirectional breadth-first search written out as ONE statement: each step
grows the cheaper side by one hop (cheaper = fewer relationships to read, estimated from a sample
of its nodes), and the first step at which the two sides share a node gives the shortest length.
``allShortestPaths`` cannot do this at scale: it reads everything within the distance from one end
and then enumerates paths through hubs (a community, an outside region): minutes on a district of
1M persons. FalkorDB has ``shortestPath`` only directed, so it cannot answer "either direction".
A neighbourhood is read level by level, nearest first, and stops at its limit. Hop counts are
small integers from fixed ranges that shape the statement (Cypher takes no parameters there),
never text from the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from graph.base import Backend
from resolvers.plan import Cypher, Scope
from resolvers.projections import KEYS
from resolvers.search import MAX_RESULTS, SEARCHABLE, letters, query_grams

NODE_KEY = "coalesce(n.pid, n.code, n.orgId, n.uscc, n.teamId, n.key, n.id)"
MAX_HOPS = 6
MAX_DEPTH = 3
MAX_NEIGHBOURS = 500

# The domain model's relationship types (SPEC.md "Graph model"; the write path, resolvers/writes.py,
# creates exactly these). Anything else in the graph is derived or bookkeeping.
TRAVERSED: Final[tuple[str, ...]] = (
    "IN_DISTRICT", "IN_STREET", "PART_OF", "MERGED_INTO", "CONTINUED_AS", "IN_COMMUNITY",
    "IN_COMPOUND", "IN_GRID", "IN_AREA", "IN_BUILDING", "HUKOU_MEMBER", "HUKOU_AT", "LIVES_IN",
    "SUBORDINATE_TO", "BASED_IN", "COVERS", "PARTY_MEMBER_OF", "REPORTED_TO", "EVALUATES",
    "ISSUED_BY", "LOCATED_IN", "EMPLOYED_BY", "PAIRED_WITH", "IN_TEAM", "SERVES_AS", "OF_AREA",
    "COLLECTIVE_MEMBER_OF",
)  # fmt: skip
# The labels the flow shortcuts hang on (resolvers/flows.py: home and residence of a flow), with
# thousands of them per node: their relationships are read by type. Every other node's are read
# all at once and filtered by type, which FalkorDB does several times faster than a typed read.
SHORTCUT_ENDS: Final[tuple[str, ...]] = ("Community", "Region")
COUNT_SAMPLE = 200  # frontier nodes whose relationships are counted when choosing the side to grow
COUNT_CAP = 100_000  # ... at most


class BadExploreRequest(ValueError):
    """An argument out of its range; the message names it."""


def node_info(var: str) -> str:
    return (
        f"{{label: labels({var})[0], key: {NODE_KEY.replace('n.', var + '.')}, "
        f"name: coalesce({var}.name, {var}.key)}}"
    )


async def search(backend: Backend, text: str, first: int, scope: Scope) -> list[dict[str, Any]]:
    """Persons, communities, units, teams and party orgs whose name contains ``text``."""
    if not 1 <= first <= MAX_RESULTS:
        raise BadExploreRequest(f"first: must be between 1 and {MAX_RESULTS}")
    tokens = query_grams(text)
    if not tokens:
        return []
    needle = text.strip().lower()
    parts = []
    q = Cypher("", scope)  # collects the scope's parameters
    for label in SEARCHABLE:
        if label == "Person" and not scope.person_names:
            continue
        keep = scope.of(q, "n", label)  # a filter clause: only what the caller may see
        parts.append(
            f"{backend.fulltext(label)} WITH node AS n WHERE toLower(n.name) CONTAINS $needle "
            + (f"{keep} " if keep else "")
            + f"RETURN {node_info('n')} AS hit LIMIT $limit"
        )
    params = {k: v for k, v in q.params.items() if k != "asOf"}
    rows = await backend.read(
        " UNION ALL ".join(parts),
        {**params, "query": backend.fulltext_query(tokens), "needle": needle, "limit": first},
    )
    hits = [row["hit"] for row in rows]
    compact = letters(text)
    # exact names first, then shorter names (closer matches), then by label and name
    hits.sort(
        key=lambda h: (letters(h["name"] or "") != compact, len(h["name"] or ""), h["label"], h["name"] or "")
    )
    return hits[:first]


def _relationships(items: str, node: str, ret: str) -> str:
    """UNION ALL branches for a ``CALL { }``: for each ``e`` of the list ``items`` whose node
    ``x`` is the expression ``node``, every domain relationship ``r`` to a neighbour ``y``; each
    branch returns ``ret`` (``$types`` is TRAVERSED). Each direction is read on its own: an
    undirected read costs FalkorDB several times more."""
    hub = " OR ".join(f"x:{label}" for label in SHORTCUT_ENDS)
    branches = []
    for arrow in ("(x)-[r{}]->(y)", "(x)<-[r{}]-(y)"):
        branches += [
            f"WITH {items} UNWIND {items} AS e WITH e, {node} AS x WHERE NOT ({hub}) "
            f"MATCH {arrow.format('')} WHERE type(r) IN $types RETURN {ret}",
            f"WITH {items} UNWIND {items} AS e WITH e, {node} AS x WHERE {hub} "
            f"MATCH {arrow.format(':' + '|'.join(TRAVERSED))} RETURN {ret}",
        ]
    return " UNION ALL ".join(branches)


def _count(items: str, alias: str, imports: str | None = None) -> str:
    """``CALL { }`` giving ``alias``: about how many relationships the entries of the list ``items``
    (an expression over ``imports``) have: those of its first COUNT_SAMPLE entries (up to
    COUNT_CAP), scaled to its length."""
    return (
        f"CALL {{ WITH {imports or items} WITH {items} AS g "
        f"CALL {{ WITH g WITH g[0..{COUNT_SAMPLE}] AS s CALL {{ {_relationships('s', 'e[0]', 'r')} }} "
        f"WITH r LIMIT {COUNT_CAP} RETURN count(r) AS c }} "
        f"RETURN CASE WHEN size(g) <= {COUNT_SAMPLE} THEN c ELSE c * size(g) / {COUNT_SAMPLE} END AS {alias} }}"
    )


def _search(
    q: Cypher, hops: int, carry: str, keep: Callable[[str], str | None], bound: str | None = None
) -> None:
    """A bidirectional breadth-first search from the entries in ``fa`` and ``fb`` (lists of one
    ``[node, null, null]``); sets ``hit`` to ``[entryA, entryB]`` of a shared node, or null.

    An entry is ``[node, relationship, parent entry]``: following the parents gives the path back
    to its end. A side's frontier after i steps holds the nodes reachable by a walk of exactly i
    hops (no exclusion of earlier levels: it contains every node at distance i, so the first step
    at which the sides share a node is the distance, and the two walks together, as long as the
    distance, form a path). ``keep(var)`` is the filter clause a new frontier node must pass (the
    caller's scope), ``bound`` an expression limiting the number of steps; ``carry`` the variables
    kept alongside.
    """
    for name in ("ca", "cb"):
        q.line(_count("f" + name[1], name))
    q.line(f"WITH {carry}, fa, fb, ca, cb, null AS hit, 0 AS k")
    cheaper = "(ca < cb OR (ca = cb AND size(fa) <= size(fb)))"
    go = "hit IS NULL" + (f" AND k < {bound}" if bound else "")
    for step in range(1, hops + 1):
        q.line(f"CALL {{ WITH fa, fb, ca, cb, hit, k{', ' + bound if bound else ''}")
        q.line(f"  WITH fa, fb, {go} AND {cheaper} AS growA, {go} AND NOT {cheaper} AS growB")
        q.line("  CALL { WITH fa, fb, growA, growB")
        q.line(
            "    WITH CASE WHEN growA THEN fa WHEN growB THEN fb ELSE [] END AS f,"
            " CASE WHEN growA THEN fb WHEN growB THEN fa ELSE [] END AS other"
        )
        q.line(
            f"    CALL {{ {_relationships('f', 'e[0]', 'y, [y, r, e] AS entry, false AS there')} "
            "UNION ALL WITH other UNWIND other AS e RETURN e[0] AS y, e AS entry, true AS there }"
        )
        q.line("    WITH y, head(collect(CASE WHEN there THEN null ELSE entry END)) AS mine,")
        q.line("         head(collect(CASE WHEN there THEN entry END)) AS theirs")
        q.line("    WHERE mine IS NOT NULL")
        if (clause := keep("y")) is not None:
            q.line(f"    {clause}")
        # (only aggregates here: a grouping key would drop the row of a step that grows nothing)
        meet = "head(collect(CASE WHEN theirs IS NULL THEN null ELSE [mine, theirs] END)) AS meet"
        if step < hops:
            q.line(f"    RETURN collect(mine) AS nf, {meet} }}")
            # what growing the new frontier would cost, for the next step's choice
            q.line("  " + _count("CASE WHEN meet IS NULL THEN nf ELSE [] END", "cn", "nf, meet"))
        else:  # the last step only looks for a shared node: its new frontier is never used
            q.line(f"    RETURN {meet} }}")
            q.line("  WITH growA, growB, [] AS nf, meet, 0 AS cn")
        q.line("  RETURN growA, growB, nf, meet, cn }")
        q.line(
            f"WITH {carry}, CASE WHEN meet IS NOT NULL THEN [] WHEN growA THEN nf ELSE fa END AS fa,"
            " CASE WHEN meet IS NOT NULL THEN [] WHEN growB THEN nf ELSE fb END AS fb,"
            " CASE WHEN growA THEN cn ELSE ca END AS ca, CASE WHEN growB THEN cn ELSE cb END AS cb,"
            " CASE WHEN meet IS NULL THEN hit WHEN growA THEN meet ELSE [meet[1], meet[0]] END AS hit,"
            " k + CASE WHEN growA OR growB THEN 1 ELSE 0 END AS k"
        )


def _unwind(q: Cypher, hit: str, hops: int, carry: str, nodes: str, rels: str) -> None:
    """From ``hit`` (two entries at the shared node): the path's ``nodes`` and ``rels``, from a to b."""
    chain = (
        "reduce(c = [{}], i IN range(1, {}) | CASE WHEN last(c)[2] IS NULL THEN c ELSE c + [last(c)[2]] END)"
    )
    q.line(
        f"WITH {carry}, {chain.format(hit + '[0]', hops)} AS toA, {chain.format(hit + '[1]', hops)} AS toB"
    )
    q.line(
        f"WITH {carry}, reverse([e IN toA | e[0]]) + tail([e IN toB | e[0]]) AS {nodes},"
        f" reverse([e IN toA WHERE e[1] IS NOT NULL | e[1]]) + [e IN toB WHERE e[1] IS NOT NULL | e[1]] AS {rels}"
    )


def _edge(var: str) -> str:
    return (
        f"{{type: type({var}), since: {var}.since, until: {var}.until, "
        f"from: {node_info(f'startNode({var})')}, to: {node_info(f'endNode({var})')}}}"
    )


async def shortest_path(
    backend: Backend, start: tuple[str, str], end: tuple[str, str], max_hops: int, scope: Scope
) -> dict[str, Any] | None:
    """A shortest connection over the domain relationships, either direction, within ``max_hops``.

    Under a restricted scope every node on it must be visible, and it must still be a shortest one:
    when every shortest path crosses a node the caller may not see, the answer is null (the first
    path found is checked; if it is hidden, a second search over visible nodes only, as long as the
    shortest length, looks for another).
    """
    if not 1 <= max_hops <= MAX_HOPS:
        raise BadExploreRequest(f"maxHops: must be between 1 and {MAX_HOPS}")
    (a_label, a_key), (b_label, b_key) = start, end
    q = Cypher("", scope)
    ends = [keep for keep in (scope.of(q, "a", a_label), scope.of(q, "b", b_label)) if keep]
    if a_label == b_label and a_key == b_key:
        q.line(f"MATCH (a:{a_label} {{{KEYS[a_label]}: $a}})")
        q.lines += ends[:1]
        q.line(f"RETURN [{node_info('a')}] AS nodes, [] AS edges")
        return await _answer(backend, q, {"a": a_key})
    q.line(f"MATCH (a:{a_label} {{{KEYS[a_label]}: $a}}), (b:{b_label} {{{KEYS[b_label]}: $b}})")
    q.lines += ends
    q.line("WITH a, b, [[a, null, null]] AS fa, [[b, null, null]] AS fb")
    _search(q, max_hops, "a, b", lambda var: None)
    q.line("WITH a, b, hit WHERE hit IS NOT NULL")
    if (seen := scope.anything(q, "x")) is not None:
        # the path found must be visible, else another as short through visible nodes only
        _unwind(q, "hit", max_hops, "a, b, hit", "ns", "rs")
        q.line(f"CALL {{ WITH ns UNWIND ns AS x {seen} RETURN count(x) AS seen }}")
        q.line("WITH a, b, hit AS found, size(ns) - 1 AS d, seen = size(ns) AS shown")
        q.line(
            "WITH a, b, found, d, shown, CASE WHEN shown THEN [] ELSE [[a, null, null]] END AS fa,"
            " CASE WHEN shown THEN [] ELSE [[b, null, null]] END AS fb"
        )
        _search(q, max_hops, "a, b, found, d, shown", lambda var: scope.anything(q, var), bound="d")
        q.line("WITH a, b, CASE WHEN shown THEN found ELSE hit END AS hit WHERE hit IS NOT NULL")
    _unwind(q, "hit", max_hops, "a, b", "ns", "rs")
    q.line(f"RETURN [n IN ns | {node_info('n')}] AS nodes, [r IN rs | {_edge('r')}] AS edges")
    return await _answer(backend, q, {"a": a_key, "b": b_key})


async def _answer(backend: Backend, q: Cypher, keys: dict[str, str]) -> dict[str, Any] | None:
    params = {k: v for k, v in q.params.items() if k != "asOf"}
    rows = await backend.read(q.text(), {**params, **keys, "types": list(TRAVERSED)})
    if not rows:
        return None
    return {"length": len(rows[0]["edges"]), "nodes": rows[0]["nodes"], "edges": rows[0]["edges"]}


async def neighbourhood(
    backend: Backend, center: tuple[str, str], depth: int, limit: int, scope: Scope
) -> dict[str, Any] | None:
    """The domain relationships within ``depth`` hops, nearest first, at most ``limit`` of them.

    Level by level: the relationships of the nodes reached so far that lead to a node not reached
    before it (under a restricted scope: to a visible node; the centre must be visible too).
    A level reads at most 3 * (limit + 1) relationships (each new one can be met from both of its
    ends, plus those back to the level before) and the walk stops once limit + 1 are found, so
    a hub costs no more than that; ``truncated`` says the limit cut the answer.
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise BadExploreRequest(f"depth: must be between 1 and {MAX_DEPTH}")
    if not 1 <= limit <= MAX_NEIGHBOURS:
        raise BadExploreRequest(f"limit: must be between 1 and {MAX_NEIGHBOURS}")
    label, key = center
    q = Cypher("", scope)
    q.line(f"MATCH (a:{label} {{{KEYS[label]}: $key}})")
    if (keep := scope.of(q, "a", label)) is not None:
        q.line(keep)
    q.line("WITH a, [a] AS f, [] AS prev, [] AS rels")
    for _ in range(depth):
        q.line("CALL { WITH f, rels WITH f, rels WHERE size(rels) < $take")
        q.line(f"  CALL {{ {_relationships('f', 'e', 'r, y')} }}")
        if (visible := scope.anything(q, "y")) is not None:
            q.line(f"  {visible}")
        q.line("  WITH r, y LIMIT $rows")
        q.line("  RETURN collect([r, y]) AS found }")
        q.line("CALL { WITH found, prev UNWIND found AS t WITH t, prev WHERE NOT t[1] IN prev")
        q.line("  RETURN collect(DISTINCT t[0]) AS new, collect(DISTINCT t[1]) AS ys }")
        q.line("WITH a, [y IN ys WHERE NOT y IN f] AS f, f AS prev, rels + new AS rels")
    q.line(f"RETURN {node_info('a')} AS center, [r IN rels[0..$take] | {_edge('r')}] AS edges")
    params = {k: v for k, v in q.params.items() if k != "asOf"}
    take = limit + 1
    rows = await backend.read(
        q.text(), {**params, "key": key, "take": take, "rows": 3 * take, "types": list(TRAVERSED)}
    )
    if not rows:
        return None
    edges = rows[0]["edges"]
    truncated = len(edges) > limit
    edges = edges[:limit]
    nodes = {(rows[0]["center"]["label"], rows[0]["center"]["key"]): rows[0]["center"]}
    for edge in edges:
        for end in (edge["from"], edge["to"]):
            nodes.setdefault((end["label"], end["key"]), end)
    return {"nodes": list(nodes.values()), "edges": edges, "truncated": truncated}
