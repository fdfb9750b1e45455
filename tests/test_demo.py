"""``grassroots demo`` on an empty data directory generates, imports and serves a district."""

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
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, query: str, token: str) -> dict[str, object]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    request = urllib.request.Request(url, data=json.dumps({"query": query}).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def test_demo_on_an_empty_data_dir_serves_a_district(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "GRASSROOTS_DATA_DIR": str(tmp_path / "data"), "GRASSROOTS_PORT": str(port)}
    env.pop("GRAPH_URI", None)
    env.pop("GRASSROOTS_SECRET_KEY", None)
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "demo"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "demo did not serve within 120 s"
            time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/graphql"
        printed = (tmp_path / "demo.log").read_text()
        assert '{"Authorization": "Bearer ' in printed  # how to set it in GraphiQL's headers
        token = re.search(r'"Authorization": "Bearer ([\w.-]+)"', printed).group(1)  # type: ignore[union-attr]
        found = post(url, '{ search(text: "社区", first: 5) { label name } }', token)
        hits = found["data"]["search"]  # type: ignore[index]
        assert len(hits) == 5 and all("社区" in h["name"] for h in hits)
        matrix = post(url, '{ mismatchMatrix(scopeCode: "430105", kind: HUKOU) { persons } }', token)
        assert sum(c["persons"] for c in matrix["data"]["mismatchMatrix"]) > 1000  # type: ignore[index]
        assert (tmp_path / "data" / "secret.key").exists()
        assert "GraphiQL: http://127.0.0.1:" in (tmp_path / "demo.log").read_text()
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
        log.close()
    assert not (tmp_path / "data" / "falkordb.pid").exists()  # the server was stopped with the service
