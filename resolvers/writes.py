"""The one write path: every change to the graph goes through these statements.

The importer, the mutations and the seed generator (through the importer) hand over rows per
step; ``apply`` runs each step's statement as ``UNWIND $rows`` in batches, in dependency order,
merges last. Every statement is idempotent: nodes are MERGEd on their key, history edges on
(start, end, since), so applying the same rows twice changes nothing. History is never
overwritten: a period is closed by setting ``until``, and a merge closes the old structural edges
and opens new ones on its date.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.base import Backend, Pipeline
from graph.model import MOVED_BY_MERGE


def _merge_statement() -> str:
    """One statement per merge row: the old community becomes MERGED, and every edge of
    MOVED_BY_MERGE that is current at it is closed on the date and re-opened at the successor.

    One OPTIONAL MATCH + collect per relationship type: FalkorDB acts only on the first of
    several lists built by pattern comprehensions in one WITH (silently).
    """
    parts = [
        """
        UNWIND $rows AS row
        MATCH (o:Community {code: row.old}), (n:Community {code: row.new})
        WHERE NOT (o)-[:MERGED_INTO]->()
        SET o.status = 'MERGED'
        CREATE (o)-[:MERGED_INTO {on: row.on, docNo: row.docNo}]->(n)"""
    ]
    for label, rel in MOVED_BY_MERGE:
        keep = " MERGE (o)-[:CONTINUED_AS]->(x)" if label == "Area" else ""  # the old lives on as its areas
        parts.append(f"""
        WITH o, n, row
        OPTIONAL MATCH (x:{label})-[r:{rel}]->(o) WHERE r.until IS NULL
        WITH o, n, row, collect(x) AS xs, collect(r) AS rs
        FOREACH (r IN rs | SET r.until = row.on)
        FOREACH (x IN xs | CREATE (x)-[:{rel} {{since: row.on}}]->(n){keep})""")
    return "".join(parts)


MERGE_STATEMENT = _merge_statement()

PERSON_PROPERTIES = ("name", "nameGrams", "gender", "birthDate", "birthYear", "ethnicity", "tags")
PERSONAL_PROPERTIES = tuple(f"{f}{part}" for f in ("idNumber", "phone") for part in ("Enc", "Hash", "Masked"))

STEPS: dict[str, str] = {
    "districts": """
        UNWIND $rows AS row
        MERGE (n:District {code: row.code}) SET n.name = row.name""",
    "streets": """
        UNWIND $rows AS row
        MATCH (d:District {code: row.parent})
        MERGE (n:Street {code: row.code}) SET n.name = row.name
        MERGE (n)-[:IN_DISTRICT]->(d)""",
    "communities": """
        UNWIND $rows AS row
        MATCH (s:Street {code: row.parent})
        MERGE (n:Community {code: row.code})
        ON CREATE SET n.status = 'ACTIVE'
        SET n.name = row.name, n.kind = row.kind, n.nameGrams = row.nameGrams
        MERGE (n)-[:IN_STREET]->(s)""",
    "regions": """
        UNWIND $rows AS row
        MERGE (n:Region {code: row.code}) SET n.name = row.name""",
    "areas": """
        UNWIND $rows AS row
        MATCH (c:Community {code: row.community})
        MERGE (n:Area {id: row.id}) SET n.name = row.name
        MERGE (n)-[:PART_OF]->(c)""",
    "grids": """
        UNWIND $rows AS row
        MATCH (c:Community {code: row.community})
        MERGE (n:Grid {code: row.code}) SET n.name = row.name, n.targetHouseholds = row.targetHouseholds
        MERGE (n)-[:IN_COMMUNITY]->(c)""",
    "compounds": """
        UNWIND $rows AS row
        MATCH (c:Community {code: row.community})
        MERGE (n:Compound {id: row.id}) SET n.name = row.name, n.type = row.type
        MERGE (n)-[:IN_COMMUNITY]->(c)""",
    "buildings": """
        UNWIND $rows AS row
        MATCH (x:Compound {id: row.compound}), (g:Grid {code: row.grid}), (a:Area {id: row.area})
        MERGE (n:Building {code: row.code}) SET n.name = row.name
        MERGE (n)-[:IN_COMPOUND]->(x)
        MERGE (n)-[:IN_GRID]->(g)
        MERGE (n)-[:IN_AREA]->(a)""",
    "dwellings": """
        UNWIND $rows AS row
        MATCH (b:Building {code: row.building})
        MERGE (n:Dwelling {id: row.id}) SET n.room = row.room
        MERGE (n)-[:IN_BUILDING]->(b)""",
    "households_community": """
        UNWIND $rows AS row
        MATCH (c:Community {code: row.place})
        MERGE (n:Household {key: row.key}) SET n.type = row.type
        MERGE (n)-[r:HUKOU_AT]->(c) ON CREATE SET r.since = row.since""",
    "households_region": """
        UNWIND $rows AS row
        MATCH (c:Region {code: row.place})
        MERGE (n:Household {key: row.key}) SET n.type = row.type
        MERGE (n)-[r:HUKOU_AT]->(c) ON CREATE SET r.since = row.since""",
    # an absent ID number or phone leaves the stored one alone (resolvers/ledger/validate.py)
    "persons": f"""
        UNWIND $rows AS row
        MERGE (n:Person {{pid: row.pid}})
        SET {", ".join(f"n.{p} = row.{p}" for p in PERSON_PROPERTIES)},
            {", ".join(f"n.{p} = coalesce(row.{p}, n.{p})" for p in PERSONAL_PROPERTIES)}""",
    "units": """
        UNWIND $rows AS row
        MATCH (c:Community {code: row.community})
        MERGE (n:Unit {uscc: row.uscc}) SET n.name = row.name, n.category = row.category, n.nameGrams = row.nameGrams
        MERGE (n)-[:LOCATED_IN]->(c)""",
    "party_orgs": """
        UNWIND $rows AS row
        MATCH (c:Community {code: row.community})
        MERGE (n:PartyOrg {orgId: row.orgId})
        SET n.name = row.name, n.level = row.level, n.kind = row.kind, n.nameGrams = row.nameGrams
        MERGE (n)-[:BASED_IN]->(c)""",
    "party_org_parents": """
        UNWIND $rows AS row
        MATCH (n:PartyOrg {orgId: row.orgId}), (p:PartyOrg {orgId: row.parent})
        MERGE (n)-[:SUBORDINATE_TO]->(p)""",
    **{
        f"covers_{label}": f"""
        UNWIND $rows AS row
        MATCH (n:PartyOrg {{orgId: row.orgId}}), (t:{label} {{{key}: row.target}})
        MERGE (n)-[:COVERS]->(t)"""
        for label, key in (("Compound", "id"), ("Building", "code"), ("Grid", "code"), ("Unit", "uscc"))
    },
    "teams": """
        UNWIND $rows AS row
        MATCH (c:Community {code: row.community})
        MERGE (n:VolunteerTeam {teamId: row.teamId}) SET n.name = row.name, n.type = row.type, n.nameGrams = row.nameGrams
        MERGE (n)-[:BASED_IN]->(c)""",
    "collectives": """
        UNWIND $rows AS row
        MATCH (a:Area {id: row.area})
        MERGE (n:CollectiveOrg {uscc: row.uscc}) SET n.name = row.name
        MERGE (n)-[:OF_AREA]->(a)""",
    "hukou_members": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:Household {key: row.target})
        MERGE (p)-[r:HUKOU_MEMBER {since: row.since}]->(t)
        SET r.until = row.until, r.relToHead = row.relToHead""",
    "residences": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:Dwelling {id: row.target})
        MERGE (p)-[r:LIVES_IN {since: row.since}]->(t)
        SET r.until = row.until, r.tenure = row.tenure""",
    "party_members": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:PartyOrg {orgId: row.target})
        MERGE (p)-[r:PARTY_MEMBER_OF {since: row.since}]->(t)
        SET r.until = row.until, r.type = row.type, r.joined = row.joined""",
    "employments": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:Unit {uscc: row.target})
        MERGE (p)-[r:EMPLOYED_BY {since: row.since}]->(t)
        SET r.until = row.until""",
    "reports": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:Community {code: row.target})
        MERGE (p)-[r:REPORTED_TO {since: row.since}]->(t)
        SET r.until = row.until, r.gridCode = row.gridCode""",
    **{
        f"pairings_{label}": f"""
        UNWIND $rows AS row
        MATCH (u:Unit {{uscc: row.uscc}}), (t:{label} {{{key}: row.target}})
        MERGE (u)-[r:PAIRED_WITH {{since: row.since}}]->(t)
        SET r.until = row.until, r.agreementNo = row.agreementNo"""
        for label, key in (("Community", "code"), ("Compound", "id"), ("PartyOrg", "orgId"))
    },
    "team_members": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:VolunteerTeam {teamId: row.target})
        MERGE (p)-[r:IN_TEAM {since: row.since}]->(t)
        SET r.until = row.until, r.role = row.role""",
    **{
        f"roles_{label}": f"""
        UNWIND $rows AS row
        MATCH (p:Person {{pid: row.pid}}), (t:{label} {{{key}: row.target}})
        MERGE (p)-[r:SERVES_AS {{role: row.role, since: row.since}}]->(t)
        SET r.until = row.until"""
        for label, key in (
            ("Community", "code"),
            ("Grid", "code"),
            ("Compound", "id"),
            ("Building", "code"),
            ("PartyOrg", "orgId"),
        )
    },
    "collective_members": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:CollectiveOrg {uscc: row.target})
        MERGE (p)-[r:COLLECTIVE_MEMBER_OF {since: row.since}]->(t)
        SET r.until = row.until""",
    "evaluations": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid})
        MERGE (e:Evaluation {key: row.key})
        SET e.year = row.year, e.side = row.side, e.grade = row.grade
        MERGE (e)-[:EVALUATES]->(p)""",
    # the issuer: the member's party org (ORG side) or reported community (COMMUNITY side) in that year
    "evaluation_org_issuers": """
        UNWIND $rows AS row
        MATCH (e:Evaluation {key: row.key})-[:EVALUATES]->(p:Person)-[m:PARTY_MEMBER_OF]->(:PartyOrg)
        WHERE m.since < row.yearEnd AND (m.until IS NULL OR m.until > row.yearStart)
        WITH e, p, max(m.since) AS latest
        MATCH (p)-[m:PARTY_MEMBER_OF {since: latest}]->(o:PartyOrg)
        MERGE (e)-[:ISSUED_BY]->(o)""",
    "evaluation_community_issuers": """
        UNWIND $rows AS row
        MATCH (e:Evaluation {key: row.key})-[:EVALUATES]->(p:Person)-[m:REPORTED_TO]->(:Community)
        WHERE m.since < row.yearEnd AND (m.until IS NULL OR m.until > row.yearStart)
        WITH e, p, max(m.since) AS latest
        MATCH (p)-[m:REPORTED_TO {since: latest}]->(c:Community)
        MERGE (e)-[:ISSUED_BY]->(c)""",
    # applied once: a community that already has MERGED_INTO is left alone (re-import changes nothing)
    "merges": MERGE_STATEMENT,
}

# steps whose rows are derived from another step's rows
DERIVED: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "party_org_parents": ("party_orgs", lambda row: row.get("parent") is not None),
    "evaluation_org_issuers": ("evaluations", lambda row: row["side"] == "ORG"),
    "evaluation_community_issuers": ("evaluations", lambda row: row["side"] == "COMMUNITY"),
}


@dataclass(frozen=True)
class Packed:
    """A step's statement as it is sent: each row a list (``row[0]``, ...) instead of a map.

    FalkorDB reads parameters as Cypher text, and a map spells out every key again in every row:
    parsing a batch of 20,000 persons as maps took 0.33 s of its 0.73 s write, as lists 0.14 s.
    The statements above stay readable (``row.pid``); ``fields`` is the order of the list.
    """

    text: str
    fields: tuple[str, ...]

    def rows(self, rows: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
        fields = self.fields
        return [[row.get(f) for f in fields] for row in rows]


_FIELD = re.compile(r"\brow\.(\w+)")


def _pack(statement: str) -> Packed:
    text = " ".join(statement.split())
    fields = tuple(dict.fromkeys(_FIELD.findall(text)))
    index = {name: i for i, name in enumerate(fields)}
    return Packed(_FIELD.sub(lambda m: f"row[{index[m.group(1)]}]", text), fields)


PACKED: dict[str, Packed] = {step: _pack(text) for step, text in STEPS.items()}

# A load into an EMPTY graph creates what the statements above would merge, for the big steps:
# the validator has made each file's keys unique (nodes by key, memberships and residences by
# pid and since; the constraints still hold), and CREATE with every property in the pattern
# indexes each node once, where MERGE and a SET per property updated the indexes property by
# property (200,000 persons: 5.6 s -> 4.0 s in FalkorDB). tests/test_import.py checks that both
# forms make the same graph.
_HOUSEHOLD = """
        UNWIND $rows AS row
        MATCH (c:{label} {{code: row.place}})
        CREATE (n:Household {{key: row.key, type: row.type}})-[:HUKOU_AT {{since: row.since}}]->(c)"""
INTO_EMPTY: dict[str, str] = {
    "dwellings": """
        UNWIND $rows AS row
        MATCH (b:Building {code: row.building})
        CREATE (n:Dwelling {id: row.id, room: row.room})-[:IN_BUILDING]->(b)""",
    "households_community": _HOUSEHOLD.format(label="Community"),
    "households_region": _HOUSEHOLD.format(label="Region"),
    "persons": f"""
        UNWIND $rows AS row
        CREATE (n:Person {{pid: row.pid, {", ".join(f"{p}: row.{p}" for p in (*PERSON_PROPERTIES, *PERSONAL_PROPERTIES))}}})""",
    "hukou_members": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:Household {key: row.target})
        CREATE (p)-[:HUKOU_MEMBER {since: row.since, until: row.until, relToHead: row.relToHead}]->(t)""",
    "residences": """
        UNWIND $rows AS row
        MATCH (p:Person {pid: row.pid}), (t:Dwelling {id: row.target})
        CREATE (p)-[:LIVES_IN {since: row.since, until: row.until, tenure: row.tenure}]->(t)""",
}
PACKED_INTO_EMPTY: dict[str, Packed] = {step: _pack(text) for step, text in INTO_EMPTY.items()}


