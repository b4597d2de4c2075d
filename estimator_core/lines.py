"""Stage ``format``: the quote lines, in section order, with every pricing rule of RULES.md §4.

Each line carries ``refs``: what in the request or the rules it stands for, so the lint
stage can prove that nothing requested is missing. Money is integer KRW, rounded half-up;
busbar mass is kg to 0.01. Pure: no I/O.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from estimator_core.catalog import SECTIONS, Breaker, Catalog, PricingPolicy, Section, frame_label
from estimator_core.enclosure import EnclosureResult, by_frame
from estimator_core.errors import NeedKnowledgeUpdate
from estimator_core.money import round_half_up, round_to
from estimator_core.resolve import Panel, Unit

SECTION_ORDER: tuple[Section, ...] = SECTIONS
SECTION_TITLES: dict[Section, str] = {
    "ENCLOSURE": "외함",
    "MAIN": "메인차단기",
    "BRANCHES": "분기차단기",
    "ACCESSORIES_REQUIRED": "부속자재(필수)",
    "ACCESSORIES_OPTIONAL": "부속자재(선택)",
    "BUSBAR": "BUS-BAR",
    "SUPPORTS": "지지/부자재",
    "COSTS": "잡자재/인건비",
}


class QuoteLine(BaseModel):
    """One line of the quote; ``amount`` is ``qty × unit_price`` rounded half-up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    section: Section
    item: str
    spec: str
    unit: str
    qty: int | Decimal
    unit_price: int
    amount: int
    labour: bool = False
    note: str | None = None
    flags: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    brand: str | None = None
    # Under a pricing policy: the catalog's unit price and the fraction of it charged.
    list_price: int | None = None
    rate: str | None = None


