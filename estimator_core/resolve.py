"""Resolve a request against the catalog: every breaker named or chosen, every row found.

``resolve_panel`` runs the main and branch checks and then every catalog
look-up, collecting all missing rows into one ``NeedKnowledgeUpdate``. Pure: no I/O.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from estimator_core.catalog import (
    Breaker,
    Catalog,
    MagnetClass,
    PricedItem,
    PricingPolicy,
    Rules,
    frame_label,
    normalise_model,
)
from estimator_core.errors import (
    DeviceTypeMismatch,
    InvalidModelCombo,
    NeedKnowledgeUpdate,
    PolesMismatch,
    ValidationFailed,
)
from estimator_core.request import TIMER_KINDS, AccessorySpec, EstimateRequest

System = Literal["3P4W", "3P3W", "1P2W"]
PHASE_ALIASES = {"L1": "R", "L2": "S", "L3": "T"}
PAIRS = {"RS": "RS", "SR": "RS", "ST": "ST", "TS": "ST", "TR": "TR", "RT": "TR"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Unit(_Frozen):
    """One physical breaker of the panel."""

    id: str
    role: Literal["main", "branch", "spd"]
    entry: int | None
    breaker: Breaker
    at: int
    poles: int
    load_a: Decimal
    pin: str | None
    label: str | None
    pitch_mm: int
    pitch_from_width: bool


class PricedAccessory(_Frozen):
    spec: AccessorySpec
    item: PricedItem
    magnet_class: MagnetClass | None = None


class Need(_Frozen):
    """A line a panel needs because of what it carries, not because it was asked for
    (RULES.md §4): each magnet's bundle items and labour, the PBL a timer adds next to a
    magnet, the cable/wire set of an SPD, meter or sunset timer. Computed once here; the
    format stage prices exactly these and lint checks each is quoted by its ``ref``."""

    ref: str
    item: str
    spec: str
    unit: str
    qty: int
    unit_price: int
    labour: bool = False
    flags: tuple[str, ...] = ()


PBL_TIMER_REF = "bundle:PBL_TIMER"


class Panel(_Frozen):
    """A request with every breaker and accessory resolved against one catalog."""

    request: EstimateRequest
    system: System
    main: Unit
    branches: tuple[Unit, ...]
    accessories: tuple[PricedAccessory, ...]
    needs: tuple[Need, ...]
    policy: PricingPolicy | None = None
    space_above_mm: int
    space_above_flags: tuple[str, ...]
    resolution: tuple[dict[str, Any], ...]

    @property
    def has_pbl(self) -> bool:
        """A PBL on the door: asked for, or added by a timer beside a magnet."""
        asked = any(a.spec.kind == "pbl" for a in self.accessories)
        return asked or any(n.ref == PBL_TIMER_REF for n in self.needs)


class _Missing:
    """Collects the catalog rows a request needs and the catalog lacks."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        if row not in self.rows:
            self.rows.append(row)

    def raise_if_any(self) -> None:
        if self.rows:
            names = "; ".join(_describe(r) for r in self.rows)
            hint = ""
            if any(r["kind"] in ("accessory", "item") for r in self.rows):
                hint = (
                    " (until a catalog admin imports the price, the estimator may quote "
                    "the item by hand as a custom line in `extras`)"
                )
            raise NeedKnowledgeUpdate(f"the active catalog lacks: {names}{hint}", self.rows)


def _describe(row: dict[str, Any]) -> str:
    keys = ("kind", "brand", "model", "family", "af", "poles", "at", "form")
    return " ".join(str(row[k]) for k in keys if row.get(k) is not None)


_BREAKER_COLUMNS = ["model", "family", "af", "poles", "ratings", "width_mm", "price"]


def _select(
    catalog: Catalog,
    *,
    brand: str,
    family: str,
    poles: int,
    at: int,
    af: int | None,
    form: str,
    prefer_compact: bool,
) -> Breaker | None:
    """The breaker the selection guide picks, or None (RULES.md §1)."""
    pool = [
        b
        for b in catalog.breakers
        if b.brand == brand
        and b.family == family
        and b.poles == poles
        and at in b.ratings
        and not b.high_sensitivity
        and (af is None or af in frames_admitted(b.model, b, catalog))
    ]
    candidates = [b for b in pool if form in b.forms]
    if not candidates and form == "ECONOMIC":
        candidates = [b for b in pool if "STANDARD" in b.forms]
    if not candidates:
        return None
    return min(candidates, key=lambda b: (b.af, b.compact != prefer_compact, b.price, b.model))


