"""The typed input of every document renderer, and the one function that builds it.

``document_from_result`` is the only place that reads the pipeline's typed result
(``QuoteResult``); everything else in this package renders a ``QuoteDocument`` to bytes.
Pure: no I/O, no clock (the issue time comes from the quote's cover).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import Base64Bytes, BaseModel, ConfigDict, Field, ValidationError, field_validator

from estimator_core.documents.korean import korean_amount
from estimator_core.errors import InvalidCompanyProfile
from estimator_core.lines import SECTION_ORDER, SECTION_TITLES

if TYPE_CHECKING:
    from estimator_core.catalog import Catalog
    from estimator_core.pipeline import Quote
    from estimator_core.placement import Placed
    from estimator_core.project import ProjectQuote
    from estimator_core.quote import LayoutBreaker, LayoutRow, ResultLine

# Korea keeps one offset all year (no DST): the issue date is the date in Seoul.
KST = timezone(timedelta(hours=9))
MAX_LOGO_BYTES = 256 * 1024
_BUSINESS_NUMBER = re.compile(r"^\d{3}-\d{2}-\d{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+][0-9 ()-]{6,19}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def business_number_ok(number: str) -> bool:
    """Whether a 사업자등록번호 ``NNN-NN-NNNNN`` passes the National Tax Service check digit."""
    if not _BUSINESS_NUMBER.match(number):
        return False
    d = [int(c) for c in number if c.isdigit()]
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(a * b for a, b in zip(d, weights, strict=False)) + d[8] * 5 // 10
    return (10 - total % 10) % 10 == d[9]


class CompanyProfile(_Frozen):
    """The panel maker issuing the quote: the header of every document.

    ``name`` is the 상호, ``representative`` the 대표자, ``business_number`` the
    사업자등록번호 (``NNN-NN-NNNNN`` with its check digit). ``logo`` is PNG or JPEG,
    base64 in JSON, at most 256 KiB.
    """

    name: str = Field(min_length=1, max_length=100)
    representative: str = Field(min_length=1, max_length=50)
    business_number: str
    address: str = Field(min_length=1, max_length=200)
    phone: str
    email: str = Field(max_length=200)
    logo: Base64Bytes | None = None
    validity_days: int = Field(default=30, ge=1, le=365)
    payment_terms: str = Field(default="", max_length=200)
    delivery_terms: str = Field(default="", max_length=200)
    bank_account: str = Field(default="", max_length=200)

    @field_validator("business_number")
    @classmethod
    def _business_number(cls, value: str) -> str:
        if not _BUSINESS_NUMBER.match(value):
            raise ValueError("must be NNN-NN-NNNNN (10 digits)")
        if not business_number_ok(value):
            raise ValueError("check digit does not match")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not _PHONE.match(value):
            raise ValueError("must be digits, spaces, +, ( ) or -, 7 to 20 characters")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError("must be an e-mail address")
        return value

    @field_validator("logo")
    @classmethod
    def _logo(cls, value: bytes | None) -> bytes | None:
        if value is None:
            return None
        if len(value) > MAX_LOGO_BYTES:
            raise ValueError(f"logo is {len(value)} bytes, more than {MAX_LOGO_BYTES}")
        if logo_type(value) is None:
            raise ValueError("logo must be a PNG or JPEG image")
        return value


def logo_type(data: bytes) -> str | None:
    """``png`` or ``jpeg`` by the file's magic bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def parse_company_profile(data: Any) -> CompanyProfile:
    """A profile from JSON-like data; raise ``InvalidCompanyProfile`` naming each bad field."""
    try:
        return CompanyProfile.model_validate(data)
    except ValidationError as err:
        details = [
            {
                "loc": ".".join(str(p) for p in e["loc"]),
                "msg": e["msg"].removeprefix("Value error, "),
                "type": e["type"],
            }
            for e in err.errors(include_url=False, include_input=False)
        ]
        fields = ", ".join(d["loc"] or "(profile)" for d in details)
        raise InvalidCompanyProfile(f"invalid company profile: {fields}", details) from None


