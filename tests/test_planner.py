"""Planner snapshots: GraphQL in, Cypher + parameters out, with no database.

Each contract query is executed against a backend that only records the statement it is sent
(and answers nothing), and the statement and parameters are compared with tests/snapshots/.
A change to planning shows up here as a diff to review; accept it with
`UPDATE_SNAPSHOTS=1 pytest tests/test_planner.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from contract import OPERATIONS, QUERIES, VARIABLES

from graph.base import Backend, Row
from resolvers.queries import today
from resolvers.scope import ADMIN, Principal, Role
from schema import Context, schema

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


class Capture(Backend):
    """Records statements; answers every one with no rows. Not a database."""

    name = "capture"

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def _run(self, query: str, params: dict[str, Any], *, write: bool) -> list[Row]:
        self.sent.append((query, params))
        return []

    async def _setup_schema(self) -> None:
        pass

    async def health(self) -> bool:
        return True

    async def close(self) -> None:
        pass

    def fulltext(self, label: str) -> str:
        return f"CALL db.idx.fulltext.queryNodes('{label}', $query) YIELD node"

    def fulltext_query(self, tokens: list[str]) -> str:
        return " ".join(tokens)


def render(sent: list[tuple[str, dict[str, Any]]]) -> str:
    parts = []
    for query, params in sent:
        stable = {k: ("<today>" if v == today() else v) for k, v in params.items()}  # stable across days
        parts.append(
            query + "\n-- parameters\n" + json.dumps(stable, ensure_ascii=False, indent=1, sort_keys=True)
        )
    return "\n\n".join(parts) + "\n"


@pytest.mark.parametrize("name", QUERIES)
async def test_planned_statement_matches_snapshot(name: str) -> None:
    capture = Capture()
    variables = {**VARIABLES[name]}
    if "asOf" in OPERATIONS[name] and "asOf" not in variables:
        variables["asOf"] = "2024-06-30"  # a fixed date keeps the snapshot stable
    await schema.execute(OPERATIONS[name], variable_values=variables, context_value=Context(backend=capture))
    assert len(capture.sent) == 1  # one statement per root field, planned before any row exists
    text = render(capture.sent)
    path = SNAPSHOTS / f"{name}.cypher"
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_every_value_is_a_parameter() -> None:
    """No request value is spelled into the statement text: injection strings come back verbatim
    as parameters and the planned text is the same as for a plain value."""
    import asyncio

    async def plan(pid: str) -> tuple[str, dict[str, Any]]:
        capture = Capture()
        await schema.execute(OPERATIONS["PersonCard"], variable_values={"pid": pid, "asOf": "2024-06-30"},
                             context_value=Context(backend=capture))  # fmt: skip
        return capture.sent[0]

    plain = asyncio.run(plan("P001"))
    nasty = "x' }) MATCH (n) DETACH DELETE n //`$"
    evil = asyncio.run(plan(nasty))
    assert evil[0] == plain[0] and evil[1]["key"] == nasty


async def test_a_field_asked_twice_is_one_merged_selection() -> None:
    """GraphQL merges ``person`` asked twice under one response key into one field: one statement
    that fetches what both ask for (it was an unexpected error)."""
    capture = Capture()
    result = await schema.execute(
        '{ person(pid: "P001") { name } person(pid: "P001") { pid gender } }',
        context_value=Context(backend=capture),
    )
    assert result.errors is None and result.data == {"person": None}
    [(query, params)] = capture.sent
    assert params["key"] == "P001"
    for prop in ("n.name", "n.pid", "n.gender"):
        assert prop in query, query


async def test_the_kept_selection_follows_the_variables_used_inside_it() -> None:
    """The nested selection is remembered per document, and per value of the variables used in
    it: the same text with another ``first`` inside plans another page size."""
    text = (
        "query($code: String!, $n: Int) { community(code: $code) { code "
        "grids(first: $n) { edges { node { code } } } } }"
    )
    sent = []
    for code, first in (("430102001001", 1), ("430102001002", 1), ("430102001001", 7)):
        capture = Capture()
        result = await schema.execute(
            text, variable_values={"code": code, "n": first}, context_value=Context(backend=capture)
        )
        assert result.errors is None, result.errors
        [(query, params)] = capture.sent
        sent.append((query, params))
    assert sent[0][1]["key"] == "430102001001" and sent[1][1]["key"] == "430102001002"
    assert sent[0][0] == sent[1][0]  # the same page size: the same statement
    assert sent[0][0] != sent[2][0]  # another page size: another slice in the statement


async def test_a_kept_statement_binds_each_requests_values() -> None:
    """A statement planned for a selection is kept and reused by later requests with the same
    document and scope. It must then carry that request's key and dates exactly as planning afresh
    does (a document with a different comment is a new selection, planned afresh)."""
    staff = Principal(sub="s", role=Role.COMMUNITY_STAFF, communities=("430102001001",))
    street = Principal(sub="t", role=Role.STREET_STAFF, street="430102001")
    profile, card = OPERATIONS["CommunityProfile"], OPERATIONS["PersonCard"]
    requests = [
        (document, principal, {("code" if document is profile else "pid"): key, "asOf": as_of})
        for document, keys in ((profile, ("430102001001", "430102001002")), (card, ("P001", "P002")))
        for principal in (ADMIN, staff, street, ADMIN)
        for key, as_of in ((keys[0], None), (keys[1], "2020-01-01"), (keys[0], "2024-06-30"))
    ]
    kept = []
    for number, (document, principal, variables) in enumerate(requests):
        sent = []
        for text in (document, document + f"\n# afresh {number}"):
            capture = Capture()
            result = await schema.execute(
                text, variable_values=variables, context_value=Context(backend=capture, principal=principal)
            )
            assert result.errors is None, result.errors
            sent.append(capture.sent[0])
        assert sent[0] == sent[1], (principal.role, variables)
        key = variables.get("code") or variables["pid"]
        as_of = variables["asOf"]
        assert sent[0][1]["key"] == key
        assert as_of is None or as_of in sent[0][1].values()
        kept.append(sent[0][0])
    assert kept[1] == kept[2] == kept[10] and kept[4] != kept[1] != kept[7]  # one statement per scope
    assert kept[12] == kept[13] == kept[14] == kept[21]  # PersonCard: the date is a parameter
