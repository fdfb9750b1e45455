"""Shortcut edges for the 人户分离 flow matrix (SPEC.md: "shortcut relationships are allowed for
speed, as long as the one write path keeps them true and a consistency check can prove it").

Per person and kind, one ``(home)-[:HUKOU_FLOW {pid, since, until}]->(res:Community)`` for each
period in which the person's home (hukou place; party home community) and residence community are
both known and differ: the intersection of the four edges of the two chains. Per (home, residence)
pair, one ``(home)-[:HUKOU_FLOW_SUM {dates, counts}]->(res)`` holding the running number of such
persons at each date where it changes, so the matrix on a date D reads, per pair, ``counts[k-1]``
with ``k`` = the number of ``dates`` <= D: one relationship per cell instead of a million persons.
(A person holds one hukou and one party membership at a time, so the periods of one person in one
pair never overlap and the sums count persons. COLLECTIVE memberships may overlap; its matrix is
computed from the chains, which is fast because collective members are few.)

Who keeps them true: the importer (a full build after a load into an empty graph, otherwise a
refresh of the persons its rows touch) and the mutations (the same refresh, inside the mutation's
one statement). ``grassroots check`` recomputes both from the chains and reports any difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from graph.base import Backend
from resolvers.plan import Cypher

BATCH = 5_000  # persons per refresh statement


@dataclass(frozen=True)
class FlowKind:
    name: str  # HUKOU / PARTY, as in MismatchKind
    flow: str  # relationship type of the per-person periods
    total: str  # relationship type of the per-pair running counts
    home: str  # pattern from (p) to (home), its two period edges named m and a
    homes: str  # the pattern from (p) to a community c, for the persons a merge touches


RESIDENCE = "(p)-[l:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[g:IN_COMMUNITY]->(res:Community)"
RESIDENTS = (
    "(p:Person)-[:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[:IN_COMMUNITY]->(c)"
)

KINDS: dict[str, FlowKind] = {
    "HUKOU": FlowKind(
        "HUKOU",
        "HUKOU_FLOW",
        "HUKOU_FLOW_SUM",
        "(p)-[m:HUKOU_MEMBER]->(:Household)-[a:HUKOU_AT]->(home)",
        "(p:Person)-[:HUKOU_MEMBER]->(:Household)-[:HUKOU_AT]->(c)",
    ),
    "PARTY": FlowKind(
        "PARTY",
        "PARTY_FLOW",
        "PARTY_FLOW_SUM",
        # (home) unlabelled (a party org's BASED_IN is always a Community): with the label,
        # FalkorDB plans the refresh from a scan of every community instead of from the person
        "(p)-[m:PARTY_MEMBER_OF]->(:PartyOrg)-[a:BASED_IN]->(home)",
        "(p:Person)-[:PARTY_MEMBER_OF]->(:PartyOrg)-[:BASED_IN]->(c)",
    ),
}

# the membership files whose rows change a person's flows
TOUCHING_STEPS = ("residences", "hukou_members", "party_members")


def _periods() -> list[str]:
    """From p, res, home and the chains' edges l g m a: rows (p, home, res, since, until)."""
    return [
        "WHERE home <> res",
        "WITH p, res, home, [l.since, g.since, m.since, a.since] AS starts, [l.until, g.until, m.until, a.until] AS ends",
        "WITH p, res, home,",
        "     reduce(s = '', x IN starts | CASE WHEN coalesce(x, '') > s THEN x ELSE s END) AS since,",
        "     reduce(u = null, x IN ends | CASE WHEN x IS NULL THEN u WHEN u IS NULL OR x < u THEN x ELSE u END) AS until",
        "WHERE until IS NULL OR since < until",
    ]


def _sums(kind: FlowKind) -> list[str]:
    """From rows (home, res, f) of flows: one running-count relationship per pair."""
    return [
        "UNWIND [[coalesce(f.since, ''), 1], [f.until, -1]] AS e",
        "WITH home, res, e WHERE e[0] IS NOT NULL",
        "WITH home, res, e[0] AS d, toInteger(sum(e[1])) AS delta",
        "ORDER BY d",
        "WITH home, res, collect(d) AS dates, collect(delta) AS deltas",
        "WITH home, res, dates, reduce(acc = [], x IN deltas | acc + [coalesce(last(acc), 0) + x]) AS counts",
        f"CREATE (home)-[:{kind.total} {{dates: dates, counts: counts}}]->(res)",
    ]


