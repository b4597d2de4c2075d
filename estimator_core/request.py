"""The estimate request of RULES.md §1: schema, normalisation and the request-level checks.

``parse_request`` runs the checks in the order RULES.md fixes — schema, required fields,
brand, accessories — and returns a normalised ``EstimateRequest``; the catalog-dependent
checks (main, branches, look-ups) are in ``resolve``. Every failure is an
``EstimatorError`` with its stable code. Pure: no I/O.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
)

from estimator_core.catalog import Catalog, Rules, Section, canonical_magnet, magnet_size
from estimator_core.errors import (
    AccessoryConflict,
    BrandConflict,
    PolesMismatch,
    ReqMoreInfo,
    ValidationFailed,
)
from estimator_core.names import check_model_brands

# A structural cap so a hostile body cannot make the parser work hard; the business
# bounds (200 entries, 1,000 circuits …) are catalog data, checked in ``check_bounds``.
_HARD_CAP = 10_000
_MAX_EXTRAS = 50  # custom lines per panel


def _json_int(v: Any) -> Any:
    """Only JSON numbers with an integral value are integers (no booleans, no strings)."""
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        raise ValueError("must be an integer")
    if isinstance(v, float | Decimal) and v != int(v):
        raise ValueError("must be an integer")
    return int(v)


def _json_number(v: Any) -> Any:
    """A JSON number taken exactly as written (no booleans, no strings)."""
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        raise ValueError("must be a number")
    return Decimal(str(v)) if isinstance(v, float) else Decimal(v)


_FRAME_TEXT = re.compile(r"^\s*([0-9]{1,5})\s*(?:[Aa][Ff])?\s*$")


def _json_frame(v: Any) -> Any:
    """A frame as a JSON number or as text: ``100``, ``"100"``, ``"100AF"``, ``" 100 af"``.

    The digits are the frame as written; aliases (630→600AF …) are applied with the
    catalog's frame classes later, the same for every spelling.
    """
    if isinstance(v, str):
        m = _FRAME_TEXT.match(v)
        if m is None:
            raise ValueError('must be a frame such as 100, "100AF" or "630"')
        return int(m.group(1))
    return _json_int(v)


Text = Annotated[str, Field(max_length=_HARD_CAP)]
JsonInt = Annotated[int, BeforeValidator(_json_int)]
FrameText = Annotated[str, Field(pattern=_FRAME_TEXT.pattern)]
Frame = Annotated[int, BeforeValidator(_json_frame, json_schema_input_type=int | FrameText)]
Amps = Annotated[Decimal, BeforeValidator(_json_number), Field(allow_inf_nan=False)]
PolesIn = JsonInt | str

ACCESSORY_KINDS = (
    "magnet",
    "timer_24h",
    "sunset_timer",
    "meter_1ph",
    "meter_3ph",
    "meter_ct",
    "spd",
    "pbl",
)
METER_KINDS = ("meter_1ph", "meter_3ph", "meter_ct")
TIMER_KINDS = ("timer_24h", "sunset_timer")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _upper(v: Any) -> Any:
    return v.strip().upper() if isinstance(v, str) else v


class Installation(_In):
    location: Literal["INDOOR", "OUTDOOR"] = "INDOOR"
    mount: Literal["SURFACE", "FLUSH", "STANDALONE", "POLE"] = "SURFACE"
    material: Literal["STEEL", "SUS"] = "STEEL"

    @field_validator("location", "material", mode="before")
    @classmethod
    def _case(cls, v: Any) -> Any:
        return _upper(v)

    @field_validator("mount", mode="before")
    @classmethod
    def _wall_is_surface(cls, v: Any) -> Any:
        v = _upper(v)
        return "SURFACE" if v == "WALL" else v


DeviceType = Literal["MCCB", "ELB"]


def _device_type(v: Any) -> Any:
    v = _upper(v)
    return "ELB" if v in ("ELCB", "CBR") else v


class Device(_In):
    type: DeviceType = "MCCB"

    _norm = field_validator("type", mode="before")(classmethod(lambda cls, v: _device_type(v)))


class BreakerIn(_In):
    """A main or branch entry as written in the request (poles still raw)."""

    model: Text | None = None
    af: Frame | None = Field(default=None, gt=0, le=_HARD_CAP)
    at: JsonInt | None = Field(default=None, gt=0, le=_HARD_CAP)
    poles: PolesIn | None = None
    type: DeviceType | None = None

    _norm = field_validator("type", mode="before")(classmethod(lambda cls, v: _device_type(v)))


class BranchIn(BreakerIn):
    qty: JsonInt | None = Field(default=None, gt=0, le=_HARD_CAP)
    load_a: Amps | None = Field(default=None, ge=0, le=_HARD_CAP)
    phase: Text | None = None
    label: Text | None = None


class AccessoryItemIn(_In):
    kind: Text | None = None
    model: Text | None = None
    qty: JsonInt | None = Field(default=None, gt=0, le=_HARD_CAP)


class AccessoriesIn(_In):
    enabled: StrictBool | None = None
    items: list[AccessoryItemIn] = Field(default_factory=list, max_length=_HARD_CAP)


class Options(_In):
    allow_mixed_brand: StrictBool = False
    p_cover: Literal["ACRYLIC", "STEEL"] = "ACRYLIC"

    @field_validator("p_cover", mode="before")
    @classmethod
    def _case(cls, v: Any) -> Any:
        return _upper(v)


class Customer(_In):
    name: Text | None = None
    project: Text | None = None
    project_number: Text | None = None
    contact: Text | None = None


def _positive_number(v: Any) -> Any:
    number = _json_number(v)
    return int(number) if number == int(number) else number


Quantity = Annotated[int | Decimal, BeforeValidator(_positive_number), Field(gt=0, le=_HARD_CAP)]
Price = Annotated[int, BeforeValidator(_json_int), Field(ge=0, le=1_000_000_000)]


class ExtraIn(_In):
    """A line the estimator prices by hand (별도): another supplier's device, site work."""

    section: Section
    item: Annotated[str, Field(min_length=1, max_length=_HARD_CAP)]
    spec: Text = ""
    unit: Annotated[str, Field(min_length=1, max_length=_HARD_CAP)] = "EA"
    qty: Quantity
    unit_price: Price
    note: Text | None = None

    @field_validator("section", mode="before")
    @classmethod
    def _case(cls, v: Any) -> Any:
        return _upper(v)


