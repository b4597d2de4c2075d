"""Response schemas for the OpenAPI document (the engine's result keys, loosely typed)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]]
    traceId: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


class EvidenceLink(_Open):
    stage: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int
    url: str
    expires_at: int
    ttl_s: int


class EstimateResponse(_Open):
    quote_id: str
    status: str
    catalog: dict[str, Any]
    enclosure: dict[str, Any]
    layout: dict[str, Any]
    phase_balance: dict[str, Any]
    lines: list[dict[str, Any]]
    cover: dict[str, Any]
    totals: dict[str, Any]
    lint: dict[str, Any]
    evidence: list[EvidenceLink]
    evidence_root: str
    timings_ms: dict[str, float]


class QuoteSummary(_Open):
    quote_id: str
    status: str
    grand_total: int
    catalog_label: str
    evidence_root: str
    project: str | None
    created_at: str


class QuoteList(BaseModel):
    items: list[QuoteSummary]
    limit: int
    offset: int
    next_offset: int | None


class EvidenceCheck(_Open):
    stage: str
    sha256: str
    size: int
    url: str
    expires_at: int
    ttl_s: int
    verified: bool | None = None
    recorded_ok: bool | None = None


class EvidenceList(BaseModel):
    quote_id: str
    evidence_root: str
    items: list[EvidenceCheck]
    verified: bool | None


class Health(_Open):
    status: str
    ts: str
    traceId: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse} for code in codes}