class Totals(BaseModel):
    """The money of a quote. Without a pricing policy list_total = subtotal and the
    discount and rounding are 0; with one, subtotal = Σ amounts + rounding (≤ 0)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    list_total: int
    discount: int
    rounding: int
    materials: int
    labour: int
    subtotal: int
    vat: int
    grand_total: int


class FormatResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lines: tuple[QuoteLine, ...]
    totals: Totals

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": [line_json(x) for x in self.lines],
            "totals": self.totals.model_dump(mode="json"),
        }


def line_json(line: QuoteLine) -> dict[str, Any]:
    out = line.model_dump(mode="json", exclude_defaults=True)
    out["qty"] = float(line.qty) if isinstance(line.qty, Decimal) else line.qty
    out["section"] = line.section
    return out


def _line(
    section: Section,
    item: str,
    spec: str,
    unit: str,
    qty: int | Decimal,
    unit_price: int,
    **extra: Any,
) -> QuoteLine:
    amount = round_half_up(Fraction(qty) * unit_price)
    return QuoteLine(
        section=section,
        item=item,
        spec=spec,
        unit=unit,
        qty=qty,
        unit_price=unit_price,
        amount=amount,
        **extra,
    )


def breaker_spec(b: Breaker, poles: int, at: int) -> str:
    return f"{b.model} {poles}P {frame_label(b.af)} {at}A"


def _breaker_price(b: Breaker) -> dict[str, Any]:
    if b.price_is_range:
        return {
            "note": f"catalog price range {b.price_min:,}–{b.price:,}; the higher is quoted",
            "flags": ("price_range",),
        }
    return {"flags": tuple(b.flags)} if b.flags else {}


def _enclosure_lines(panel: Panel, enc: EnclosureResult, catalog: Catalog) -> list[QuoteLine]:
    rules, words = catalog.rules, catalog.words
    box = enc.box
    req = panel.request
    lines = [
        _line(
            "ENCLOSURE",
            words.enclosure_custom if box.custom else words.enclosure,
            f"{box.model} {box.w}×{box.h}×{box.d} {box.material} {box.thickness_mm}T",
            "EA",
            1,
            box.price,
            refs=("enclosure",),
        )
    ]
    if req.mount == "STANDALONE":
        h = rules.standalone_base_height_mm
        price = round_half_up(
            Fraction(box.w * h, rules.price_area_mm2) * rules.standalone_base_price_per_90000mm2
        )
        lines.append(_line("ENCLOSURE", words.base, f"{box.w}×{h}", "EA", 1, price, refs=("base",)))
    if req.mount == "POLE":
        lines.append(
            _line(
                "ENCLOSURE",
                words.pole_bracket,
                words.pole_bracket_spec,
                words.lot,
                1,
                rules.pole_bracket_price,
            )
        )
    if req.p_cover == "STEEL":
        price = round_half_up(
            Fraction(box.w * box.h, rules.price_area_mm2) * rules.steel_p_cover_price_per_90000mm2
        )
        lines.append(_line("ENCLOSURE", words.p_cover, "STEEL", "EA", 1, price, refs=("p_cover",)))
    elif rules.acrylic_p_cover_price is not None:
        lines.append(
            _line("ENCLOSURE", words.p_cover, "ACRYLIC", "EA", 1, rules.acrylic_p_cover_price)
        )
    coating = by_frame(rules.coating_prices, panel.main.breaker.af, "coating").value
    lines.append(_line("ENCLOSURE", words.coating, "", words.lot, 1, coating))
    return lines


def _branch_lines(panel: Panel, catalog: Catalog) -> list[QuoteLine]:
    groups: dict[tuple[str, int, str], list[Unit]] = {}
    for u in panel.branches:
        groups.setdefault((u.breaker.model, u.at, u.role), []).append(u)
    ordered = sorted(
        groups.values(), key=lambda us: (-us[0].poles, -us[0].at, us[0].breaker.model, us[0].role)
    )
    lines = []
    for us in ordered:
        u = us[0]
        item = u.breaker.family + (catalog.words.spd_suffix if u.role == "spd" else "")
        entries = sorted({f"branches.{x.entry}" for x in us if x.entry is not None})
        lines.append(
            _line(
                "BRANCHES",
                item,
                breaker_spec(u.breaker, u.poles, u.at),
                "EA",
                len(us),
                u.breaker.price,
                brand=u.breaker.brand,
                refs=tuple(entries) if u.role == "branch" else ("spd_breaker",),
                **_breaker_price(u.breaker),
            )
        )
    return lines


def _accessory_lines(panel: Panel) -> list[QuoteLine]:
    """The requested accessories and what they bring (``panel.needs``), identical items
    merged."""
    lines = []
    for a in panel.accessories:
        item = a.item
        lines.append(
            _line(
                "ACCESSORIES_REQUIRED",
                item.name,
                item.spec or (a.spec.model or ""),
                item.unit,
                a.spec.qty,
                item.price,
                flags=item.flags,
                refs=(f"accessory:{a.spec.kind}:{a.spec.model or ''}",),
            )
        )
    lines += [
        _line(
            "ACCESSORIES_REQUIRED",
            n.item,
            n.spec,
            n.unit,
            n.qty,
            n.unit_price,
            labour=n.labour,
            flags=n.flags,
            refs=(n.ref,),
        )
        for n in panel.needs
    ]
    return _merge_identical(lines)


def _merge_identical(lines: list[QuoteLine]) -> list[QuoteLine]:
    """Identical items (same item, spec, unit and price) make one line, at the place of the
    first, carrying every ref and flag of the lines it replaces (RULES.md §4)."""
    merged: dict[tuple[str, str, str, int, bool], list[QuoteLine]] = {}
    for x in lines:
        merged.setdefault((x.item, x.spec, x.unit, x.unit_price, x.labour), []).append(x)
    out = []
    for group in merged.values():
        first = group[0]
        if len(group) == 1:
            out.append(first)
            continue
        qty = sum((x.qty for x in group), start=type(first.qty)(0))
        out.append(
            _line(
                first.section,
                first.item,
                first.spec,
                first.unit,
                qty,
                first.unit_price,
                labour=first.labour,
                note=first.note,
                flags=tuple(dict.fromkeys(f for x in group for f in x.flags)),
                refs=tuple(dict.fromkeys(r for x in group for r in x.refs)),
            )
        )
    return out


def _busbar_lines(panel: Panel, enc: EnclosureResult, catalog: Catalog) -> list[QuoteLine]:
    rules, words = catalog.rules, catalog.words
    w, h = enc.box.w, enc.box.h
    main_at = panel.main.at
    factors = next(f for f in rules.busbar_factors if f.max is None or main_at <= f.max)
    largest = max((u.at for u in panel.branches), default=0)

    def spec(rating: int) -> str:
        return next(s.spec for s in rules.busbar_specs if s.max is None or rating <= s.max)

    out = []
    for item, factor, rating in (
        (words.main_busbar, factors.main, main_at),
        (words.busbar, factors.branch, largest),
    ):
        kg = round_to(Fraction(w * h) * Fraction(factor), rules.busbar_kg_decimals)
        out.append(_line("BUSBAR", item, spec(rating), "KG", kg, rules.busbar_price_per_kg))
    return out


def _support_lines(panel: Panel, catalog: Catalog) -> list[QuoteLine]:
    rules, words = catalog.rules, catalog.words
    af = panel.main.breaker.af
    n = len(panel.branches)
    et = by_frame(rules.et_prices, af, "E.T").value
    insulator = by_frame(rules.insulator_prices, af, "insulator").value
    small = sum(1 for u in panel.branches if u.breaker.small)
    lines = [
        _line("SUPPORTS", words.earth_terminal, "", "EA", 1 + n // rules.et_branches_per_extra, et),
        _line("SUPPORTS", words.neutral_terminal, "", "EA", 1, rules.nt_price),
        _line("SUPPORTS", words.name_plate, words.name_plate_spec, "EA", 1, rules.np_plate_price),
        _line(
            "SUPPORTS",
            words.name_plate,
            words.card_holder_spec,
            "EA",
            n,
            rules.card_holder_price,
            flags=tuple(rules.card_holder_flags),
        ),
        _line("SUPPORTS", words.insulator, "", "EA", rules.insulators_per_main, insulator),
    ]
    if small:
        lines.append(
            _line(
                "SUPPORTS",
                words.small_breaker_support,
                "",
                "EA",
                small,
                rules.small_breaker_support_price,
            )
        )
    return [x for x in lines if x.qty]


def _cost_lines(panel: Panel, enc: EnclosureResult, catalog: Catalog) -> list[QuoteLine]:
    rules, words = catalog.rules, catalog.words
    w, h = enc.box.w, enc.box.h
    step = rules.cost_step_mm
    over = math.ceil(max(0, w - rules.consumables_base_w) / step) + math.ceil(
        max(0, h - rules.consumables_base_h) / step
    )
    requested = sum(a.qty for a in panel.request.accessories)
    consumables = min(
        rules.consumables_cap,
        rules.consumables_base_price
        + over * rules.consumables_per_100mm
        + requested * rules.consumables_per_accessory,
    )
    af = panel.main.breaker.af
    tier = next((t for t in rules.assembly if t.af_min <= af <= t.af_max), None)
    if tier is None:
        raise NeedKnowledgeUpdate(
            f"the active catalog has no assembly charge for a {af}AF main",
            [{"kind": "assembly", "af": af, "columns": ["base_price", "per_100h"]}],
        )
    assembly = tier.base_price + tier.per_100h * math.ceil(max(0, h - tier.base_h) / step)
    small20 = sum(
        1 for u in panel.branches if u.breaker.small and u.at == rules.small_majority_rating_a
    )
    if small20 * 2 > len(panel.branches):
        assembly += tier.small_majority_add
    return [
        _line("COSTS", words.consumables, "", words.lot, 1, consumables),
        _line("COSTS", words.assembly, words.assembly_spec, words.lot, 1, assembly, labour=True),
    ]


def price_lines(panel: Panel, enc: EnclosureResult, catalog: Catalog) -> FormatResult:
    """The format stage: every line in section order, and the totals."""
    main = panel.main
    lines = [
        *_enclosure_lines(panel, enc, catalog),
        _line(
            "MAIN",
            main.breaker.family,
            breaker_spec(main.breaker, main.poles, main.at),
            "EA",
            1,
            main.breaker.price,
            brand=main.breaker.brand,
            refs=("main",),
            **_breaker_price(main.breaker),
        ),
        *_branch_lines(panel, catalog),
        *_accessory_lines(panel),
        *_busbar_lines(panel, enc, catalog),
        *_support_lines(panel, catalog),
        *_cost_lines(panel, enc, catalog),
    ]
    lines += _extra_lines(panel, catalog)
    lines.sort(key=lambda x: SECTION_ORDER.index(x.section))  # stable: extras end a section
    if panel.policy is not None:
        lines = [_under_policy(x, panel.policy) for x in lines]
    return FormatResult(lines=tuple(lines), totals=totals_of(lines, catalog, panel.policy))


def _extra_lines(panel: Panel, catalog: Catalog) -> list[QuoteLine]:
    """Lines the estimator priced by hand (별도): counted, flagged, never re-priced."""
    return [
        _line(
            e.section,
            e.item,
            e.spec,
            e.unit,
            e.qty,
            e.unit_price,
            note=e.note or catalog.words.custom_line_note,
            flags=("custom",),
            refs=(f"extras.{e.index}",),
        )
        for e in panel.request.extras
    ]


def decimal_text(value: Fraction) -> str:
    """A terminating fraction as plain decimal text (0.682, 1, 0.5)."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _under_policy(line: QuoteLine, policy: PricingPolicy) -> QuoteLine:
    """The line at list × the policy's rate for its section and brand (custom lines keep
    the estimator's price)."""
    if "custom" in line.flags:
        return line
    rate = policy.rate_for(line.section, line.brand)
    unit_price = round_half_up(line.unit_price * rate)
    return line.model_copy(
        update={
            "list_price": line.unit_price,
            "rate": decimal_text(rate),
            "unit_price": unit_price,
            "amount": round_half_up(Fraction(line.qty) * unit_price),
        }
    )


def totals_of(lines: list[QuoteLine], catalog: Catalog, policy: PricingPolicy | None) -> Totals:
    """The totals of a panel's lines (see ``money_totals``)."""
    return money_totals(
        listed=sum(
            round_half_up(Fraction(x.qty) * x.list_price) if x.list_price is not None else x.amount
            for x in lines
        ),
        net=sum(x.amount for x in lines),
        labour=sum(x.amount for x in lines if x.labour),
        vat_rate=catalog.rules.vat_rate,
        round_down_to=policy.round_down_to if policy else 1,
    )


def money_totals(
    *, listed: int, net: int, labour: int, vat_rate: str, round_down_to: int
) -> Totals:
    """List total and discount, Σ amounts cut down to the policy's unit (끝자리 절사, never
    up), VAT on what is left, and the grand total: for a panel or a whole project."""
    subtotal = net - net % round_down_to
    vat = round_half_up(subtotal * Fraction(vat_rate))
    return Totals(
        list_total=listed,
        discount=listed - net,
        rounding=subtotal - net,
        materials=net - labour,
        labour=labour,
        subtotal=subtotal,
        vat=vat,
        grand_total=subtotal + vat,
    )
