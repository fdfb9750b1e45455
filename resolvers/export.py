"""``grassroots export DIR``: the graph written back as an import bundle (contract/IMPORT.md).

Structural rows name each entity's ORIGINAL parent (the edge a merge did not create) and
merges.csv lists the merges, so importing the bundle into an empty store replays the same history
and gives the same graph. This is also how a store moves from the embedded FalkorDB to Neo4j.
ID numbers and phones are written only with ``include_personal_data``; otherwise their cells are
empty.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from graph.base import Backend
from resolvers.ledger.spec import BY_NAME
from resolvers.personal import PersonalData

QUERIES: dict[str, str] = {
    "regions.csv": """
        MATCH (n:District) RETURN n.code AS code, n.name AS name, 'DISTRICT' AS level, null AS kind,
              null AS parent_code
        UNION ALL
        MATCH (n:Street)-[:IN_DISTRICT]->(p:District) RETURN n.code AS code, n.name AS name, 'STREET' AS level,
              null AS kind, p.code AS parent_code
        UNION ALL
        MATCH (n:Community)-[:IN_STREET]->(p:Street) RETURN n.code AS code, n.name AS name, 'COMMUNITY' AS level,
              n.kind AS kind, p.code AS parent_code
        UNION ALL
        MATCH (n:Region) RETURN n.code AS code, n.name AS name, 'OUTSIDE' AS level, null AS kind,
              null AS parent_code""",
    "areas.csv": """
        MATCH (a:Area)-[r:PART_OF]->(c:Community) WHERE r.since IS NULL
        WITH a, c, [(x:Area)-[q:PART_OF]->(c) WHERE q.since IS NULL | x.id] AS own
        WHERE a.id <> c.code OR size(own) > 1
        RETURN a.id AS id, a.name AS name, c.code AS community_code""",
    "grids.csv": """
        MATCH (g:Grid)-[r:IN_COMMUNITY]->(c:Community) WHERE r.since IS NULL
        RETURN g.code AS code, g.name AS name, c.code AS community_code, g.targetHouseholds AS target_households""",
    "compounds.csv": """
        MATCH (x:Compound)-[r:IN_COMMUNITY]->(c:Community) WHERE r.since IS NULL
        RETURN x.id AS id, x.name AS name, x.type AS type, c.code AS community_code""",
    "buildings.csv": """
        MATCH (b:Building)-[:IN_COMPOUND]->(x:Compound), (b)-[:IN_GRID]->(g:Grid), (b)-[:IN_AREA]->(a:Area)
        RETURN b.code AS code, b.name AS name, x.id AS compound_id, g.code AS grid_code, a.id AS area_id""",
    "dwellings.csv": """
        MATCH (d:Dwelling)-[:IN_BUILDING]->(b:Building)
        RETURN d.id AS id, b.code AS building_code, d.room AS room""",
    "households.csv": """
        MATCH (h:Household)-[r:HUKOU_AT]->(p)
        WITH h, r, p ORDER BY h.key, coalesce(r.since, '') ASC
        WITH h, collect([p.code, r.since])[0] AS first
        RETURN h.key AS key, h.type AS type, first[0] AS hukou_code, first[1] AS since""",
    "persons.csv": """
        MATCH (p:Person)
        RETURN p.pid AS pid, p.name AS name, p.gender AS gender, p.birthDate AS birth_date,
               p.idNumberEnc AS id_number, p.phoneEnc AS phone, p.ethnicity AS ethnicity, p.tags AS tags""",
    "units.csv": """
        MATCH (u:Unit)-[r:LOCATED_IN]->(c:Community) WHERE r.since IS NULL
        RETURN u.uscc AS uscc, u.name AS name, u.category AS category, c.code AS community_code""",
    "party_orgs.csv": """
        MATCH (o:PartyOrg)-[r:BASED_IN]->(c:Community) WHERE r.since IS NULL
        OPTIONAL MATCH (o)-[:SUBORDINATE_TO]->(p:PartyOrg)
        OPTIONAL MATCH (o)-[:COVERS]->(t)
        RETURN o.orgId AS id, o.name AS name, o.level AS level, o.kind AS kind, p.orgId AS parent_id,
               c.code AS community_code,
               CASE WHEN t IS NULL THEN null WHEN t:Compound THEN 'COMPOUND' WHEN t:Building THEN 'BUILDING'
                    WHEN t:Grid THEN 'GRID' ELSE 'UNIT' END AS covers_type,
               CASE WHEN t IS NULL THEN null ELSE coalesce(t.id, t.code, t.uscc) END AS covers""",
    "teams.csv": """
        MATCH (t:VolunteerTeam)-[:BASED_IN]->(c:Community)
        RETURN t.teamId AS id, t.name AS name, t.type AS type, c.code AS community_code""",
    "collectives.csv": """
        MATCH (o:CollectiveOrg)-[:OF_AREA]->(a:Area)
        RETURN o.uscc AS uscc, o.name AS name, a.id AS area_id""",
    "hukou_members.csv": """
        MATCH (p:Person)-[r:HUKOU_MEMBER]->(h:Household)
        RETURN p.pid AS pid, h.key AS household_key, r.relToHead AS rel_to_head, r.since AS since, r.until AS until""",
    "residences.csv": """
        MATCH (p:Person)-[r:LIVES_IN]->(d:Dwelling)
        RETURN p.pid AS pid, d.id AS dwelling_id, r.tenure AS tenure, r.since AS since, r.until AS until""",
    "party_members.csv": """
        MATCH (p:Person)-[r:PARTY_MEMBER_OF]->(o:PartyOrg)
        RETURN p.pid AS pid, o.orgId AS org_id, r.type AS type, r.joined AS joined, r.since AS since,
               r.until AS until""",
    "employments.csv": """
        MATCH (p:Person)-[r:EMPLOYED_BY]->(u:Unit)
        RETURN p.pid AS pid, u.uscc AS uscc, r.since AS since, r.until AS until""",
    "reports.csv": """
        MATCH (p:Person)-[r:REPORTED_TO]->(c:Community)
        RETURN p.pid AS pid, c.code AS community_code, r.gridCode AS grid_code, r.since AS since, r.until AS until""",
    "pairings.csv": """
        MATCH (u:Unit)-[r:PAIRED_WITH]->(t)
        RETURN u.uscc AS uscc,
               CASE WHEN t:Community THEN 'COMMUNITY' WHEN t:Compound THEN 'COMPOUND' ELSE 'PARTY_ORG' END
                 AS target_type,
               coalesce(t.code, t.id, t.orgId) AS target, r.since AS since, r.until AS until,
               r.agreementNo AS agreement_no""",
    "team_members.csv": """
        MATCH (p:Person)-[r:IN_TEAM]->(t:VolunteerTeam)
        RETURN t.teamId AS team_id, p.pid AS pid, r.role AS role, r.since AS since, r.until AS until""",
    "roles.csv": """
        MATCH (p:Person)-[r:SERVES_AS]->(t)
        RETURN p.pid AS pid, r.role AS role,
               CASE WHEN t:Community THEN 'COMMUNITY' WHEN t:Grid THEN 'GRID' WHEN t:Compound THEN 'COMPOUND'
                    WHEN t:Building THEN 'BUILDING' ELSE 'PARTY_ORG' END AS scope_type,
               coalesce(t.code, t.id, t.orgId) AS scope, r.since AS since, r.until AS until""",
    "collective_members.csv": """
        MATCH (p:Person)-[r:COLLECTIVE_MEMBER_OF]->(o:CollectiveOrg)
        RETURN p.pid AS pid, o.uscc AS collective_uscc, r.since AS since, r.until AS until""",
    "evaluations.csv": """
        MATCH (e:Evaluation)-[:EVALUATES]->(p:Person)
        RETURN p.pid AS pid, e.year AS year, e.side AS side, e.grade AS grade""",
    "merges.csv": """
        MATCH (o:Community)-[m:MERGED_INTO]->(n:Community)
        RETURN o.code AS old_code, n.code AS new_code, m.on AS on, m.docNo AS doc_no""",
}


def statements() -> list[str]:
    return [" ".join(q.split()) for q in QUERIES.values()]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


async def export_bundle(
    backend: Backend, out: Path, personal: PersonalData | None, *, include_personal_data: bool = False
) -> dict[str, int]:
    """Write every file of the format to ``out``; returns rows per file."""
    if include_personal_data and personal is None:
        raise ValueError("--include-personal-data needs GRASSROOTS_SECRET_KEY")
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name, query in QUERIES.items():
        rows = await backend.read(" ".join(query.split()))
        columns = [c.name for c in BY_NAME[name].columns]
        rows.sort(key=lambda r: tuple(_cell(r.get(c)) for c in columns))
        with (out / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                if name == "persons.csv":
                    for column, field in (("id_number", "idNumber"), ("phone", "phone")):
                        stored = row.get(column)
                        row[column] = (
                            personal.decrypt(field, stored)  # type: ignore[arg-type]
                            if stored and include_personal_data and personal is not None
                            else None
                        )
                writer.writerow([_cell(row.get(c)) for c in columns])
        counts[name] = len(rows)
    return counts