def _resum(kind: FlowKind, pairs: str) -> list[str]:
    """Recompute the running counts of the (home code, residence code) pairs in ``pairs``; a
    pair's flows are found by their ``pair`` key (indexed), not by walking a hub's edges."""
    return [
        f"UNWIND {pairs} AS pr",
        "WITH DISTINCT pr",
        "MATCH (rc:Community {code: pr[1]})",
        "OPTIONAL MATCH (hc:Community {code: pr[0]})",
        "OPTIONAL MATCH (hr:Region {code: pr[0]})",
        "WITH rc, coalesce(hc, hr) AS hm, pr[0] + '|' + pr[1] AS key",
        f"OPTIONAL MATCH (hm)-[s:{kind.total}]->(rc)",
        "DELETE s",
        "WITH collect(DISTINCT key) AS keys",
        "UNWIND keys AS key",  # right before the match, so FalkorDB looks the key up in its index
        f"MATCH (home)-[f:{kind.flow} {{pair: key}}]->(res)",
        *_sums(kind),
    ]


def refresh_clauses(q: Cypher, pids: str, imports: Iterable[str] = ()) -> None:
    """Append subqueries that rebuild the flows of the persons in ``pids`` (a list expression:
    a parameter, or a variable listed in ``imports``) and re-sum every pair they touched."""
    head = f"CALL {{ WITH {', '.join(imports)}" if imports else "CALL {"
    for kind in KINDS.values():
        dropped, created = q.var("dropped"), q.var("created")
        q.line(head)
        q.line(f"  UNWIND {pids} AS pid")
        q.line(f"  MATCH (h)-[f:{kind.flow} {{pid: pid}}]->(r)")
        q.line("  WITH h.code AS hc, r.code AS rc, f DELETE f")
        q.line(f"  RETURN collect(DISTINCT [hc, rc]) AS {dropped}")
        q.line("}")
        q.line(head)
        q.line(f"  UNWIND {pids} AS pid")
        q.line("  MATCH (p:Person {pid: pid})")  # on its own, so the plan starts at the person
        q.line(f"  MATCH {RESIDENCE}")
        q.line(f"  MATCH {kind.home}")
        for line in _periods():
            q.line("  " + line)
        q.line(
            f"  CREATE (home)-[:{kind.flow} {{pid: p.pid, pair: home.code + '|' + res.code, since: CASE WHEN since = '' THEN null ELSE since END, until: until}}]->(res)"
        )
        q.line(f"  RETURN collect(DISTINCT [home.code, res.code]) AS {created}")
        q.line("}")
        q.line(f"CALL {{ WITH {dropped}, {created}")
        for line in _resum(kind, f"{dropped} + {created}"):
            q.line("  " + line)
        q.line(f"  RETURN count(*) AS {q.var('summed')}")
        q.line("}")


def touched_by_merge(q: Cypher, codes: str, alias: str) -> None:
    """``alias``: the pids whose chains pass through the communities ``codes`` (a merge moves
    their grids, households and party orgs)."""
    patterns = [RESIDENTS] + [kind.homes for kind in KINDS.values()]
    q.line("CALL {")
    q.line(f"  UNWIND {codes} AS code")
    q.line("  MATCH (c:Community {code: code})")
    q.line("  CALL { WITH c")
    for i, pattern in enumerate(patterns):
        if i:
            q.line("    UNION")
            q.line("    WITH c")
        q.line(f"    MATCH {pattern} RETURN p.pid AS pid")
    q.line("  }")
    q.line(f"  RETURN collect(DISTINCT pid) AS {alias}")
    q.line("}")


# ---- the importer's side: a full build, or a refresh of some persons, batched ----------------------
def _refresh_statement() -> str:
    q = Cypher("")
    refresh_clauses(q, "$pids")
    q.line("RETURN 1 AS done")
    return q.text()


REFRESH = _refresh_statement()

# a full build: every person's periods in one scan per kind, then every pair summed once
BUILD_FLOWS = [
    "\n".join(
        [f"MATCH {RESIDENCE.replace('(p)', '(p:Person)')}", f"MATCH {kind.home}", *_periods(),
         f"CREATE (home)-[:{kind.flow} {{pid: p.pid, pair: home.code + '|' + res.code, since: CASE WHEN since = '' THEN null ELSE since END, until: until}}]->(res)",
         "RETURN count(*) AS n"]
    )
    for kind in KINDS.values()
]  # fmt: skip
BUILD_SUMS = [
    "\n".join([f"MATCH (home)-[f:{kind.flow}]->(res:Community)", *_sums(kind), "RETURN count(*) AS n"])
    for kind in KINDS.values()
]
CLEAR = [f"MATCH ()-[f:{t}]->() WITH f LIMIT 100000 DELETE f RETURN count(f) AS n"
         for kind in KINDS.values() for t in (kind.flow, kind.total)]  # fmt: skip


