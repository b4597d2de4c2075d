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

import time
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from estimator_core.pipeline import Quote, estimate
from estimator_core.project import estimate_project, is_project
from functions._shared.auth import Principal
from functions._shared.http import principal
from functions._shared.models import error_responses
from functions._shared.services import Services, services
from functions.estimate import raw_body

router = APIRouter()


class PreviewResponse(BaseModel):
    """The quote ``POST /estimate`` would store, without a quote id or evidence, plus the
    drawing (the SVG the drawing evidence would hold)."""

    model_config = ConfigDict(extra="allow")

    status: str
    catalog: dict[str, Any]
    enclosure: dict[str, Any]
    layout: dict[str, Any]
    phase_balance: dict[str, Any]
    lines: list[dict[str, Any]]
    cover: dict[str, Any]
    totals: dict[str, Any]
    lint: dict[str, Any]
    evidence_root: str
    timings_ms: dict[str, float]
    drawing_svg: str


class ProjectPanelPreview(BaseModel):
    """One panel of a project preview: its name, ×qty, its amounts and its own preview."""

    model_config = ConfigDict(extra="allow")

    name: str
    qty: int
    status: str
    unit_total: int
    unit_list_total: int
    amount: int
    evidence_root: str
    preview: PreviewResponse


class ProjectPreviewResponse(BaseModel):
    """The project quote ``POST /estimate`` would store, with every panel's preview."""

    model_config = ConfigDict(extra="allow")

    kind: Literal["project"]
    project: dict[str, Any]
    pricing: str | None
    catalog: dict[str, Any]
    panels: list[ProjectPanelPreview]
    totals: dict[str, Any]
    status: str
    evidence_root: str


def _panel_preview(quote: Quote) -> dict[str, Any]:
    drawing = next(r for r in quote.evidence if r.stage == "drawing")
    body = {k: v for k, v in quote.result.items() if k != "evidence"}
    return {**body, "drawing_svg": drawing.content.decode("utf-8")}


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
    _, catalog = svc.active_catalog(who)
    issued_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    estimator = str(who.claims.get("email") or who.user_id)
    if is_project(raw):
        project = estimate_project(
            raw, catalog, issued_at=issued_at, estimator=estimator, clock=time.perf_counter
        )
        summary = {k: v for k, v in project.result.items() if k != "evidence"}
        summary["panels"] = [
            {**row, "preview": _panel_preview(panel.quote)}
            for row, panel in zip(summary["panels"], project.panels, strict=True)
        ]
        return summary
    quote = estimate(
        raw, catalog, issued_at=issued_at, estimator=estimator, clock=time.perf_counter
    )
    return _panel_preview(quote)
