"""What the importer needs to know about entities already in the graph, fetched in batches.

Every lookup is ``UNWIND $keys`` over one label's unique key, so each is an index seek. The
structural parents come back as lists of every parent the entity ever had (closed edges
included), because a bundle describes entities as they were before its merges.
"""

from __future__ import annotations

from typing import Any

from graph.base import Backend
from graph.model import MOVED_BY_MERGE, NODE_KEYS

LOOKUP_BATCH = 50_000

# label -> (alias, relationship type, target label) of the parents the validator compares
PARENTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "District": (),
    "Street": (("parent", "IN_DISTRICT", "District"),),
    "Community": (("parent", "IN_STREET", "Street"),),
    "Region": (),
    "Area": (("community", "PART_OF", "Community"),),
    "Grid": (("community", "IN_COMMUNITY", "Community"),),
    "Compound": (("community", "IN_COMMUNITY", "Community"),),
    "Building": (
        ("compound", "IN_COMPOUND", "Compound"),
        ("grid", "IN_GRID", "Grid"),
        ("area", "IN_AREA", "Area"),
    ),
    "Dwelling": (("building", "IN_BUILDING", "Building"),),
    "Household": (),
    "Person": (),
    "PartyOrg": (("community", "BASED_IN", "Community"), ("parent", "SUBORDINATE_TO", "PartyOrg")),
    "Unit": (("community", "LOCATED_IN", "Community"),),
    "VolunteerTeam": (("community", "BASED_IN", "Community"),),
    "CollectiveOrg": (("area", "OF_AREA", "Area"),),
}

EXTRA: dict[str, str] = {
    "Community": ", n.status AS status, n.kind AS kind, [(n)-[:MERGED_INTO]->(s:Community) | s.code] AS successor"
    ", [(n)-[m:MERGED_INTO]->(:Community) | m.on] AS mergedOn"
    ", [(a:Area)-[:PART_OF]->(n) | a.id] AS areas",
    "Person": ", n.gender AS gender, n.birthDate AS birthDate",
    "Household": ", [(n)-[:HUKOU_AT]->(c:Community) | c.code] + [(n)-[:HUKOU_AT]->(r:Region) | r.code] AS hukou",
}


def lookup_query(label: str) -> str:
    key = NODE_KEYS[label]
    parents = "".join(
        f", [(n)-[:{rel}]->(t:{target}) | t.{NODE_KEYS[target]}] AS {alias}"
        for alias, rel, target in PARENTS[label]
    )
    return f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) RETURN n.{key} AS key{parents}{EXTRA.get(label, '')}"


def lookup_statements() -> list[str]:
    return (
        [lookup_query(label) for label in PARENTS]
        + [history_query(rel, label, NODE_KEYS.get(label, "")) for rel, label in HISTORY_TARGETS.values()]
        + [PAIRING_HISTORY, ID_HASH_OWNERS, LATEST_START]
    )


async def fetch(backend: Backend, label: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in await fetch_rows(backend, lookup_query(label), keys)}


# period kinds whose edges start at a Person: kind -> (relationship type, target label)
HISTORY_TARGETS: dict[str, tuple[str, str]] = {
    "hukou_members.csv": ("HUKOU_MEMBER", "Household"),
    "residences.csv": ("LIVES_IN", "Dwelling"),
    "party_members.csv": ("PARTY_MEMBER_OF", "PartyOrg"),
    "employments.csv": ("EMPLOYED_BY", "Unit"),
    "reports.csv": ("REPORTED_TO", "Community"),
    "team_members.csv": ("IN_TEAM", "VolunteerTeam"),
    "roles.csv": ("SERVES_AS", ""),
    "collective_members.csv": ("COLLECTIVE_MEMBER_OF", "CollectiveOrg"),
}


def history_query(rel: str, target_label: str, target_key: str) -> str:
    if rel == "SERVES_AS":  # scopes of several labels: the key of each is fetched by coalesce
        target = "coalesce(t.code, t.id, t.orgId)"
        pattern = "(t)"
        extra = ", r.role AS role, labels(t)[0] AS targetLabel"
    else:
        target = f"t.{target_key}"
        pattern = f"(t:{target_label})"
        extra = ""
    return (
        f"UNWIND $keys AS k MATCH (p:Person {{pid: k}})-[r:{rel}]->{pattern} "
        f"RETURN p.pid AS pid, {target} AS target, r.since AS since, r.until AS until{extra}"
    )


PAIRING_HISTORY = (
    "UNWIND $keys AS k MATCH (u:Unit {uscc: k})-[r:PAIRED_WITH]->(t) "
    "RETURN u.uscc AS uscc, labels(t)[0] AS targetLabel, coalesce(t.code, t.id, t.orgId) AS target, "
    "r.since AS since, r.until AS until"
)


def _latest_start() -> str:
    """Per community: the latest ``since`` of each kind of current edge a merge would move.

    One OPTIONAL MATCH + max per kind: FalkorDB answers a sum of several pattern comprehensions
    wrongly (silently).
    """
    lines = ["UNWIND $keys AS k MATCH (n:Community {code: k})"]
    found: list[str] = []
    for i, (label, rel) in enumerate(MOVED_BY_MERGE):
        lines.append(f"OPTIONAL MATCH (:{label})-[r{i}:{rel}]->(n) WHERE r{i}.until IS NULL")
        lines.append(f"WITH k, n, {''.join(f'{f}, ' for f in found)}max(r{i}.since) AS m{i}")
        found.append(f"m{i}")
    lines.append(f"RETURN k AS code, [{', '.join(found)}] AS starts")
    return " ".join(lines)


LATEST_START = _latest_start()

ID_HASH_OWNERS = "UNWIND $keys AS k MATCH (p:Person {idNumberHash: k}) RETURN k AS hash, p.pid AS pid"


async def fetch_rows(backend: Backend, query: str, keys: list[str]) -> list[dict[str, Any]]:
    """Rows of ``query`` for ``keys``, in batches. A key with a NUL is not asked for: no store
    holds one (the backends refuse it as a parameter), and its row is rejected by the cell check."""
    keys = [k for k in keys if "\x00" not in k]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(keys), LOOKUP_BATCH):
        rows.extend(await backend.read(query, {"keys": keys[start : start + LOOKUP_BATCH]}))
    return rows


def history_statement(kind: str) -> str:
    rel, label = HISTORY_TARGETS[kind]
    return history_query(rel, label, NODE_KEYS.get(label, ""))
