"""Exploring the graph: name search, the shortest connection between two nodes, and a bounded
neighbourhood for drawing. Hop counts are small integers chosen from fixed ranges (Cypher takes
no parameters there), never text from the request."""

from __future__ import annotations

from typing import Any

from graph.base import Backend
from resolvers.plan import Cypher, Scope
from resolvers.projections import KEYS
from resolvers.search import MAX_RESULTS, SEARCHABLE, letters, query_grams

NODE_KEY = "coalesce(n.pid, n.code, n.orgId, n.uscc, n.teamId, n.key, n.id)"
MAX_HOPS = 6
MAX_DEPTH = 3
MAX_NEIGHBOURS = 500
PATH_CAP = 20_000  # paths walked at most; a neighbourhood that needs more is reported truncated


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


async def shortest_path(
    backend: Backend, start: tuple[str, str], end: tuple[str, str], max_hops: int, scope: Scope
) -> dict[str, Any] | None:
    """The shortest connection, any relationship types, either direction, within ``max_hops``."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise BadExploreRequest(f"maxHops: must be between 1 and {MAX_HOPS}")
    (a_label, a_key), (b_label, b_key) = start, end
    q = Cypher("", scope)  # the scope: both ends and every node between them must be visible
    ends = "".join(f"{keep} " for keep in (scope.of(q, "a", a_label), scope.of(q, "b", b_label)) if keep)
    between = scope.anything(q, "x")
    query = (
        f"MATCH (a:{a_label} {{{KEYS[a_label]}: $a}}), (b:{b_label} {{{KEYS[b_label]}: $b}}) "
        + ends
        + f"WITH a, b MATCH path = allShortestPaths((a)-[*..{max_hops}]-(b)) "
        + (
            "WITH path, nodes(path) AS ns "  # (FalkorDB cannot pass a shortest path into a subquery)
            f"CALL {{ WITH ns UNWIND ns AS x {between} RETURN count(x) AS seen }} "
            "WITH path, seen WHERE seen = size(nodes(path)) "
            if between
            else ""
        )
        + "WITH path LIMIT 1 "
        f"RETURN [n IN nodes(path) | {node_info('n')}] AS nodes, "
        "[r IN relationships(path) | {type: type(r), since: r.since, until: r.until, "
        f"from: {node_info('startNode(r)')}, to: {node_info('endNode(r)')}}}] AS edges"
    )
    keep = scope.of(q, "n", a_label)
    params = {k: v for k, v in q.params.items() if k != "asOf"}
    if a_label == b_label and a_key == b_key:
        rows = await backend.read(
            f"MATCH (n:{a_label} {{{KEYS[a_label]}: $a}}) "
            + (f"{keep} " if keep else "")
            + f"RETURN [{node_info('n')}] AS nodes, [] AS edges",
            {**params, "a": a_key},
        )
    else:
        rows = await backend.read(query, {**params, "a": a_key, "b": b_key})
    if not rows:
        return None
    return {"length": len(rows[0]["edges"]), "nodes": rows[0]["nodes"], "edges": rows[0]["edges"]}


async def neighbourhood(
    backend: Backend, center: tuple[str, str], depth: int, limit: int, scope: Scope
) -> dict[str, Any] | None:
    """Nodes and relationships within ``depth`` hops, at most ``limit`` relationships."""
    if not 1 <= depth <= MAX_DEPTH:
        raise BadExploreRequest(f"depth: must be between 1 and {MAX_DEPTH}")
    if not 1 <= limit <= MAX_NEIGHBOURS:
        raise BadExploreRequest(f"limit: must be between 1 and {MAX_NEIGHBOURS}")
    label, key = center
    q = Cypher("", scope)  # the scope: the centre and every node on a path must be visible
    keep = scope.of(q, "a", label)
    between = scope.anything(q, "y")
    query = (
        f"MATCH (a:{label} {{{KEYS[label]}: $key}}) "
        + (f"{keep} " if keep else "")
        + f"OPTIONAL MATCH path = (a)-[*1..{depth}]-(x) WHERE x <> a "
        + "WITH a, path LIMIT $paths "
        + (
            "WITH a, path, CASE WHEN path IS NULL THEN [] ELSE nodes(path) END AS ns "
            f"CALL {{ WITH ns UNWIND ns AS y {between} RETURN count(y) AS seen }} "
            "WITH a, count(path) AS pathCount, "  # paths walked, for `truncated`; those shown:
            "collect(CASE WHEN seen = size(nodes(path)) THEN path END) AS found "
            "WITH a, pathCount, reduce(acc = [], p IN found | acc + relationships(p)) AS all_rels "
            if between
            else "WITH a, collect(path) AS found "
            "WITH a, size(found) AS pathCount, reduce(acc = [], p IN found | acc + relationships(p)) AS all_rels "
        )
        + "UNWIND CASE WHEN size(all_rels) = 0 THEN [null] ELSE all_rels END AS r "
        "WITH a, pathCount, collect(DISTINCT r)[0..$take] AS rels "
        f"RETURN {node_info('a')} AS center, pathCount, "
        "[r IN rels | {type: type(r), since: r.since, until: r.until, "
        f"from: {node_info('startNode(r)')}, to: {node_info('endNode(r)')}}}] AS edges"
    )
    params = {k: v for k, v in q.params.items() if k != "asOf"}
    rows = await backend.read(query, {**params, "key": key, "take": limit + 1, "paths": PATH_CAP})
    if not rows:
        return None
    edges = rows[0]["edges"]
    truncated = len(edges) > limit or rows[0]["pathCount"] >= PATH_CAP
    edges = edges[:limit]
    nodes = {(rows[0]["center"]["label"], rows[0]["center"]["key"]): rows[0]["center"]}
    for edge in edges:
        for end in (edge["from"], edge["to"]):
            nodes.setdefault((end["label"], end["key"]), end)
    return {"nodes": list(nodes.values()), "edges": edges, "truncated": truncated}
