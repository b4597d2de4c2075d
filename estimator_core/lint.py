"""Stage ``lint``: check the finished quote and decide its status (RULES.md §6–§7).

Errors mean the document is wrong (a correct engine never produces one); warnings ask a
person to look; notes inform. Every finding has a stable rule id. Pure: no I/O.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from estimator_core.catalog import Catalog
from estimator_core.enclosure import EnclosureResult
from estimator_core.lines import SECTION_ORDER, FormatResult
from estimator_core.money import round_half_up
from estimator_core.placement import PlacementResult
from estimator_core.resolve import Panel

Status = Literal["issued", "needs_review", "rejected"]


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str
    message: str


class LintReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    notes: tuple[Finding, ...]
    status: Status

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.2f} %"


def _line_errors(fmt: FormatResult, vat_rate: str) -> list[Finding]:
    out: list[Finding] = []
    for i, line in enumerate(fmt.lines):
        where = f"line {i + 1} ({line.item} {line.spec})".strip()
        if not line.qty > 0:
            out.append(Finding(rule="LINE_QTY_POSITIVE", message=f"{where}: qty {line.qty}"))
        if not isinstance(line.unit_price, int) or line.unit_price < 0:
            out.append(Finding(rule="LINE_PRICE_INTEGER", message=f"{where}: unit price"))
        if line.amount != round_half_up(Fraction(line.qty) * line.unit_price):
            out.append(
                Finding(
                    rule="LINE_AMOUNT",
                    message=f"{where}: {line.amount} ≠ {line.qty} × {line.unit_price}",
                )
            )
    ranks = [SECTION_ORDER.index(x.section) for x in fmt.lines]
    if ranks != sorted(ranks):
        out.append(Finding(rule="SECTION_ORDER", message="sections are out of order"))
    t = fmt.totals
    net = sum(x.amount for x in fmt.lines)
    if t.subtotal != net + t.rounding or t.rounding > 0:
        out.append(Finding(rule="SUBTOTAL", message="subtotal ≠ Σ amounts rounded down"))
    if t.discount != t.list_total - net:
        out.append(Finding(rule="SUBTOTAL", message="discount ≠ list total − Σ amounts"))
    if t.vat != round_half_up(t.subtotal * Fraction(vat_rate)):
        out.append(Finding(rule="VAT", message=f"VAT {t.vat} is off"))
    if t.grand_total != t.subtotal + t.vat:
        out.append(Finding(rule="GRAND_TOTAL", message="grand total ≠ subtotal + VAT"))
    if t.materials + t.labour != net:
        out.append(Finding(rule="SUBTOTAL", message="materials + labour ≠ Σ amounts"))
    return out


def _policy_errors(panel: Panel, fmt: FormatResult) -> list[Finding]:
    """Under a pricing policy every catalog line's price is list × its rate, to the won;
    without one no line carries a list price."""
    out: list[Finding] = []
    policy = panel.policy
    for line in fmt.lines:
        if "custom" in line.flags:
            continue
        where = f"{line.item} {line.spec}".strip()
        if policy is None or line.list_price is None:
            if policy is not None or line.list_price is not None:
                out.append(Finding(rule="PRICE_POLICY", message=f"{where}: list price"))
            continue
        want = round_half_up(line.list_price * policy.rate_for(line.section, line.brand))
        if line.unit_price != want:
            out.append(
                Finding(
                    rule="PRICE_POLICY",
                    message=f"{where}: {line.unit_price} ≠ {line.list_price} × {line.rate}",
                )
            )
    return out


def _coverage_errors(panel: Panel, fmt: FormatResult, catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []
    qty_by_ref: dict[str, int] = {}
    for line in fmt.lines:
        for ref in line.refs:
            qty_by_ref[ref] = qty_by_ref.get(ref, 0) + (
                int(line.qty) if isinstance(line.qty, int) else 1
            )
    req = panel.request
    for b in req.branches:
        if f"branches.{b.index}" not in qty_by_ref:
            out.append(
                Finding(rule="MISSING_BRANCH", message=f"branch {b.index + 1} is not quoted")
            )
    branch_qty = sum(
        int(x.qty) for x in fmt.lines if x.section == "BRANCHES" and isinstance(x.qty, int)
    )
    if branch_qty != len(panel.branches):
        out.append(
            Finding(
                rule="MISSING_BRANCH",
                message=f"{branch_qty} branch breakers quoted, {len(panel.branches)} placed",
            )
        )
    if "main" not in qty_by_ref:
        out.append(Finding(rule="MISSING_BRANCH", message="the main breaker is not quoted"))
    for a in req.accessories:
        ref = f"accessory:{a.kind}:{a.model or ''}"
        rule = "MISSING_MAGNET" if a.kind == "magnet" else "MISSING_ACCESSORY"
        if ref not in qty_by_ref:
            out.append(Finding(rule=rule, message=f"{a.kind} {a.model or ''} is not quoted"))
    for need in panel.needs:
        if need.ref not in qty_by_ref:
            out.append(Finding(rule="MISSING_BUNDLE", message=f"{need.ref[7:]} is not quoted"))
    for extra in req.extras:
        if f"extras.{extra.index}" not in qty_by_ref:
            out.append(
                Finding(rule="MISSING_EXTRA", message=f"custom line {extra.item} is not quoted")
            )
    brands = {panel.main.breaker.brand} | {u.breaker.brand for u in panel.branches}
    if len(brands) > 1 and not req.allow_mixed_brand:
        out.append(
            Finding(rule="MIXED_BRAND", message=f"brands {sorted(brands)} mixed without consent")
        )
    return out


def _warnings(enc: EnclosureResult, placement: PlacementResult, catalog: Catalog) -> list[Finding]:
    rules = catalog.rules
    out: list[Finding] = []
    b = placement.balance
    if b is not None and b.exceeds(Fraction(rules.imbalance_target)):
        how = "the proven optimum" if b.proven_optimal else "the best found (not proven)"
        out.append(
            Finding(
                rule="BAL_TARGET",
                message=(
                    f"imbalance {_pct(b.imbalance)} is above the KIS target "
                    f"{_pct(float(Fraction(rules.imbalance_target)))}; it is {how}, so no "
                    "wiring of these circuits does better"
                    if b.proven_optimal
                    else f"imbalance {_pct(b.imbalance)} is above the KIS target; it is {how}"
                ),
            )
        )
    if b is not None and b.exceeds(Fraction(rules.imbalance_kec_limit)):
        out.append(
            Finding(
                rule="BAL_KEC_LIMIT",
                message=(
                    f"imbalance {_pct(b.imbalance)} is above the KEC 설비불평형률 limit of "
                    f"{_pct(float(Fraction(rules.imbalance_kec_limit)))}; KEC exempts some "
                    "installations, so the panel maker must decide"
                ),
            )
        )
    if not enc.fit_ok:
        r = enc.required
        out.append(
            Finding(
                rule="ENC_FIT",
                message=(
                    f"fit score {enc.fit_score:.3f} is below {rules.fit_score_gate}: "
                    f"{enc.box.model} is much larger than needed; a custom box "
                    f"{r.w}×{r.h}×{r.d} would fit"
                ),
            )
        )
    return out


def _notes(panel: Panel, fmt: FormatResult, placement: PlacementResult) -> list[Finding]:
    out: list[Finding] = []
    if "assumed" in panel.space_above_flags:
        out.append(
            Finding(
                rule="CAT_ASSUMED",
                message=f"space above the main ({panel.space_above_mm} mm) is an assumed row",
            )
        )
    for line in fmt.lines:
        where = f"{line.item} {line.spec}".strip()
        if "assumed" in line.flags:
            out.append(Finding(rule="CAT_ASSUMED", message=f"{where}: price is an assumed row"))
        if "example" in line.flags:
            out.append(Finding(rule="CAT_EXAMPLE", message=f"{where}: example price"))
        if "price_range" in line.flags:
            out.append(Finding(rule="PRICE_RANGE", message=f"{where}: {line.note}"))
        if "custom" in line.flags:
            out.append(
                Finding(
                    rule="N_CUSTOM_LINE", message=f"{where}: priced by hand (별도), not the catalog"
                )
            )
    seen = set()
    for u in panel.branches:
        if u.pitch_from_width and u.breaker.model not in seen:
            seen.add(u.breaker.model)
            out.append(
                Finding(
                    rule="PITCH_FROM_WIDTH",
                    message=f"{u.breaker.model}: row pitch taken from its width {u.pitch_mm} mm",
                )
            )
    b = placement.balance
    if b is not None and not b.proven_optimal:
        out.append(
            Finding(
                rule="BAL_NOT_PROVEN",
                message=(
                    f"phase balance stopped at its time limit: best {b.spread_a} A, "
                    f"lower bound {b.lower_bound_a} A"
                ),
            )
        )
    return out


def lint_quote(
    panel: Panel,
    enc: EnclosureResult,
    placement: PlacementResult,
    fmt: FormatResult,
    catalog: Catalog,
) -> LintReport:
    """The lint stage: every finding with its rule id, and the quote's status."""
    errors = (
        _line_errors(fmt, catalog.rules.vat_rate)
        + _coverage_errors(panel, fmt, catalog)
        + _policy_errors(panel, fmt)
    )
    warnings = _warnings(enc, placement, catalog)
    notes = _notes(panel, fmt, placement)
    status: Status = "rejected" if errors else "needs_review" if warnings else "issued"
    return LintReport(
        errors=tuple(errors), warnings=tuple(warnings), notes=tuple(notes), status=status
    )
