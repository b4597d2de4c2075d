"""Stage ``enclosure``: the required W×H×D, the face-to-face rows and the chosen box.

Branches are mounted face to face (마주보기) on both sides of vertical R/S/T/N busbars:
two breakers per row, a row as tall as the wider breaker's pitch. H = A + B + C + D + E
rounded up; W and D by the main's frame and the accessories (RULES.md §2). Pure: no I/O.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from estimator_core.catalog import Catalog, Enclosure, FrameValue, Threshold, WidthRule
from estimator_core.errors import NeedKnowledgeUpdate
from estimator_core.money import round_half_up
from estimator_core.request import METER_KINDS, TIMER_KINDS
from estimator_core.resolve import Panel, Unit


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Size(_Frozen):
    w: int
    h: int
    d: int


class BoxChoice(_Frozen):
    model: str
    series: str
    w: int
    h: int
    d: int
    price: int
    material: str
    thickness_mm: float
    custom: bool


class Row(_Frozen):
    """One face-to-face row: the left and right breaker ids and the row's pitch."""

    row: int
    left: str
    right: str | None
    pitch_mm: int


class EnclosureResult(_Frozen):
    required: Size
    height_parts: dict[str, int]
    height_raw: int
    box: BoxChoice
    fit_score: float
    fit_ok: bool
    rows: tuple[Row, ...]
    magnet_units: int
    meter_bands: int

    def rows_dump(self) -> list[dict[str, Any]]:
        """The rows as ``model_dump`` gives them (plain values only), by plain attribute
        reads: a ``model_dump`` per row was 1 µs a row, and a ``TypeAdapter`` for one
        serializer call cost a CLI cold start 30 ms to build."""
        return [dict(r.__dict__) for r in self.rows]  # a frozen model's field values


def by_rating(rows: tuple[Threshold, ...], value: int) -> Threshold:
    """The first row whose ``max`` is at least ``value`` (``max`` None matches all)."""
    return next(r for r in rows if r.max is None or value <= r.max)


def by_frame(rows: tuple[FrameValue, ...], af: int, what: str) -> FrameValue:
    for r in rows:
        if r.af_min <= af <= r.af_max:
            return r
    raise NeedKnowledgeUpdate(
        f"the active catalog has no {what} row for a {af}AF main",
        [{"kind": what, "af": af, "columns": ["af_min", "af_max", "value"]}],
    )


def branch_order(units: tuple[Unit, ...]) -> list[Unit]:
    """Pitch descending, then poles and ratings descending, then request order."""
    return sorted(
        units,
        key=lambda u: (-u.pitch_mm, -u.poles, -u.at, u.entry if u.entry is not None else 1 << 30),
    )


def pair_rows(units: tuple[Unit, ...]) -> list[Row]:
    """Pair neighbours in descending pitch order: optimal for a sum of pair maxima."""
    ordered = branch_order(units)
    rows = []
    for i in range(0, len(ordered), 2):
        left = ordered[i]
        right = ordered[i + 1] if i + 1 < len(ordered) else None
        rows.append(
            Row(
                row=i // 2 + 1,
                left=left.id,
                right=right.id if right else None,
                pitch_mm=max(left.pitch_mm, right.pitch_mm if right else 0),
            )
        )
    return rows


def _width_rule(rules: tuple[WidthRule, ...], af: int) -> WidthRule:
    for r in rules:
        if r.af_min <= af <= r.af_max:
            return r
    raise NeedKnowledgeUpdate(
        f"the active catalog has no width rule for a {af}AF main",
        [{"kind": "width_rule", "af": af, "columns": ["base"]}],
    )


def required_width(panel: Panel, catalog: Catalog) -> int:
    rule = _width_rule(catalog.rules.widths, panel.main.breaker.af)
    w = rule.base
    branches = panel.branches
    if rule.small_only is not None and branches and all(u.breaker.small for u in branches):
        w = rule.small_only
    if rule.many_branches is not None and len(branches) >= (rule.many_branches_from or 0):
        w = rule.many_branches
    big = sum(1 for u in branches if u.breaker.af == catalog.rules.big_branch_af)
    if rule.big_branches is not None and big >= (rule.big_branches_from or 0):
        w = rule.big_branches
    return w