def frames_admitted(model: str, known: Breaker | None, catalog: Catalog) -> set[int]:
    """The frames a given ``af`` may name for this model: its catalog frame and the frame
    its name's digits say (``af: 100`` admits the 125AF-bodied ``SBS-104``, RULES.md §1)."""
    parsed = catalog.names.parse(model)
    frames = {known.af} if known else set()
    if parsed is not None and parsed.af is not None:
        frames.add(parsed.af)
    return frames


def prefers_compact(poles: int, family: str, at: int | None, af: int | None, rules: Rules) -> bool:
    """The selection guide's compact/FB cases, the same for the main and every branch:
    a 2P 20–30 A breaker asked as 50AF, and a 2P 40–50 A ELB (RULES.md §1; the numbers
    are the catalog's)."""
    if poles != 2 or at is None:
        return False
    lo, hi = rules.compact_elb_at
    return (
        at <= rules.compact_max_at_asked_small_frame and af == rules.compact_small_frame_af
    ) or (family == "ELB" and lo <= at <= hi)


def _af_class(af: int | None, loc: str, catalog: Catalog) -> int | None:
    if af is None:
        return None
    cls = catalog.names.frame_class(af)
    if cls is None:
        raise ValidationFailed(f"{loc}: unknown frame {af}AF", [{"loc": loc, "value": af}])
    return cls


def _check_named(
    loc: str,
    model: str,
    known: Breaker | None,
    catalog: Catalog,
    *,
    af: int | None,
    poles: int,
    type_: str | None,
    at: int | None,
) -> None:
    """Contradictions between a named model and its own entry."""
    parsed = catalog.names.parse(model)
    model_af = known.af if known else (parsed.af if parsed else None)
    model_poles = known.poles if known else (parsed.poles if parsed else None)
    model_family = known.family if known else (parsed.family if parsed else None)
    admitted = frames_admitted(model, known, catalog)
    if af is not None and admitted and af not in admitted:
        assert model_af is not None
        raise InvalidModelCombo(
            f"{loc}: {model} is a {frame_label(model_af)} breaker, not {frame_label(af)}",
            [{"loc": f"{loc}.af", "model": model, "model_af": model_af, "af": af}],
        )
    if model_poles is not None and model_poles != poles:
        raise PolesMismatch(
            f"{loc}: {model} has {model_poles} poles, the entry says {poles}P",
            [{"loc": f"{loc}.poles", "model": model, "model_poles": model_poles}],
        )
    if type_ is not None and model_family is not None and type_ != model_family:
        raise DeviceTypeMismatch(
            f"{loc}: {model} is an {model_family}, the entry says {type_}",
            [{"loc": f"{loc}.type", "model": model, "model_type": model_family}],
        )
    if known and at is not None and at not in known.ratings:
        raise InvalidModelCombo(
            f"{loc}: {model} has no {at} A rating (ratings {list(known.ratings)})",
            [{"loc": f"{loc}.at", "model": model, "at": at, "ratings": list(known.ratings)}],
        )


def _pitch(b: Breaker, catalog: Catalog) -> tuple[int | None, bool]:
    """Row pitch of a breaker (enclosure rules C), and whether it fell back to its width."""
    rules = catalog.rules
    poles = b.poles
    if poles == 2 and b.af >= rules.two_pole_takes_three_pole_pitch_from_af:
        poles = 3
    for row in rules.row_pitches:
        if (
            row.poles == poles
            and row.af == b.af
            and row.compact in (None, b.compact)
            and row.small in (None, b.small)
        ):
            return row.mm, False
    return b.width_mm, True


