"""The explorer page (/explore): served without a token, 503 until built, only its own listed
operations, and end to end in Debian's headless Chromium against the app serving the example
bundle (tests/e2e/explorer.mjs drives the browser and reports what it saw; the expected values
below are worked out by hand from ../shared/contract/example/*.csv).

Screenshots of every view are saved in test-output/explorer/ for review.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED
from graphql import parse, validate
from starlette.applications import Starlette
from starlette.testclient import TestClient

from schema import schema
from service.app import create_app
from service.explore import DIST, explore_routes
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
E2E = ROOT / "tests" / "e2e"
OUT = ROOT / "test-output" / "explorer"
OPERATIONS = ROOT / "web" / "operations.graphql"
CHROMIUM = Path("/usr/bin/chromium")
SECRET = "explorer-test-secret"
BUILD_HINT = "web/dist is not built: run `make install` (npm ci && npm run build in web/)"


# ---------------------------------------------------------------- without a browser


def test_page_and_assets_are_served_without_a_token(tmp_path: Path) -> None:
    assert (DIST / "index.html").is_file(), BUILD_HINT
    app = create_app(Settings(data_dir=tmp_path / "data", secret_key=SECRET))
    client = TestClient(app)  # outside `with`: no lifespan, no database
    page = client.get("/explore")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="(/explore/assets/[^"]+)"', page.text)
    assert len(assets) == 2, page.text  # the script and the styles
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.content
    assert client.get("/explore/").status_code == 200  # redirected to /explore
    assert client.get("/explore/assets/missing.js").status_code == 404


def test_not_built_answers_503_with_the_way_to_build(tmp_path: Path) -> None:
    client = TestClient(Starlette(routes=explore_routes(tmp_path / "dist")))
    for path in ("/explore", "/explore/assets/app.js"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "make install" in response.text and "npm run build" in response.text


def test_every_operation_of_the_page_is_listed_and_valid() -> None:
    """The page sends only web/operations.graphql's operations (so a persisted-operations deployment can list it)."""
    document = parse(OPERATIONS.read_text(encoding="utf-8"))
    assert validate(schema._schema, document) == []
    listed = {d.name.value for d in document.definitions if getattr(d, "name", None)}  # type: ignore[attr-defined]
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "web" / "src").glob("*.js"))
    used = set(re.findall(r"gql\('(\w+)'", source))
    assert used == listed
    text = re.sub(r"#.*", "", OPERATIONS.read_text(encoding="utf-8"))
    assert not re.search(r"\broom\b|idNumber[^M]|phone[^M]", text)  # masked personal data only


def test_the_page_fetches_nothing_from_elsewhere() -> None:
    sources = [ROOT / "web" / "index.html", *(ROOT / "web" / "src").glob("*")]
    for path in sources:
        assert not re.search(r"https?://|//cdn|@import url", path.read_text(encoding="utf-8")), path