class DocLine(_Frozen):
    """One quote line as printed: 품명, 규격, 단위, 수량, 단가, 금액.

    Under a pricing policy ``list_price`` is the catalog's price (정가) and ``rate`` the
    fraction of it charged (적용률, decimal text such as ``0.62``); ``custom`` marks a line
    the estimator priced by hand (별도), which keeps its price under any policy.
    """

    section: str
    item: str
    spec: str
    unit: str
    qty: int | Decimal
    unit_price: int
    amount: int
    note: str | None = None
    list_price: int | None = None
    rate: str | None = None
    custom: bool = False

    @property
    def remark(self) -> str:
        """The 비고 as printed: a custom line always says 별도, whatever its own note."""
        if not self.custom:
            return self.note or ""
        return "별도" if self.note in (None, "", "별도") else f"별도 · {self.note}"


class DocSection(_Frozen):
    key: str
    title: str
    lines: tuple[DocLine, ...]
    subtotal: int


class DocTotals(_Frozen):
    list_total: int
    discount: int
    rounding: int
    materials: int
    labour: int
    subtotal: int
    vat: int
    grand_total: int
    round_down_to: int = 1  # the pricing policy's 끝자리 절사 unit (1: none)


class Finding(_Frozen):
    level: str
    rule: str
    message: str


class PhaseTable(_Frozen):
    """The phase balance as printed (RULES.md §3), with the two gates."""

    applicable: bool
    system: str
    totals_a: dict[str, float]
    single_phase_totals_a: dict[str, float]
    imbalance: float | None
    imbalance_single_phase: float | None
    proven_optimal: bool
    optimum_a: float | None
    lower_bound_a: float | None
    target: Decimal
    kec_limit: Decimal


class DrawnBreaker(_Frozen):
    id: str
    role: str
    model: str
    poles: int
    af: int
    at: int
    phase: str
    label: str | None = None


class DrawnRow(_Frozen):
    row: int
    pitch_mm: int
    left: DrawnBreaker
    right: DrawnBreaker | None


class DrawnAccessory(_Frozen):
    """An accessory of the request (magnet, timer, meter, SPD, PBL) for the drawing."""

    kind: str
    model: str
    name: str
    qty: int


class EnclosureView(_Frozen):
    model: str
    series: str
    w: int
    h: int
    d: int
    custom: bool
    material: str
    required_w: int
    required_h: int
    required_d: int
    height_parts: dict[str, int]
    fit_score: float


class Approval(_Frozen):
    """A reviewer's approval (승인) of the quote: who (as the review recorded them) and when
    (ISO 8601, UTC). Shown on the cover and in the drawing's title block."""

    by: str = Field(min_length=1, max_length=320)
    at: str

    @field_validator("at")
    @classmethod
    def _iso(cls, value: str) -> str:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value

    def text(self) -> str:
        """``ann@acme.test 2026-11-30 21:05 KST``: the approver and the time in Seoul."""
        at = datetime.fromisoformat(self.at.replace("Z", "+00:00")).astimezone(KST)
        return f"{self.by} {at:%Y-%m-%d %H:%M} KST"


class QuoteDocument(_Frozen):
    """Everything a document shows, typed; rendered by ``render_xlsx/pdf/svg/dxf``."""

    quote_number: str = Field(min_length=1, max_length=40)
    revision: str
    issued_at: str
    issue_date: date
    valid_until: date
    estimator: str
    status: str
    client: str | None
    project: str | None
    project_number: str | None
    contact: str | None
    company: CompanyProfile
    catalog_label: str
    catalog_sha256: str
    evidence_root: str
    sections: tuple[DocSection, ...]
    totals: DocTotals
    vat_rate: Decimal
    amount_in_words: str
    findings: tuple[Finding, ...]
    phase: PhaseTable
    enclosure: EnclosureView
    main: DrawnBreaker
    rows: tuple[DrawnRow, ...]
    accessories: tuple[DrawnAccessory, ...]
    pricing_policy: str | None = None  # the pricing policy's name, when one applied
    # Set when the quote is one panel of a project (its name there, and how many).
    panel_name: str | None = None
    panel_qty: int = 1
    approval: Approval | None = None  # set on the documents of an approved quote

    @property
    def priced(self) -> bool:
        """Whether a pricing policy set the prices (lines carry list prices and rates)."""
        return any(x.list_price is not None for x in self.lines)

    @property
    def net(self) -> int:
        """Σ amounts, before the policy's 끝자리 절사."""
        return self.totals.subtotal - self.totals.rounding

    @property
    def lines(self) -> tuple[DocLine, ...]:
        return tuple(x for s in self.sections for x in s.lines)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level in ("error", "warning"))


