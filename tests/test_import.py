"""The example bundle imports, reads back, re-imports without change, and round-trips via export."""

from __future__ import annotations

import asyncio
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE, TODAY, dump

from graph.base import Backend, Pipeline
from resolvers import writes
from resolvers.export import export_bundle
from resolvers.ledger import import_bundle
from resolvers.ledger.read import read_bundle
from resolvers.ledger.validate import Validator
from resolvers.personal import PersonalData


async def test_example_imports_and_reads_back(backend: Backend, personal: PersonalData) -> None:
    result = await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    assert result.problems == []
    assert result.rows_read["persons.csv"] == 6
    counts = {
        r["label"]: r["n"]
        for r in await backend.read(
            "MATCH (n) WHERE NOT n:Shortcut RETURN labels(n)[0] AS label, count(n) AS n"
        )
    }
    assert counts == {
        "District": 1, "Street": 1, "Community": 2, "Region": 1, "Area": 2, "Grid": 2, "Compound": 2,
        "Building": 2, "Dwelling": 3, "Household": 3, "Person": 6, "PartyOrg": 3, "Unit": 2,
        "VolunteerTeam": 1, "Evaluation": 2,
    }  # fmt: skip
    # P003 moved: the closed residence stays, the open one is D-A1-102
    homes = await backend.read(
        "MATCH (:Person {pid: 'P003'})-[r:LIVES_IN]->(d:Dwelling) "
        "RETURN d.id AS dwelling, r.since AS since, r.until AS until, r.tenure AS tenure ORDER BY since"
    )
    assert homes == [
        {"dwelling": "D-B1-201", "since": "2012-06-01", "until": "2020-08-31", "tenure": "OWNER"},
        {"dwelling": "D-A1-102", "since": "2020-09-01", "until": None, "tenure": "TENANT"},
    ]
    # the default Area of each community carries its code and name; buildings are in it
    areas = await backend.read(
        "MATCH (b:Building)-[:IN_AREA]->(a:Area)-[:PART_OF]->(c:Community) "
        "RETURN b.code AS b, a.id AS a, a.name AS name, c.code AS c ORDER BY b"
    )
    assert areas == [
        {"b": "4301050010010001", "a": "430105001001", "name": "德雅村社区", "c": "430105001001"},
        {"b": "4301050010020001", "a": "430105001002", "name": "砚瓦池社区", "c": "430105001002"},
    ]
    # the outside hukou is a Region; the evaluation issuers follow membership and report
    outside = await backend.read(
        "MATCH (:Household {key: 'H-003'})-[:HUKOU_AT]->(r:Region) RETURN r.name AS name"
    )
    assert outside == [{"name": "岳阳楼区"}]
    issuers = await backend.read(
        "MATCH (e:Evaluation)-[:ISSUED_BY]->(x) RETURN e.side AS side, coalesce(x.orgId, x.code) AS by ORDER BY side"
    )
    assert issuers == [{"side": "COMMUNITY", "by": "430105001001"}, {"side": "ORG", "by": "PO-U1"}]


async def test_personal_data_is_encrypted_and_masked(backend: Backend, personal: PersonalData) -> None:
    await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    [p] = await backend.read("MATCH (p:Person {pid: 'P004'}) RETURN properties(p) AS p")
    props = p["p"]
    assert "43010519900707006X" not in repr(props)
    assert props["idNumberMasked"] == "4301**********006X"
    assert props.get("phoneMasked") is None and props.get("phoneEnc") is None  # P004 has no phone
    assert personal.decrypt("idNumber", props["idNumberEnc"]) == "43010519900707006X"
    assert props["idNumberHash"] == personal.hash("idNumber", "43010519900707006X")
    [q] = await backend.read("MATCH (p:Person {pid: 'P001'}) RETURN p.phoneMasked AS phone, p.tags AS tags")
    assert q == {"phone": "138****0001", "tags": ["退休党员"]}


async def test_reimport_changes_nothing(backend: Backend, personal: PersonalData) -> None:
    await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    before = await dump(backend)
    again = await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    assert again.problems == []
    assert await dump(backend) == before


