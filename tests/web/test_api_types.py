"""The client's API types are generated from the functions' current OpenAPI document."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.integration.support import ROOT
from tools.dump_openapi import openapi_document

WEB = ROOT / "web"
COMMITTED = WEB / "src" / "api" / "schema.d.ts"


def test_committed_api_types_match_the_current_openapi_document(tmp_path: Path) -> None:
    doc = tmp_path / "openapi.json"
    doc.write_text(
        json.dumps(openapi_document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(WEB / "node_modules" / ".bin" / "openapi-typescript"), str(doc), "-o", str(out)],
        cwd=WEB,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        "web/src/api/schema.d.ts is stale: run `make web-api-types` and commit it"
    )
