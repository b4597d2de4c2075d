"""POST /functions/v1/quotes/{id}/review: a reviewer approves or returns a quote;
GET /functions/v1/quotes/{id}/reviews: the decisions so far, for every member.

A reviewer or admin of the quote's organisation who did not create it decides on a
``needs_review`` quote: ``approve`` makes it ``approved``, ``return`` makes it ``returned``
with the reason. The creator or an estimator is 403, another organisation's quote 404, a
quote not in review 409. Every decision is stored on the quote and audited. An approval
renders the quote's documents again as a new set showing it (``document_set``; null when
that failed: the approval stands and the next GET …/documents renders them). Any member
of the quote's organisation reads the decisions back (oldest first; another organisation's
quote 404).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from functions._shared.auth import Principal
from functions._shared.body import read_json
from functions._shared.http import principal
from functions._shared.models import error_responses
from functions._shared.services import Services, services
from functions._shared.team_models import ReviewHistory, ReviewResult
from functions._shared.usecases import documents, reviews, teams

router = APIRouter(tags=["teams"])


@router.post(
    "/quotes/{quote_id}/review",
    response_model=ReviewResult,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    summary="Approve or return a quote in review (reviewers of its organisation)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["decision"],
                        "properties": {
                            "decision": {"type": "string", "enum": list(teams.DECISIONS)},
                            "reason": {"type": "string", "maxLength": 2000},
                        },
                    }
                }
            },
        }
    },
)
async def review_quote(
    quote_id: str,
    request: Request,
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    body = await read_json(request)
    # an approval renders the documents again (blocking work: off the event loop)
    return await run_in_threadpool(documents.review, svc, who, quote_id, body)


@router.get(
    "/quotes/{quote_id}/reviews",
    response_model=ReviewHistory,
    responses=error_responses(401, 404, 503),
    summary="The review decisions on a quote, oldest first (members of its organisation)",
)
def list_reviews(
    quote_id: str, who: Principal = Depends(principal), svc: Services = Depends(services)
) -> dict[str, Any]:
    return reviews.review_history(reviews.history_store(svc.store), who, quote_id)
