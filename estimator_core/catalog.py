"""The versioned catalog: breakers, enclosures, accessory prices and every rule table.

A catalog is one JSON document (built for v1 by ``tools/build_catalog.py`` from the panel
maker's knowledge files, imported by catalog admins later). Every number the stages use
comes from here, so a catalog admin can change it without a release. Its identity is a
label plus the SHA-256 of its canonical JSON. This module parses and queries; it never
reads files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from estimator_core.canonical import sha256_hex
from estimator_core.errors import NeedKnowledgeUpdate

Family = Literal["MCCB", "ELB"]
Form = Literal["ECONOMIC", "STANDARD"]
Flag = Literal["assumed", "example"]


def frame_label(af: int) -> str:
    return "225AF" if af == 225 else f"{af}AF"


class _Row(BaseModel):
    # Built on first validation: a shipped catalog is constructed without it (catalogs).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Breaker(_Row):
    """One breaker model with its body size, ratings and price."""

    brand: str = Field(min_length=1, max_length=40)
    model: str
    family: Family
    series: str
    forms: tuple[Form, ...]
    af: int
    poles: int
    compact: bool = False
    small: bool = False
    high_sensitivity: bool = False
    width_mm: int | None = None
    height_mm: int | None = None
    depth_mm: int | None = None
    ratings: tuple[int, ...]
    price: int
    price_min: int | None = None
    capacity_ka: float | None = None
    flags: tuple[Flag, ...] = ()

    @property
    def price_is_range(self) -> bool:
        return self.price_min is not None and self.price_min != self.price


class Enclosure(_Row):
    """A standard box of a series (HDS, HS, SHDS, SS, HT, SC, HB)."""

    series: str
    model: str
    w: int
    h: int
    d: int
    price: int
    material: Literal["STEEL", "SUS"]
    thickness_mm: float


class SeriesRule(_Row):
    location: Literal["INDOOR", "OUTDOOR"]
    mounts: tuple[str, ...]
    material: Literal["STEEL", "SUS"]
    series: str


class PricedItem(_Row):
    """An accessory or bundle item with its price; ``kind`` links it to a request accessory."""

    item_id: str
    name: str
    spec: str = ""
    unit: str = "EA"
    price: int
    kind: str | None = None
    model: str | None = None
    flags: tuple[Flag, ...] = ()


class MagnetClass(_Row):
    """Magnets MC-lo…hi share a layout class (E height and band capacity)."""

    name: Literal["small", "large"]
    lo: int
    hi: int
    rank: int
    height_one_mm: int
    height_many_mm: int
    band_capacity_at_base: int
    band_capacity_per_100mm: int


class RowPitch(_Row):
    """Face-to-face row height for a breaker of these poles and frame (마주보기)."""

    poles: int
    af: int
    compact: bool | None = None
    small: bool | None = None
    mm: int


class Threshold(_Row):
    """A value that applies up to ``max`` (inclusive); ``max`` None is 'and above'."""

    max: int | None
    value: int
    flags: tuple[Flag, ...] = ()


class FrameValue(_Row):
    """A value by main frame class range [af_min, af_max]."""

    af_min: int
    af_max: int
    value: int
    flags: tuple[Flag, ...] = ()


class SpecThreshold(_Row):
    max: int | None
    spec: str


class BusbarFactor(_Row):
    max: int | None
    main: str
    branch: str


class WidthRule(_Row):
    af_min: int
    af_max: int
    base: int
    small_only: int | None = None
    many_branches: int | None = None
    many_branches_from: int | None = None
    big_branches: int | None = None
    big_branches_from: int | None = None


class AssemblyTier(_Row):
    af_min: int
    af_max: int
    base_w: int
    base_h: int
    base_price: int
    per_100h: int
    small_majority_add: int


class Rules(_Row):
    """Every rule table and constant of RULES.md §2–§7."""

    row_pitches: tuple[RowPitch, ...]
    two_pole_takes_three_pole_pitch_from_af: int
    space_above_main_by_rating: tuple[Threshold, ...]
    space_above_main_by_frame: tuple[FrameValue, ...]
    gap_main_to_first_row_mm: int
    space_below_by_rating: tuple[Threshold, ...]
    height_round_mm: int
    magnet_classes: tuple[MagnetClass, ...]
    magnet_band_base_width_mm: int
    meter_band_columns: int
    meter_band_height_mm: int
    widths: tuple[WidthRule, ...]
    width_step_mm: int
    depth_small_mm: int
    depth_small_max_main_af: int
    depth_default_mm: int
    depth_large_mm: int
    depth_large_from_main_af: int
    enclosure_series: tuple[SeriesRule, ...]
    standalone_base_height_mm: int
    standalone_base_price_per_90000mm2: int
    pole_bracket_price: int
    custom_enclosure_price_per_90000mm2: int | None
    fit_score_gate: str
    busbar_price_per_kg: int
    busbar_kg_decimals: int
    busbar_factors: tuple[BusbarFactor, ...]
    busbar_specs: tuple[SpecThreshold, ...]
    et_prices: tuple[FrameValue, ...]
    et_branches_per_extra: int
    nt_price: int
    np_plate_price: int
    card_holder_price: int
    card_holder_flags: tuple[Flag, ...]
    coating_prices: tuple[FrameValue, ...]
    steel_p_cover_price_per_90000mm2: int
    acrylic_p_cover_price: int | None
    insulators_per_main: int
    insulator_prices: tuple[FrameValue, ...]
    small_breaker_support_price: int
    consumables_base_w: int
    consumables_base_h: int
    consumables_base_price: int
    consumables_per_100mm: int
    consumables_per_accessory: int
    consumables_cap: int
    assembly: tuple[AssemblyTier, ...]
    small_majority_rating_a: int
    magnet_labour: int
    magnet_bundle: tuple[tuple[str, int], ...]
    timer_adds_pbl: int
    wire_set_item: str
    wire_set_kinds: tuple[str, ...]
    vat_rate: str
    imbalance_target: str
    imbalance_kec_limit: str
    balance_time_limit_s: float
    spd_breaker_poles: int
    spd_breaker_at: int
    spd_breaker_family: Family
    max_branch_entries: int
    max_circuits: int
    max_qty_per_entry: int
    max_accessory_items: int
    max_qty_per_accessory: int
    max_amps: int
    max_text: int
    # Rules added after v1.1.0: optional, defaulting to v1's behaviour, and left out of the
    # catalog's document while at their default (OPTIONAL_RULES), so v1.0.0 and v1.1.0 keep
    # their content and hash.
    price_area_mm2: int = Field(default=90_000, gt=0)  # the area the *_per_90000mm2 prices are per
    cost_step_mm: int = Field(default=100, gt=0)  # consumables per_100mm, assembly per_100h
    compact_max_at_asked_small_frame: int = 30  # a 2P breaker up to this asked as …
    compact_small_frame_af: int = 50  # … this frame prefers a compact body
    compact_elb_at: tuple[int, int] = (40, 50)  # a 2P ELB rated in this range prefers compact
    pbl_item: str = "PBL_ONOFF"  # the item a timer's PBL and a requested PBL price as
    big_branch_af: int = 225  # branches of this frame count for WidthRule.big_branches
    # A main given by frame only is rated at the frame, these frames at another rating …
    main_at_by_frame: tuple[tuple[int, int], ...] = ((630, 600), (32, 30), (63, 60))
    # … and a main named without a rating takes its largest rating up to max(frame, this).
    main_at_floor_a: int = 250

    @model_validator(mode="after")
    def _usable(self) -> Rules:
        """Reject rule tables the stages cannot use, at import rather than mid-estimate."""
        for name in ("space_below_by_rating", "busbar_factors", "busbar_specs"):
            table = getattr(self, name)
            if not table or table[-1].max is not None:
                raise ValueError(f"{name} must end with an open row (max: null)")
        for name in ("vat_rate", "imbalance_target", "imbalance_kec_limit", "fit_score_gate"):
            try:
                value = Fraction(getattr(self, name))
            except (ValueError, ZeroDivisionError):
                raise ValueError(f"{name} must be a decimal number") from None
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        for factor in self.busbar_factors:
            try:
                Fraction(factor.main), Fraction(factor.branch)
            except (ValueError, ZeroDivisionError):
                raise ValueError("busbar factors must be decimal numbers") from None
        if not self.magnet_classes or not self.enclosure_series or not self.assembly:
            raise ValueError("magnet_classes, enclosure_series and assembly must not be empty")
        return self


# Rules fields added after v1.1.0, left out of a catalog's document while at their default.
OPTIONAL_RULES = (
    "price_area_mm2",
    "cost_step_mm",
    "compact_max_at_asked_small_frame",
    "compact_small_frame_af",
    "compact_elb_at",
    "pbl_item",
    "big_branch_af",
    "main_at_by_frame",
    "main_at_floor_a",
)


class LineTexts(_Row):
    """The words a quote's generated lines are written with (item, spec, unit, note); the
    defaults are v1's (a Korean panel maker's quote), a catalog may name them otherwise."""

    enclosure: str = "외함"
    enclosure_custom: str = "외함(주문제작)"
    custom_box_model: str = "{series} 주문제작 {w}×{h}×{d}"
    base: str = "BASE"
    pole_bracket: str = "BRACKET 용접"
    pole_bracket_spec: str = "전주부착"
    lot: str = "식"  # the unit of a lump-sum line
    p_cover: str = "P-COVER"
    coating: str = "COATING"
    spd_suffix: str = " (SPD용)"  # after the family of the SPD's breaker
    spd_label: str = "(SPD용)"
    earth_terminal: str = "E.T"
    neutral_terminal: str = "N.T"
    name_plate: str = "N.P"
    name_plate_spec: str = "3T×40×200"
    card_holder_spec: str = "CARD HOLDER"
    insulator: str = "INSULATOR"
    small_breaker_support: str = "ELB 지지대"
    main_busbar: str = "MAIN BUS-BAR"
    busbar: str = "BUS-BAR"
    consumables: str = "잡자재비"
    assembly: str = "ASSEMBLY CHARGE"
    assembly_spec: str = "조립비"
    magnet_labour: str = "인건비(MAGNET)"
    timer_pbl_spec: str = "ON/OFF/SS"
    wire_set_spec: str = "SPD/METER/TIMER"
    custom_line_note: str = "별도"  # a line priced by hand

    @model_validator(mode="after")
    def _custom_box_model(self) -> LineTexts:
        try:
            self.custom_box_model.format(series="S", w=1, h=1, d=1)
        except (KeyError, IndexError, ValueError):
            raise ValueError("custom_box_model may use only {series}, {w}, {h} and {d}") from None
        return self


@cache
def v1_texts() -> LineTexts:
    """v1's texts (``LineTexts``' defaults), built on first use (``V1_TEXTS``)."""
    return LineTexts()


Section = Literal[
    "ENCLOSURE",
    "MAIN",
    "BRANCHES",
    "ACCESSORIES_REQUIRED",
    "ACCESSORIES_OPTIONAL",
    "BUSBAR",
    "SUPPORTS",
    "COSTS",
]
# The sections of a quote in their order (RULES.md §4).
SECTIONS: tuple[Section, ...] = get_args(Section)


def _fraction(value: str, name: str, *, low: Fraction, high: Fraction) -> str:
    try:
        number = Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name} must be a decimal number, got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


class PolicyRate(_Row):
    """A fraction of list price for the lines of a section and/or a breaker brand."""

    section: Section | None = None
    brand: str | None = None
    rate: str

    @model_validator(mode="after")
    def _rate(self) -> PolicyRate:
        _fraction(self.rate, "rate", low=Fraction(0), high=Fraction(10))
        return self


class PricingPolicy(_Row):
    """The panel maker's pricing policy, by name (``dealer``, ``public`` …).

    A line's unit price is list × rate × (1 + margin), rounded half-up to ₩1, where the
    rate is the first of ``rates`` matching the line's section and brand (1 when none
    does). The subtotal is the sum of the amounts rounded *down* to ``round_down_to``
    (끝자리 절사), never up.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    description: str = Field(default="", max_length=200)
    rates: tuple[PolicyRate, ...] = ()
    margin: str = "0"
    round_down_to: int = Field(default=1, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _margin(self) -> PricingPolicy:
        _fraction(self.margin, "margin", low=Fraction(-1), high=Fraction(10))
        return self

    def rate_for(self, section: str, brand: str | None) -> Fraction:
        """The fraction of list price for a line, margin included."""
        rate = next(
            (
                Fraction(r.rate)
                for r in self.rates
                if r.section in (None, section) and r.brand in (None, brand)
            ),
            Fraction(1),
        )
        return rate * (1 + Fraction(self.margin))


@dataclass(frozen=True)
class ParsedName:
    """What a model's name says about it (its catalog row, when there is one, wins)."""

    brand: str
    family: str
    af: int | None
    poles: int | None


class NamePattern(_Row):
    """A family of model names of one brand. ``regex`` has the groups ``f`` (a letter
    that ``families`` maps to MCCB or ELB) and ``d`` (frame code digits, then poles)."""

    brand: str
    regex: str = Field(min_length=1, max_length=200)
    families: tuple[tuple[str, Family], ...]

    @model_validator(mode="after")
    def _compiles(self) -> NamePattern:
        try:
            groups = re.compile(self.regex).groupindex
        except re.error as err:
            raise ValueError(f"regex {self.regex!r}: {err}") from None
        if not {"f", "d"} <= set(groups):
            raise ValueError(f"regex {self.regex!r} needs the groups (?P<f>…) and (?P<d>…)")
        return self


class FixedName(_Row):
    """A model whose name follows no pattern (the small 30AF ``SIB-32``, ``32GRHS`` …)."""

    name: str
    brand: str
    family: Family
    af: int
    poles: int


class Naming(_Row):
    """How the catalog's brands name their models and how frames are written (RULES.md
    §1, breaker_rules_v1.00.json): data, so a brand is added by an import, not a release."""

    brands: tuple[str, ...] = Field(min_length=1)
    patterns: tuple[NamePattern, ...]
    fixed: tuple[FixedName, ...] = ()
    frame_codes: tuple[tuple[str, int], ...]  # a name's frame digits → the frame
    frame_classes: tuple[int, ...] = Field(min_length=1)
    frame_aliases: tuple[tuple[int, int], ...] = ()  # 630 → 600, 250 → 225 …
    magnet_sizes: tuple[int, int] = (9, 100)  # MC-9 … MC-100

    @model_validator(mode="after")
    def _consistent(self) -> Naming:
        brands = set(self.brands)
        for brand in [p.brand for p in self.patterns] + [f.brand for f in self.fixed]:
            if brand not in brands:
                raise ValueError(f"naming: {brand} is not one of the brands {self.brands}")
        classes = set(self.frame_classes)
        for code, af in self.frame_codes:
            if af not in classes:
                raise ValueError(f"naming: frame code {code} maps to {af}, not a frame class")
        return self

    def frame_class(self, af: int) -> int | None:
        """The frame class a written frame names (aliases applied), or None."""
        af = dict(self.frame_aliases).get(af, af)
        return af if af in self.frame_classes else None

    @cached_property
    def _compiled(self) -> tuple[tuple[re.Pattern[str], NamePattern], ...]:
        return tuple((re.compile(p.regex), p) for p in self.patterns)

    def parse(self, model: str) -> ParsedName | None:
        """Brand, family, frame and poles from a model's name, or None for no pattern."""
        name = normalise_model(model).replace("고감도", "")
        fixed = next((f for f in self.fixed if f.name == name), None)
        if fixed is not None:
            return ParsedName(
                brand=fixed.brand, family=fixed.family, af=fixed.af, poles=fixed.poles
            )
        codes = dict(self.frame_codes)
        for regex, pattern in self._compiled:
            m = regex.match(name)
            if m:
                digits = m.group("d")
                return ParsedName(
                    brand=pattern.brand,
                    family=dict(pattern.families)[m.group("f")],
                    af=codes.get(digits[:-1]),
                    poles=int(digits[-1]),
                )
        return None


@cache
def v1_naming() -> Naming:
    """The naming of v1 (SANGDO and LS), for catalog documents written before the naming
    section existed (v1.0.0): the shipped catalogs from v1.1.0 on carry it as data. Built
    on first use (``V1_NAMING``)."""
    return Naming(
        brands=("SANGDO", "LS"),
        patterns=(
            NamePattern(brand="SANGDO", regex=r"^S(?P<f>[BE])(?:E|S)-(?P<d>\d{2,3})$",
                        families=(("B", "MCCB"), ("E", "ELB"))),
            NamePattern(brand="SANGDO", regex=r"^S(?P<f>[BE])C-(?P<d>\d{2,3})$",
                        families=(("B", "MCCB"), ("E", "ELB"))),
            NamePattern(brand="LS", regex=r"^(?P<f>[AE])B(?:N|S)-(?P<d>\d{2,3})$",
                        families=(("A", "MCCB"), ("E", "ELB"))),
            NamePattern(brand="LS", regex=r"^(?P<f>[AE])B(?:N|S)(?P<d>\d{2,3})FB$",
                        families=(("A", "MCCB"), ("E", "ELB"))),
        ),
        fixed=(
            FixedName(name="SIB-32", brand="SANGDO", family="MCCB", af=30, poles=2),
            FixedName(name="SIE-32", brand="SANGDO", family="ELB", af=30, poles=2),
            FixedName(name="BS-32", brand="LS", family="MCCB", af=30, poles=2),
            FixedName(name="BS32", brand="LS", family="MCCB", af=30, poles=2),
            FixedName(name="32GRHS", brand="LS", family="ELB", af=30, poles=2),
        ),
        frame_codes=(("3", 30), ("5", 50), ("6", 60), ("10", 100), ("20", 225), ("40", 400),
                     ("60", 600), ("80", 800)),
        frame_classes=(30, 50, 60, 100, 125, 225, 400, 600, 800),
        frame_aliases=((630, 600), (32, 30), (63, 60), (200, 225), (250, 225)),
        magnet_sizes=(9, 100),
    )  # fmt: skip


# Sections added after v1.0.0: left out of a catalog's document (and so of its hash) while
# empty, so a catalog written before they existed keeps its content and identity.
OPTIONAL_SECTIONS = ("pricing_policies", "naming", "texts")


class Catalog(BaseModel):
    """A whole catalog version. ``sha256`` is the hash of its canonical JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    label: str = Field(min_length=1, max_length=100)
    breakers: tuple[Breaker, ...]
    enclosures: tuple[Enclosure, ...]
    items: tuple[PricedItem, ...]
    rules: Rules
    pricing_policies: tuple[PricingPolicy, ...] = ()
    naming: Naming | None = None
    texts: LineTexts | None = None

    @property
    def names(self) -> Naming:
        """The catalog's naming; v1's for a document written before the section existed."""
        return self.naming or v1_naming()

    @property
    def words(self) -> LineTexts:
        """The texts of generated lines; v1's when the catalog names none."""
        return self.texts or v1_texts()

    def document(self) -> dict[str, Any]:
        """The catalog as stored and hashed: its JSON minus empty optional sections and
        the optional rules at their default."""
        doc = self.model_dump(mode="json")
        for name in OPTIONAL_SECTIONS:
            if not doc[name]:
                del doc[name]
        defaults = Rules.model_fields
        for name in OPTIONAL_RULES:
            if getattr(self.rules, name) == defaults[name].default:
                del doc["rules"][name]
        return doc

    def policy(self, name: str) -> PricingPolicy | None:
        return next((p for p in self.pricing_policies if p.name == name), None)

    @model_validator(mode="after")
    def _unique_keys(self) -> Catalog:
        seen: set[tuple[str, str]] = set()
        for b in self.breakers:
            if (b.brand, b.model) in seen:
                raise ValueError(f"duplicate breaker {b.brand} {b.model}")
            seen.add((b.brand, b.model))
        ids = [i.item_id for i in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate item_id")
        names = [p.name for p in self.pricing_policies]
        if len(names) != len(set(names)):
            raise ValueError("duplicate pricing policy name")
        brands = set(self.names.brands)
        for b in self.breakers:
            if b.brand not in brands:
                raise ValueError(f"breaker {b.model}: brand {b.brand} is not in the naming")
        return self

    @cached_property
    def sha256(self) -> str:
        return sha256_hex(self.document())

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update`` its cached values (``sha256``, the breaker index) are
        dropped, not copied: they describe the original's content."""
        copied = super().model_copy(update=update, deep=deep)
        if update:
            for name in ("sha256", "_breakers_by_model"):
                copied.__dict__.pop(name, None)
        return copied

    @cached_property
    def _breakers_by_model(self) -> dict[str, Breaker]:
        return {normalise_model(b.model): b for b in self.breakers}

    def breaker(self, model: str) -> Breaker | None:
        return self._breakers_by_model.get(normalise_model(model))

    def item(self, item_id: str) -> PricedItem | None:
        return next((i for i in self.items if i.item_id == item_id), None)

    def require_item(self, item_id: str) -> PricedItem:
        """A priced item the rules need; NEED_KNOWLEDGE_UPDATE naming it when absent."""
        item = self.item(item_id)
        if item is None:
            raise NeedKnowledgeUpdate(
                f"the active catalog has no price for {item_id}",
                [{"kind": "item", "model": item_id, "columns": ["price", "unit"]}],
            )
        return item

    def item_for(self, kind: str, model: str | None = None) -> PricedItem | None:
        return next((i for i in self.items if i.kind == kind and i.model == model), None)

    def series_for(self, location: str, mount: str, material: str) -> str | None:
        for rule in self.rules.enclosure_series:
            if (rule.location, rule.material) == (location, material) and mount in rule.mounts:
                return rule.series
        return None

    def magnet_class(self, model: str) -> MagnetClass | None:
        size = magnet_size(model)
        if size is None:
            return None
        return next((c for c in self.rules.magnet_classes if c.lo <= size <= c.hi), None)


_SPACES = re.compile(r"\s+")


def normalise_model(model: str) -> str:
    """Case and spacing do not distinguish models (``sbe-104`` is ``SBE-104``)."""
    return _SPACES.sub("", model).upper()


_MAGNET = re.compile(r"^MC-?(\d{1,3})[A-Z]?$")


def magnet_size(model: str) -> int | None:
    m = _MAGNET.match(normalise_model(model))
    return int(m.group(1)) if m else None


def canonical_magnet(model: str) -> str:
    size = magnet_size(model)
    return f"MC-{size}" if size is not None else normalise_model(model)


if TYPE_CHECKING:
    V1_NAMING: Naming
    V1_TEXTS: LineTexts


def __getattr__(name: str) -> Any:
    """``V1_NAMING`` and ``V1_TEXTS``, built on first use: importing the catalog module
    (a cold start) builds no model."""
    if name == "V1_NAMING":
        return v1_naming()
    if name == "V1_TEXTS":
        return v1_texts()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
