"""Response models of the team routes (organisations, members, review, revisions)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from functions._shared.models import EstimateResponse

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
    decision: Literal["approve", "return"]
    reason: str
    at: str


class ReviewEntry(BaseModel):
    """One decision of a quote's review history."""

    decision: Literal["approve", "return"]
    reason: str
    reviewer_id: str
    reviewer_email: str | None = Field(
        description="null when the reviewer is no longer a member of the organisation"
    )
    created_at: str


class ReviewHistory(BaseModel):
    reviews: list[ReviewEntry] = Field(description="oldest first")


class ReviewResult(Review):
    quote_id: str
    status: str
    reviews: list[Review]


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


class RevisionDiff(_Open):
    quote_number: str
    from_: str = Field(alias="from")
    to: str
    request: list[dict[str, Any]]
    lines: dict[str, list[dict[str, Any]]]
    totals_delta: dict[str, int]
    enclosure: dict[str, Any] | None
    imbalance: dict[str, Any] | None


class CatalogChange(BaseModel):
    from_: str = Field(alias="from")
    to: str


class RevisionResponse(EstimateResponse):
    """A new revision: the quote as POST /estimate answers it, its label (R1, R2 …) and
    the catalogs when the active one differs from the previous revision's (else null)."""

    revision: str = Field(pattern=r"^R[0-9]+$")
    catalog_changed: CatalogChange | None