def resolve_panel(req: EstimateRequest, catalog: Catalog) -> Panel:
    """Main and branch checks, then every catalog look-up (RULES.md §1 order)."""
    missing = _Missing()
    system: System = {4: "3P4W", 3: "3P3W", 2: "1P2W"}[req.main.poles]  # type: ignore[assignment]
    resolution: list[dict[str, Any]] = []

    # -- main ---------------------------------------------------------------------
    m = req.main
    main_af = _af_class(m.af, "main.af", catalog)
    main_known = catalog.breaker(m.model) if m.model else None
    main_at = m.at
    if m.model:
        _check_named(
            "main", m.model, main_known, catalog, af=main_af, poles=m.poles, type_=m.type, at=m.at
        )
    main_family = m.type or (main_known.family if main_known else None) or req.device_type
    if main_at is None:
        given = m.af if m.af is not None else None
        if given is not None:
            main_at = dict(catalog.rules.main_at_by_frame).get(given, given)
        elif main_known is not None:
            cap = max(main_known.af, catalog.rules.main_at_floor_a)
            main_at = max(r for r in main_known.ratings if r <= cap)
    # -- branches -----------------------------------------------------------------
    for b in req.branches:
        loc = f"branches.{b.index}"
        _af_class(b.af, f"{loc}.af", catalog)
        if req.main.poles == 2 and b.poles != 2:
            raise ValidationFailed(
                f"{loc}: a {b.poles}P branch cannot hang under a 2P (single-phase) main",
                [{"loc": f"{loc}.poles"}],
            )
        if b.phase is not None:
            _pin(b.phase, b.poles, system, loc)
        if b.model:
            known = catalog.breaker(b.model)
            _check_named(
                loc,
                b.model,
                known,
                catalog,
                af=_af_class(b.af, loc, catalog),
                poles=b.poles,
                type_=b.type,
                at=b.at,
            )

    # -- catalog look-ups ---------------------------------------------------------
    brand_of_panel = req.brand if req.brand != "MIXED" else None
    selected: dict[tuple[str, int, int, int | None, bool], Breaker | None] = {}

    def find(
        loc: str,
        model: str | None,
        family: str,
        poles: int,
        at: int | None,
        af: int | None,
        prefer_compact: bool,
    ) -> Breaker | None:
        if model:
            known = catalog.breaker(model)
            if known is None:
                parsed = catalog.names.parse(model)
                missing.add(
                    {
                        "kind": "breaker",
                        "loc": loc,
                        "brand": parsed.brand if parsed else brand_of_panel,
                        "model": normalise_model(model),
                        "af": af,
                        "poles": poles,
                        "columns": _BREAKER_COLUMNS,
                    }
                )
            return known
        assert brand_of_panel is not None and at is not None
        key = (family, poles, at, af, prefer_compact)
        if key not in selected:  # many entries share a selection: scan the catalog once
            selected[key] = _select(
                catalog,
                brand=brand_of_panel,
                family=family,
                poles=poles,
                at=at,
                af=af,
                form=req.form,
                prefer_compact=prefer_compact,
            )
        chosen = selected[key]
        if chosen is None:
            missing.add(
                {
                    "kind": "breaker",
                    "loc": loc,
                    "brand": brand_of_panel,
                    "family": family,
                    "af": af,
                    "poles": poles,
                    "at": at,
                    "form": req.form,
                    "columns": _BREAKER_COLUMNS,
                }
            )
        return chosen

    main_compact = prefers_compact(m.poles, main_family, main_at, main_af, catalog.rules)
    main_b = find("main", m.model, main_family, m.poles, main_at, main_af, main_compact)
    if main_b is not None and main_at is None:
        main_at = main_b.ratings[-1]
    if main_b is not None and main_at not in main_b.ratings:
        raise InvalidModelCombo(
            f"main: {main_b.model} has no {main_at} A rating",
            [{"loc": "main.at", "model": main_b.model, "ratings": list(main_b.ratings)}],
        )

    branch_rows: list[tuple[int, Breaker]] = []
    for b in req.branches:
        family = b.type or req.device_type
        af = _af_class(b.af, "af", catalog)
        chosen = find(
            f"branches.{b.index}",
            b.model,
            family,
            b.poles,
            b.at,
            af,
            prefers_compact(b.poles, family, b.at, af, catalog.rules),
        )
        if chosen is not None:
            branch_rows.append((b.index, chosen))
            resolution.append(
                {
                    "entry": f"branches.{b.index}",
                    "model": chosen.model,
                    "named": b.model is not None,
                }
            )

    spd_b: Breaker | None = None
    if req.count("spd"):
        r = catalog.rules
        spd_brand = main_b.brand if main_b else brand_of_panel
        if spd_brand is not None:
            spd_b = _select(
                catalog,
                brand=spd_brand,
                family=r.spd_breaker_family,
                poles=r.spd_breaker_poles,
                at=r.spd_breaker_at,
                af=None,
                form=req.form,
                prefer_compact=False,
            )
            if spd_b is None:
                missing.add(
                    {
                        "kind": "breaker",
                        "loc": "spd",
                        "brand": spd_brand,
                        "family": r.spd_breaker_family,
                        "poles": r.spd_breaker_poles,
                        "at": r.spd_breaker_at,
                        "columns": _BREAKER_COLUMNS,
                    }
                )

    needs = _needs(req, catalog, missing)
    accessories = _price_accessories(req, catalog, missing)
    space_above, above_flags = _space_above(main_b, main_at, catalog, missing)

    units: list[Unit] = []
    by_index = dict(branch_rows)
    for b in req.branches:
        chosen_b = by_index.get(b.index)
        if chosen_b is None:
            continue
        pitch, from_width = _pitch(chosen_b, catalog)
        if pitch is None:
            missing.add(
                {
                    "kind": "row_pitch",
                    "brand": chosen_b.brand,
                    "model": chosen_b.model,
                    "af": chosen_b.af,
                    "poles": chosen_b.poles,
                    "columns": ["width_mm"],
                }
            )
            continue
        pin = _pin(b.phase, b.poles, system, f"branches.{b.index}") if b.phase else None
        first = Unit(
            id=f"B{b.index + 1}-1",
            role="branch",
            entry=b.index,
            breaker=chosen_b,
            at=b.at,
            poles=b.poles,
            load_a=b.load_a,
            pin=pin,
            label=b.label,
            pitch_mm=pitch,
            pitch_from_width=from_width,
        )
        # The other breakers of the entry differ only in their id: copy, not re-validate.
        units.append(first)
        units += [
            first.model_copy(update={"id": f"B{b.index + 1}-{k}"}) for k in range(2, b.qty + 1)
        ]
    if spd_b is not None:
        pitch, from_width = _pitch(spd_b, catalog)
        units.append(
            Unit(
                id="SPD",
                role="spd",
                entry=None,
                breaker=spd_b,
                at=catalog.rules.spd_breaker_at,
                poles=spd_b.poles,
                load_a=Decimal(0),
                pin=None,
                label=catalog.words.spd_label,
                pitch_mm=pitch or 0,
                pitch_from_width=from_width,
            )
        )
    if len(units) > catalog.rules.max_circuits:
        raise ValidationFailed(
            f"more than {catalog.rules.max_circuits} circuits in all", [{"loc": "branches"}]
        )
    missing.raise_if_any()
    policy = _policy(req, catalog)
    assert main_b is not None and main_at is not None
    main = Unit(
        id="M",
        role="main",
        entry=None,
        breaker=main_b,
        at=main_at,
        poles=m.poles,
        load_a=Decimal(0),
        pin=None,
        label=None,
        pitch_mm=0,
        pitch_from_width=False,
    )
    resolution.insert(0, {"entry": "main", "model": main_b.model, "named": m.model is not None})
    if spd_b is not None:
        resolution.append({"entry": "spd", "model": spd_b.model, "named": False})
    return Panel(
        request=req,
        system=system,
        main=main,
        branches=tuple(units),
        accessories=accessories,
        needs=needs,
        policy=policy,
        space_above_mm=space_above,
        space_above_flags=above_flags,
        resolution=tuple(resolution),
    )