# The version of the shortcuts' shape: a store whose marker says otherwise (or has none: made
# before the shortcuts existed) is rebuilt by ``ensure`` when the service or an import starts.
VERSION = 2
MARKER_READ = "MATCH (m:Shortcut {name: 'flows'}) RETURN m.version AS version"
MARKER_WRITE = "MERGE (m:Shortcut {name: 'flows'}) SET m.version = $version RETURN m.version AS version"
HAS_PERSONS = "MATCH (p:Person) RETURN p.pid AS pid LIMIT 1"


async def ensure(backend: Backend, progress: Callable[[str, int], None] | None = None) -> bool:
    """Build the shortcuts from scratch if this store's are missing or of an older shape; True
    when it did."""
    rows = await backend.read(MARKER_READ)
    if rows and rows[0]["version"] == VERSION:
        return False
    await refresh(backend, None, progress)
    return True


async def refresh(
    backend: Backend, pids: list[str] | None, progress: Callable[[str, int], None] | None = None
) -> None:
    """Rebuild the flows of ``pids`` and their pairs' sums; None: everyone's, from scratch."""
    if pids is None:
        for statement in CLEAR:
            while (await backend.write(statement))[0]["n"]:
                pass
        if await backend.read(HAS_PERSONS):
            for statement in [*BUILD_FLOWS, *BUILD_SUMS]:  # whole-graph statements, one scan each
                await backend.write(statement)
                if progress is not None:
                    progress("flow shortcuts", 1)
        await backend.write(MARKER_WRITE, {"version": VERSION})
        return
    for start in range(0, len(pids), BATCH):
        batch = pids[start : start + BATCH]
        await backend.write(REFRESH, {"pids": batch})
        if progress is not None:
            progress("flow shortcuts", len(batch))


def statements() -> list[str]:
    """Every statement of this module (the tests lint each with Neo4j's front end)."""
    return [
        REFRESH,
        *BUILD_FLOWS,
        *BUILD_SUMS,
        *CLEAR,
        MARKER_READ,
        MARKER_WRITE,
        HAS_PERSONS,
        *CHECKS.values(),
    ]


# ---- the proof: recompute from the chains and compare -----------------------------------------------
def _check_flows(kind: FlowKind) -> str:
    periods = "\n  ".join(_periods())
    return f"""CALL {{
  MATCH {RESIDENCE.replace("(p)", "(p:Person)")}
  MATCH {kind.home}
  {periods}
  RETURN p.pid + '|' + home.code + '|' + res.code + '|' + since + '|' + coalesce(until, '') AS k, 1 AS side
  UNION ALL
  MATCH (home)-[f:{kind.flow}]->(res)
  RETURN f.pid + '|' + f.pair + '|' + coalesce(f.since, '') + '|' + coalesce(f.until, '') AS k, -1 AS side
}}
WITH k, sum(side) AS diff
WHERE diff <> 0
RETURN k AS difference LIMIT 20"""


def _check_sums(kind: FlowKind) -> str:
    return f"""CALL {{
  MATCH (home)-[f:{kind.flow}]->(res:Community)
  UNWIND [[coalesce(f.since, ''), 1], [f.until, -1]] AS e
  WITH home, res, e WHERE e[0] IS NOT NULL
  WITH home, res, e[0] AS d, toInteger(sum(e[1])) AS delta
  ORDER BY d
  WITH home, res, collect(d) AS dates, collect(delta) AS deltas
  WITH home, res, dates, reduce(acc = [], x IN deltas | acc + [coalesce(last(acc), 0) + x]) AS counts
  OPTIONAL MATCH (home)-[s:{kind.total}]->(res)
  WITH home, res, dates, counts, collect(s) AS ss
  WHERE size(ss) <> 1 OR ss[0].dates <> dates OR ss[0].counts <> counts
  RETURN home.code + '|' + res.code AS k
  UNION ALL
  MATCH (home)-[s:{kind.total}]->(res)
  WHERE NOT (home)-[:{kind.flow}]->(res)
  RETURN home.code + '|' + res.code AS k
}}
RETURN k AS difference LIMIT 20"""


CHECKS: dict[str, str] = {
    **{f"{kind.flow} edges match the chains": _check_flows(kind) for kind in KINDS.values()},
    **{f"{kind.total} edges match the {kind.flow} edges": _check_sums(kind) for kind in KINDS.values()},
}
