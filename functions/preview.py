"""POST /functions/v1/estimate/preview: the estimate pipeline with nothing stored.

The web client calls it while the estimator types: the same authentication, validation
and pipeline as ``POST /estimate`` against the caller's active catalog, answered with the
quote and the drawing's SVG. It never writes to the database or storage and needs no
Idempotency-Key (a preview has no side effect to repeat).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends

from estimator_core import estimate
from functions._shared.auth import Principal
from functions._shared.http import principal
from functions._shared.models import PreviewResponse, error_responses
from functions._shared.services import Services, services
from functions.estimate import raw_body

router = APIRouter()


@router.post(
    "/estimate/preview",
    response_model=PreviewResponse,
    responses=error_responses(400, 401, 403, 413, 415, 422, 503),
    summary="Price a panel request without storing anything",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EstimateRequest"}}
            },
        }
    },
)
def preview_estimate(
    who: Principal = Depends(principal),
    raw: Any = Depends(raw_body),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    _, catalog = svc.active_catalog(who)
    issued_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    estimator = str(who.claims.get("email") or who.user_id)
    quote = estimate(
        raw, catalog, issued_at=issued_at, estimator=estimator, clock=time.perf_counter
    )
    drawing = next(r for r in quote.evidence if r.stage == "drawing")
    body = quote.result.model_dump(mode="json", exclude={"evidence"})
    return {**body, "drawing_svg": drawing.content.decode("utf-8")}
