"""Every contract operation against a big district: latency, median of several runs.

    python bench/scale_bench.py --data /tmp/d1m [--bundle /tmp/s1m] [--runs 5] [--only Connection,Neighborhood]

``--data`` is an embedded store holding a district (imported from ``--bundle`` first when it is
empty). Each query of ../shared/contract/operations.graphql runs in process (schema.execute, no
HTTP) with variables picked from the district; the mutations run once each on persons and units
picked the same way (they change the store: use a copy you can throw away). Prints the median and
the slowest run per operation, and the number of database round trips it made.

Connection also runs on harder pairs (``Connection/<case>``: two persons in different streets, a
person and a unit of another street, the district and an outside region, two outside regions; all
with maxHops 6), and Neighborhood around a community, because their cost depends on the hubs near
the ends. ``--only`` takes operation names (comma separated), which select their cases too.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse, print_ast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.base import DB_QUERIES
from graph.embedded import EmbeddedFalkorDB
from graph.falkor_backend import FalkorBackend
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from resolvers.queries import global_id
from schema import Context, schema

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT.parent / "shared" / "contract" / "operations.graphql"


def operations() -> dict[str, str]:
    document = parse(CONTRACT.read_text(encoding="utf-8"))
    return {d.name.value: print_ast(d) for d in document.definitions
            if isinstance(d, OperationDefinitionNode) and d.name}  # fmt: skip


async def one(backend: FalkorBackend, query: str) -> Any:
    rows = await backend.read(query)
    return rows[0] if rows else {}


async def pick(backend: FalkorBackend) -> dict[str, dict[str, Any]]:
    """Variables that make each operation do real work on this district."""
    mover = await one(backend, "MATCH (p:Person)-[l:LIVES_IN]->(:Dwelling) WHERE l.until IS NULL "
                      "MATCH (p)-[:HUKOU_MEMBER]->(:Household)-[:HUKOU_AT]->(:Region) RETURN p.pid AS pid SKIP 1000 LIMIT 1")  # fmt: skip
    member = await one(backend, "MATCH (p:Person)-[m:PARTY_MEMBER_OF]->(o:PartyOrg) WHERE m.until IS NULL "
                       "RETURN p.pid AS pid, o.orgId AS org SKIP 500 LIMIT 1")  # fmt: skip
    reporter = await one(backend, "MATCH (p:Person)-[r:REPORTED_TO]->(c:Community) WHERE r.until IS NULL "
                         "RETURN p.pid AS pid, c.code AS code LIMIT 1")  # fmt: skip
    busy = await one(backend, "MATCH (c:Community {status: 'ACTIVE'})<-[:PAIRED_WITH]-(u:Unit) "
                     "RETURN c.code AS code, u.uscc AS uscc LIMIT 1")  # fmt: skip
    street = await one(backend, "MATCH (s:Street) RETURN s.code AS code LIMIT 1")
    district = await one(backend, "MATCH (d:District) RETURN d.code AS code LIMIT 1")
    top = await one(
        backend, "MATCH (o:PartyOrg) WHERE NOT (o)-[:SUBORDINATE_TO]->() RETURN o.orgId AS org LIMIT 1"
    )
    dwelling = await one(backend, "MATCH (d:Dwelling) RETURN d.id AS id SKIP 777 LIMIT 1")
    unpaired = await one(backend, "MATCH (c:Community {status: 'ACTIVE'}), (u:Unit)-[:LOCATED_IN]->(c) "
                         "WHERE NOT (u)-[:PAIRED_WITH]->(c) RETURN c.code AS code, u.uscc AS uscc LIMIT 1")  # fmt: skip
    name = await one(backend, "MATCH (p:Person) RETURN substring(p.name, 0, 2) AS text SKIP 4242 LIMIT 1")
    pair = await one(backend, "MATCH (c:Community {status: 'ACTIVE'})-[:IN_STREET]->(s:Street) "
                     "WITH s, collect(c.code) AS codes WHERE size(codes) >= 2 RETURN codes LIMIT 1")  # fmt: skip
    merged, into = sorted(pair["codes"])[-2:]
    streets = await backend.read("MATCH (s:Street) RETURN s.code AS code ORDER BY code")
    resident = ("MATCH (p:Person)-[l:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)"
                "-[:IN_COMMUNITY]->(c:Community) WHERE l.until IS NULL AND c.code STARTS WITH '{}' "
                "RETURN p.pid AS pid SKIP 300 LIMIT 1")  # fmt: skip
    near = await one(backend, resident.format(streets[0]["code"]))
    far = await one(backend, resident.format(streets[-1]["code"]))
    far_unit = await one(backend, f"MATCH (u:Unit)-[:LOCATED_IN]->(c:Community) WHERE c.code STARTS WITH "
                         f"'{streets[-1]['code']}' RETURN u.uscc AS uscc LIMIT 1")  # fmt: skip
    regions = await backend.read("MATCH (r:Region)<-[h:HUKOU_AT]-() RETURN r.code AS code, count(h) AS n "
                                 "ORDER BY n DESC, code LIMIT 2")  # fmt: skip
    code, pid = reporter.get("code") or busy["code"], mover["pid"]
    return {
        "CommunityProfile": {"code": code},
        "PersonCard": {"pid": pid},
        "ResidenceMismatches": {"code": code, "kind": "HUKOU", "direction": "REGISTERED_ELSEWHERE", "first": 50},
        "MismatchMatrix": {"scope": district["code"], "kind": "HUKOU"},
        "CollectiveMembersElsewhere": {"scope": district["code"]},
        "CommunityPairings": {"code": busy["code"], "includeEnded": True},
        "UnitPairings": {"uscc": busy["uscc"]},
        "PairingCoverage": {"scope": street["code"]},
        "PairingSuggestions": {"code": code, "first": 10},
        "ReportingByUnit": {"scope": district["code"]},
        "DualResponsibility": {"pid": pid},
        "PartyOrgTree": {"orgId": top["org"]},
        "EvaluationGaps": {"code": reporter.get("code") or code, "year": 2025},
        "Connection": {"from": global_id("Person", pid), "to": global_id("Person", member["pid"]), "maxHops": 4},
        "Connection/streets apart": {"from": global_id("Person", near["pid"]), "to": global_id("Person", far["pid"]),
                                     "maxHops": 6},
        "Connection/person-unit": {"from": global_id("Person", near["pid"]), "to": global_id("Unit", far_unit["uscc"]),
                                   "maxHops": 6},
        "Connection/district-region": {"from": global_id("District", district["code"]),
                                       "to": global_id("Region", regions[0]["code"]), "maxHops": 6},
        "Connection/region-region": {"from": global_id("Region", regions[0]["code"]),
                                     "to": global_id("Region", regions[-1]["code"]), "maxHops": 6},
        "Neighborhood": {"id": global_id("Person", pid), "depth": 2, "limit": 100},
        "Neighborhood/community": {"id": global_id("Community", code), "depth": 2, "limit": 100},
        "Search": {"text": name["text"], "first": 10},
        "NodeById": {"id": global_id("Person", pid)},
        "MovePerson": {"input": {"pid": pid, "dwellingId": dwelling["id"], "since": "2026-11-22"}},
        "PairUnit": {"input": {"uscc": unpaired["uscc"], "targetType": "COMMUNITY", "target": unpaired["code"],
                               "since": "2026-11-22"}},
        "EndPairing": {"input": {"uscc": unpaired["uscc"], "targetType": "COMMUNITY", "target": unpaired["code"],
                                 "until": "2026-11-23"}},
        "ReportToCommunity": {"input": {"pid": member["pid"], "communityCode": code, "since": "2026-11-22"}},
        "MergeCommunities": {"input": {"oldCodes": [merged], "newCode": into, "on": "2026-11-23", "docNo": "bench"}},
    }  # fmt: skip


def db_queries() -> float:
    return sum(sample.value for metric in DB_QUERIES.collect() for sample in metric.samples
               if sample.name.endswith("_total"))  # fmt: skip


async def run(data: Path, bundle: Path | None, runs: int, only: set[str] | None = None) -> None:
    server = EmbeddedFalkorDB(data, 600_000)
    await server.start(wait_seconds=1800)  # a 1M store loads in minutes
    backend = FalkorBackend(graph_key="grassroots", query_timeout=600, unix_socket=str(server.socket_path),
                            server=server)  # fmt: skip
    try:
        await backend.setup_schema()
        persons = (await one(backend, "MATCH (p:Person) RETURN count(p) AS n")).get("n", 0)
        if not persons and bundle is not None:
            imported = await import_bundle(backend, bundle, PersonalData.from_secret("bench"))
            print(f"imported {bundle} in {imported.seconds:.1f} s")
            persons = (await one(backend, "MATCH (p:Person) RETURN count(p) AS n"))["n"]
        print(f"{persons:,} persons; in process, median of {runs} (mutations once)")
        print(f"{'operation':<28}{'median ms':>11}{'max ms':>10}{'round trips':>13}  result")
        documents = operations()
        variables = await pick(backend)
        cases = []  # each operation, then its extra cases (``Operation/case``)
        for operation, document in documents.items():
            cases.append((operation, document))
            cases += [(name, document) for name in variables if name.startswith(f"{operation}/")]
        context = Context(backend=backend, personal=PersonalData.from_secret("bench"))
        for name, document in cases:
            if only is not None and name not in only and name.split("/")[0] not in only:
                continue
            times, trips, summary = [], 0.0, ""
            repeat = 1 if document.startswith("mutation") else runs
            for _ in range(repeat):
                before = db_queries()
                started = time.perf_counter()
                result = await schema.execute(
                    document, variable_values=variables.get(name), context_value=context
                )
                times.append(time.perf_counter() - started)
                trips = db_queries() - before
                if result.errors:
                    summary = f"ERROR {result.errors[0].message[:80]}"
                else:
                    payload = next(iter((result.data or {}).values()))
                    errors = payload.get("userErrors") if isinstance(payload, dict) else None
                    summary = f"userErrors {errors}" if errors else f"{len(str(payload)):,} chars"
            print(
                f"{name:<28}{statistics.median(times) * 1000:>11.1f}{max(times) * 1000:>10.1f}{trips:>13.0f}  {summary}"
            )
    finally:
        await backend.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="operation names, comma separated (Connection: with its cases)")
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    if only is not None and (unknown := only - set(operations())):
        parser.error(f"--only: no such operation: {', '.join(sorted(unknown))}")
    asyncio.run(run(args.data, args.bundle, args.runs, only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
