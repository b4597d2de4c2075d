"""Project quotes: a building's panels (MDP, LP-1…, PP-1…), each ×qty, in one quote.

``estimate_project`` prices every panel through the one pipeline (``estimate``), each with
its own evidence, and adds them up: per panel its amounts (Σ of its lines) × qty, the
project's list total and discount, the pricing policy's 끝자리 절사 once on the project
sum, and VAT once on the project subtotal. A failing panel never stops the others from
being checked: every failing panel is reported in one error whose details name the panel
(``panels.3.request.branches.1.at``), and nothing is priced. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from estimator_core.canonical import sha256_hex
from estimator_core.catalog import Catalog
from estimator_core.errors import EstimatorError, ReqMoreInfo, ValidationFailed
from estimator_core.evidence import (
    EvidenceRecord,
    PreviousRevision,
    json_record,
    previous_record,
)
from estimator_core.lines import Totals, money_totals
from estimator_core.lint import Status
from estimator_core.pipeline import Quote, estimate
from estimator_core.quote import CatalogRef, EvidenceSummary

MAX_PANELS = 100
MAX_PANEL_QTY = 999


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProjectCustomer(_In):
    name: str = Field(min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=200)


class ProjectInfo(_In):
    customer: ProjectCustomer
    name: str = Field(min_length=1, max_length=200)
    number: str | None = Field(default=None, max_length=200)


class PanelEntryIn(_In):
    name: str = Field(min_length=1, max_length=50)
    qty: int = Field(ge=1, le=MAX_PANEL_QTY, strict=True)
    request: dict[str, Any]


class ProjectIn(_In):
    """The body of a project quote (a panel request is RULES.md §1's)."""

    project: ProjectInfo
    panels: list[PanelEntryIn] = Field(min_length=1, max_length=MAX_PANELS)
    pricing: str | None = Field(default=None, max_length=200)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProjectPanel(_Out):
    """One panel of the project: its quote, ×qty."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    qty: int
    quote: Quote
    unit_total: int  # Σ amounts of one panel (before any cut)
    unit_list_total: int
    amount: int  # unit_total × qty

    @property
    def status(self) -> Status:
        return self.quote.result.status


class PanelSummary(_Out):
    """One panel of a project in its result: its amounts ×qty and its own evidence root."""

    name: str
    qty: int
    status: Status
    unit_total: int
    unit_list_total: int
    amount: int
    evidence_root: str


class ProjectSummary(_Out):
    """What the ``project`` evidence record holds."""

    project: ProjectInfo
    pricing: str | None
    catalog: CatalogRef
    panels: tuple[PanelSummary, ...]
    totals: Totals
    status: Status
    issued_at: str
    revision: str


class ProjectResult(_Out):
    """The result of ``estimate_project``: the summary with its input hash and evidence."""

    kind: Literal["project"]
    project: ProjectInfo
    pricing: str | None
    catalog: CatalogRef
    panels: tuple[PanelSummary, ...]
    totals: Totals
    status: Status
    issued_at: str
    revision: str
    request_sha256: str
    evidence: tuple[EvidenceSummary, ...]
    evidence_root: str


class ProjectQuote(_Out):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    info: ProjectInfo
    panels: tuple[ProjectPanel, ...]
    totals: Totals
    status: Status
    evidence: tuple[EvidenceRecord, ...]  # the project's own records (panels keep theirs)
    evidence_root: str
    result: ProjectResult


def is_project(body: Any) -> bool:
    """A body is a project when it has ``panels`` (a panel request never does)."""
    return isinstance(body, dict) and "panels" in body


def _schema_error(err: ValidationError) -> EstimatorError:
    details = [
        {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in err.errors(include_url=False)
    ]
    if all(d["type"] == "missing" for d in details):
        return ReqMoreInfo("the project is missing required fields", details)
    return ValidationFailed("the project does not match the schema", details)


def parse_project(body: Any) -> ProjectIn:
    """The project wrapper, checked: schema, then unique panel names."""
    try:
        project = ProjectIn.model_validate(body)
    except ValidationError as err:
        raise _schema_error(err) from None
    seen: dict[str, int] = {}
    duplicates = []
    for i, panel in enumerate(project.panels):
        if panel.name in seen:
            duplicates.append(
                {"loc": f"panels.{i}.name", "msg": f"the name of panel {seen[panel.name]}"}
            )
        seen.setdefault(panel.name, i)
    if duplicates:
        raise ValidationFailed("panel names must be unique in a project", duplicates)
    return project


def _panel_body(project: ProjectIn, i: int) -> dict[str, Any]:
    """A panel's request with what it takes from the project: its pricing policy and,
    when the panel names none, the customer for its cover."""
    body = dict(project.panels[i].request)
    if project.pricing is not None:
        if body.get("pricing", project.pricing) != project.pricing:
            raise ValidationFailed(
                "a panel of a project is priced under the project's pricing policy",
                [{"loc": "pricing", "msg": f"must be {project.pricing} or absent"}],
            )
        body["pricing"] = project.pricing
    if "customer" not in body:
        info = project.project
        body["customer"] = {
            "name": info.customer.name,
            "project": info.name,
            **({"project_number": info.number} if info.number else {}),
            **({"contact": info.customer.contact} if info.customer.contact else {}),
        }
    return body


def _named(err: EstimatorError, i: int, name: str) -> list[dict[str, Any]]:
    prefix = f"panels.{i}.request"
    details = err.details or [{"loc": ""}]
    return [
        {
            **d,
            "loc": f"{prefix}.{d['loc']}" if d.get("loc") else prefix,
            "panel": name,
            "code": err.code,
        }
        for d in details
    ]


def estimate_project(
    body: Any,
    catalog: Catalog,
    *,
    issued_at: str,
    estimator: str = "KIS Estimator",
    revision: str = "R0",
    previous: PreviousRevision | None = None,
    clock: Callable[[], float] | None = None,
) -> ProjectQuote:
    """Price every panel, then the project (see the module docstring). A revision's
    ``previous`` record is the last of the project's own records (panels have none)."""
    project = parse_project(body)
    quotes: list[Quote] = []
    failures: list[tuple[int, str, EstimatorError]] = []
    by_body: dict[str, Quote] = {}  # identical panels (LP-1 … LP-12) are priced once
    for i, entry in enumerate(project.panels):
        try:
            panel_body = _panel_body(project, i)
            key = sha256_hex(panel_body)
            if key not in by_body:
                by_body[key] = estimate(
                    panel_body,
                    catalog,
                    issued_at=issued_at,
                    estimator=estimator,
                    revision=revision,
                    clock=clock,
                )
            quotes.append(by_body[key])
        except EstimatorError as err:
            failures.append((i, entry.name, err))
    if failures:
        first = failures[0][2]
        names = ", ".join(f"{i} ({name}): {err.code}" for i, name, err in failures)
        details = [d for i, name, err in failures for d in _named(err, i, name)]
        raise type(first)(f"panels failed: {names}. {first.message}", details)

    panels = tuple(
        ProjectPanel(
            name=entry.name,
            qty=entry.qty,
            quote=q,
            unit_total=q.format.totals.subtotal - q.format.totals.rounding,
            unit_list_total=q.format.totals.list_total,
            amount=(q.format.totals.subtotal - q.format.totals.rounding) * entry.qty,
        )
        for entry, q in zip(project.panels, quotes, strict=True)
    )
    totals = _project_totals(panels, catalog, project)
    statuses = {p.status for p in panels}
    status: Status = (
        "rejected" if "rejected" in statuses else "needs_review" if "needs_review" in statuses
        else "issued"
    )  # fmt: skip
    given = json_record("input", body)
    summary = ProjectSummary(
        project=project.project,
        pricing=project.pricing,
        catalog=CatalogRef(label=catalog.label, sha256=catalog.sha256),
        panels=tuple(
            PanelSummary(
                name=p.name,
                qty=p.qty,
                status=p.status,
                unit_total=p.unit_total,
                unit_list_total=p.unit_list_total,
                amount=p.amount,
                evidence_root=p.quote.evidence_root,
            )
            for p in panels
        ),
        totals=totals,
        status=status,
        issued_at=issued_at,
        revision=revision,
    )
    record = json_record("project", summary.model_dump(mode="json"))
    own = (given, record, *([previous_record(previous)] if previous is not None else []))
    root = project_root(panels, list(own))
    result = ProjectResult(
        kind="project",
        **dict(summary),
        request_sha256=given.sha256,
        evidence=tuple(EvidenceSummary(**r.summary()) for r in own),
        evidence_root=root,
    )
    return ProjectQuote(
        info=project.project,
        panels=panels,
        totals=totals,
        status=status,
        evidence=own,
        evidence_root=root,
        result=result,
    )


def project_root(panels: tuple[ProjectPanel, ...], records: list[EvidenceRecord]) -> str:
    """SHA-256 over each panel's name, qty and evidence root in order, then the project's
    own records (its input and summary): changing any panel's evidence changes it."""
    return project_root_of(
        [(p.name, p.qty, p.quote.evidence_root) for p in panels],
        [(r.stage, r.sha256) for r in records],
    )


def project_root_of(panels: Sequence[tuple[str, int, str]], own: Sequence[tuple[str, str]]) -> str:
    """``project_root`` from stored values: each panel's (name, qty, evidence root) in
    order, then the project's own (stage, sha256) pairs in order."""
    return sha256_hex(
        [[name, qty, root] for name, qty, root in panels] + [[stage, sha] for stage, sha in own]
    )


def _project_totals(
    panels: tuple[ProjectPanel, ...], catalog: Catalog, project: ProjectIn
) -> Totals:
    """Σ qty × panel amounts, cut once and taxed once."""
    policy = catalog.policy(project.pricing) if project.pricing else None
    return money_totals(
        listed=sum(p.unit_list_total * p.qty for p in panels),
        net=sum(p.amount for p in panels),
        labour=sum(p.quote.format.totals.labour * p.qty for p in panels),
        vat_rate=catalog.rules.vat_rate,
        round_down_to=policy.round_down_to if policy else 1,
    )
