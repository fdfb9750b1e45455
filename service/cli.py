"""The ``grassroots`` command: serve, demo, import, export, check, seed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from graph import Backend, GraphError, connect
from resolvers.check import run_checks
from resolvers.export import export_bundle
from resolvers.ledger import ImportResult, import_bundle, write_report
from resolvers.personal import MissingSecretKey, PersonalData
from resolvers.scope import Role
from service.auth import make_token, parse_ttl
from service.settings import Settings

log = logging.getLogger("grassroots")
T = TypeVar("T")
DEMO_PERSONS = 20_000
DEMO_SEED = 2026
DEMO_TOKEN_TTL = 7 * 86400
# Python's own event loop, not uvloop: under uvloop a write on a connection the database reset
# raises RuntimeError, which neither redis-py nor the Neo4j driver turns into a connection error,
# so a database outage answered "Unexpected error." instead of 503 (tests/test_faults.py:
# test_idle_connections_reset_by_the_database_side).
EVENT_LOOP = "asyncio"


def personal_data(settings: Settings) -> PersonalData | None:
    try:
        return PersonalData.from_secret(settings.secret_key)
    except MissingSecretKey:
        return None


def ensure_demo_secret(settings: Settings) -> Settings:
    """The demo keeps a generated key in the data dir, so a fresh checkout needs no set-up."""
    if settings.secret_key:
        return settings
    key_file = settings.data_dir / "secret.key"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32) + "\n")
        key_file.chmod(0o600)
        log.warning("generated a secret key for the demo in %s", key_file)
    os.environ["GRASSROOTS_SECRET_KEY"] = key_file.read_text().strip()
    return Settings.from_env()


def token_secret(settings: Settings) -> str:
    """The key tokens are signed with: GRASSROOTS_SECRET_KEY, or the demo's generated key."""
    if settings.secret_key:
        return settings.secret_key
    key_file = settings.data_dir / "secret.key"
    if key_file.exists():
        return key_file.read_text().strip()
    raise ValueError("GRASSROOTS_SECRET_KEY is not set (and there is no demo key in the data directory)")


def demo_token_help(address: str, token: str) -> str:
    """What `make demo` prints: a ready ADMIN token and where to put it."""
    header = '{"Authorization": "Bearer ' + token + '"}'
    return (
        f"\nGraphiQL: {address}\n"
        f"Every request needs a token. A demo ADMIN token, valid 7 days:\n\n    {token}\n\n"
        "In GraphiQL open the Headers tab (bottom of the editor) and paste:\n\n"
        f"    {header}\n\n"
        f"or from a shell: curl -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\\n"
        f'      -d \'{{"query": "{{ search(text: \\"社区\\") {{ label name }} }}"}}\' {address}\n'
        "Other roles: grassroots token --role COMMUNITY_STAFF --community 430105001001 --ttl 8h\n"
    )


async def with_backend(settings: Settings, work: Callable[[Backend], Awaitable[T]]) -> T:
    backend = await connect(settings)
    try:
        await backend.setup_schema()
        return await work(backend)
    finally:
        await backend.close()