class RequestIn(_In):
    """The request body exactly as the schema accepts it (required fields checked later)."""

    brand: Text | None = None
    form: Literal["ECONOMIC", "STANDARD"] = "ECONOMIC"
    installation: Installation = Field(default_factory=Installation)
    device: Device = Field(default_factory=Device)
    main: BreakerIn | None = None
    branches: list[BranchIn] | None = Field(default=None, max_length=_HARD_CAP)
    accessories: AccessoriesIn = Field(default_factory=AccessoriesIn)
    options: Options = Field(default_factory=Options)
    customer: Customer | None = None
    extras: list[ExtraIn] = Field(default_factory=list, max_length=_MAX_EXTRAS)
    pricing: Text | None = None

    @field_validator("form", "brand", mode="before")
    @classmethod
    def _case(cls, v: Any) -> Any:
        return _upper(v)


# ---- the normalised request the stages work on -------------------------------------


class _Norm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MainSpec(_Norm):
    model: str | None
    af: int | None
    at: int | None
    poles: int
    type: DeviceType | None


class BranchSpec(_Norm):
    index: int
    model: str | None
    af: int | None
    at: int
    poles: int
    qty: int
    type: DeviceType | None
    load_a: Decimal
    phase: str | None
    label: str | None


class AccessorySpec(_Norm):
    kind: str
    model: str | None
    qty: int


