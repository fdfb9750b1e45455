"""A mixed load against the service over loopback: throughput and p50/p99 per operation.

    python bench/load_bench.py [--persons 200000] [--clients 32] [--seconds 60] [--workers 1] [--data DIR]
                               [--warmup 3] [--rate R] [--only OPERATION]

The district is generated and imported into an embedded FalkorDB (or reused from ``--data``);
``grassroots serve --workers N`` runs against that server's socket (GRAPH_URI=unix://...), with
tokens checked as in production and the per-token rate limit off (one token drives the whole
load). ``--clients`` concurrent clients (one keep-alive connection each, bench/rawhttp.py) send, for ``--seconds``:
70 % PersonCard and ResidenceMismatches pages, 20 % MismatchMatrix (one street) and
PairingCoverage, 10 % movePerson (each a different person, so none is refused). Any HTTP error,
GraphQL error or userError counts as an error. Targets (issue 8): 0 errors, ≥ 800 PersonCard
requests/s and p99 ≤ 50 ms on a 2-core machine. Everything stops by itself; only 127.0.0.1.

The same load runs ``--warmup`` seconds first, not counted. By default the loop is closed: each
client sends its next request as soon as the last is answered, which finds the ceiling, and at
the ceiling the latency is the queue (32 clients / throughput). ``--rate R`` opens the loop: the
k-th request of the whole load is due at k/R seconds, and its latency counts from then, so a
client held up by a slow answer is charged for it (no coordinated omission); this gives the
latency at a given throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rawhttp import Connection, HTTPError  # noqa: E402
from graph.embedded import EmbeddedFalkorDB  # noqa: E402
from graph.falkor_backend import FalkorBackend  # noqa: E402
from resolvers.ledger import import_bundle  # noqa: E402
from resolvers.personal import PersonalData  # noqa: E402
from resolvers.scope import Role  # noqa: E402
from seed.generate import generate  # noqa: E402
from service.auth import make_token  # noqa: E402

SECRET = "load-bench-secret"
OPERATIONS = {
    "PersonCard": """query($pid: String!) { person(pid: $pid) {
        id pid name gender birthYear idNumberMasked phoneMasked tags
        household { key type relToHead since hukouPlace { code name } }
        residence { since tenure dwelling { id room building { code name compound { id name type }
          grid { code name } } } community { code name } }
        residenceHistory { since until community { code name } }
        partyMembership { type joined since org { id orgId name level homeCommunity { code name } } }
        reportedTo { since community { code name } } employer { since unit { uscc name } }
        roles { role since scopeType scopeCode scopeName } teams { role since team { teamId name } }
        collectiveMemberships { since org { uscc name area { id name } } } } }""",
    "ResidenceMismatches": """query($code: String!) { residenceMismatches(communityCode: $code, kind: HUKOU,
        direction: REGISTERED_ELSEWHERE, first: 50) { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { person { id pid name } home { code name } residence { code name } } } } }""",
    "MismatchMatrix": """query($scope: String!) { mismatchMatrix(scopeCode: $scope, kind: HUKOU) {
        home { code name } residence { code name } persons } }""",
    "PairingCoverage": """query($scope: String!) { pairingCoverage(scopeCode: $scope) {
        community { code name } pairedUnits unpairedLocalUnits { uscc name } } }""",
    "MovePerson": """mutation($input: MovePersonInput!) { movePerson(input: $input) {
        userErrors { field code message } person { pid residence { since community { code } } } } }""",
}
MIX = [("PersonCard", 35), ("ResidenceMismatches", 35), ("MismatchMatrix", 10), ("PairingCoverage", 10),
       ("MovePerson", 10)]  # fmt: skip
TARGET_RATE, TARGET_P99 = 800.0, 0.050


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def prepare(data: Path, persons: int, seed: int) -> EmbeddedFalkorDB:
    server = EmbeddedFalkorDB(data, timeout_ms=30_000)
    await server.start(wait_seconds=600)
    backend = FalkorBackend(graph_key="grassroots", query_timeout=60, unix_socket=str(server.socket_path))
    try:
        await backend.setup_schema()
        if not (await backend.read("MATCH (p:Person) RETURN count(p) AS n"))[0]["n"]:
            with tempfile.TemporaryDirectory(prefix="load-bench-") as folder:
                generate(persons, seed, Path(folder))
                result = await import_bundle(backend, Path(folder), PersonalData.from_secret(SECRET))
                print(
                    f"district           {persons:,} persons imported in {result.seconds:.1f} s", flush=True
                )
        else:
            print(f"district           reused from {data}", flush=True)
    finally:
        await backend.close()
    return server


async def inputs(server: EmbeddedFalkorDB, count: int) -> dict[str, list[Any]]:
    backend = FalkorBackend(graph_key="grassroots", query_timeout=60, unix_socket=str(server.socket_path))
    try:
        residents = [(r["pid"], r["dwelling"]) for r in await backend.read(
            "MATCH (p:Person)-[l:LIVES_IN]->(d:Dwelling) WHERE l.until IS NULL AND l.since < '2026-01-01' "
            "RETURN p.pid AS pid, d.id AS dwelling")]  # fmt: skip
        random.Random(1).shuffle(residents)
        pids = [pid for pid, _ in residents]
        communities = [r["code"] for r in await backend.read(
            "MATCH (c:Community {status: 'ACTIVE'}) RETURN c.code AS code ORDER BY code")]  # fmt: skip
        streets = [
            r["code"] for r in await backend.read("MATCH (s:Street) RETURN s.code AS code ORDER BY code")
        ]
        dwellings = [r["id"] for r in await backend.read("MATCH (d:Dwelling) RETURN d.id AS id LIMIT 2000")]
        # the service runs on GRAPH_URI here and so never rewrites this server's log: do it now,
        # as the embedded server's start does, and wait, so runs do not replay each other's moves
        if await backend.compact_if_grown():
            await backend.rewrite_finished(600)
    finally:
        await backend.close()
    return {"pids": pids[:count], "movers": residents[count:], "communities": communities, "streets": streets,
            "dwellings": dwellings}  # fmt: skip


def start_service(socket_path: Path, workers: int, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GRAPH_URI": f"unix://{socket_path}", "GRASSROOTS_SECRET_KEY": SECRET,
           "GRASSROOTS_RATE_LIMIT": "0", "GRASSROOTS_LOG_LEVEL": "WARNING"}  # fmt: skip
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service exited: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"the service did not become healthy; see {log}")


class Load:
    def __init__(
        self, port: int, data: dict[str, list[Any]], seconds: float, rate: float | None, warmup: float
    ) -> None:
        self.port, self.data, self.seconds, self.rate, self.warmup = port, data, seconds, rate, warmup
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.movers = iter(data["movers"])
        self.day = 0

    def variables(self, op: str, rng: random.Random) -> dict[str, Any]:
        d = self.data
        if op == "PersonCard":
            return {"pid": rng.choice(d["pids"])}
        if op == "ResidenceMismatches":
            return {"code": rng.choice(d["communities"])}
        if op in ("MismatchMatrix", "PairingCoverage"):
            return {"scope": rng.choice(d["streets"])}
        pid, current = next(self.movers)
        dwelling = rng.choice([x for x in d["dwellings"] if x != current])  # never where they live already
        return {"input": {"pid": pid, "dwellingId": dwelling, "since": "2026-11-01"}}

    async def client(
        self, number: int, clients: int, token: str, started_at: float, measured_from: float, deadline: float
    ) -> None:
        rng = random.Random(number)
        names = [name for name, _ in MIX]
        weights = [weight for _, weight in MIX]
        sent = 0
        async with Connection("127.0.0.1", self.port, {"Authorization": f"Bearer {token}"}) as http:
            while time.perf_counter() < deadline:
                op = rng.choices(names, weights)[0]
                body = json.dumps({"query": OPERATIONS[op], "variables": self.variables(op, rng)}).encode()
                started = time.perf_counter()
                if self.rate is not None:  # open loop: the k-th request of the whole load is due at k / rate
                    due = started_at + (number + sent * clients) / self.rate
                    sent += 1
                    if due >= deadline:
                        break
                    if due > started:
                        await asyncio.sleep(due - started)
                    started = due  # a late request's wait in this client counts (no coordinated omission)
                try:
                    status, data = await http.post("/graphql", body)
                    elapsed = time.perf_counter() - started
                    payload = json.loads(data)
                    problem = None
                    if status != 200 or payload.get("errors"):
                        problem = f"HTTP {status} {str(payload.get('errors'))[:200]}"
                    elif op == "MovePerson" and payload["data"]["movePerson"]["userErrors"]:
                        problem = str(payload["data"]["movePerson"]["userErrors"])[:200]
                except (HTTPError, ValueError) as exc:
                    elapsed, problem = time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
                if started < measured_from:
                    continue  # the warm-up
                self.latencies[op].append(elapsed)
                if problem:
                    self.errors[op].append(problem)

    async def run(self, clients: int, measuring: Callable[[], None]) -> float:
        """Runs the warm-up and then the measured window; ``measuring`` is called between them."""
        token = make_token(SECRET, Role.ADMIN, sub="load-bench")
        started = time.perf_counter()
        measured_from = started + self.warmup
        deadline = measured_from + self.seconds

        async def mark() -> None:
            await asyncio.sleep(self.warmup)
            measuring()

        await asyncio.gather(
            mark(),
            *(self.client(i, clients, token, started, measured_from, deadline) for i in range(clients)),
        )
        return time.perf_counter() - measured_from


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def group_pids(group: int) -> list[int]:
    """Every live process of a process group (the service and its uvicorn workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == group:
                    pids.append(int(entry.name))
    return pids


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def report(load: Load, clients: int, workers: int) -> None:
    """Rates are per second of the measured window (the requests sent in it, all answered)."""
    window = load.seconds
    total = sum(len(v) for v in load.latencies.values())
    errors = sum(len(v) for v in load.errors.values())
    loop = (
        "closed loop (each client sends as soon as its answer arrives)"
        if load.rate is None
        else f"open loop, {load.rate:,.0f} requests/s offered (latency counted from when each was due)"
    )
    print(f"load               {clients} clients, {window:g} s measured after a {load.warmup:g} s warm-up, "
          f"uvicorn workers {workers}, {loop}")  # fmt: skip
    print(f"requests           {total:,} ({total / window:,.1f}/s), errors {errors}")
    print(f"{'operation':<22}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for op, _ in MIX:
        values = load.latencies.get(op, [])
        if not values:
            continue
        print(f"{op:<22}{len(values):>8}{len(values) / window:>9.1f}{statistics.median(values) * 1000:>9.1f}"
              f"{percentile(values, 0.99) * 1000:>9.1f}{len(load.errors.get(op, [])):>8}")  # fmt: skip
    for op, problems in load.errors.items():
        print(f"  first {op} error: {problems[0]}")
    cards = load.latencies.get("PersonCard", [])
    rate, p99 = len(cards) / window, percentile(cards, 0.99) if cards else float("inf")
    verdict = "met" if errors == 0 and rate >= TARGET_RATE and p99 <= TARGET_P99 else "NOT met"
    print(f"targets            0 errors, PersonCard >= {TARGET_RATE:.0f}/s at p99 <= {TARGET_P99 * 1000:.0f} ms: "
          f"{verdict} ({errors} errors, {rate:.1f}/s, p99 {p99 * 1000:.1f} ms)")  # fmt: skip


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine            {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}", flush=True)
    data = args.data or Path(tempfile.mkdtemp(prefix="load-bench-store-"))
    server = await prepare(data, args.persons, args.seed)
    service = None
    try:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = data / "load-bench-service.log"
        service = start_service(server.socket_path, args.workers, port, log)
        wait_healthy(url, service, log)
        picked = await inputs(server, 2000)
        needed = int((args.seconds + args.warmup) * 400 * 0.1) + 1000  # moves must not run out
        if len(picked["movers"]) < needed:
            print(f"note               only {len(picked['movers'])} distinct persons to move", flush=True)
        load = Load(port, picked, args.seconds, args.rate, args.warmup)
        service_pids = group_pids(service.pid)
        database_pid = server.process.pid if server.process is not None else 0
        before: tuple[float, float, float] = (0.0, 0.0, 0.0)

        def measuring() -> None:
            nonlocal before
            before = cpu_seconds(service_pids), cpu_seconds([database_pid]), time.process_time()

        elapsed = await load.run(args.clients, measuring)
        after = cpu_seconds(service_pids), cpu_seconds([database_pid]), time.process_time()
        report(load, args.clients, args.workers)
        total = sum(len(v) for v in load.latencies.values()) or 1
        used = [(b - a) for a, b in zip(before, after, strict=True)]
        print(f"CPU                {sum(used) / elapsed:.2f} of {os.cpu_count()} cores busy; per request: "
              f"service {used[0] / total * 1000:.2f} ms, FalkorDB {used[1] / total * 1000:.2f} ms, "
              f"load generator {used[2] / total * 1000:.2f} ms")  # fmt: skip
    finally:
        if service is not None and service.poll() is None:
            os.killpg(service.pid, signal.SIGTERM)  # our own child's session: the server and its workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.wait(timeout=20)
            if service.poll() is None:
                os.killpg(service.pid, signal.SIGKILL)
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--data", type=Path, help="keep the store here and reuse it when it holds a district")
    parser.add_argument(
        "--warmup",
        type=float,
        default=3.0,
        help="seconds of the same load first, not counted (a fresh service compiles its plans and opens its pool)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        help="open loop: offer this many requests/s in all, spread over the clients (default: closed loop)",
    )
    parser.add_argument(
        "--only", choices=list(OPERATIONS), help="send only this operation (to see its ceiling)"
    )
    args = parser.parse_args(argv)
    if args.only:
        MIX[:] = [(args.only, 1)]
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