def _policy(req: EstimateRequest, catalog: Catalog) -> PricingPolicy | None:
    """The pricing policy the request names (list prices when it names none)."""
    if req.pricing is None:
        return None
    policy = catalog.policy(req.pricing)
    if policy is None:
        known = ", ".join(p.name for p in catalog.pricing_policies) or "none"
        raise ValidationFailed(
            f"pricing: the active catalog has no pricing policy {req.pricing!r} "
            f"(policies: {known})",
            [{"loc": "pricing", "value": req.pricing, "policies": known}],
        )
    return policy


def _pin(phase: str, poles: int, system: System, loc: str) -> str:
    """A 2P branch's pin: a phase under a 4P main, a pair under a 3P main."""
    if poles != 2:
        raise ValidationFailed(
            f"{loc}.phase: only a 2P branch can be pinned", [{"loc": f"{loc}.phase"}]
        )
    value = phase.strip().upper()
    if system == "3P4W":
        pin = PHASE_ALIASES.get(value, value)
        ok = pin in ("R", "S", "T")
    elif system == "3P3W":
        pin = PAIRS.get(value, value)
        ok = pin in ("RS", "ST", "TR")
    else:
        pin, ok = value, False
    if not ok:
        expected = {"3P4W": "R, S or T", "3P3W": "RS, ST or TR", "1P2W": "no pin (single-phase)"}
        raise ValidationFailed(
            f"{loc}.phase: {phase!r} is not a valid pin here (expected {expected[system]})",
            [{"loc": f"{loc}.phase", "value": phase}],
        )
    return pin