class ExtraSpec(_Norm):
    index: int
    section: Section
    item: str
    spec: str
    unit: str
    qty: int | Decimal
    unit_price: int
    note: str | None


class EstimateRequest(_Norm):
    brand: str  # one of the catalog's brands, or MIXED
    form: Literal["ECONOMIC", "STANDARD"]
    location: Literal["INDOOR", "OUTDOOR"]
    mount: Literal["SURFACE", "FLUSH", "STANDALONE", "POLE"]
    material: Literal["STEEL", "SUS"]
    device_type: DeviceType
    main: MainSpec
    branches: tuple[BranchSpec, ...]
    accessories: tuple[AccessorySpec, ...]
    allow_mixed_brand: bool
    p_cover: Literal["ACRYLIC", "STEEL"]
    customer: Customer | None
    extras: tuple[ExtraSpec, ...] = ()
    pricing: str | None = None

    def count(self, *kinds: str) -> int:
        return sum(a.qty for a in self.accessories if a.kind in kinds)


def _details(err: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in err.errors(include_url=False)
    ]


_POLES = re.compile(r"^([0-9]+)\s*P?$", re.IGNORECASE)


def parse_poles(value: PolesIn, where: str) -> int:
    """``4P``, ``4p``, ``"4"`` and ``4`` are 4 poles; anything but 2/3/4 is POLES_MISMATCH."""
    m = _POLES.match(str(value).strip())
    poles = int(m.group(1)) if m else None
    if poles not in (2, 3, 4):
        raise PolesMismatch(
            f"{where}: poles must be 2P, 3P or 4P, got {value!r}",
            [{"loc": where, "value": str(value)}],
        )
    return poles


def check_bounds(raw: RequestIn, rules: Rules) -> None:
    """The size bounds of RULES.md §1, from the catalog (VALIDATION_FAILED)."""
    problems: list[dict[str, Any]] = []

    def bad(loc: str, msg: str) -> None:
        problems.append({"loc": loc, "msg": msg})

    branches = raw.branches or []
    if len(branches) > rules.max_branch_entries:
        bad("branches", f"more than {rules.max_branch_entries} branch entries")
    if sum(b.qty or 0 for b in branches) > rules.max_circuits:
        bad("branches", f"more than {rules.max_circuits} circuits in all")
    if len(raw.accessories.items) > rules.max_accessory_items:
        bad("accessories.items", f"more than {rules.max_accessory_items} accessory items")
    entries: list[tuple[str, BreakerIn]] = [(f"branches.{i}", b) for i, b in enumerate(branches)]
    if raw.main:
        entries.append(("main", raw.main))
    for loc, b in entries:
        for name in ("af", "at"):
            value = getattr(b, name)
            if value is not None and value > rules.max_amps:
                bad(f"{loc}.{name}", f"above {rules.max_amps} A")
        if isinstance(b, BranchIn):
            if b.qty is not None and b.qty > rules.max_qty_per_entry:
                bad(f"{loc}.qty", f"more than {rules.max_qty_per_entry} of one entry")
            if b.load_a is not None and b.load_a > rules.max_amps:
                bad(f"{loc}.load_a", f"above {rules.max_amps} A")
    for i, a in enumerate(raw.accessories.items):
        if a.qty is not None and a.qty > rules.max_qty_per_accessory:
            bad(f"accessories.items.{i}.qty", f"more than {rules.max_qty_per_accessory}")
    for loc, text in _texts(raw):
        if len(text) > rules.max_text:
            bad(loc, f"text above {rules.max_text} characters")
    if problems:
        raise ValidationFailed("request exceeds the size bounds", problems)


