"""The embedded FalkorDB: durable across kill -9, refuses a data dir another server owns, restarts."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from conftest import EXAMPLE, TODAY, dump
from falkordb.asyncio.query_result import QueryResult

from graph import connect
from graph.embedded import EmbeddedFalkorDB
from graph.errors import DataDirInUse, GraphUnavailable
from graph.falkor_backend import FalkorBackend, normalise, params_header, plain_rows
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from service.settings import Settings

TIMEOUT_MS = 500  # short, so a replayed batch that is bound by it would be cut


def client(server: EmbeddedFalkorDB) -> FalkorBackend:
    return FalkorBackend(
        graph_key="grassroots", query_timeout=10, unix_socket=str(server.socket_path), server=server
    )


async def test_kill_9_loses_no_acknowledged_write(tmp_path: Path, personal: PersonalData) -> None:
    server = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=10_000)
    await server.start()
    backend = client(server)
    try:
        await backend.setup_schema()
        assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
        acknowledged = []
        for i in range(200):  # a stream of single writes, each acknowledged before the next
            await backend.write("MERGE (t:Tick {n: $n})", {"n": i})
            acknowledged.append(i)
        before = await dump(backend)
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        with pytest.raises(GraphUnavailable):
            await backend.read("RETURN 1 AS ok")  # fails fast, and the backend starts the server again
        await server.wait_ready(60)
        assert server.running()
        assert await dump(backend) == before
        ticks = await backend.read("MATCH (t:Tick) RETURN count(t) AS n")
        assert ticks == [{"n": len(acknowledged)}]
    finally:
        await backend.close()
    assert not server.running()


async def test_second_server_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    first = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=10_000)
    await first.start()
    try:
        second = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=10_000)
        with pytest.raises(DataDirInUse, match="is in use by FalkorDB server pid"):
            await second.start()
    finally:
        await first.stop()
    # once stopped, the directory can be used again, with its data
    again = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=TIMEOUT_MS)
    await again.start()
    await again.stop()


async def test_stale_pid_file_and_socket_are_cleaned_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "falkordb.pid").write_text("999999\n")
    (data / "falkordb.sock").write_text("")
    server = EmbeddedFalkorDB(data, timeout_ms=10_000)
    await server.start()
    assert server.running()
    await server.stop()


async def test_read_only_data_dir_gives_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        target = Path("/proc/grassroots-cannot-exist")  # root ignores permissions; /proc refuses
    else:
        target = tmp_path / "ro"
        target.mkdir(mode=0o500)
    with pytest.raises(GraphUnavailable, match="data directory"):
        await EmbeddedFalkorDB(target, timeout_ms=10_000).start()


async def test_restart_after_a_bulk_import_keeps_every_relationship(
    tmp_path: Path, personal: PersonalData
) -> None:
    """Regression: replaying 20k-row import batches from the append-only file at restart ran past
    the server's default timeout and silently dropped them; now writes have no server timeout and
    an import compacts the log, so the restart loads a snapshot."""
    from seed.generate import generate

    generate(3000, 7, tmp_path / "bundle")
    server = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=TIMEOUT_MS)
    await server.start()
    backend = client(server)
    await backend.setup_schema()
    try:
        result = await import_bundle(backend, tmp_path / "bundle", personal, today=TODAY)
        assert result.ok and sum(result.written.values()) > 10_000
        before = await dump(backend)
    finally:
        await backend.close()  # stops the server
    again = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=TIMEOUT_MS)
    await again.start(wait_seconds=120)
    backend = client(again)
    try:
        assert await dump(backend) == before
    finally:
        await backend.close()


async def test_server_honours_sigterm_even_when_its_data_dir_is_gone(tmp_path: Path) -> None:
    """Redis refuses to exit on SIGTERM when its final save fails; with the parent-death signal
    being SIGTERM that left orphan servers. The embedded server must always go."""
    import shutil
    import subprocess

    server = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=10_000)
    await server.start()
    assert server.process is not None
    process = server.process
    shutil.rmtree(tmp_path / "data")
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the embedded server ignored SIGTERM")
    server.process = None


async def test_the_log_is_rewritten_after_many_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart replays every write since the last log rewrite one by one; the embedded server's
    log is rewritten every COMPACT_EVERY writes, so mutations do not pile up there."""
    from graph import falkor_backend

    monkeypatch.setattr(falkor_backend, "COMPACT_EVERY", 5)
    server = EmbeddedFalkorDB(tmp_path / "data", timeout_ms=10_000)
    await server.start()
    backend = client(server)
    try:

        async def rewrites() -> int:
            return int((await backend.rewrite_finished(10))["aof_rewrites"])

        before = await rewrites()
        for i in range(4):
            await backend.write("CREATE (:Thing {i: $i})", {"i": i})
        assert await rewrites() == before
        await backend.write("CREATE (:Thing {i: 4})")
        assert await rewrites() == before + 1
        for _ in range(5):
            await backend.read("MATCH (t:Thing) RETURN count(t) AS n")  # reads do not count
        assert await rewrites() == before + 1
    finally:
        await backend.close()