STATUS_TITLES = {
    "issued": "발행",
    "needs_review": "검토 필요",
    "rejected": "반려",
    "approved": "승인",
    "returned": "반송",
}
# The states a cover shows as good news (green); any other is a warning.
GOOD_STATUSES = ("issued", "approved")


def _breaker(b: Placed | LayoutBreaker) -> DrawnBreaker:
    return DrawnBreaker(
        id=b.id,
        role=b.role,
        model=b.model,
        poles=b.poles,
        af=b.af,
        at=b.at,
        phase=b.phase,
        label=b.label,
    )


def _left(row: LayoutRow) -> LayoutBreaker:
    if row.left is None:  # rows are filled from the left
        raise ValueError(f"row {row.row} of the layout has no left breaker")
    return row.left


def _qty(value: int | float) -> int | Decimal:
    # The result carries kg as a float of two decimals; str() gives back its digits.
    return value if isinstance(value, int) else Decimal(str(value))


def _accessories(lines: tuple[ResultLine, ...]) -> tuple[DrawnAccessory, ...]:
    out = []
    for x in lines:
        for ref in x.refs:
            if ref.startswith("accessory:"):
                _, kind, model = ref.split(":", 2)
                out.append(DrawnAccessory(kind=kind, model=model, name=x.item, qty=x.qty))
            elif ref == "bundle:PBL_TIMER":
                out.append(DrawnAccessory(kind="pbl", model="", name=x.item, qty=x.qty))
    return tuple(out)


def document_from_result(
    quote: Quote,
    catalog: Catalog,
    *,
    profile: CompanyProfile,
    quote_number: str,
) -> QuoteDocument:
    """The document input from a finished estimate, the catalog it used and the issuer.

    Reads ``quote.result`` (what the API returns) and, for the row pitches the result
    does not carry, ``quote.enclosure``. Checks the totals it is given add up, so a
    document can never show figures the engine did not produce.
    """
    r = quote.result
    cover = r.cover
    issued = datetime.fromisoformat(cover.issued_at.replace("Z", "+00:00"))
    issue_date = issued.astimezone(KST).date()
    vat_rate = Decimal(catalog.rules.vat_rate)

    raw_lines = r.lines
    sections = []
    for key in SECTION_ORDER:
        lines = tuple(
            DocLine(
                section=key,
                item=x.item,
                spec=x.spec,
                unit=x.unit,
                qty=_qty(x.qty),
                unit_price=x.unit_price,
                amount=x.amount,
                note=x.note,
                list_price=x.list_price,
                rate=x.rate,
                custom="custom" in x.flags,
            )
            for x in raw_lines
            if x.section == key
        )
        if lines:
            subtotal = sum(x.amount for x in lines)
            sections.append(
                DocSection(key=key, title=SECTION_TITLES[key], lines=lines, subtotal=subtotal)
            )
    policy = quote.panel.policy
    totals = DocTotals(**dict(r.totals), round_down_to=policy.round_down_to if policy else 1)
    net = totals.subtotal - totals.rounding
    if sum(s.subtotal for s in sections) != net or len(raw_lines) != sum(
        len(s.lines) for s in sections
    ):
        raise ValueError("the result's lines do not add up to its subtotal")

    pb = r.phase_balance
    phase = PhaseTable(
        applicable=pb.applicable,
        system=pb.system,
        totals_a=pb.totals_a or {},
        single_phase_totals_a=pb.single_phase_totals_a if pb.applicable else {},
        imbalance=pb.imbalance,
        imbalance_single_phase=pb.imbalance_single_phase,
        proven_optimal=pb.proven_optimal,
        optimum_a=pb.optimum_a,
        lower_bound_a=pb.lower_bound,
        target=Decimal(catalog.rules.imbalance_target),
        kec_limit=Decimal(catalog.rules.imbalance_kec_limit),
    )

    enc = r.enclosure
    box = enc.box
    pitches = {row.row: row.pitch_mm for row in quote.enclosure.rows}
    rows = tuple(
        DrawnRow(
            row=row.row,
            pitch_mm=pitches[row.row],
            left=_breaker(_left(row)),
            right=_breaker(row.right) if row.right else None,
        )
        for row in r.layout.rows
    )
    lint = r.lint
    findings = tuple(
        Finding(level=level, rule=f.rule, message=f.message)
        for level, found in (
            ("error", lint.errors),
            ("warning", lint.warnings),
            ("note", lint.notes),
        )
        for f in found
    )
    return QuoteDocument(
        quote_number=quote_number,
        revision=cover.revision,
        issued_at=cover.issued_at,
        issue_date=issue_date,
        valid_until=issue_date + timedelta(days=profile.validity_days),
        estimator=cover.estimator,
        status=r.status,
        client=cover.client,
        project=cover.project_name,
        project_number=cover.project_number,
        contact=cover.contact,
        company=profile,
        catalog_label=r.catalog.label,
        catalog_sha256=r.catalog.sha256,
        evidence_root=r.evidence_root,
        sections=tuple(sections),
        totals=totals,
        vat_rate=vat_rate,
        amount_in_words=f"일금 {korean_amount(totals.grand_total)}원정 (VAT 포함)",
        findings=findings,
        phase=phase,
        enclosure=EnclosureView(
            model=box.model,
            series=box.series,
            w=box.w,
            h=box.h,
            d=box.d,
            custom=box.custom,
            material=box.material,
            required_w=enc.required.w,
            required_h=enc.required.h,
            required_d=enc.required.d,
            height_parts=enc.height_parts,
            fit_score=enc.fit_score,
        ),
        main=_breaker(r.layout.main),
        rows=rows,
        accessories=_accessories(raw_lines),
        pricing_policy=cover.pricing.policy if cover.pricing else None,
    )


