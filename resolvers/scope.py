"""Who may read what: a principal (from a verified token) becomes the row-level ``Scope`` that
the planner injects into every statement (resolvers/plan.py).

    principal = Principal(sub="li", role=Role.COMMUNITY_STAFF, communities=("430105001001",))
    scope = scope_for(principal, today="2026-01-01")
    q = Cypher(as_of, scope)
    q.line("MATCH (p:Person {pid: $pid})")
    q.line(scope.person(q, "p"))       # CALL { WITH p ... } that keeps p only when visible

Every filter is Cypher text over a variable the caller names, with values only in parameters
(``$scopeCodes`` / ``$scopePrefix``, ``$scopeDate``), so the database still starts from its
index and answers in one round trip; an out-of-scope node simply does not match. A person's
filter is a correlated subquery that walks the four chains below and keeps the row only if one
of them ends in the caller's communities (FalkorDB accepts no pattern comprehension in WHERE)::

    CALL { WITH p
      OPTIONAL MATCH (p)-[lr:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)
                     -[lg:IN_COMMUNITY]->(c1:Community)
        WHERE <lr, lg open on $scopeDate> AND c1.code IN $scopeCodes
      WITH p, count(c1) AS k1
      OPTIONAL MATCH (p)-[hm:HUKOU_MEMBER]->(:Household)-[ha:HUKOU_AT]->(c2) WHERE ... AND c2:Community
      WITH p, k1, count(c2) AS k2
      ... party home (c3), collective home (c4) ...
      WITH k1 + k2 + k3 + k4 AS k WHERE k > 0
      RETURN true AS seen }

| role | a person is visible when | a community is visible when |
|---|---|---|
| ADMIN, ANALYST | always (ANALYST: pid only, aggregates withhold cells under 5) | always |
| DISTRICT_STAFF / STREET_STAFF | one of the four chains below reaches a community whose code starts with the district / street code | its code starts with it |
| COMMUNITY_STAFF | one of the four chains reaches a community whose code is in the token's list | its code is in the list |

The chains are SPEC.md's definitions, open on ``$scopeDate`` (today): residence (dwelling →
building → grid → community), hukou place (household → community), party home (party org →
based-in community) and collective home (collective org → area → community); so both sides of
双重负责 see the person. Other nodes are visible through the community they hang from (a grid or
compound by ``IN_COMMUNITY``, a building and a dwelling through their grid, a unit where it is
located or a community it is paired with, ...). Districts, streets and outside regions are
public place names. Codes nest (a community's code starts with its street's, which the importer
enforces), so street and district scopes are a ``STARTS WITH`` on the community code.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from resolvers.analysis import home, residence
from resolvers.plan import UNRESTRICTED, Cypher, Scope

MIN_CELL = 5  # aggregate cells of fewer persons are withheld from roles that may not see persons


class Role(enum.Enum):
    ADMIN = "ADMIN"
    DISTRICT_STAFF = "DISTRICT_STAFF"
    STREET_STAFF = "STREET_STAFF"
    COMMUNITY_STAFF = "COMMUNITY_STAFF"
    ANALYST = "ANALYST"


STAFF = (Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF)


@dataclass(frozen=True)
class Principal:
    """The caller, from a verified token (service/auth.py)."""

    sub: str
    role: Role
    name: str = ""
    communities: tuple[str, ...] = ()
    street: str | None = None
    district: str | None = None
    token_id: str = ""  # what the rate limiter counts by

    def describe(self) -> str:
        where = ", ".join(self.communities) or self.street or self.district or "everything"
        return f"{self.sub} ({self.role.value}: {where})"


ADMIN = Principal(sub="local", role=Role.ADMIN, name="local admin")


# label -> pattern from (n) to (c:Community), the relationship whose period counts named {r}
ATTACHED: dict[str, list[str]] = {
    "Unit": ["(n)-[r:LOCATED_IN]->(c:Community)", "(n)-[r:PAIRED_WITH]->(c:Community)"],
    "PartyOrg": ["(n)-[r:BASED_IN]->(c:Community)"],
    "Grid": ["(n)-[r:IN_COMMUNITY]->(c:Community)"],
    "Compound": ["(n)-[r:IN_COMMUNITY]->(c:Community)"],
    "Building": ["(n)-[:IN_GRID]->(:Grid)-[r:IN_COMMUNITY]->(c:Community)"],
    "Dwelling": ["(n)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[r:IN_COMMUNITY]->(c:Community)"],
    "Area": ["(n)-[r:PART_OF]->(c:Community)"],
    "Household": ["(n)-[r:HUKOU_AT]->(c:Community)"],
    "VolunteerTeam": ["(n)-[r:BASED_IN]->(c:Community)"],
    "CollectiveOrg": ["(n)-[:OF_AREA]->(:Area)-[r:PART_OF]->(c:Community)"],
    "Evaluation": [
        "(n)-[r:ISSUED_BY]->(c:Community)",
        "(n)-[:ISSUED_BY]->(:PartyOrg)-[r:BASED_IN]->(c:Community)",
    ],
}
PUBLIC = ("District", "Street", "Region")
DATE = "$scopeDate"


class _Staff:
    """The filters of one staff principal; ``where(q, c)`` says which communities are theirs."""

    def __init__(self, principal: Principal, today: str) -> None:
        self.today = today
        if principal.role is Role.COMMUNITY_STAFF:
            self.codes: list[str] | None = list(principal.communities)
            self.prefix: str | None = None
        else:
            self.codes = None
            self.prefix = principal.street if principal.role is Role.STREET_STAFF else principal.district
            if not self.prefix:
                raise ValueError(f"{principal.role.value} needs the code of its street or district")

    def where(self, q: Cypher, c: str) -> str:
        if self.codes is not None:
            q.params["scopeCodes"] = self.codes
            return f"{c}.code IN $scopeCodes"
        q.params["scopePrefix"] = self.prefix
        return f"{c}.code STARTS WITH $scopePrefix"

    def community(self, q: Cypher, var: str) -> str:
        return self.where(q, var)

    def _chains(self, q: Cypher, var: str, label: str) -> list[tuple[str, str, list[str]]]:
        """(pattern from ``var`` to community ``c``, ``c``, conditions) for each way ``label`` hangs."""
        q.params["scopeDate"] = self.today
        chains = []
        if label == "Person":
            for kind in ("RESIDENCE", "HUKOU", "PARTY", "COLLECTIVE"):
                c = q.var("sc")
                pattern, opens = (
                    residence(q, var, c, DATE) if kind == "RESIDENCE" else home(q, kind, var, c, DATE)
                )
                conditions = [*opens, f"{c}:Community", self.where(q, c)]  # a hukou place may be a Region
                chains.append((pattern, c, conditions))
            return chains
        for pattern in ATTACHED.get(label, ()):
            r, c = q.var("sr"), q.var("sc")
            text = pattern.replace("(n)", f"({var})").replace("[r:", f"[{r}:").replace("(c:", f"({c}:")
            chains.append((text, c, [q.open_at(r, DATE), self.where(q, c)]))
        return chains

    def _filter(
        self, q: Cypher, var: str, chains: list[tuple[str, str, list[str]]], direct: str | None = None
    ) -> str:
        """``CALL { WITH var OPTIONAL MATCH <chain> WHERE ... WITH var, count(c) AS k ... }`` that
        returns one row when ``direct`` holds or any chain reaches one of the caller's communities,
        and no row otherwise (so the outer row is dropped)."""
        parts = [f"CALL {{ WITH {var}"]
        counts = []
        if direct is not None:
            k = q.var("k")
            parts.append(f"WITH {var}, CASE WHEN {direct} THEN 1 ELSE 0 END AS {k}")
            counts.append(k)
        for pattern, end, conditions in chains:
            k = q.var("k")
            parts.append(f"OPTIONAL MATCH {pattern} WHERE {' AND '.join(conditions)}")
            parts.append(f"WITH {', '.join([var, *counts])}, count({end}) AS {k}")
            counts.append(k)
        total = q.var("k")
        parts.append(f"WITH {' + '.join(counts) or '0'} AS {total} WHERE {total} > 0")
        parts.append(f"RETURN true AS {q.var('seen')} }}")
        return " ".join(parts)

    def person(self, q: Cypher, var: str) -> str:
        """Residence, hukou place, party home or collective home in scope, on ``$scopeDate``."""
        return self._filter(q, var, self._chains(q, var, "Person"))

    def node(self, q: Cypher, var: str, label: str) -> str | None:
        if label in PUBLIC:
            return None
        return self._filter(q, var, self._chains(q, var, label))  # an unlisted label: never visible

    def anything(self, q: Cypher, var: str) -> str:
        """For a node of unknown label (on a path): visible as its own label would be."""
        chains = []
        for label in ("Person", *ATTACHED):
            chains += [(p, c, [f"{var}:{label}", *conds]) for p, c, conds in self._chains(q, var, label)]
        public = " OR ".join(f"{var}:{label}" for label in PUBLIC)
        return self._filter(q, var, chains, f"{public} OR ({var}:Community AND {self.where(q, var)})")


def scope_for(principal: Principal, today: str) -> Scope:
    """The row-level scope of a principal; ``today`` is the date the chains must be open on."""
    if principal.role is Role.ADMIN:
        return UNRESTRICTED
    if principal.role is Role.ANALYST:
        return Scope(min_cell=MIN_CELL, person_names=False, key=(Role.ANALYST,))
    staff = _Staff(principal, today)
    return Scope(
        person=staff.person,
        community=staff.community,
        node=staff.node,
        anything=staff.anything,
        key=(principal.role, principal.communities, principal.street, principal.district, today),
    )
