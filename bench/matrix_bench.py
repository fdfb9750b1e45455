"""MismatchMatrix over a big district: the flow shortcuts against walking every person's chains.

    python bench/matrix_bench.py --data /tmp/d1m [--bundle /tmp/s1m] [--runs 3]

``--data`` is an embedded store holding a district (imported from ``--bundle`` first when it is
empty). For each kind and date the two plans must give the same cells. Printed, median of
``--runs``: the planned statement with the shortcuts (database and result parsing), the whole
GraphQL execution of the contract operation (in process, no HTTP) with the served executor
(schema/fastexec.py) and with graphql-core's own completion (Strawberry's stock executor; the two
answers must be equal), the statement walking every person's chains, and the target (≤ 0.5 s for
1,000,000 persons).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.embedded import EmbeddedFalkorDB
from graph.falkor_backend import FalkorBackend
from resolvers import analysis
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from resolvers.plan import UNRESTRICTED, Sel
from schema import Context, schema

OPERATION = """query MismatchMatrix($scope: String!, $kind: MismatchKind!, $asOf: Date) {
  mismatchMatrix(scopeCode: $scope, kind: $kind, asOf: $asOf) {
    home { code name } residence { code name } persons
  }
}"""
TARGET = 0.5
STOCK = StrawberryGraphQLCoreExecutionContext  # graphql-core's own completion, for comparison
DATES = ["2026-11-23", "2020-01-01", "2012-06-30"]


def cell_selection() -> Sel:
    sel = Sel("mismatchMatrix", "mismatchMatrix")
    for place in ("home", "residence"):
        sel.children[place] = Sel(
            place, place, children={"code": Sel("code", "code"), "name": Sel("name", "name")}
        )
    sel.children["persons"] = Sel("persons", "persons")
    return sel


async def timed(runs: int, call: object) -> tuple[float, list[dict[str, object]]]:
    times, cells = [], []
    for _ in range(runs):
        started = time.perf_counter()
        cells = await call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times), cells


async def run(data: Path, bundle: Path | None, runs: int) -> None:
    server = EmbeddedFalkorDB(data, 600_000)
    await server.start(wait_seconds=1800)  # a 1M store loads in minutes
    backend = FalkorBackend(
        graph_key="grassroots", query_timeout=600, unix_socket=str(server.socket_path), server=server
    )
    try:
        await backend.setup_schema()
        persons = (await backend.read("MATCH (p:Person) RETURN count(p) AS n"))[0]["n"]
        if not persons:
            if bundle is None:
                raise SystemExit(f"{data} holds no district; pass --bundle to import one")
            result = await import_bundle(backend, bundle, PersonalData.from_secret("bench"))
            print(f"imported {bundle} in {result.seconds:.1f} s")
            persons = (await backend.read("MATCH (p:Person) RETURN count(p) AS n"))[0]["n"]
        district = (await backend.read("MATCH (d:District) RETURN d.code AS code LIMIT 1"))[0]["code"]
        print(f"district {district}, {persons:,} persons, median of {runs}")
        print(f"{'kind':<11}{'as of':<12}{'cells':>7}{'statement s':>13}{'GraphQL s':>11}{'stock s':>9}"
              f"{'chains s':>10}{'ratio':>8}  target ≤ {TARGET} s (GraphQL)")  # fmt: skip
        sel = cell_selection()
        for kind in ("HUKOU", "PARTY", "COLLECTIVE"):
            for as_of in DATES:
                fast, cells = await timed(runs, lambda k=kind, d=as_of: analysis.mismatch_matrix(
                    backend, sel, district, k, d, UNRESTRICTED))  # fmt: skip
                slow, reference = await timed(1, lambda k=kind, d=as_of: analysis.mismatch_matrix(
                    backend, sel, district, k, d, UNRESTRICTED, from_chains=True))  # fmt: skip
                assert cells == reference, f"{kind} {as_of}: the shortcut and the chains disagree"
                variables = {"scope": district, "kind": kind, "asOf": as_of}
                whole, result = await timed(runs, lambda v=variables: schema.execute(
                    OPERATION, variable_values=v, context_value=Context(backend=backend)))  # fmt: skip
                assert result.errors is None and len(result.data["mismatchMatrix"]) == len(cells)  # type: ignore[attr-defined]
                served, schema.execution_context_class = schema.execution_context_class, STOCK
                try:
                    stock, expected = await timed(runs, lambda v=variables: schema.execute(
                        OPERATION, variable_values=v, context_value=Context(backend=backend)))  # fmt: skip
                finally:
                    schema.execution_context_class = served
                assert result.data == expected.data, f"{kind} {as_of}: the executors disagree"  # type: ignore[attr-defined]
                verdict = "met" if whole <= TARGET else "NOT met"
                print(f"{kind:<11}{as_of:<12}{len(cells):>7}{fast:>13.3f}{whole:>11.3f}{stock:>9.3f}{slow:>10.3f}"
                      f"{slow / fast:>7.1f}x  {verdict}")  # fmt: skip
    finally:
        await backend.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--data", type=Path, required=True, help="embedded store holding (or to hold) the district"
    )
    parser.add_argument("--bundle", type=Path, help="import this bundle first when the store is empty")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    asyncio.run(run(args.data, args.bundle, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
