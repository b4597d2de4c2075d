"""Response models of the team routes (organisations, members, review, revisions)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class MemberList(BaseModel):
    organisation_id: str
    items: list[Member]


class Review(_Open):
    reviewer: str
    decision: Literal["approve", "return"]
    reason: str
    at: str


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
