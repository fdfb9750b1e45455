"""``grassroots check``: the invariants the write path promises, each proved by one query.

Each check returns the violating rows (at most ``LIMIT`` of them); an empty result is a pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.base import Backend, Row
from resolvers import flows

LIMIT = 20
ONE_AT_A_TIME = ("HUKOU_MEMBER", "LIVES_IN", "PARTY_MEMBER_OF", "REPORTED_TO", "EMPLOYED_BY")

CHECKS: dict[str, str] = {
    **{
        f"one open {rel} per person": f"""
            MATCH (p:Person)-[r:{rel}]->() WHERE r.until IS NULL
            WITH p, count(r) AS open WHERE open > 1
            RETURN p.pid AS pid, open LIMIT {LIMIT}"""
        for rel in ONE_AT_A_TIME
    },
    **{
        f"no overlapping {rel} periods": f"""
            MATCH (p:Person)-[a:{rel}]->(), (p)-[b:{rel}]->()
            WHERE a <> b AND a.since <= b.since AND (a.until IS NULL OR a.until > b.since)
              AND NOT (a.since = b.since AND id(a) > id(b))
            RETURN p.pid AS pid, a.since AS first, b.since AS second LIMIT {LIMIT}"""
        for rel in ONE_AT_A_TIME
    },
    "since <= until on every period": f"""
        MATCH ()-[r]->() WHERE r.until IS NOT NULL AND r.since IS NOT NULL AND r.since > r.until
        RETURN type(r) AS type, r.since AS since, r.until AS until LIMIT {LIMIT}""",
    "every building's compound and grid in one community": f"""
        MATCH (b:Building)-[:IN_COMPOUND]->(:Compound)-[x:IN_COMMUNITY]->(cx:Community),
              (b)-[:IN_GRID]->(:Grid)-[g:IN_COMMUNITY]->(cg:Community)
        WHERE x.until IS NULL AND g.until IS NULL AND cx <> cg
        RETURN b.code AS building, cx.code AS compoundCommunity, cg.code AS gridCommunity LIMIT {LIMIT}""",
    "every grid and compound in exactly one current community": f"""
        MATCH (n) WHERE n:Grid OR n:Compound
        WITH n, size([(n)-[r:IN_COMMUNITY]->(:Community) WHERE r.until IS NULL | r]) AS current
        WHERE current <> 1
        RETURN labels(n)[0] AS label, coalesce(n.code, n.id) AS key, current LIMIT {LIMIT}""",
    "current places are active communities": f"""
        MATCH (n)-[r:IN_COMMUNITY|HUKOU_AT|LOCATED_IN|PART_OF]->(c:Community {{status: 'MERGED'}})
        WHERE r.until IS NULL
        RETURN labels(n)[0] AS label, type(r) AS type, c.code AS community LIMIT {LIMIT}""",
    "every household registered at one place": f"""
        MATCH (h:Household)
        WITH h, size([(h)-[r:HUKOU_AT]->() WHERE r.until IS NULL | r]) AS current
        WHERE current <> 1
        RETURN h.key AS household, current LIMIT {LIMIT}""",
    "no personal data in clear": f"""
        MATCH (p:Person) WHERE p.idNumber IS NOT NULL OR p.phone IS NOT NULL
        RETURN p.pid AS pid LIMIT {LIMIT}""",
    **flows.CHECKS,  # the flow-matrix shortcuts equal what the chains say
}


@dataclass
class CheckResult:
    name: str
    violations: list[Row]

    @property
    def ok(self) -> bool:
        return not self.violations


def statements() -> list[str]:
    return [" ".join(q.split()) for q in CHECKS.values()]


async def run_checks(backend: Backend) -> list[CheckResult]:
    return [CheckResult(name, await backend.read(" ".join(query.split()))) for name, query in CHECKS.items()]
