"""Turn a finished quote into stored objects and the ``estimator.create_quote`` payload.

Storage before the rows are committed: every blob is uploaded (content-addressed under
``quote/{quote_id}/{stage}/{sha256}``) before the one transaction that writes the rows
commits (local blobs on the psycopg adapter while the rows are written; else before the
write), so a failed upload writes no rows and a failed transaction leaves only
unreferenced blobs.
"""

from __future__ import annotations

import re
from typing import Any

from estimator_core import STAGES, EvidenceRecord, ProjectQuote, Quote, json_record
from functions._shared.blobs import BlobStore
from functions._shared.ports import CatalogRef, EvidenceRow
from functions._shared.services import Services

_STAGE = re.compile(r"^[a-z][a-z0-9_]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def object_path(quote_id: str, record: EvidenceRecord) -> str:
    return canonical_path(quote_id, record.stage, record.sha256, record.content_type)


def canonical_path(quote_id: str, stage: str, sha256: str, content_type: str) -> str:
    """``quote/{quote_id}/{stage}/{sha256}.{json|svg}``: the only paths the server signs.

    Recomputed from the row's identity, never read from stored JSON, so no stored value
    can make the server sign another object.
    """
    if not (_UUID.match(quote_id) and _STAGE.match(stage) and _SHA256.match(sha256)):
        raise ValueError(f"not an evidence object: {quote_id!r} {stage!r} {sha256!r}")
    ext = "svg" if content_type == "image/svg+xml" else "json"
    return f"quote/{quote_id}/{stage}/{sha256}.{ext}"


def evidence_row(quote_id: str, record: EvidenceRecord) -> EvidenceRow:
    """The row an uploaded record becomes (its object at the canonical path)."""
    path = object_path(quote_id, record)
    return EvidenceRow(record.stage, path, record.sha256, record.size, record.content_type)


def panel_stage(position: int, stage: str) -> str:
    """The stage name of a project panel's evidence: ``p{position}_{stage}`` (``p3_breaker``
    is the breaker stage of the fourth panel), so a project's rows stay one per stage."""
    return f"p{position}_{stage}"


def quote_records(quote: Quote | ProjectQuote) -> list[EvidenceRecord]:
    """What a quote stores as evidence: a panel's records; a project's own records (its
    input and summary) then every panel's, renamed by ``panel_stage``. Identical panels,
    priced once, still each get their records (their paths differ by the stage)."""
    if not isinstance(quote, ProjectQuote):
        return list(quote.evidence)
    return [
        *quote.evidence,
        *(
            rec.model_copy(update={"stage": panel_stage(i, rec.stage)})
            for i, panel in enumerate(quote.panels)
            for rec in panel.quote.evidence
        ),
    ]


# a project panel's stage (``panel_stage``): its position and the stage's own name
PANEL_STAGE = re.compile(r"^p([0-9]+)_(.+)$")


def stage_order(stage: str, stages: tuple[str, ...]) -> tuple[int, int, int]:
    """Evidence in reading order: the quote's (or project's) own stages in ``stages``
    order, then each panel's, panel by panel."""
    m = PANEL_STAGE.match(stage)
    if m:
        name = m.group(2)
        return (1, int(m.group(1)), stages.index(name) if name in stages else len(stages))
    own = (*stages, "project")
    return (0, 0, own.index(stage) if stage in own else len(own))


def reading_order(row: EvidenceRow) -> tuple[int, int, int]:
    """``stage_order`` of an evidence row among the engine's stages."""
    return stage_order(row.stage, STAGES)


def upload_records(
    blobs: BlobStore, bucket: str, quote_id: str, records: list[EvidenceRecord]
) -> list[EvidenceRow]:
    """Every record uploaded in one batch (``BlobStore.upload_many``); their rows."""
    rows = [evidence_row(quote_id, rec) for rec in records]
    blobs.upload_many(
        bucket,
        [
            (row.storage_path, rec.content, rec.content_type)
            for row, rec in zip(rows, records, strict=True)
        ],
    )
    return rows


def upload_evidence(
    blobs: BlobStore, bucket: str, quote_id: str, quote: Quote
) -> list[EvidenceRow]:
    rows = []
    for rec in quote.evidence:
        path = object_path(quote_id, rec)
        blobs.upload(bucket, path, rec.content, rec.content_type)
        rows.append(EvidenceRow(rec.stage, path, rec.sha256, rec.size, rec.content_type))
    return rows


def _breakers(quote: Quote) -> list[dict[str, Any]]:
    out = []
    for p in quote.placement.placed:
        out.append(
            {
                "row": p.row,
                "side": p.side if p.side in ("L", "R") else None,
                "phase": p.phase
                if p.poles == 2 and p.role == "branch" and p.phase != "L"
                else None,
                "model": p.model,
                "af": p.af,
                "at": p.at,
                "poles": p.poles,
                "load_a": p.load_a,
                "role": p.role,
            }
        )
    return out


def _panel_row(quote: Quote, label: str | None = None) -> dict[str, Any]:
    """A row of ``estimator.panels`` with its breakers."""
    r = quote.result
    enc = quote.enclosure
    return {
        **({"label": label} if label is not None else {}),
        "enclosure_model": enc.box.model,
        "enclosure_w_mm": enc.box.w,
        "enclosure_h_mm": enc.box.h,
        "enclosure_d_mm": enc.box.d,
        "required_w_mm": enc.required.w,
        "required_h_mm": enc.required.h,
        "required_d_mm": enc.required.d,
        "fit_score": enc.fit_score,
        "layout": r.layout.model_dump(mode="json"),
        "phase_balance": r.phase_balance.model_dump(mode="json"),
        "breakers": _breakers(quote),
    }


_ITEM_KEYS = {"section", "item", "spec", "unit", "qty", "unit_price", "amount"}


def _items(quote: Quote) -> list[dict[str, Any]]:
    return [line.model_dump(mode="json", include=_ITEM_KEYS) for line in quote.result.lines]


def quote_payload(
    *,
    quote_id: str,
    key: str,
    raw: dict[str, Any],
    quote: Quote | ProjectQuote,
    ref: CatalogRef,
    evidence: list[EvidenceRow],
    document: EvidenceRow,
    response: dict[str, Any],
    issued_at: str,
) -> dict[str, Any]:
    """The ``estimator.create_quote`` payload of a panel quote or of a project.

    A project is one quote with one ``estimator.panels`` row per panel (``label`` = the
    panel's name, in the project's order) and their breakers; its ``quote_items`` are each
    panel's lines for one unit, panel after panel (the ×qty and the project's totals are
    in the quote's totals and response).
    """
    if isinstance(quote, ProjectQuote):
        totals = quote.totals
        request_sha256 = quote.result.request_sha256
        items = [item for p in quote.panels for item in _items(p.quote)]
        panels = [_panel_row(p.quote, p.name) for p in quote.panels]
    else:
        totals = quote.result.totals
        request_sha256 = quote.result.request_sha256
        items = _items(quote)
        panels = [_panel_row(quote)]
    return {
        "id": quote_id,
        "idempotency_key": key,
        "status": quote.status,
        "request": raw,
        "request_sha256": request_sha256,
        "response": response,
        "catalog_version_id": ref.id,
        "catalog_label": ref.label,
        "catalog_sha256": ref.sha256,
        "subtotal": totals.subtotal,
        "vat": totals.vat,
        "grand_total": totals.grand_total,
        "evidence_root_sha256": quote.evidence_root,
        "issued_at": issued_at,
        "items": items,
        "panels": panels,
        "documents": [
            {
                "kind": "result",
                "storage_path": document.storage_path,
                "sha256": document.sha256,
                "content_type": document.content_type,
                "size_bytes": document.size_bytes,
            }
        ],
        "evidence": [
            {
                "stage": e.stage,
                "storage_path": e.storage_path,
                "sha256": e.sha256,
                "size_bytes": e.size_bytes,
                "content_type": e.content_type,
            }
            for e in evidence
        ],
    }


def upload_document(svc: Services, quote_id: str, response: dict[str, Any]) -> EvidenceRow:
    rec = json_record("result", response)
    path = object_path(quote_id, rec)
    svc.blobs.upload(svc.settings.evidence_bucket, path, rec.content, rec.content_type)
    return EvidenceRow("result", path, rec.sha256, rec.size, rec.content_type)


def signed_evidence(svc: Services, quote_id: str, rows: list[EvidenceRow]) -> list[dict[str, Any]]:
    """Each evidence row of ``quote_id`` with a fresh signed URL (TTL from settings, capped).

    ``rows`` are the quote's evidence rows as the caller may read them; the signed path
    is recomputed from (quote, stage, sha256), whatever the row's ``storage_path`` says.
    """
    ttl = svc.settings.signed_url_ttl_s
    out = []
    for e in rows:
        path = canonical_path(quote_id, e.stage, e.sha256, e.content_type)
        signed = svc.blobs.sign(svc.settings.evidence_bucket, path, ttl)
        out.append(
            {
                "stage": e.stage,
                "sha256": e.sha256,
                "size": e.size_bytes,
                "content_type": e.content_type,
                "url": signed.url,
                "expires_at": signed.expires_at,
                "ttl_s": ttl,
            }
        )
    return out