def _texts(raw: RequestIn) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if raw.brand:
        out.append(("brand", raw.brand))
    for i, b in enumerate(raw.branches or []):
        for name in ("model", "phase", "label"):
            if getattr(b, name):
                out.append((f"branches.{i}.{name}", getattr(b, name)))
    if raw.main and raw.main.model:
        out.append(("main.model", raw.main.model))
    for i, a in enumerate(raw.accessories.items):
        for name in ("kind", "model"):
            if getattr(a, name):
                out.append((f"accessories.items.{i}.{name}", getattr(a, name)))
    if raw.customer:
        for name, value in raw.customer.model_dump().items():
            if value:
                out.append((f"customer.{name}", value))
    for i, e in enumerate(raw.extras):
        for name in ("item", "spec", "unit", "note"):
            if getattr(e, name):
                out.append((f"extras.{i}.{name}", getattr(e, name)))
    if raw.pricing:
        out.append(("pricing", raw.pricing))
    return out


def _required(raw: RequestIn) -> None:
    missing: list[str] = []
    if not raw.brand:
        missing.append("brand")
    if raw.main is None:
        missing.append("main")
    else:
        if raw.main.model is None and raw.main.af is None:
            missing.append("main.model or main.af")
        if raw.main.poles is None:
            missing.append("main.poles")
    if not raw.branches:
        missing.append("branches")
    for i, b in enumerate(raw.branches or []):
        missing += [f"branches.{i}.{f}" for f in ("poles", "at", "qty") if getattr(b, f) is None]
    for i, a in enumerate(raw.accessories.items):
        missing += [f"accessories.items.{i}.{f}" for f in ("kind", "qty") if getattr(a, f) is None]
    if raw.customer is not None:
        missing += [f"customer.{f}" for f in ("name", "project") if not getattr(raw.customer, f)]
    if missing:
        raise ReqMoreInfo(
            f"required fields are missing: {', '.join(missing)}",
            [{"loc": m, "msg": "required"} for m in missing],
        )


def _brand(raw: RequestIn, catalog: Catalog) -> str:
    brand = raw.brand
    allowed = (*catalog.names.brands, "MIXED")
    if brand not in allowed:
        raise ValidationFailed(
            f"brand must be {', '.join(allowed[:-1])} or MIXED, got {brand!r}",
            [{"loc": "brand"}],
        )
    if brand == "MIXED":
        if not raw.options.allow_mixed_brand:
            raise BrandConflict(
                "brand MIXED needs options.allow_mixed_brand: true",
                [{"loc": "options.allow_mixed_brand", "msg": "must be true for MIXED"}],
            )
        assert raw.main is not None and raw.branches is not None
        unnamed = ["main"] if not raw.main.model else []
        unnamed += [f"branches.{i}.model" for i, b in enumerate(raw.branches) if not b.model]
        if unnamed:
            raise ReqMoreInfo(
                "with brand MIXED every breaker must name its model",
                [{"loc": u, "msg": "model required with MIXED"} for u in unnamed],
            )
    return brand


