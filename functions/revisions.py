"""GET /functions/v1/quotes/{id}/revisions: the revisions R0, R1 … of a quote's number.

Revisions share the quote number; each names its predecessor and evidence root. Another
organisation's quote is 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from functions._shared.auth import Principal
from functions._shared.http import principal
from functions._shared.models import error_responses
from functions._shared.services import Services, services
from functions._shared.team_models import RevisionDiff, RevisionList
from functions._shared.usecases import teams

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
    summary="What changed from revision a to b (R0, R1 …): request, lines, totals, box, imbalance",
)
def diff_revisions(
    quote_id: str,
    a: str,
    b: str,
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return teams.revision_diff(teams.team_store(svc.store), who, quote_id, a, b)