class SummaryRow(_Frozen):
    """One row of a project's 총괄표: a panel, how many, one panel's amount, the product."""

    name: str
    qty: int
    unit_total: int  # Σ amounts of one panel, before the project's 끝자리 절사
    unit_list_total: int
    amount: int  # unit_total × qty
    status: str


class ProjectDocument(_Frozen):
    """Everything a project's documents show: the project cover, the 총괄표 (summary) with
    the project's totals (VAT once, on the project subtotal), and one ``QuoteDocument``
    per panel, in the project's order."""

    quote_number: str = Field(min_length=1, max_length=40)
    revision: str
    issued_at: str
    issue_date: date
    valid_until: date
    estimator: str
    status: str
    client: str
    project: str
    project_number: str | None
    contact: str | None
    company: CompanyProfile
    catalog_label: str
    catalog_sha256: str
    pricing_policy: str | None
    evidence_root: str
    summary: tuple[SummaryRow, ...]
    totals: DocTotals
    vat_rate: Decimal
    amount_in_words: str
    panels: tuple[QuoteDocument, ...]
    approval: Approval | None = None  # set on the documents of an approved quote

    @property
    def priced(self) -> bool:
        return any(p.priced for p in self.panels)

    @property
    def net(self) -> int:
        """Σ qty × panel amounts, before the 끝자리 절사."""
        return self.totals.subtotal - self.totals.rounding

    @property
    def warnings(self) -> tuple[tuple[str, Finding], ...]:
        """Every panel's errors and warnings, with the panel's name."""
        return tuple((p.panel_name or "", f) for p in self.panels for f in p.warnings)


