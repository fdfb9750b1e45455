"""The served app: GraphQL over HTTP on the embedded store, /health, /metrics round-trip counting."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE, bearer
from contract import OPERATIONS, QUERIES, VARIABLES
from starlette.testclient import TestClient

from graph.base import Backend
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from schema import Context, schema
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("app") / "data", secret_key="test-secret-key")

    async def load(backend: Backend) -> None:
        result = await import_bundle(backend, EXAMPLE, PersonalData.from_secret(settings.secret_key))
        assert result.ok, result.problems

    with TestClient(create_app(settings, prepare=load), headers=bearer()) as test_client:
        yield test_client


def db_queries(client: TestClient) -> float:
    text = client.get("/metrics").text
    return sum(float(v) for v in re.findall(r"^grassroots_db_queries_total\{[^}]*\} (\S+)$", text, re.M))


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "backend": "falkordb"}


def test_graphiql_on_get(client: TestClient) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


def test_community_and_person_in_one_round_trip_each(client: TestClient) -> None:
    before = db_queries(client)
    response = client.post(
        "/graphql",
        json={
            "query": '{ community(code: "430105001001") { code name kind status street { code name } }'
            ' p: person(pid: "P004") { pid name gender birthYear idNumberMasked phoneMasked tags } }'
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "community": {"code": "430105001001", "name": "德雅村社区", "kind": "COMMUNITY", "status": "ACTIVE",
                          "street": {"code": "430105001", "name": "东风路街道"}},
            "p": {"pid": "P004", "name": "刘洋", "gender": "F", "birthYear": 1990,
                  "idNumberMasked": "4301**********006X", "phoneMasked": None, "tags": []},
        }
    }  # fmt: skip
    assert db_queries(client) - before == 2  # two root fields, two round trips


def test_missing_things_are_null(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": '{ community(code: "999") { name } }'})
    assert response.json() == {"data": {"community": None}}


def test_validation_errors_are_clear(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ community { name } }"})
    [error] = response.json()["errors"]
    assert "'Query.community(code:)' of type 'String!' is required" in error["message"]


def test_no_personal_data_in_responses_or_metrics(client: TestClient, tmp_path: Path) -> None:
    response = client.post(
        "/graphql", json={"query": '{ person(pid: "P001") { idNumberMasked phoneMasked } }'}
    )
    body = response.text + client.get("/metrics").text
    assert "430105196204180010" not in body and "13800000001" not in body
    assert response.json()["data"]["person"] == {
        "idNumberMasked": "4301**********0010",
        "phoneMasked": "138****0001",
    }


@pytest.mark.parametrize("name", QUERIES)
def test_one_round_trip_per_root_field_for_every_contract_query(client: TestClient, name: str) -> None:
    before = db_queries(client)
    response = client.post("/graphql", json={"query": OPERATIONS[name], "variables": VARIABLES[name]})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    assert db_queries(client) - before == 1


def test_schema_snapshot_is_current() -> None:
    """schema.graphql is the published contract: regenerate it with `python -m schema > schema.graphql`."""
    assert (ROOT / "schema.graphql").read_text(encoding="utf-8") == schema.as_str() + "\n"


class BrokenReads:
    """The real backend whose reads fail with a bug of ours (not an outage)."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> object:
        return getattr(self._backend, name)

    async def read(self, query: str, params: object = None) -> list[dict[str, object]]:
        raise RuntimeError("a bug in our code")


async def test_only_unexpected_errors_are_logged(backend: Backend, caplog: pytest.LogCaptureFixture) -> None:
    clear_id = "430102199001010010"
    expected = [  # the client's to fix: answered with a clear message, not logged
        ('{ pairingSuggestions(communityCode: "430102001001", first: 500) { score } }', None),
        ('query($n: Int) { pairingSuggestions(communityCode: "x", first: $n) { score } }', {"n": clear_id}),
        ("{ person(pid: ", None),
    ]
    with caplog.at_level(logging.DEBUG, logger="strawberry.execution"):
        for query, variables in expected:
            result = await schema.execute(
                query, variable_values=variables, context_value=Context(backend=backend)
            )
            assert result.errors and result.errors[0].message != "Unexpected error.", result.errors
        assert caplog.records == []
        result = await schema.execute(
            '{ person(pid: "P001") { pid } }',
            context_value=Context(backend=BrokenReads(backend)),  # type: ignore[arg-type]
        )
    assert result.errors and result.errors[0].message == "Unexpected error."  # masked for the client
    assert len(caplog.records) == 1 and "a bug in our code" in caplog.text  # and logged in full
    assert caplog.records[0].exc_info is not None
    assert clear_id not in caplog.text