def _magnet_band(panel: Panel, catalog: Catalog, width: int) -> tuple[int, int, int]:
    """E from magnets (timers sit in the band as small units) and the widened W."""
    rules = catalog.rules
    magnets = [a for a in panel.accessories if a.spec.kind == "magnet"]
    timers = sum(a.spec.qty for a in panel.accessories if a.spec.kind in TIMER_KINDS)
    units = sum(a.spec.qty for a in magnets) + timers
    if units == 0:
        return 0, width, 0
    classes = [a.magnet_class for a in magnets if a.magnet_class is not None]
    smallest = min(rules.magnet_classes, key=lambda c: c.rank)
    cls = max(classes, key=lambda c: c.rank) if classes else smallest
    height = cls.height_one_mm if units == 1 else cls.height_many_mm
    base = rules.magnet_band_base_width_mm
    step = rules.width_step_mm

    def capacity(w: int) -> int:
        return cls.band_capacity_at_base + cls.band_capacity_per_100mm * ((w - base) // step)

    while capacity(width) < units:
        width += step
    return height, width, units


def size_enclosure(panel: Panel, catalog: Catalog) -> EnclosureResult:
    """The enclosure stage: requirement, rows and box (RULES.md §2)."""
    rules = catalog.rules
    main = panel.main
    rows = pair_rows(panel.branches)
    a = panel.space_above_mm
    b = rules.gap_main_to_first_row_mm
    c = sum(r.pitch_mm for r in rows)
    d_below = by_rating(rules.space_below_by_rating, main.at).value
    e_magnets, width, magnet_units = _magnet_band(panel, catalog, required_width(panel, catalog))
    meters = sum(x.spec.qty for x in panel.accessories if x.spec.kind in METER_KINDS)
    meter_bands = math.ceil(meters / rules.meter_band_columns)
    e = e_magnets + meter_bands * rules.meter_band_height_mm
    raw = a + b + c + d_below + e
    step = rules.height_round_mm
    height = -(-raw // step) * step

    has_accessories = bool(panel.request.accessories)
    if panel.has_pbl or main.breaker.af >= rules.depth_large_from_main_af:
        depth = rules.depth_large_mm
    elif main.breaker.af <= rules.depth_small_max_main_af and not has_accessories:
        depth = rules.depth_small_mm
    else:
        depth = rules.depth_default_mm

    required = Size(w=width, h=height, d=depth)
    box = choose_box(panel, catalog, required)
    fit = Fraction(required.w * required.h, box.w * box.h)
    return EnclosureResult(
        required=required,
        height_parts={"A": a, "B": b, "C": c, "D": d_below, "E": e},
        height_raw=raw,
        box=box,
        fit_score=float(fit),
        fit_ok=fit >= Fraction(rules.fit_score_gate),
        rows=tuple(rows),
        magnet_units=magnet_units,
        meter_bands=meter_bands,
    )


def choose_box(panel: Panel, catalog: Catalog, need: Size) -> BoxChoice:
    """The cheapest standard box of the series that holds ``need``; else a custom box."""
    req = panel.request
    series = catalog.series_for(req.location, req.mount, req.material)
    boxes: list[Enclosure] = [e for e in catalog.enclosures if e.series == series]
    if series is None or not boxes:
        raise NeedKnowledgeUpdate(
            f"the active catalog has no enclosures for {req.location} {req.mount} "
            f"{req.material} (series {series or 'unknown'})",
            [
                {
                    "kind": "enclosure",
                    "series": series,
                    "location": req.location,
                    "mount": req.mount,
                    "material": req.material,
                    "columns": ["model", "w", "h", "d", "price"],
                }
            ],
        )
    fitting = [e for e in boxes if e.w >= need.w and e.h >= need.h and e.d >= need.d]
    if fitting:
        e = min(fitting, key=lambda e: (e.price, e.w * e.h * e.d, e.model))
        return BoxChoice(
            model=e.model,
            series=e.series,
            w=e.w,
            h=e.h,
            d=e.d,
            price=e.price,
            material=e.material,
            thickness_mm=e.thickness_mm,
            custom=False,
        )
    per_area = catalog.rules.custom_enclosure_price_per_90000mm2
    if per_area is None:
        raise NeedKnowledgeUpdate(
            f"no standard {series} box holds {need.w}×{need.h}×{need.d} and the catalog "
            "has no custom-box price",
            [
                {
                    "kind": "enclosure",
                    "series": series,
                    "w": need.w,
                    "h": need.h,
                    "d": need.d,
                    "columns": ["custom_enclosure_price_per_90000mm2"],
                }
            ],
        )
    ref = boxes[0]
    return BoxChoice(
        model=catalog.words.custom_box_model.format(series=series, w=need.w, h=need.h, d=need.d),
        series=series,
        w=need.w,
        h=need.h,
        d=need.d,
        price=round_half_up(Fraction(need.w * need.h, catalog.rules.price_area_mm2) * per_area),
        material=ref.material,
        thickness_mm=ref.thickness_mm,
        custom=True,
    )
