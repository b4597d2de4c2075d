"""GET /functions/v1/quotes, /quotes/{id} and /quotes/{id}/evidence — the caller's own quotes.

Another user's quote answers 404 (RLS hides it), never 403. The use cases are in
``functions._shared.usecases.quotes``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from functions._shared.auth import Principal
from functions._shared.errors import ApiError
from functions._shared.http import principal
from functions._shared.models import EvidenceList, QuoteList, QuoteResponse, error_responses
from functions._shared.ports import QuoteFilter
from functions._shared.services import Services, services
from functions._shared.usecases import quotes, teams

router = APIRouter()


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


@router.get("/quotes", response_model=QuoteList, responses=error_responses(401, 404, 422, 503))
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
    status: Literal["issued", "needs_review", "approved", "returned", "rejected"] | None = Query(
        None,
        description="needs_review is the review queue of the request's organisation "
        "(X-Organisation, else the caller's only one), oldest first.",
    ),
    x_organisation: str | None = Header(None, max_length=100),
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
    queue = status == "needs_review"  # a review queue: one organisation's, oldest first
    where = QuoteFilter(
        q=(q or "").strip() or None,
        status=status,
        issued_from=_day(issued_from, "from"),
        issued_to=_day(issued_to, "to"),
        organisation_id=teams.request_organisation(svc.store, who, x_organisation, required=queue),
        oldest_first=queue,
    )
    return quotes.list_quotes(svc, who, limit, offset, where)


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
