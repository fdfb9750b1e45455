"""Every Cypher statement the service can send to Neo4j passes Neo4j's own front end with no error.

Static statements come from the one place each concern keeps its Cypher (the write path, the
importer's lookups, export, check, the Neo4j adapter's DDL). Planned read statements are
recorded while every contract query runs, so each planned shape is linted. FalkorDB's adapter
statements (its index DDL and procedures) are never sent to Neo4j and are not linted here.
"""

from __future__ import annotations

import pytest
from conftest import EXAMPLE, TODAY, Recording
from contract import OPERATIONS, QUERIES, VARIABLES
from cypher_lint import errors

from graph.base import Backend
from graph.neo4j_backend import schema_statements as neo4j_schema_statements
from resolvers import check, export, flows, writes
from resolvers.ledger import import_bundle, lookups
from resolvers.personal import PersonalData
from schema import Context, schema

GENERIC = [
    "RETURN 1 AS ok",
    "MATCH (n) DETACH DELETE n",
    "CALL db.awaitIndexes(300)",
    "MATCH (p:Person) RETURN p.pid AS pid LIMIT 1",
    "MATCH (n) RETURN 1 AS one LIMIT 1",
]

STATIC = {
    "writes": writes.statements(),
    "flows": flows.statements(),
    "lookups": lookups.lookup_statements(),
    "export": export.statements(),
    "check": check.statements(),
    "neo4j adapter": neo4j_schema_statements(),
    "generic": GENERIC,
}


def test_static_statements_are_valid_on_neo4j() -> None:
    statements = [s for group in STATIC.values() for s in group]
    assert len(statements) > 80  # the registry really holds the service's statements
    assert errors(statements) == {}


@pytest.mark.parametrize("backend", ["falkordb"], indirect=True)
async def test_every_planned_contract_query_is_valid_on_neo4j(
    backend: Backend, personal: PersonalData
) -> None:
    assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
    recording = Recording(backend)
    planned = []
    for name in QUERIES:
        if name not in VARIABLES:
            pytest.fail(f"contract query {name} has no lint variables")
        result = await schema.execute(
            OPERATIONS[name], variable_values=VARIABLES[name], context_value=Context(backend=recording)
        )
        if result.errors and any("Cannot query field" in str(e) for e in result.errors):
            continue  # not served yet
        assert result.errors is None, (name, result.errors)
        planned.append(name)
    assert len(recording.statements) == len(planned)  # one statement per root field
    assert errors(recording.statements) == {}


@pytest.mark.parametrize("bad", ["MATCH (n) WHERE exists(n.x) RETURN n", "CREATE INDEX ON :Person(pid)"])
def test_the_lint_rejects_what_neo4j_rejects(bad: str) -> None:
    assert bad in errors([bad])


MUTATIONS = [  # (field, input): each kind of change once, all accepted on the example bundle
    ("movePerson", {"pid": "P001", "dwellingId": "D-B1-201", "since": "2026-03-01", "tenure": "TENANT"}),
    ("transferHukou", {"pid": "P002", "householdKey": "H-002", "since": "2026-03-01", "relToHead": "子"}),
    ("reportToCommunity", {"pid": "P001", "communityCode": "430105001002", "since": "2026-03-01"}),
    ("pairUnit", {"uscc": "12430105000010022D", "targetType": "COMMUNITY", "target": "430105001001",
                  "since": "2026-01-15"}),
    ("endPairing", {"uscc": "12430105000010022D", "targetType": "COMMUNITY", "target": "430105001001",
                    "until": "2026-06-30"}),
    ("upsertPerson", {"pid": "P100", "name": "欧阳𠮷", "gender": "F", "idNumber": "11010519491231002X"}),
    ("joinTeam", {"pid": "P100", "teamId": "T-A1", "since": "2026-01-03"}),
    ("leaveTeam", {"pid": "P100", "teamId": "T-A1", "until": "2026-03-01"}),
    ("assignRole", {"pid": "P100", "role": "BUILDING_HEAD", "scopeType": "BUILDING", "scope": "4301050010010001",
                    "since": "2026-01-05"}),
    ("endRole", {"pid": "P100", "role": "BUILDING_HEAD", "scopeType": "BUILDING", "scope": "4301050010010001",
                 "until": "2026-05-05"}),
    ("recordEvaluation", {"pid": "P001", "year": 2025, "side": "ORG", "grade": "EXCELLENT"}),
    ("mergeCommunities", {"oldCodes": ["430105001001", "430105001002"], "newCode": "430105001003",
                          "newName": "德雅砚瓦社区", "on": "2026-06-01"}),
]  # fmt: skip

PAYLOAD = {
    "pairUnit": "pairing { since active unit { uscc } target { ... on Community { code } } }",
    "endPairing": "pairing { since until active }",
    "mergeCommunities": "community { code name mergedFrom { community { code } on } }",
}


@pytest.mark.parametrize("backend", ["falkordb"], indirect=True)
async def test_every_mutation_statement_is_valid_on_neo4j(backend: Backend, personal: PersonalData) -> None:
    assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
    recording = Recording(backend)
    for field, fields in MUTATIONS:
        payload = PAYLOAD.get(field, "person { pid residence { since community { code } } }")
        input_type = field[0].upper() + field[1:] + "Input"
        if field == "reportToCommunity":
            input_type = "ReportInput"
        elif field == "mergeCommunities":
            input_type = "MergeInput"
        document = f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ userErrors {{ code message }} {payload} }} }}"
        result = await schema.execute(
            document,
            variable_values={"input": fields},
            context_value=Context(backend=recording, personal=personal),
        )
        assert result.errors is None and result.data is not None, (field, result.errors)
        assert result.data[field]["userErrors"] == [], (field, result.data)
    log = await schema.execute(
        '{ auditLog(first: 2, filter: {operation: "movePerson", since: "2026-01-01"}) { totalCount nodes { id } } }',
        context_value=Context(backend=recording),
    )
    assert log.errors is None
    assert len(recording.statements) > 3 * len(MUTATIONS)
    assert errors(recording.statements) == {}
