"""Response models of the team routes (organisations, members, review, revisions)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from functions._shared.models import EstimateResponse, ProjectEstimateResponse

Role = Literal["estimator", "reviewer", "admin"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Organisation(_Open):
    id: str
    name: str
    role: Role
    personal: bool


class OrganisationList(BaseModel):
    items: list[Organisation]


class Member(_Open):
    user_id: str
    role: Role
    email: str | None = Field(
        default=None, description="the member's e-mail address (null when it is not known)"
    )


class MemberList(BaseModel):
    organisation_id: str
    items: list[Member]


class Review(_Open):
    reviewer: str
    reviewer_email: str | None = None
    decision: Literal["approve", "return"]
    reason: str
    at: str


class ReviewEntry(BaseModel):
    """One decision of a quote's review history."""

    decision: Literal["approve", "return"]
    reason: str
    reviewer_id: str
    reviewer_email: str | None = Field(
        description="the reviewer's e-mail as recorded with the decision"
    )
    created_at: str


class ReviewHistory(BaseModel):
    reviews: list[ReviewEntry] = Field(description="oldest first")


class ReviewResult(Review):
    quote_id: str
    status: str
    reviews: list[ReviewEntry] = Field(description="the quote's decisions, oldest first")
    # an approval: the document set rendered to show it (null: rendered on the next GET)
    document_set: int | None = None


class Revision(_Open):
    quote_id: str
    quote_number: str
    revision: int
    label: str
    status: str
    previous_quote_id: str | None
    grand_total: int
    evidence_root: str
    created_at: str


class RevisionList(BaseModel):
    quote_number: str
    items: list[Revision]


class PanelChange(_Open):
    """A panel of both project revisions that changed: its qty and amount (from/to, null
    when unchanged) and a panel diff (lines, totals delta, box, imbalance)."""

    name: str
    qty: dict[str, Any] | None
    amount: dict[str, Any] | None
    lines: dict[str, list[dict[str, Any]]]
    totals_delta: dict[str, int]
    enclosure: dict[str, Any] | None
    imbalance: dict[str, Any] | None


class PanelsDiff(BaseModel):
    added: list[dict[str, Any]] = Field(description="name, qty, unit_total, amount")
    removed: list[dict[str, Any]] = Field(description="name, qty, unit_total, amount")
    changed: list[PanelChange]


class RevisionDiff(_Open):
    quote_number: str
    from_: str = Field(alias="from")
    to: str
    request: list[dict[str, Any]]
    lines: dict[str, list[dict[str, Any]]] = Field(
        description="added, removed, changed; a project's name their panel (`panel`)"
    )
    totals_delta: dict[str, int]
    enclosure: dict[str, Any] | None = Field(description="a panel's; null for a project")
    imbalance: dict[str, Any] | None = Field(description="a panel's; null for a project")
    panels: PanelsDiff | None = Field(
        default=None, description="a project's panels added, removed and changed; else null"
    )


class CatalogChange(BaseModel):
    from_: str = Field(alias="from")
    to: str


class RevisionResponse(EstimateResponse):
    """A new revision: the quote as POST /estimate answers it, its label (R1, R2 …) and
    the catalogs when the active one differs from the previous revision's (else null)."""

    revision: str = Field(pattern=r"^R[0-9]+$")
    catalog_changed: CatalogChange | None


class ProjectRevisionResponse(ProjectEstimateResponse):
    """A new revision of a project quote: the project as POST /estimate answers it (its
    ``revision`` is the label, R1, R2 …) and the catalogs when the active one differs from
    the previous revision's (else null)."""

    catalog_changed: CatalogChange | None


AnyRevisionResponse = Annotated[
    RevisionResponse | ProjectRevisionResponse,
    Field(description="A new revision of a panel quote, or of a project quote (kind: project)"),
]