async def test_a_start_rewrites_a_log_that_grew_since_its_last_rewrite(tmp_path: Path) -> None:
    """Fewer writes than COMPACT_EVERY in each run of the service never rewrote the log, so each
    start replayed a longer tail; the embedded server's start rewrites it when it has grown."""
    settings = Settings(data_dir=tmp_path / "data")
    backend = await connect(settings)
    try:
        await backend.write("CREATE (:Thing {i: 1})")
    finally:
        await backend.close()

    backend = await connect(settings)  # the log holds the write above past its last rewrite
    assert isinstance(backend, FalkorBackend)
    try:
        stats = await backend.rewrite_finished(10)
        assert (
            stats["aof_current_size"] == stats["aof_base_size"]
        )  # rewritten: the next start loads a snapshot and replays nothing
        assert await backend.compact_if_grown() is False  # and nothing to do until the next write
        assert await backend.read("MATCH (t:Thing) RETURN t.i AS i") == [{"i": 1}]
    finally:
        await backend.close()


async def test_rows_read_as_the_clients_parser_reads_them(falkor_server: EmbeddedFalkorDB) -> None:
    """Replies of scalars, lists and maps are read without the client's parser
    (graph/falkor_backend.py: plain_rows); the rows are the same as the parser and ``normalise``
    make, and a reply with graph entities still goes to the parser."""
    backend = FalkorBackend(
        graph_key="plainrows", query_timeout=30, unix_socket=str(falkor_server.socket_path)
    )
    try:
        await backend.write(
            "CREATE (:Probe {name: '章源𠮷·社区', n: 9007199254740993, x: 1.5})-[:R {since: '2020-01-01'}]->(:Probe {name: ''})"
        )
        query = """MATCH (a:Probe)-[r:R]->(b:Probe)
            RETURN a.name AS s, b.name AS empty, a.n AS big, -7 AS neg, a.x AS d, 2.0 / 3 AS third, true AS t,
                   false AS f, null AS nothing, [] AS none, {} AS nomap, [1, 'a', null, [true, {k: [2.5]}]] AS mixed,
                   {name: a.name, tags: ['x', 'y'], inner: {deep: {n: a.n, gone: null}}} AS m, $param AS echoed"""
        params = {"param": {"list": [1, 2], "text": "引号'", "quote": 'a"b'}}
        text = params_header(params) + query.encode()
        reply = await backend._graph.execute_command("GRAPH.RO_QUERY", "plainrows", text, "--compact")
        plain = plain_rows(reply)
        assert plain is not None
        parsed = QueryResult(backend._graph)
        await parsed.parse(reply)
        by_client = [[normalise(v) for v in row] for row in parsed.result_set]
        assert plain == ([column[1] for column in parsed.header], by_client)
        assert by_client[0][0] == "章源𠮷·社区" and by_client[0][2] == 9007199254740993
        assert (await backend.read(query, params))[0]["m"]["inner"]["deep"] == {
            "n": 9007199254740993,
            "gone": None,
        }
        entities = await backend._graph.execute_command(
            "GRAPH.RO_QUERY",
            "plainrows",
            b"MATCH (a:Probe)-[r:R]->(b) RETURN a, r, b.name AS name",
            "--compact",
        )
        assert plain_rows(entities) is None  # nodes and edges: the client's parser
        row = (await backend.read("MATCH (a:Probe)-[r:R]->(b) RETURN a, r, b.name AS name"))[0]
        assert row["a"]["name"] == "章源𠮷·社区" and row["r"] == {"type": "R", "since": "2020-01-01"}
    finally:
        await backend.write("MATCH (n:Probe) DETACH DELETE n")
        await backend.close()
