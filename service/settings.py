"""Settings from the environment, with safe defaults for a fresh checkout.

| variable | default | meaning |
|---|---|---|
| GRAPH_URI | (none) | `neo4j://`, `neo4j+s://`, `bolt://` for Neo4j; `falkor://host:port` for an external FalkorDB; unset = embedded FalkorDB |
| GRAPH_USER / GRAPH_PASSWORD | neo4j / (none) | Neo4j credentials |
| GRAPH_DATABASE | (server default) | Neo4j database name |
| GRASSROOTS_DATA_DIR | ./data | where the embedded FalkorDB keeps its files and socket |
| GRASSROOTS_GRAPH_KEY | grassroots | FalkorDB graph key |
| GRASSROOTS_QUERY_TIMEOUT | 30 | seconds a read may run on the server |
| GRASSROOTS_SECRET_KEY | (none) | key for encrypting and hashing personal data; the demo generates one into the data dir |
| GRASSROOTS_HOST / GRASSROOTS_PORT | 127.0.0.1 / 8000 | where `grassroots serve` listens |
| GRASSROOTS_LOG_LEVEL | INFO | log level |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


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
        )

    @property
    def embedded(self) -> bool:
        """True when the service runs its own FalkorDB (no GRAPH_URI)."""
        return self.graph_uri is None