def _needs(req: EstimateRequest, catalog: Catalog, missing: _Missing) -> tuple[Need, ...]:
    """What the accessories bring (RULES.md §4), priced and in line order; every item the
    catalog lacks is collected into the one NEED_KNOWLEDGE_UPDATE."""
    rules = catalog.rules
    magnets = req.count("magnet")
    lacking: set[str] = set()
    needs: list[Need] = []

    def add(ref: str, item_id: str, qty: int, spec: str | None = None, blank: str = "") -> None:
        item = catalog.item(item_id)
        if item is None:
            lacking.add(item_id)
            return
        needs.append(
            Need(
                ref=ref,
                item=item.name,
                spec=(item.spec or blank) if spec is None else spec,
                unit=item.unit,
                qty=qty,
                unit_price=item.price,
                flags=item.flags,
            )
        )

    if magnets:
        for item_id, per in rules.magnet_bundle:
            add(f"bundle:{item_id}", item_id, magnets * per)
        timer_pbls = req.count(*TIMER_KINDS) * rules.timer_adds_pbl
        if timer_pbls:
            add(PBL_TIMER_REF, rules.pbl_item, timer_pbls, catalog.words.timer_pbl_spec)
        if req.count("pbl") and catalog.item(rules.pbl_item) is None:
            lacking.add(rules.pbl_item)  # the requested PBL sits on the magnet circuit
        needs.append(
            Need(
                ref="bundle:MAGNET_LABOUR",
                item=catalog.words.magnet_labour,
                spec="",
                unit="EA",
                qty=magnets,
                unit_price=rules.magnet_labour,
                labour=True,
            )
        )
    wire_sets = req.count(*rules.wire_set_kinds)
    if wire_sets:
        add("bundle:WIRE_SET", rules.wire_set_item, wire_sets, blank=catalog.words.wire_set_spec)
    for item_id in sorted(lacking):
        missing.add({"kind": "item", "model": item_id, "columns": ["price", "unit"]})
    return tuple(needs)


def _price_accessories(
    req: EstimateRequest, catalog: Catalog, missing: _Missing
) -> tuple[PricedAccessory, ...]:
    out: list[PricedAccessory] = []
    for a in req.accessories:
        item = catalog.item_for(a.kind, a.model)
        magnet_class = catalog.magnet_class(a.model) if a.model else None
        if item is None:
            missing.add(
                {"kind": "accessory", "model": a.model or a.kind, "columns": ["price", "unit"]}
            )
        if a.kind == "magnet" and magnet_class is None:
            missing.add(
                {
                    "kind": "magnet_layout",
                    "model": a.model,
                    "columns": ["height_mm", "band_capacity"],
                }
            )
        if item is not None:
            out.append(PricedAccessory(spec=a, item=item, magnet_class=magnet_class))
    return tuple(out)


def _space_above(
    main: Breaker | None, at: int | None, catalog: Catalog, missing: _Missing
) -> tuple[int, tuple[str, ...]]:
    """A, the space above the main: by rating up to 100 A, by frame above (assumed rows)."""
    if main is None or at is None:
        return 0, ()
    rules = catalog.rules
    for row in rules.space_above_main_by_rating:
        if row.max is not None and at <= row.max:
            return row.value, tuple(row.flags)
    for f in rules.space_above_main_by_frame:
        if f.af_min <= main.af <= f.af_max:
            return f.value, tuple(f.flags)
    missing.add({"kind": "space_above_main", "af": main.af, "at": at, "columns": ["mm"]})
    return 0, ()