def statements() -> list[str]:
    """Every statement of the write path as sent (the tests lint each with Neo4j's front end)."""
    return [packed.text for packed in (*PACKED.values(), *PACKED_INTO_EMPTY.values())] + sorted(
        REMOVE.values()
    )


# steps whose rows are final as soon as they are produced (no later check of the file can take
# one back), so a load into an empty graph may write them while the rest of the file is checked
STREAMED = ("persons",)


async def apply(
    backend: Backend,
    steps: Mapping[str, Sequence[dict[str, Any]]],
    progress: Callable[[str, int], None] | None = None,
    ready: Callable[[str], Awaitable[bool]] | None = None,
    filling: Callable[[str], asyncio.Event | None] | None = None,
    *,
    into_empty: bool = False,
) -> dict[str, int]:
    """Write the rows of each step in dependency order; returns rows written per step.

    ``ready(step)``, when given, is awaited before each step (a producer still filling later
    steps can hold the writer back); it returns False to stop writing. ``filling(step)`` gives,
    for a step of STREAMED still being produced, the event set when its rows are complete: full
    batches are written as they fill, while ``ready`` would still wait. ``into_empty``: the
    graph held nothing before this load (``INTO_EMPTY``).
    """
    written: dict[str, int] = {}
    for step in STEPS:
        sent = 0
        packed = (into_empty and PACKED_INTO_EMPTY.get(step)) or PACKED[step]
        if filling is not None and step in STREAMED:
            sent = await _stream(packed, backend, step, steps, functools.partial(filling, step), progress)
        if ready is not None and not await ready(step):
            if sent:
                written[step] = sent
            break
        rows = step_rows(steps, step)[sent:]
        if not rows:
            if sent:
                written[step] = sent
            continue
        tick = (lambda n, step=step: progress(step, n)) if progress is not None else None
        written[step] = sent
        for group in merge_rounds(rows) if step == "merges" else [rows]:
            written[step] += await backend.write_batches(packed.text, packed.rows(group), progress=tick)
    return written


