"""Running the contract operations (../shared/contract/operations.graphql) against the schema."""

from __future__ import annotations

from typing import Any

from conftest import SHARED
from graphql import OperationDefinitionNode, parse, print_ast

from graph.base import Backend
from resolvers.queries import global_id
from schema import Context, schema

DOCUMENT = parse((SHARED / "contract" / "operations.graphql").read_text(encoding="utf-8"))
OPERATIONS: dict[str, str] = {
    d.name.value: print_ast(d)
    for d in DOCUMENT.definitions
    if isinstance(d, OperationDefinitionNode) and d.name
}
QUERIES = [name for name, text in OPERATIONS.items() if text.startswith("query")]


async def run(backend: Backend, name: str, **variables: Any) -> dict[str, Any]:
    result = await schema.execute(
        OPERATIONS[name], variable_values=variables, context_value=Context(backend=backend)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def gid(label: str, key: str) -> str:
    return global_id(label, key)


# variables that make each contract query plan its full shape on the example bundle
VARIABLES: dict[str, dict[str, Any]] = {
    "CommunityProfile": {"code": "430105001001", "asOf": "2020-01-01"},
    "PersonCard": {"pid": "P003", "asOf": "2021-01-01"},
    "ResidenceMismatches": {
        "code": "430105001002",
        "kind": "HUKOU",
        "direction": "LIVING_ELSEWHERE",
        "first": 1,
    },
    "MismatchMatrix": {"scope": "430105", "kind": "HUKOU"},
    "CollectiveMembersElsewhere": {"scope": "430105"},
    "CommunityPairings": {"code": "430105001002", "asOf": "2023-01-01", "includeEnded": True},
    "UnitPairings": {"uscc": "12430105000010022D"},
    "PairingCoverage": {"scope": "430105001"},
    "PairingSuggestions": {"code": "430105001001", "first": 5},
    "ReportingByUnit": {"scope": "430105"},
    "DualResponsibility": {"pid": "P003"},
    "PartyOrgTree": {"orgId": "PO-A1"},
    "EvaluationGaps": {"code": "430105001001", "year": 2024},
    "Connection": {"from": gid("Person", "P001"), "to": gid("Unit", "11430105000010011C"), "maxHops": 4},
    "Neighborhood": {"id": gid("Person", "P003"), "depth": 2, "limit": 50},
    "Search": {"text": "张伟", "first": 5},
    "NodeById": {"id": gid("Person", "P001")},
}
