"""Reading a stored quote's evidence blobs back: one blob, or a project's panel outputs.

Reads only; the hashing is the engine's (``verify``).
"""

from __future__ import annotations

import json
from typing import Any

from estimator_core import verify
from functions._shared.auth import Principal
from functions._shared.errors import ApiError
from functions._shared.persist import canonical_path, panel_stage
from functions._shared.ports import EvidenceRow
from functions._shared.services import Services


def download(svc: Services, quote_id: str, row: EvidenceRow) -> bytes | None:
    """The stored blob of an evidence row, or None when it is missing."""
    path = canonical_path(quote_id, row.stage, row.sha256, row.content_type)
    try:
        return svc.blobs.download(svc.settings.evidence_bucket, path)
    except ApiError as err:
        if err.code != "NOT_FOUND":
            raise
        return None


def panel_outputs(
    svc: Services, who: Principal, quote_id: str, response: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each panel of a stored project (``response["panels"]``, in order) with its output
    record (``p{i}_output``: its lines, totals, box, phase balance), re-hashed first: a
    missing or altered blob is DEPENDENCY_UNAVAILABLE rather than a diff of wrong data."""
    rows = {e.stage: e for e in svc.store.evidence(who, quote_id)}
    out = []
    for i, panel in enumerate(response.get("panels", [])):
        row = rows.get(panel_stage(i, "output"))
        data = download(svc, quote_id, row) if row is not None else None
        if row is None or data is None or not verify(row.sha256, data):
            raise ApiError(
                "DEPENDENCY_UNAVAILABLE",
                f"the stored output of panel {panel.get('name')} is missing or altered",
            )
        out.append({"name": panel.get("name"), "output": json.loads(data)})
    return out
