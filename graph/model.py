"""The domain model of SPEC.md as data: node labels with their key, relationship types, indexes.

Labels, relationship types and property names used in Cypher come from here (or from literal
query text in code), never from user input.
"""

from __future__ import annotations

from typing import Final

# label -> its unique, app-generated key property
NODE_KEYS: Final[dict[str, str]] = {
    "District": "code",
    "Street": "code",
    "Community": "code",
    "Region": "code",
    "Area": "id",
    "Grid": "code",
    "Compound": "id",
    "Building": "code",
    "Dwelling": "id",
    "Person": "pid",
    "Household": "key",
    "PartyOrg": "orgId",
    "Evaluation": "key",
    "Unit": "uscc",
    "VolunteerTeam": "teamId",
    "CollectiveOrg": "uscc",
    "Audit": "id",  # the audit trail (resolvers/audit.py)
    # a mutation's optimistic lock, one per entity ever changed, keyed "Label|key"
    # (resolvers/mutations.py): kept off the entity, whose indexes every SET on it re-indexes
    "Revision": "key",
}

# extra (non-unique) node property indexes the queries look things up by
NODE_INDEXES: Final[list[tuple[str, str]]] = [
    ("Person", "idNumberHash"),
    ("Person", "name"),
    ("Community", "status"),
    ("Audit", "idempotencyKey"),
]

# relationship property indexes: the per-person flow shortcuts are found by pid (resolvers/flows.py)
RELATIONSHIP_INDEXES: Final[list[tuple[str, str]]] = [
    ("HUKOU_FLOW", "pid"),
    ("HUKOU_FLOW", "pair"),
    ("PARTY_FLOW", "pid"),
    ("PARTY_FLOW", "pair"),
]

# labels whose names are searchable (full-text over the derived ``nameGrams``, resolvers/search.py)
FULLTEXT_LABELS: Final[tuple[str, ...]] = ("Person", "Community", "Unit", "VolunteerTeam", "PartyOrg")

# Relationships that move from a merged community to its successor (SPEC.md, "History").
MOVED_BY_MERGE: Final[tuple[tuple[str, str], ...]] = (
    ("Grid", "IN_COMMUNITY"),
    ("Compound", "IN_COMMUNITY"),
    ("Household", "HUKOU_AT"),
    ("Unit", "LOCATED_IN"),
    ("PartyOrg", "BASED_IN"),
    ("Area", "PART_OF"),
)