def project_document_from_result(
    project: ProjectQuote,
    catalog: Catalog,
    *,
    profile: CompanyProfile,
    quote_number: str,
) -> ProjectDocument:
    """The documents' input from a finished project quote (see ``document_from_result``).

    Each panel's document carries the project's quote number and the panel's name and
    quantity. Checks that the summary adds up to the project's totals and each panel's
    lines to its row, so no document shows a figure the engine did not produce.
    """
    r = project.result
    issued = datetime.fromisoformat(r.issued_at.replace("Z", "+00:00"))
    issue_date = issued.astimezone(KST).date()
    policy = catalog.policy(r.pricing) if r.pricing else None
    unit = policy.round_down_to if policy else 1
    totals = DocTotals(**dict(r.totals), round_down_to=unit)
    summary = tuple(
        SummaryRow(
            name=p.name,
            qty=p.qty,
            unit_total=p.unit_total,
            unit_list_total=p.unit_list_total,
            amount=p.amount,
            status=p.status,
        )
        for p in r.panels
    )
    # Identical panels share one Quote (the engine priced them once): build its document once.
    by_quote: dict[int, QuoteDocument] = {}
    for p in project.panels:
        if id(p.quote) not in by_quote:
            by_quote[id(p.quote)] = document_from_result(
                p.quote, catalog, profile=profile, quote_number=quote_number
            )
    info = project.info
    # A panel's own request may name another customer; the project's documents show the
    # project's.
    panels = tuple(
        by_quote[id(p.quote)].model_copy(
            update={
                "panel_name": p.name,
                "panel_qty": p.qty,
                "client": info.customer.name,
                "project": info.name,
                "project_number": info.number,
                "contact": info.customer.contact,
            }
        )
        for p in project.panels
    )
    for row, doc in zip(summary, panels, strict=True):
        if doc.net != row.unit_total or row.unit_total * row.qty != row.amount:
            raise ValueError(f"panel {row.name}: its lines do not add up to its summary row")
    if sum(x.amount for x in summary) != totals.subtotal - totals.rounding:
        raise ValueError("the project's panels do not add up to its subtotal")
    return ProjectDocument(
        quote_number=quote_number,
        revision=r.revision,
        issued_at=r.issued_at,
        issue_date=issue_date,
        valid_until=issue_date + timedelta(days=profile.validity_days),
        estimator=panels[0].estimator,
        status=r.status,
        client=info.customer.name,
        project=info.name,
        project_number=info.number,
        contact=info.customer.contact,
        company=profile,
        catalog_label=r.catalog.label,
        catalog_sha256=r.catalog.sha256,
        pricing_policy=r.pricing,
        evidence_root=r.evidence_root,
        summary=summary,
        totals=totals,
        vat_rate=Decimal(catalog.rules.vat_rate),
        amount_in_words=f"일금 {korean_amount(totals.grand_total)}원정 (VAT 포함)",
        panels=panels,
    )


def document_title(doc: QuoteDocument | ProjectDocument) -> str:
    """The cover's title: a panel's quote or a project's (총괄)."""
    return "견   적   서" if isinstance(doc, QuoteDocument) else "견 적 서 (총괄)"


def metadata_title(doc: QuoteDocument | ProjectDocument) -> str:
    """The title a document file carries in its properties."""
    return f"견적서 {doc.quote_number} {doc.revision}"


def status_text(doc: QuoteDocument | ProjectDocument) -> str:
    """The status in Korean with its code, as the cover shows it; an approved quote's
    with who approved it and when."""
    text = f"{STATUS_TITLES.get(doc.status, doc.status)} ({doc.status})"
    return f"{text} · {doc.approval.text()}" if doc.approval else text


_Doc = TypeVar("_Doc", "QuoteDocument", "ProjectDocument")


def approved_document(doc: _Doc, approval: Approval) -> _Doc:
    """The same document showing the quote approved (status ``approved``, the approver and
    the time); a project's panels too, so each drawing's title block says so."""
    update: dict[str, Any] = {"status": "approved", "approval": approval}
    if isinstance(doc, ProjectDocument):
        update["panels"] = tuple(p.model_copy(update=update) for p in doc.panels)
    return doc.model_copy(update=update)


def cover_warnings(doc: QuoteDocument | ProjectDocument) -> list[tuple[str, str]]:
    """Every error and warning as (level, text) for the cover, which never hides one; a
    project's name their panel."""
    if isinstance(doc, QuoteDocument):
        return [(f.level, f"[{f.rule}] {f.message}") for f in doc.warnings]
    return [(f.level, f"{panel} [{f.rule}] {f.message}") for panel, f in doc.warnings]


def cover_notes(doc: QuoteDocument | ProjectDocument) -> list[str]:
    """The cover's notes: how the prices were made, then (for a panel) its lint notes."""
    notes = pricing_note(doc.pricing_policy, doc.totals.round_down_to)
    if isinstance(doc, QuoteDocument):
        notes += [f"[{f.rule}] {f.message}" for f in doc.findings if f.level == "note"]
    return notes


def discount_label(discount: int) -> str:
    """할인 for a discount; a policy whose margin outweighs its rates adds (가산) instead."""
    return "할인" if discount >= 0 else "가산 (마진)"


def pricing_note(policy: str | None, round_down_to: int) -> list[str]:
    """The cover's word on how the prices were made, when a pricing policy made them."""
    if policy is None:
        return []
    cut = f", 합계 ₩{round_down_to:,} 미만 절사" if round_down_to > 1 else ""
    return [f"단가 기준: {policy} 단가 정책 (단가 = 정가 × 적용률{cut}; 별도 품목은 제외)"]


def percent(rate: Decimal) -> str:
    """A rate as a percentage without trailing zeros: 0.03 → "3", 0.1 → "10"."""
    return f"{(rate * 100).normalize():f}"
