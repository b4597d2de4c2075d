"""/functions/v1/quotes/{id}/revisions: the revisions R0, R1 … of a quote's number, the
diff of two, and a new revision (a panel quote from a panel request, a project from a
project request).

Revisions share the quote number; each names its predecessor and evidence root, and its
evidence links to its predecessor's root (a hash chain). Another organisation's quote is
404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from functions._shared.auth import Principal
from functions._shared.http import principal, raw_body
from functions._shared.models import error_responses
from functions._shared.openapi import ESTIMATE_BODY
from functions._shared.services import Services, services
from functions._shared.team_models import AnyRevisionResponse, RevisionDiff, RevisionList
from functions._shared.usecases import teams
from functions._shared.usecases.revise import revise_quote
from functions._shared.usecases.stored_evidence import panel_outputs
from functions.estimate import idempotency_key

router = APIRouter(tags=["teams"])


@router.get(
    "/quotes/{quote_id}/revisions",
    response_model=RevisionList,
    responses=error_responses(401, 404, 503),
    summary="The revisions of a quote, R0 first",
)
def list_revisions(
    quote_id: str, who: Principal = Depends(principal), svc: Services = Depends(services)
) -> dict[str, Any]:
    return teams.revisions(teams.team_store(svc.store), who, quote_id)


@router.get(
    "/quotes/{quote_id}/revisions/{a}/diff/{b}",
    response_model=RevisionDiff,
    responses=error_responses(401, 404, 503),
    summary="What changed from revision a to b (R0, R1 …): request, lines, totals, box, "
    "imbalance; for a project also its panels added, removed and changed",
)
def diff_revisions(
    quote_id: str,
    a: str,
    b: str,
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return teams.revision_diff(
        teams.team_store(svc.store),
        who,
        quote_id,
        a,
        b,
        lambda revision, response: panel_outputs(svc, who, revision, response),
    )


@router.post(
    "/quotes/{quote_id}/revisions",
    status_code=201,
    response_model=AnyRevisionResponse,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    summary="Revise the latest revision of a quote: the request priced afresh (R1, R2 …)",
    # a panel quote takes a panel request, a project a project request (else 422)
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ESTIMATE_BODY}},
        }
    },
)
def create_revision(
    quote_id: str,
    who: Principal = Depends(principal),
    key: str = Depends(idempotency_key),
    raw: Any = Depends(raw_body),
    svc: Services = Depends(services),
) -> JSONResponse:
    answer = revise_quote(svc, who, quote_id, key, raw)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=201, headers=headers)
