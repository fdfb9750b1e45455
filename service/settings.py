"""Settings from the environment, with safe defaults for a fresh checkout.

| variable | default | meaning |
|---|---|---|
| GRAPH_URI | (none) | `neo4j://`, `neo4j+s://`, `bolt://` for Neo4j; `falkor://host:port` for an external FalkorDB; unset = embedded FalkorDB |
| GRAPH_USER / GRAPH_PASSWORD | neo4j / (none) | Neo4j credentials |
| GRAPH_DATABASE | (server default) | Neo4j database name |
| GRASSROOTS_DATA_DIR | ./data | where the embedded FalkorDB keeps its files and socket |
| GRASSROOTS_GRAPH_KEY | grassroots | FalkorDB graph key |
| GRASSROOTS_QUERY_TIMEOUT | 30 | seconds a read may run on the server |
| GRASSROOTS_SECRET_KEY | (none) | key for encrypting and hashing personal data and (through HKDF) for signing tokens; needed to serve; the demo generates one into the data dir |
| GRASSROOTS_HOST / GRASSROOTS_PORT | 127.0.0.1 / 8000 | where `grassroots serve` listens |
| GRASSROOTS_LOG_LEVEL | INFO | log level |
| GRASSROOTS_AUTH | on | `off` serves every request as ADMIN without a token: local development only (a warning is logged; refused with GRASSROOTS_ENV=production) |
| GRASSROOTS_ENV | development | `production` turns introspection and GraphiQL off |
| GRASSROOTS_STAFF_REVEAL | off | `on` lets staff (not only ADMIN) call `revealPersonalData` for persons in their scope |
| GRASSROOTS_PERSISTED_OPERATIONS | (none) | `.graphql` files (separated by `:`) whose operations are the only ones accepted, e.g. `../shared/contract/operations.graphql` |
| GRASSROOTS_MAX_BODY_BYTES | 262144 | largest request body (413 above it) |
| GRASSROOTS_RATE_LIMIT | 600 | requests per minute per token (429 with Retry-After above it); 0 = no limit |
| GRASSROOTS_MAX_COST | 1000 | largest estimated cost of one request (schema/limits.py) |
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _switch(name: str, default: bool) -> bool:
    value = (_env(name) or "").lower()
    if not value:
        return default
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise ValueError(f"{name}: '{value}' is neither on nor off")


def _number(name: str, default: int, kind: Callable[[str], int]) -> int:
    value = _env(name)
    try:
        return kind(value) if value is not None else default
    except ValueError as exc:
        raise ValueError(f"{name}: '{value}' is not a number") from exc


@dataclass(frozen=True)
class Settings:
    graph_uri: str | None = None
    graph_user: str = "neo4j"
    graph_password: str | None = field(default=None, repr=False)
    graph_database: str | None = None
    data_dir: Path = Path("data")
    graph_key: str = "grassroots"
    query_timeout: float = 30.0
    secret_key: str | None = field(default=None, repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    auth: bool = True
    env: str = "development"
    staff_reveal: bool = False
    persisted_operations: tuple[Path, ...] = ()
    max_body_bytes: int = 262_144
    rate_limit: int = 600
    max_cost: int = 1_000

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            graph_uri=_env("GRAPH_URI"),
            graph_user=_env("GRAPH_USER", "neo4j") or "neo4j",
            graph_password=_env("GRAPH_PASSWORD"),
            graph_database=_env("GRAPH_DATABASE"),
            data_dir=Path(_env("GRASSROOTS_DATA_DIR", "data") or "data"),
            graph_key=_env("GRASSROOTS_GRAPH_KEY", "grassroots") or "grassroots",
            query_timeout=float(_env("GRASSROOTS_QUERY_TIMEOUT", "30") or 30),
            secret_key=_env("GRASSROOTS_SECRET_KEY"),
            host=_env("GRASSROOTS_HOST", "127.0.0.1") or "127.0.0.1",
            port=int(_env("GRASSROOTS_PORT", "8000") or 8000),
            log_level=_env("GRASSROOTS_LOG_LEVEL", "INFO") or "INFO",
            auth=_switch("GRASSROOTS_AUTH", True),
            env=(_env("GRASSROOTS_ENV", "development") or "development").lower(),
            staff_reveal=_switch("GRASSROOTS_STAFF_REVEAL", False),
            persisted_operations=tuple(
                Path(p) for p in (_env("GRASSROOTS_PERSISTED_OPERATIONS") or "").split(os.pathsep) if p
            ),
            max_body_bytes=_number("GRASSROOTS_MAX_BODY_BYTES", 262_144, int),
            rate_limit=_number("GRASSROOTS_RATE_LIMIT", 600, int),
            max_cost=_number("GRASSROOTS_MAX_COST", 1_000, int),
        )

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def embedded(self) -> bool:
        """True when the service runs its own FalkorDB (no GRAPH_URI)."""
        return self.graph_uri is None
