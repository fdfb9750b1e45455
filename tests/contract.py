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
