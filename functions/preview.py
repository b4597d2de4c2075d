"""POST /functions/v1/estimate/preview: the estimate pipeline with nothing stored.

The web client calls it while the estimator types: the same authentication, validation
and pipeline as ``POST /estimate`` against the caller's active catalog, answered with the
quote and the drawing's SVG. A project body (``{"project": …, "panels": […]}``) is priced
by ``estimator_core.project`` and answered with the project's totals and every panel's
preview; its errors name the panel (``panels.3.request.branches.1.at``). It never writes
to the database or storage and needs no Idempotency-Key (a preview has no side effect to
repeat).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from functions._shared.auth import Principal
from functions._shared.http import principal, raw_body
from functions._shared.models import PreviewResponse, ProjectPreviewResponse, error_responses
from functions._shared.services import Services, services
from functions._shared.usecases import quotes

router = APIRouter()


@router.post(
    "/estimate/preview",
    response_model=PreviewResponse | ProjectPreviewResponse,
    responses=error_responses(400, 401, 403, 413, 415, 422, 503),
    summary="Price a panel request or a project without storing anything",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/EstimateRequest"},
                            {"$ref": "#/components/schemas/ProjectRequest"},
                        ]
                    }
                }
            },
        }
    },
)
def preview_estimate(
    who: Principal = Depends(principal),
    raw: Any = Depends(raw_body),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return quotes.preview(svc, who, raw)
