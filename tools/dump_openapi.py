"""Print the functions' OpenAPI document, built in-process (no server, no database).

The web client's API types (web/src/api/schema.d.ts) are generated from this document
with openapi-typescript; tests/web/test_api_types.py regenerates them and fails on drift.
The settings are those of the embedded stack, so the local sign-in is documented too.

    .venv/bin/python tools/dump_openapi.py > .local/openapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from functions._shared.settings import Settings
from functions.app import create_app

EMBEDDED = Settings(database_url="postgresql://127.0.0.1:54322/postgres", jwt_secret="x" * 32)


def openapi_document() -> dict[str, Any]:
    return create_app(EMBEDDED, svc=object()).openapi()  # type: ignore[arg-type]


if __name__ == "__main__":
    json.dump(openapi_document(), sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
    sys.stdout.write("\n")