class Progress:
    """One tqdm bar per write step (shown on a terminal, silent otherwise)."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, step: str, rows: int) -> None:
        bar = self.bars.get(step)
        if bar is None:
            for old in self.bars.values():
                old.close()
            bar = self.bars[step] = tqdm(desc=step, unit=" rows", file=sys.stderr, disable=None, leave=False)
        bar.update(rows)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def print_import(result: ImportResult, partial: bool) -> None:
    for problem in result.problems[:200]:
        print(problem, file=sys.stderr)
    if len(result.problems) > 200:
        print(f"... and {len(result.problems) - 200} more problems (see --report)", file=sys.stderr)
    rows = result.total_rows
    rate = rows / result.seconds if result.seconds else 0.0
    if result.wrote:
        print(
            f"imported {rows} rows in {result.seconds:.1f} s ({rate:,.0f} rows/s)"
            + (f"; {result.rejected_rows} rows rejected" if partial and result.rejected_rows else "")
        )
    else:
        print(f"nothing written: {len(result.problems)} problems in {rows} rows", file=sys.stderr)


async def run_import(settings: Settings, path: Path, partial: bool, report: Path | None) -> int:
    progress = Progress()

    async def work(backend: Backend) -> ImportResult:
        return await import_bundle(backend, path, personal_data(settings), partial=partial, progress=progress)

    result = await with_backend(settings, work)
    progress.close()
    if report is not None:
        write_report(result, report)
    print_import(result, partial)
    return 0 if result.ok else (2 if partial and result.wrote else 1)


async def run_demo(settings: Settings) -> None:
    import uvicorn

    from service.app import create_app

    settings = ensure_demo_secret(settings)

    address = f"http://{settings.host}:{settings.port}/graphql"
    assert settings.secret_key is not None  # ensure_demo_secret made one
    token = make_token(
        settings.secret_key, Role.ADMIN, sub="demo-admin", name="demo admin", ttl=DEMO_TOKEN_TTL
    )

    async def load_if_empty(backend: Backend) -> None:
        if await backend.read("MATCH (p:Person) RETURN p.pid AS pid LIMIT 1"):
            print("the data directory already holds a district", flush=True)
            print(demo_token_help(address, token), flush=True)
            return
        from seed.generate import generate

        bundle = settings.data_dir / "demo-bundle"
        print(f"generating a demo district of {DEMO_PERSONS:,} persons into {bundle} ...")
        generate(DEMO_PERSONS, DEMO_SEED, bundle)
        result = await import_bundle(backend, bundle, personal_data(settings), progress=Progress())
        print_import(result, partial=False)
        if not result.ok:
            raise SystemExit("the demo district did not import")
        print(demo_token_help(address, token), flush=True)

    app = create_app(settings, prepare=load_if_empty)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower())
    await uvicorn.Server(config).serve()


def app_from_env() -> Any:
    """The app of one ``serve --workers N`` worker process, from the environment."""
    from service.app import create_app, tune_gc

    app = create_app(Settings.from_env())
    tune_gc()
    return app


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["seed"]:  # its own parser: argparse's REMAINDER rejects a leading --option
        from seed.generate import main as seed_main

        return seed_main(argv[1:])
    parser = argparse.ArgumentParser(prog="grassroots", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (needs GRAPH_URI when above 1)"
    )
    commands.add_parser("demo", help="load the demo district into an empty data dir and serve it")
    imp = commands.add_parser("import", help="import a ledger bundle (folder or .zip)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--partial", action="store_true", help="write the valid rows, reject the others")
    imp.add_argument("--report", type=Path, help="write problems here, rejected rows to rejects/ beside it")
    exp = commands.add_parser("export", help="write the graph as an import bundle")
    exp.add_argument("dir", type=Path)
    exp.add_argument(
        "--include-personal-data", action="store_true", help="write ID numbers and phones in clear"
    )
    commands.add_parser("check", help="prove the graph's invariants")
    tok = commands.add_parser("token", help="print a signed API token (HS256, GRASSROOTS_SECRET_KEY)")
    tok.add_argument("--role", required=True, choices=[r.value for r in Role])
    tok.add_argument("--community", action="append", default=[], metavar="CODE", help="repeat for several")
    tok.add_argument("--street", metavar="CODE", help="STREET_STAFF: the 9-digit street code")
    tok.add_argument("--district", metavar="CODE", help="DISTRICT_STAFF: the 6-digit district code")
    tok.add_argument("--ttl", default="8h", help="lifetime: 30m, 8h, 7d (default 8h)")
    tok.add_argument("--name", help="who the token is for (shown in the audit log)")
    commands.add_parser("seed", help="write a synthetic district bundle (grassroots seed --help)")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "serve":
            import uvicorn

            from service.app import create_app, tune_gc

            host, port = args.host or settings.host, args.port or settings.port
            if args.workers > 1 and settings.embedded:
                raise SystemExit(
                    "grassroots serve: --workers above 1 needs GRAPH_URI (the embedded database belongs to one "
                    "process; start FalkorDB or Neo4j yourself and point every worker at it)"
                )
            print(f"GraphiQL: http://{host}:{port}/graphql")
            if args.workers > 1:  # each worker process builds its own app from the environment
                uvicorn.run("service.cli:app_from_env", factory=True, workers=args.workers, host=host, port=port,
                            log_level=settings.log_level.lower(), loop=EVENT_LOOP)  # fmt: skip
            else:
                app = create_app(settings)
                tune_gc()
                uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), loop=EVENT_LOOP)
            return 0
        if args.command == "demo":
            asyncio.run(run_demo(settings))
            return 0
        if args.command == "import":
            return asyncio.run(run_import(settings, args.path, args.partial, args.report))
        if args.command == "export":
            counts = asyncio.run(
                with_backend(
                    settings,
                    lambda b: export_bundle(
                        b, args.dir, personal_data(settings), include_personal_data=args.include_personal_data
                    ),
                )
            )
            print(f"exported {sum(counts.values())} rows in {len(counts)} files to {args.dir}")
            return 0
        if args.command == "check":
            results = asyncio.run(with_backend(settings, run_checks))
            for result in results:
                print(f"{'ok  ' if result.ok else 'FAIL'} {result.name}")
                for row in result.violations:
                    print(f"       {row}")
            return 0 if all(r.ok for r in results) else 1
        if args.command == "token":
            name = args.name or f"{args.role.lower()}-{secrets.token_hex(3)}"
            print(
                make_token(
                    token_secret(settings),
                    Role(args.role),
                    sub=name,
                    name=name,
                    communities=tuple(args.community),
                    street=args.street,
                    district=args.district,
                    ttl=parse_ttl(args.ttl),
                )
            )
            return 0
    except (GraphError, FileNotFoundError, ValueError) as exc:
        print(f"grassroots {args.command}: {exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