async def test_a_load_into_an_empty_graph_creates_what_merging_would(
    backend: Backend, personal: PersonalData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty graph the big steps CREATE (resolvers/writes.py: INTO_EMPTY); the graph is
    the same, node for node and edge for edge, as the merging statements make."""
    await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    created = await dump(backend)
    await backend.write("MATCH (n) DETACH DELETE n")
    monkeypatch.setattr(writes, "PACKED_INTO_EMPTY", {})
    await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    assert await dump(backend) == created
    assert set(writes.INTO_EMPTY) <= set(writes.STEPS)


async def test_zip_with_chinese_headers_bom_and_words(
    backend: Backend, personal: PersonalData, tmp_path: Path, make_bundle: Callable[..., Path]
) -> None:
    chinese = make_bundle(
        **{
            "persons.csv": lambda t: (
                "\ufeff人员编号,姓名,性别,出生日期,身份证号,电话,民族,标签\n"
                + "\n".join(t.splitlines()[1:]).replace(",M,", ",男,").replace(",F,", ",女,")
                + "\n"
            ),
            "compounds.csv": "编号,名称,类型,社区代码\nC-A1,德雅花园,商品房,430105001001\nC-B1,砚瓦池老宿舍,老旧,430105001002\n",
        }
    )
    archive = tmp_path / "ledger.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(chinese.iterdir()):
            z.write(path, f"台账/{path.name}")
    result = await import_bundle(backend, archive, personal, today=TODAY)
    assert result.problems == []
    rows = await backend.read(
        "MATCH (p:Person {pid: 'P002'}) MATCH (c:Compound {id: 'C-B1'}) RETURN p.gender AS g, c.type AS t"
    )
    assert rows == [{"g": "F", "t": "OLD"}]


async def test_export_then_import_gives_the_same_graph(
    backend: Backend,
    personal: PersonalData,
    tmp_path: Path,
    make_bundle: Callable[..., Path],
    falkor_server: object,
) -> None:
    merged = make_bundle(
        **{
            "regions.csv": lambda t: t + "430105001003,德雅砚瓦社区,COMMUNITY,COMMUNITY,430105001\n",
            "merges.csv": "old_code,new_code,on,doc_no\n430105001001,430105001003,2023-06-01,长开政发〔2023〕5号\n"
            "430105001002,430105001003,2023-06-01,长开政发〔2023〕5号\n",
        }
    )
    assert (await import_bundle(backend, merged, personal, today=TODAY)).problems == []
    original = await dump(backend)
    out = tmp_path / "exported"
    counts = await export_bundle(backend, out, personal, include_personal_data=True)
    assert counts["persons.csv"] == 6 and counts["merges.csv"] == 2
    await backend.clear()
    assert await dump(backend) == ([], [])
    result = await import_bundle(backend, out, personal, today=TODAY)
    assert result.problems == []
    assert await dump(backend) == original
    shutil.rmtree(out)


async def test_export_without_personal_data_leaves_it_out(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    await export_bundle(backend, tmp_path / "out", personal)
    text = (tmp_path / "out" / "persons.csv").read_text(encoding="utf-8")
    assert "430105196204180010" not in text and "13800000001" not in text and "v1:" not in text
    assert "P001,王建国,M,1962-04-18,,,汉族,退休党员" in text


async def test_bundle_without_personal_data_keeps_what_is_stored(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    before = await dump(backend)
    await export_bundle(backend, tmp_path / "out", personal)  # ID and phone cells left empty
    result = await import_bundle(backend, tmp_path / "out", personal, today=TODAY)
    assert result.problems == []
    assert await dump(backend) == before


async def test_every_person_property_the_validator_makes_is_written(
    backend: Backend, personal: PersonalData
) -> None:
    """Rows reach the database as lists of the fields the statement reads (resolvers/writes.py:
    PACKED), and the persons statement names its properties one by one: a property the
    validator adds but the statement does not name would be dropped without a word."""
    parsed, problems = read_bundle(EXAMPLE)
    assert problems == []
    outcome = await Validator(backend, personal, TODAY, fresh=True).run(parsed)
    rows = outcome.steps["persons"]
    assert len(rows) == 6 and any("phoneEnc" in row and "idNumberEnc" in row for row in rows)
    assert set().union(*rows) == set(writes.PACKED["persons"].fields)
    assert set().union(*rows) == set(writes.PACKED_INTO_EMPTY["persons"].fields)  # a load into an empty graph


async def test_a_pipeline_waits_for_every_write_it_sent_when_its_caller_stops() -> None:
    """Batches go one ahead (graph/base.py: Pipeline); an import that is undone must not have a
    batch land after the undo, so a cancelled or failed sender waits for what it sent."""
    gate, landed = asyncio.Event(), []

    async def write(n: int, fail: bool = False) -> None:
        await gate.wait()
        landed.append(n)
        if fail:
            raise RuntimeError(f"batch {n} failed")

    async def sender(fail: bool) -> None:
        async with Pipeline() as pipeline:
            await pipeline.send(write(1, fail))
            await pipeline.send(write(2))  # waits for batch 1, which waits for the gate

    for fail in (False, True):
        gate.clear()
        landed.clear()
        task = asyncio.create_task(sender(fail))
        await asyncio.sleep(0.01)
        if not fail:
            task.cancel()
            await asyncio.sleep(0.01)
            assert not task.done()  # still waiting for the two batches it sent
        gate.set()
        with pytest.raises(asyncio.CancelledError if not fail else RuntimeError):
            await task
        assert sorted(landed) == [1, 2]