# ---------------------------------------------------------------- in the browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def api_token() -> str | None:
    """A token when the API has the auth module (service/auth.py), else None (no header sent)."""
    try:
        from resolvers.scope import Role
        from service.auth import make_token
    except ImportError:
        return None
    return make_token(SECRET, Role.ADMIN, sub="explorer-test", ttl=3600)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make install installs Debian's chromium)")
    assert (DIST / "index.html").is_file(), BUILD_HINT
    port = free_port()
    env = {
        **os.environ,
        "GRASSROOTS_DATA_DIR": str(tmp_path_factory.mktemp("explorer") / "data"),
        "GRASSROOTS_SECRET_KEY": SECRET,
        "GRASSROOTS_PERSISTED_OPERATIONS": str(OPERATIONS),  # the page must need nothing else
        "GRASSROOTS_LOG_LEVEL": "WARNING",
        "GRASSROOTS_SHARED": str(SHARED),  # the example bundle it serves
    }
    env.pop("GRAPH_URI", None)
    log = tmp_path_factory.mktemp("explorer-log") / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, str(E2E / "serve_example.py"), str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the example server exited: {log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the example server did not answer /health within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


PLAN = {
    "search": "王建国",  # P001
    "expand": "德雅银发先锋队",  # T-A1, his team
    "person": "李秀英",  # P002, his teammate, reached by expanding the team
    "from": "张伟",  # P003
    "to": "赵磊",  # P006
    "scope": "430105",  # 开福区
    "cell": ["430105001002", "430105001001"],  # 砚瓦池社区 -> 德雅村社区
    "asOf": "2020-01-01",
    "community": "430105001001",  # 德雅村社区
}


@pytest.fixture(scope="module")
def seen(server: str) -> dict[str, Any]:
    """What the browser saw, scenario by scenario (each holds `error` if it failed)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    args = {"base": server, "token": api_token(), "out": str(OUT), "plan": PLAN}
    started = time.monotonic()
    run = subprocess.run(
        ["node", str(E2E / "explorer.mjs"), json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = json.loads(run.stdout)
    result["base"], result["token"], result["seconds"] = server, args["token"], time.monotonic() - started
    return result


def scenario(seen: dict[str, Any], name: str) -> dict[str, Any]:
    observed: dict[str, Any] = seen[name]
    assert "error" not in observed, observed["error"]
    return observed


def test_search_finds_a_person_and_draws_the_neighbours(seen: dict[str, Any]) -> None:
    first = scenario(seen, "neighbourhood")["first"]
    # P001 王建国: hukou_members H-001; residences D-A1-101 (building 1栋 of compound 德雅花园);
    # party_members PO-A1 德雅花园小区党支部; team_members T-A1 德雅银发先锋队; roles BUILDING_HEAD of 1栋
    assert sorted(first["graph"]["nodes"]) == sorted(
        ["王建国", "H-001", "德雅花园1栋 户室", "德雅花园小区党支部", "德雅银发先锋队", "1栋"]
    )
    assert sorted(first["graph"]["edges"]) == sorted(
        ["HUKOU_MEMBER", "LIVES_IN", "PARTY_MEMBER_OF", "IN_TEAM", "SERVES_AS"]
    )
    assert first["graph"]["ended"] == []
    assert len(first["neighbours"]) == 5
    # the PersonCard, masked: persons.csv P001 430105196204180010, 13800000001
    assert "4301**********0010" in first["card"] and "138****0001" in first["card"]
    assert "430105196204180010" not in first["card"] and "13800000001" not in first["card"]
    assert "楼栋长" in first["card"] and "德雅村社区" in first["card"]


def test_clicking_a_node_shows_its_card_and_draws_its_neighbours(seen: dict[str, Any]) -> None:
    expanded = scenario(seen, "neighbourhood")["expanded"]
    # T-A1: members P001 and P002 李秀英 (team_members.csv), based in 430105001001 德雅村社区 (teams.csv)
    assert {"李秀英", "德雅村社区"} <= set(expanded["graph"]["nodes"])
    assert len(expanded["graph"]["nodes"]) == 8
    assert expanded["card"].startswith("德雅银发先锋队")


def test_person_card_shows_roles_and_masked_data(seen: dict[str, Any]) -> None:
    card = scenario(seen, "person_card")["card"]
    # P002 李秀英: COMMUNITY_SECRETARY of 430105001001 since 2016-01-01; ID 430105196509020026
    assert "社区书记" in card and "德雅村社区" in card
    assert "4301**********0026" in card and "430105196509020026" not in card


def test_connection_draws_the_shortest_path(seen: dict[str, Any]) -> None:
    found = scenario(seen, "connection")
    # P003 lived in D-B1-201 until 2020-08-31; P006 lives there since 2019-04-01 (residences.csv)
    assert "最短相隔 2 步" in found["summary"]
    assert found["graph"]["nodes"] == ["张伟", "砚瓦池老宿舍3栋 户室", "赵磊"]
    assert found["graph"]["ended"] == ["LIVES_IN"]  # P003's ended residence is drawn dashed
    assert found["endedSteps"] == 1 and "2012-06-01 至 2020-08-31" in found["steps"][0]


def test_matrix_shows_the_non_zero_cells_with_totals(seen: dict[str, Any]) -> None:
    matrix = scenario(seen, "matrix")
    # HUKOU today: P003 and P004 are registered in H-002 (砚瓦池社区) and live in D-A1-102 (德雅村社区);
    # P006 is registered in H-003 (430602 岳阳楼区, outside) and lives in D-B1-201 (砚瓦池社区)
    cells = sorted((c["home"], c["residence"], c["persons"]) for c in matrix["cells"])
    assert cells == [("430105001002", "430105001001", 2), ("430602", "430105001002", 1)]
    assert matrix["totals"] == ["2", "1", "3"]  # per residence column, then the grand total
    assert matrix["rows"] == ["砚瓦池社区", "岳阳楼区区外"]


def test_clicking_a_cell_lists_its_persons(seen: dict[str, Any]) -> None:
    matrix = scenario(seen, "matrix")
    assert matrix["heading"] == "砚瓦池社区 → 德雅村社区：共 2 人"
    # by name: 刘洋 (P004) before 张伟 (P003)
    assert [re.search(r"P\d{3}", p).group() for p in matrix["persons"]] == ["P004", "P003"]  # type: ignore[union-attr]
    assert [p[:2] for p in matrix["persons"]] == ["刘洋", "张伟"]


def test_the_as_of_date_changes_the_matrix(seen: dict[str, Any]) -> None:
    matrix = scenario(seen, "matrix")
    # on 2020-01-01 P003 still lived in D-B1-201 (his hukou community) and P004 had no residence
    # yet (since 2020-09-01): only P006 (岳阳楼区 -> 砚瓦池社区, living there since 2019-04-01)
    assert [(c["home"], c["residence"], c["persons"]) for c in matrix["past"]] == [
        ("430602", "430105001002", 1)
    ]


def test_coverage_highlights_the_unpaired_community(seen: dict[str, Any]) -> None:
    coverage = scenario(seen, "coverage")
    # pairings.csv: 开福区民政局 is paired with 430105001002 (open); 开福区第一中学's pairing with
    # compound C-A1 ended 2023-12-31, so 德雅村社区 has no partner and 一中 is an unpaired local unit
    rows = {r["code"]: r for r in coverage["rows"]}
    assert rows["430105001001"]["unpaired"] and "无结对" in rows["430105001001"]["text"]
    assert not rows["430105001002"]["unpaired"] and "开福区第一中学" in rows["430105001002"]["text"]
    assert "1 个没有结对单位" in coverage["summary"]
    assert "没有结对单位" in coverage["detail"]


def test_coverage_suggests_partners_with_reasons(seen: dict[str, Any]) -> None:
    suggestions = scenario(seen, "coverage")["suggestions"]
    # for 德雅村社区: 民政局 employs P003, who lives there; both units are in street 430105001
    assert len(suggestions) == 2
    assert any("开福区民政局" in s and "职工 1 人" in s and "同一街道" in s for s in suggestions)
    assert any("开福区第一中学" in s and "职工 0 人" in s for s in suggestions)


def test_a_401_opens_the_sign_in_box(seen: dict[str, Any]) -> None:
    sign_in = scenario(seen, "sign_in")
    if seen["token"] is None:
        assert not sign_in["asked"]  # the API asks for no token
        return
    assert sign_in["asked"] and "令牌" in sign_in["message"]
    assert sign_in["afterSignIn"] == "已登录"


def test_the_page_works_offline_and_without_errors(seen: dict[str, Any]) -> None:
    assert seen["load"]["title"].startswith("基层治理图谱")
    assert seen["load"]["fontLoads"] > 0  # Noto Sans SC, served by the app
    foreign = [url for url in seen["requests"] if not url.startswith(seen["base"] + "/")]
    assert foreign == []
    assert seen["pageErrors"] == [] and seen["consoleErrors"] == []


def test_a_screenshot_of_each_view_is_saved(seen: dict[str, Any]) -> None:
    for name in ("neighbourhood", "person-card", "connection", "matrix", "matrix-as-of", "coverage"):
        path = OUT / f"{name}.png"
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    assert seen["seconds"] < 60, seen["seconds"]
