"""Response schemas for the OpenAPI document; a quote's are built on the core's ``QuoteResult``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from estimator_core import LABEL_PATTERN, EvidenceSummary, ProjectResult, QuoteResult


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]]
    traceId: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


class EvidenceLink(EvidenceSummary):
    """An evidence record of a stored quote with a signed URL to download it."""

    content_type: str
    url: str
    expires_at: int
    ttl_s: int


QUOTE_NUMBER_PATTERN = r"^Q-[0-9]{4}-[0-9]{6,}$"


class ProfileRef(BaseModel):
    """The company profile a quote's documents are rendered with, by id and content hash."""

    id: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class _QuoteIds(BaseModel):
    quote_id: str
    quote_number: str = Field(pattern=QUOTE_NUMBER_PATTERN, description="Q-{year}-{n:06}")


class EstimateResponse(QuoteResult, _QuoteIds):
    """A stored quote: the engine's result (``QuoteResult``) with its id and number, the
    profile its documents use and signed URLs for its evidence."""

    # A stored response read back may carry keys of an older engine: they are left out.
    model_config = ConfigDict(frozen=True, extra="ignore")

    evidence: tuple[EvidenceLink, ...]
    company_profile: ProfileRef | None = None


class ProjectEstimateResponse(ProjectResult, _QuoteIds):
    """A stored project quote: the engine's ``ProjectResult`` (the panels ×qty, the
    project's totals and status, its evidence root over the panels' roots) with its id and
    number, the profile its documents use and signed URLs for its evidence: the project's
    own records (``input``, ``project``) then each panel's, ``p{i}_{stage}`` for the panel
    at position i."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    evidence: tuple[EvidenceLink, ...]
    company_profile: ProfileRef | None = None
    estimator: str | None = Field(
        default=None, description="who priced it: the name on each panel's cover"
    )


# What POST /estimate and GET /quotes/{id} answer: a panel quote or a project quote (the
# project's has ``kind: "project"``). Stored responses are served as stored, never
# re-validated: one stored by an older version may lack keys a newer engine adds.
QuoteResponse = Annotated[
    EstimateResponse | ProjectEstimateResponse,
    Field(description="A panel quote, or a project quote (kind: project)"),
]


# The preview answers the result without evidence, plus the drawing; the keys in the order
# the preview has always answered them (the request hash came last).
_preview_fields: dict[str, Any] = {
    name: (field.annotation, field)
    for name, field in QuoteResult.model_fields.items()
    if name not in ("evidence", "request_sha256")
}
_preview_fields["drawing_svg"] = (str, ...)
_preview_fields["request_sha256"] = (str, QuoteResult.model_fields["request_sha256"])
PreviewResponse = create_model(
    "PreviewResponse",
    __doc__="The quote ``POST /estimate`` would store, without a quote id or evidence, plus "
    "the drawing (the SVG the drawing evidence would hold).",
    __config__=ConfigDict(frozen=True, extra="forbid"),
    **_preview_fields,
)


class ProjectPanelPreview(BaseModel):
    """One panel of a project preview: its name, ×qty, its amounts and its own preview."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    qty: int
    status: str
    unit_total: int
    unit_list_total: int
    amount: int
    evidence_root: str
    preview: PreviewResponse  # type: ignore[valid-type]


# A project preview: ``ProjectResult`` without its evidence, every panel with its preview.
_project_preview_fields: dict[str, Any] = {
    name: (field.annotation, field)
    for name, field in ProjectResult.model_fields.items()
    if name != "evidence"
}
_project_preview_fields["panels"] = (tuple[ProjectPanelPreview, ...], ...)
ProjectPreviewResponse = create_model(
    "ProjectPreviewResponse",
    __doc__="The project quote ``POST /estimate`` would store (``ProjectResult`` without its "
    "evidence), with every panel's preview.",
    __config__=ConfigDict(frozen=True, extra="forbid"),
    **_project_preview_fields,
)


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


class DocumentCheck(BaseModel):
    set_no: int
    kind: str
    sha256: str
    size: int
    verified: bool = Field(description="the downloaded bytes hash to the recorded SHA-256")


class ChainLink(BaseModel):
    """One revision of the hash chain, as ``verify=true`` checked it."""

    revision: str = Field(pattern=r"^R[0-9]+$", description="its label: R0, R1 …")
    quote_id: str
    ok: bool = Field(
        description="its stored evidence re-hashes to its records and its root, and (after "
        "R0) its previous record names the revision before it, as stored"
    )
    reason: str | None = Field(description="why not, when not ok (the first problem found)")


class EvidenceList(BaseModel):
    quote_id: str
    evidence_root: str
    items: list[EvidenceCheck]
    verified: bool | None
    documents: list[DocumentCheck] | None = Field(
        default=None, description="with verify=true: each stored document, re-hashed"
    )
    chain: list[ChainLink] | None = Field(
        default=None,
        description="with verify=true: every revision from R0 to this one; `verified` is "
        "false when any of them is not ok",
    )


DocumentKind = Literal["xlsx", "pdf", "svg", "dxf"]


class DocumentLink(BaseModel):
    kind: DocumentKind
    filename: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int
    content_type: str
    url: str
    expires_at: int
    ttl_s: int


class DocumentSetInfo(BaseModel):
    """One rendered set of a quote's documents: its number (1, 2 …) and the state it shows
    (issued, needs_review, approved …)."""

    set_no: int = Field(ge=1)
    state: str


class DocumentList(BaseModel):
    quote_id: str
    quote_number: str = Field(pattern=QUOTE_NUMBER_PATTERN)
    set_no: int = Field(ge=1, description="The set listed: the newest unless ?set= names one")
    state: str = Field(description="The quote state the set's documents show")
    sets: list[DocumentSetInfo] = Field(
        description="Every rendered set of the quote, oldest first (older sets are kept)"
    )
    items: list[DocumentLink]


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
