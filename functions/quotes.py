"""GET /functions/v1/quotes, /quotes/{id} and /quotes/{id}/evidence — the caller's own quotes.

Another user's quote answers 404 (RLS hides it), never 403.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from estimator_core.evidence import STAGES, verify
from functions._shared.auth import Principal
from functions._shared.errors import ApiError
from functions._shared.http import principal
from functions._shared.models import (
    QUOTE_NUMBER_PATTERN,
    EstimateResponse,
    EvidenceList,
    QuoteList,
    error_responses,
)
from functions._shared.persist import canonical_path, signed_evidence
from functions._shared.services import Services, services
from functions._shared.store import QuoteFilter, StoredQuote
from functions.estimate import replay

router = APIRouter()


# Only the canonical form: Python's uuid.UUID also takes urn:uuid:…, braces and no
# hyphens, which Postgres refuses; any other id is simply not found.
QUOTE_ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_QUOTE_ID = re.compile(QUOTE_ID_PATTERN)


_QUOTE_NUMBER = re.compile(QUOTE_NUMBER_PATTERN)


def _quote(svc: Services, who: Principal, quote_id: str) -> StoredQuote:
    """A quote by its id or by its number (Q-2026-000123)."""
    if _QUOTE_NUMBER.match(quote_id):
        stored = svc.store.get_quote_by_number(who, quote_id)
        if stored is None:
            raise ApiError("NOT_FOUND", "quote not found")
        return stored
    if not _QUOTE_ID.match(quote_id):
        raise ApiError("NOT_FOUND", "quote not found")
    quote_id = quote_id.lower()
    stored = svc.store.get_quote(who, quote_id)
    if stored is None:
        raise ApiError("NOT_FOUND", "quote not found")
    return stored


# A day as YYYY-MM-DD only: pydantic's date would also take a Unix time ("0").
ISO_DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(
            "VALIDATION_FAILED",
            "the request is not valid",
            [{"loc": f"query.{name}", "msg": "not a calendar day (YYYY-MM-DD)"}],
        ) from None


@router.get("/quotes", response_model=QuoteList, responses=error_responses(401, 422, 503))
def list_quotes(
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=1_000_000),
    q: str | None = Query(
        None,
        max_length=100,
        pattern=r"^[^\x00]*$",  # Postgres text holds no NUL
        description="Part of the quote number, the customer or the project name "
        "(case-insensitive).",
    ),
    status: Literal["issued", "needs_review", "approved", "rejected"] | None = Query(None),
    issued_from: str | None = Query(
        None,
        alias="from",
        pattern=ISO_DAY_PATTERN,
        json_schema_extra={"format": "date"},
        description="First issue day (inclusive, YYYY-MM-DD), in Korea (Asia/Seoul).",
    ),
    issued_to: str | None = Query(
        None,
        alias="to",
        pattern=ISO_DAY_PATTERN,
        json_schema_extra={"format": "date"},
        description="Last issue day (inclusive, YYYY-MM-DD), in Korea (Asia/Seoul).",
    ),
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    where = QuoteFilter(
        q=(q or "").strip() or None,
        status=status,
        issued_from=_day(issued_from, "from"),
        issued_to=_day(issued_to, "to"),
    )
    rows = svc.store.list_quotes(who, limit + 1, offset, where)
    more = len(rows) > limit
    return {
        "items": rows[:limit],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }


@router.get(
    "/quotes/{quote_id}", response_model=EstimateResponse, responses=error_responses(401, 404, 503)
)
def get_quote(
    quote_id: str, who: Principal = Depends(principal), svc: Services = Depends(services)
) -> dict[str, Any]:
    stored = _quote(svc, who, quote_id)
    return replay(svc, who, stored.id, stored.response)


@router.get(
    "/quotes/{quote_id}/evidence",
    response_model=EvidenceList,
    responses=error_responses(401, 404, 503),
)
def get_evidence(
    quote_id: str,
    verify_blobs: bool = Query(False, alias="verify"),
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    stored = _quote(svc, who, quote_id)
    rows = sorted(
        svc.store.evidence(who, stored.id),
        key=lambda e: STAGES.index(e.stage) if e.stage in STAGES else len(STAGES),
    )
    items = signed_evidence(svc, stored.id, rows)
    overall: bool | None = None
    if verify_blobs:
        # a quote without evidence proves nothing: it is never "verified"
        overall = bool(rows)
        for item, row in zip(items, rows, strict=True):
            path = canonical_path(stored.id, row.stage, row.sha256, row.content_type)
            try:
                data = svc.blobs.download(svc.settings.evidence_bucket, path)
            except ApiError as err:
                if err.code != "NOT_FOUND":
                    raise
                data = None
            item["verified"] = data is not None and verify(row.sha256, data)
            item["recorded_ok"] = svc.store.evidence_valid(who, stored.id, row.stage, row.sha256)
            overall = overall and item["verified"] and item["recorded_ok"]
    return {
        "quote_id": stored.id,
        "evidence_root": stored.response.get("evidence_root", ""),
        "items": items,
        "verified": overall,
    }
