"""GET /functions/v1/quotes, /quotes/{id} and /quotes/{id}/evidence — the caller's own quotes.

Another user's quote answers 404 (RLS hides it), never 403. The use cases are in
``functions._shared.usecases.quotes``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from functions._shared.auth import Principal
from functions._shared.http import principal
from functions._shared.models import EvidenceList, QuoteList, QuoteResponse, error_responses
from functions._shared.services import Services, services
from functions._shared.usecases import quotes

router = APIRouter()


@router.get("/quotes", response_model=QuoteList, responses=error_responses(401, 503))
def list_quotes(
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=1_000_000),
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return quotes.list_quotes(svc, who, limit, offset)


@router.get(
    "/quotes/{quote_id}", response_model=QuoteResponse, responses=error_responses(401, 404, 503)
)
def get_quote(
    quote_id: str, who: Principal = Depends(principal), svc: Services = Depends(services)
) -> JSONResponse:
    # Served as stored (with fresh signed URLs): the response model documents the answer
    # but does not re-validate it, so a quote stored by an older version still reads.
    return JSONResponse(quotes.read_quote(svc, who, quote_id))


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
    return quotes.quote_evidence(svc, who, quote_id, verify_blobs)
