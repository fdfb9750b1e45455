"""Serve the app on the example bundle, for the explorer's end-to-end tests.

    GRASSROOTS_DATA_DIR=/tmp/x GRASSROOTS_SECRET_KEY=k python tests/e2e/serve_example.py PORT

Imports ``shared/contract/example`` into the (empty) data dir once the database is up, then
serves on 127.0.0.1:PORT until stopped (SIGTERM/SIGINT stop the embedded FalkorDB too).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import uvicorn

from graph import Backend
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from service.app import create_app
from service.settings import Settings

SHARED = os.environ.get("GRASSROOTS_SHARED") or Path(__file__).resolve().parents[3] / "shared"
EXAMPLE = Path(SHARED) / "contract" / "example"


def main(port: int) -> None:
    settings = Settings.from_env()

    async def load(backend: Backend) -> None:
        result = await import_bundle(backend, EXAMPLE, PersonalData.from_secret(settings.secret_key))
        if not result.ok:
            raise SystemExit(f"the example bundle did not import: {result.problems}")

    uvicorn.run(create_app(settings, prepare=load), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]))