def merge_rounds(rows: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Merge rows by date, earliest first, one statement per date: in a chain (A into B, later B
    into C) the second merge moves what the first one moved to B (the validator dates each merge
    of a chain after the one before, so one date never holds two links of a chain)."""
    rounds: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        rounds.setdefault(row["on"], []).append(row)
    return [rounds[on] for on in sorted(rounds)]


async def _stream(
    packed: Packed,
    backend: Backend,
    step: str,
    steps: Mapping[str, Sequence[dict[str, Any]]],
    filling: Callable[[], asyncio.Event | None],
    progress: Callable[[str, int], None] | None,
) -> int:
    """Write full batches of a step's growing row list until it is complete (or the producer
    says stop: ``filling()`` is None); rows sent."""
    sent = 0
    async with Pipeline() as pipeline:  # the producer runs while the database works
        while (complete := filling()) is not None and not complete.is_set():
            rows = steps.get(step, ())
            if len(rows) - sent >= STREAM_BATCH:
                batch = packed.rows(rows[sent : sent + STREAM_BATCH])
                await pipeline.send(backend.write(packed.text, {"rows": batch}))
                sent += len(batch)
                if progress is not None:
                    progress(step, len(batch))
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(complete.wait(), 0.05)
    return sent


STREAM_BATCH = 20_000


def step_rows(steps: Mapping[str, Sequence[dict[str, Any]]], step: str) -> Sequence[dict[str, Any]]:
    """The rows of one step (derived steps take theirs from another step's rows)."""
    if step in DERIVED:
        source, keep = DERIVED[step]
        return [row for row in steps.get(source, ()) if keep(row)]
    return steps.get(step, ())


def batches(steps: Mapping[str, Sequence[dict[str, Any]]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(step, rows) of every step with rows, in dependency order (a mutation's one statement)."""
    for step in STEPS:
        rows = step_rows(steps, step)
        if rows:
            yield step, list(rows)


# the label and key of the nodes each step creates (to remove them again, see ``remove_nodes``)
CREATES: dict[str, tuple[str, str]] = {
    "districts": ("District", "code"),
    "streets": ("Street", "code"),
    "communities": ("Community", "code"),
    "regions": ("Region", "code"),
    "areas": ("Area", "id"),
    "grids": ("Grid", "code"),
    "compounds": ("Compound", "id"),
    "buildings": ("Building", "code"),
    "dwellings": ("Dwelling", "id"),
    "households_community": ("Household", "key"),
    "households_region": ("Household", "key"),
    "persons": ("Person", "pid"),
    "units": ("Unit", "uscc"),
    "party_orgs": ("PartyOrg", "orgId"),
    "teams": ("VolunteerTeam", "teamId"),
    "collectives": ("CollectiveOrg", "uscc"),
    "evaluations": ("Evaluation", "key"),
}

REMOVE = {
    label: f"UNWIND $rows AS k MATCH (n:{label} {{{key}: k}}) DETACH DELETE n"
    for label, key in set(CREATES.values())
}


async def remove_nodes(backend: Backend, steps: Mapping[str, Sequence[dict[str, Any]]]) -> None:
    """Undo a load into an empty graph: delete the nodes the steps created (and so their edges)."""
    for step, (label, key) in CREATES.items():
        keys = [row[key] for row in steps.get(step, ())]
        if keys:
            await backend.write_batches(REMOVE[label], keys)
