"""Fixtures: a real embedded FalkorDB for the session (and Neo4j when NEO4J_URI is set).

Every test gets its own empty graph: a fresh graph key on FalkorDB, a cleared database on Neo4j.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import logging
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.base import Backend, Row
from graph.embedded import EmbeddedFalkorDB
from graph.falkor_backend import FalkorBackend
from resolvers.personal import PersonalData
from resolvers.scope import Role
from service.auth import make_token


def _shared() -> Path:
    """The product owner's ``shared/`` (SPEC, contract, example bundle): ``GRASSROOTS_SHARED`` if
    set, else the one beside this checkout, else — for a clone of a local checkout, such as
    ``git clone . /tmp/x`` — the one beside its origin."""
    if named := os.environ.get("GRASSROOTS_SHARED"):
        return Path(named)
    root = Path(__file__).resolve().parent.parent
    beside = root.parent / "shared"
    if beside.is_dir():
        return beside
    origin = subprocess.run(
        ["git", "-C", str(root), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and Path(origin).is_dir() and (Path(origin).resolve().parent / "shared").is_dir():
        return Path(origin).resolve().parent / "shared"
    return beside  # missing: the tests that read it fail naming this path


SHARED = _shared()
EXAMPLE = SHARED / "contract" / "example"
TODAY = "2026-11-23"
TEST_SECRET = "test-secret-key"
_graph_numbers = itertools.count()


@pytest.fixture(scope="session")
async def falkor_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedFalkorDB]:
    server = EmbeddedFalkorDB(tmp_path_factory.mktemp("falkordb"), timeout_ms=30_000)
    await server.start()
    yield server
    await server.stop()


BACKENDS = ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, falkor_server: EmbeddedFalkorDB) -> AsyncIterator[Backend]:
    """An empty graph with the schema set up, on each backend under test."""
    store: Backend
    if request.param == "neo4j":
        uri = os.environ.get("NEO4J_URI")
        if not uri:
            pytest.skip("NEO4J_URI is not set: the Neo4j suite runs only against a real server")
        from graph.neo4j_backend import Neo4jBackend

        store = Neo4jBackend(
            uri,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD"),
            database=os.environ.get("NEO4J_DATABASE"),
            query_timeout=30,
        )
        await store.clear()
    else:
        store = FalkorBackend(
            graph_key=f"test{next(_graph_numbers)}",
            query_timeout=30,
            unix_socket=str(falkor_server.socket_path),
        )
    await store.setup_schema()
    yield store
    await store.close()


@pytest.fixture(scope="session")
def personal() -> PersonalData:
    return PersonalData.from_secret("test-secret-key")


@pytest.fixture
def make_bundle(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the example bundle with files replaced, edited or removed.

    ``make_bundle(**{"persons.csv": "pid,name\\n..."})`` replaces a file; a callable receives the
    original text and returns the new one; ``None`` removes the file.
    """

    def build(source: Path = EXAMPLE, **files: Any) -> Path:
        target = tmp_path / f"bundle{next(_graph_numbers)}"
        shutil.copytree(source, target)
        for path in target.iterdir():
            path.chmod(0o644)
        for name, change in files.items():
            path = target / name
            if change is None:
                path.unlink()
            elif callable(change):
                path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
            else:
                path.write_text(change, encoding="utf-8")
        return target

    return build


async def dump(backend: Backend) -> tuple[list[Any], list[Any]]:
    """The whole graph as sorted plain data, for comparing two stores."""
    key = "coalesce(n.code, n.id, n.pid, n.key, n.orgId, n.uscc, n.teamId)"
    nodes = await backend.read(
        f"MATCH (n) RETURN labels(n)[0] AS label, {key} AS key, properties(n) AS props"
    )
    edges = await backend.read(
        f"MATCH (n)-[r]->(m) RETURN labels(n)[0] AS a, {key} AS ak, type(r) AS type, properties(r) AS props, "
        f"labels(m)[0] AS b, {key.replace('n.', 'm.')} AS bk"
    )
    canon = lambda rows: sorted(repr(sorted(r.items())) for r in rows)  # noqa: E731
    return canon(nodes), canon(edges)


def bearer(role: Role = Role.ADMIN, secret: str = TEST_SECRET, **claims: Any) -> dict[str, str]:
    """HTTP headers with a fresh signed token (ADMIN unless told), for the app's test clients."""
    return {"Authorization": "Bearer " + make_token(secret, role, sub=f"test-{role.value.lower()}", **claims)}


# ---- no clear personal data in logs or responses, over the whole suite -----------------------
def clear_personal_values() -> dict[str, str]:
    """The example bundle's clear ID numbers and phones -> the pid they belong to."""
    with (EXAMPLE / "persons.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {row[k]: row["pid"] for row in rows for k in ("id_number", "phone") if row[k]}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a record that cannot format cannot leak either
            self.texts.append(self.format(record))


@pytest.fixture(scope="session", autouse=True)
def no_clear_personal_data() -> Iterator[list[str]]:
    """Every log record (INFO and up) and every GraphQL result of the session is searched for the
    example's clear ID numbers and phones; only revealPersonalData answers may hold them."""
    from schema import schema

    seen: list[str] = []
    handler = _Collect()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO) if level else logging.INFO)
    execute = schema.execute

    async def recording(query: str | None, *args: Any, **kwargs: Any) -> Any:
        result = await execute(query, *args, **kwargs)
        if "revealPersonalData" not in (query or ""):
            seen.append(json.dumps(result.data, ensure_ascii=False, default=str))
            seen.extend(str(e) for e in result.errors or ())
        return result

    schema.execute = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        schema.execute = execute  # type: ignore[method-assign]
        root.removeHandler(handler)
        root.setLevel(level)
    clear = clear_personal_values()
    leaks = sorted({clear[v] for text in [*seen, *handler.texts] for v in clear if v in text})
    assert not leaks, f"clear ID numbers or phones of {leaks} appeared in logs or GraphQL responses"


class Recording(Backend):
    """Passes every statement through to a real backend and remembers its text."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name = inner.name
        self.statements: list[str] = []

    async def _run(self, query: str, params: dict[str, Any], *, write: bool) -> list[Row]:
        self.statements.append(query)
        return await self.inner._run(query, params, write=write)

    async def _setup_schema(self) -> None:
        await self.inner.setup_schema()

    async def health(self) -> bool:
        return await self.inner.health()

    async def close(self) -> None:
        await self.inner.close()

    def fulltext(self, label: str) -> str:
        return self.inner.fulltext(label)

    def fulltext_query(self, tokens: list[str]) -> str:
        return self.inner.fulltext_query(tokens)
