"""Response schemas for the OpenAPI document (the engine's result keys, loosely typed)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from estimator_core.catalog_import import LABEL_PATTERN


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


QUOTE_NUMBER_PATTERN = r"^Q-[0-9]{4}-[0-9]{6,}$"


class EstimateResponse(_Open):
    quote_id: str
    quote_number: str = Field(pattern=QUOTE_NUMBER_PATTERN, description="Q-{year}-{n:06}")
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


class CompanyProfileOut(BaseModel):
    id: str | None
    sha256: str | None = Field(pattern=r"^[0-9a-f]{64}$")
    profile: dict[str, Any] | None
    created_at: str | None


class QuoteSummary(_Open):
    quote_id: str
    quote_number: str = Field(pattern=QUOTE_NUMBER_PATTERN)
    status: str
    grand_total: int
    catalog_label: str
    evidence_root: str
    project: str | None
    customer: str | None = None
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


# -- catalog administration -----------------------------------------------------------
Label = Annotated[str, StringConstraints(pattern=LABEL_PATTERN)]
# At least one visible character: a blank reason is no reason.
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"\S")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CatalogImportIn(_Strict):
    """A new staging version: a CSV applied on a base version, or a whole JSON catalog."""

    label: Label
    format: Literal["csv", "json"]
    content: Annotated[str, Field(max_length=20_000_000)] | dict[str, Any] = Field(
        description="csv: the CSV text; json: the catalog document, as text or as an object"
    )
    base_label: Label | None = Field(
        default=None,
        description="csv: the version the rows apply to; json: the version the changes "
        "are reported against. Default: the active version.",
    )
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


class CatalogLabelIn(_Strict):
    label: Label


class CatalogActivateIn(_Strict):
    label: Label
    force: bool = Field(
        default=False, description="activate although validation fails (needs a reason)"
    )
    reason: Reason | None = None


class CatalogRollbackIn(_Strict):
    label: Label
    reason: Reason


class CatalogRefOut(BaseModel):
    label: str
    sha256: str


class CatalogVersionOut(BaseModel):
    id: str
    label: str
    status: Literal["staging", "active", "retired"]
    sha256: str
    notes: str | None
    created_at: str
    created_by: str | None
    activated_at: str | None
    activated_by: str | None
    counts: dict[str, int] = Field(description="catalog rows per kind: breaker, enclosure, item")


class CatalogVersionList(BaseModel):
    items: list[CatalogVersionOut]


class CatalogImportOut(CatalogVersionOut):
    format: Literal["csv", "json"]
    base: CatalogRefOut | None
    changes: dict[str, Any] = Field(
        description="per section (breakers, enclosures, items): added, updated, removed "
        "keys and the unchanged count; rules_changed"
    )


class ValidationCase(_Open):
    name: str
    verdict: Literal["unchanged", "changed", "fixed", "broken"]
    active: dict[str, Any] | None
    candidate: dict[str, Any]
    changes: dict[str, list[Any]]


class CatalogValidationOut(BaseModel):
    candidate: CatalogRefOut
    active: CatalogRefOut | None
    passed: bool
    broken: list[str]
    summary: dict[str, int]
    rule: str
    cases: list[ValidationCase]


class CatalogActivationOut(BaseModel):
    active: CatalogVersionOut
    previous: CatalogRefOut | None
    forced: bool = Field(description="activated although validation failed")
    reason: str | None
    validation: CatalogValidationOut | None


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse} for code in codes}