def _accessories(raw: RequestIn, catalog: Catalog) -> tuple[AccessorySpec, ...]:
    acc = raw.accessories
    enabled = acc.enabled if acc.enabled is not None else bool(acc.items)
    if not enabled:
        if acc.items:
            raise AccessoryConflict(
                "accessories.enabled is false but items are given",
                [{"loc": "accessories.items", "msg": "remove the items or enable accessories"}],
            )
        return ()
    out: list[AccessorySpec] = []
    for i, item in enumerate(acc.items):
        loc = f"accessories.items.{i}"
        kind = (item.kind or "").strip().lower()
        if kind not in ACCESSORY_KINDS:
            raise ValidationFailed(
                f"{loc}.kind: unknown accessory kind {item.kind!r}",
                [{"loc": f"{loc}.kind", "msg": f"one of {', '.join(ACCESSORY_KINDS)}"}],
            )
        model = None
        if kind == "magnet":
            if not item.model:
                lo, hi = catalog.names.magnet_sizes
                raise ReqMoreInfo(
                    f"{loc}.model: a magnet needs its model (MC-{lo}…MC-{hi})",
                    [{"loc": f"{loc}.model", "msg": "required for a magnet"}],
                )
            size = magnet_size(item.model)
            lo, hi = catalog.names.magnet_sizes
            if size is None or not lo <= size <= hi:
                raise ValidationFailed(
                    f"{loc}.model: {item.model!r} is not a magnet model MC-{lo}…MC-{hi}",
                    [{"loc": f"{loc}.model", "msg": f"expected MC-{lo} … MC-{hi}"}],
                )
            model = canonical_magnet(item.model)
        elif item.model:
            raise ValidationFailed(
                f"{loc}.model: only a magnet takes a model",
                [{"loc": f"{loc}.model", "msg": f"not used for {kind}"}],
            )
        assert item.qty is not None
        out.append(AccessorySpec(kind=kind, model=model, qty=item.qty))
    if sum(a.qty for a in out if a.kind == "spd") > 1:
        raise AccessoryConflict(
            "at most one SPD per panel", [{"loc": "accessories.items", "msg": "spd qty > 1"}]
        )
    if any(a.kind == "pbl" for a in out) and not any(a.kind == "magnet" for a in out):
        raise AccessoryConflict(
            "a PBL needs a magnet circuit", [{"loc": "accessories.items", "msg": "pbl alone"}]
        )
    return tuple(out)


def parse_request(data: Any, catalog: Catalog) -> EstimateRequest:
    """Validate and normalise a request body; raise the first failing check's error."""
    if not isinstance(data, dict):
        raise ValidationFailed("the request must be a JSON object", [{"loc": "", "msg": "object"}])
    try:
        raw = RequestIn.model_validate(data)
    except ValidationError as err:
        raise ValidationFailed("the request does not match the schema", _details(err)) from None
    check_bounds(raw, catalog.rules)
    if raw.installation.mount == "POLE" and raw.installation.location != "OUTDOOR":
        raise ValidationFailed(
            "a pole-mounted (전주부착) panel must be OUTDOOR",
            [{"loc": "installation.mount", "msg": "POLE is outdoor only"}],
        )
    _required(raw)
    brand = _brand(raw, catalog)
    assert raw.main is not None and raw.branches is not None
    named = [("main", raw.main.model)] if raw.main.model else []
    named += [(f"branches.{i}", b.model) for i, b in enumerate(raw.branches) if b.model]
    check_model_brands(brand, named, catalog)
    accessories = _accessories(raw, catalog)
    assert raw.main is not None and raw.branches is not None and raw.main.poles is not None
    main_poles = parse_poles(raw.main.poles, "main.poles")
    branches = []
    for i, b in enumerate(raw.branches):
        assert b.poles is not None and b.at is not None and b.qty is not None
        branches.append(
            BranchSpec(
                index=i,
                model=b.model,
                af=b.af,
                at=b.at,
                poles=parse_poles(b.poles, f"branches.{i}.poles"),
                qty=b.qty,
                type=b.type,
                load_a=b.load_a if b.load_a is not None else Decimal(b.at),
                phase=b.phase,
                label=b.label,
            )
        )
    return EstimateRequest(
        brand=brand,
        form=raw.form,
        location=raw.installation.location,
        mount=raw.installation.mount,
        material=raw.installation.material,
        device_type=raw.device.type,
        main=MainSpec(
            model=raw.main.model,
            af=raw.main.af,
            at=raw.main.at,
            poles=main_poles,
            type=raw.main.type,
        ),
        branches=tuple(branches),
        accessories=accessories,
        allow_mixed_brand=raw.options.allow_mixed_brand,
        p_cover=raw.options.p_cover,
        customer=raw.customer,
        extras=tuple(ExtraSpec(index=i, **e.model_dump()) for i, e in enumerate(raw.extras)),
        pricing=raw.pricing,
    )
