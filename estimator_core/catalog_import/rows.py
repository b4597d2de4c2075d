"""What each row kind (breaker, enclosure, item) reads from an upload, and the value rules
every catalog row meets.

A CSV row's cells and its ``meta`` keys are validated by the pydantic models below (one for
the columns, one for the meta of each kind), field by field, so every bad value is named
with its column. A field's name is the catalog row's field; its alias, when it has one, is
the CSV column or meta key the upload writes it under (``width_mm`` → ``w``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
)
from pydantic_core import ErrorDetails

from estimator_core.catalog import (
    Breaker,
    Enclosure,
    Family,
    Flag,
    Form,
    Naming,
    PricedItem,
    normalise_model,
)

ROW_KINDS: tuple[str, ...] = ("breaker", "enclosure", "item")
MAX_AMPS = 1000
MAX_MM = 10_000
MAX_TEXT = 200


# -- cells: CSV text ---------------------------------------------------------------------
def _whole(what: str, suffix: str = "") -> Any:
    """A cell holding a whole number, optionally followed by a unit (``600AF``, ``4P``)."""

    def parse(text: Any) -> int:
        if not isinstance(text, str):
            raise ValueError(f"must be {what}, got {text!r}")
        digits = re.sub(rf"(?i)\s*{suffix}$", "", text) if suffix else text
        if not re.fullmatch(r"[0-9]{1,9}", digits):
            raise ValueError(f"must be {what}, got {text!r}")
        return int(digits)

    return BeforeValidator(parse)


CellText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
CellBrand = Annotated[str, BeforeValidator(lambda t: t.strip().upper())]  # known: row rule
CellFrame = Annotated[int, _whole("a frame in AF such as 600 or 600AF", "AF")]
CellPoles = Annotated[int, _whole("2, 3 or 4 (or 2P, 3P, 4P)", "P")]
CellMm = Annotated[int, _whole("a whole number of millimetres")]


# -- meta: JSON values, strictly typed ("12" is not a price) ------------------------------
def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


JsonInt = Annotated[int, Strict()]
JsonNumber = Annotated[float, Strict()]
JsonBool = Annotated[bool, Strict()]
JsonText = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]
JsonTextOrNull = Annotated[JsonText | None, AfterValidator(lambda v: v or None)]
JsonFlags = list[Flag]
JsonFamily = Annotated[Family, BeforeValidator(_upper)]
JsonForm = Annotated[Form, BeforeValidator(_upper)]
JsonMaterial = Annotated[Literal["STEEL", "SUS"], BeforeValidator(_upper)]
# Ratings in ascending order (the engine reads the last as the largest).
JsonRatings = Annotated[list[JsonInt], AfterValidator(sorted)]


class _Fields(BaseModel):
    """Some of a row's fields: every field optional, the ones given are ``model_fields_set``
    (the defaults below are never used)."""

    model_config = ConfigDict(extra="forbid", validate_by_alias=True, validate_by_name=False)


class BreakerColumns(_Fields):
    brand: CellBrand = ""
    series: CellText = ""
    af: CellFrame = 0
    poles: CellPoles = 0
    width_mm: CellMm = 0
    height_mm: CellMm = 0
    depth_mm: CellMm = 0


class BreakerMeta(_Fields):
    family: JsonFamily = "MCCB"
    ratings: JsonRatings = Field(default_factory=list)
    price: JsonInt = 0
    price_min: JsonInt | None = None
    forms: list[JsonForm] = Field(default_factory=list)
    compact: JsonBool = False
    small: JsonBool = False
    high_sensitivity: JsonBool = False
    capacity_ka: JsonNumber | None = None
    flags: JsonFlags = Field(default_factory=list)


class EnclosureColumns(_Fields):
    series: CellText = ""
    w: CellMm = Field(default=0, alias="width_mm")
    h: CellMm = Field(default=0, alias="height_mm")
    d: CellMm = Field(default=0, alias="depth_mm")


class EnclosureMeta(_Fields):
    price: JsonInt = 0
    material: JsonMaterial = "STEEL"
    thickness_mm: JsonNumber = 0


class ItemColumns(_Fields):
    """An item row has no columns but its key (``model`` = the item id)."""


class ItemMeta(_Fields):
    name: JsonText = ""
    spec: JsonText = ""
    unit: JsonText = ""
    price: JsonInt = 0
    kind: JsonTextOrNull = Field(default=None, alias="accessory_kind")
    model: JsonTextOrNull = Field(default=None, alias="accessory_model")
    flags: JsonFlags = Field(default_factory=list)


def upload_names(model: type[_Fields]) -> dict[str, str]:
    """The model's upload names (column or meta key) → the row fields they fill."""
    return {f.alias or name: name for name, f in model.model_fields.items()}


def validate_fields(
    model: type[_Fields], values: dict[str, Any]
) -> tuple[dict[str, Any], list[ErrorDetails]]:
    """The valid values by row field, and the errors (``loc`` starting with the upload
    name). Fields are independent, so the valid ones are kept when others fail."""
    try:
        return model.model_validate(values).model_dump(exclude_unset=True), []
    except ValidationError as err:
        errors = err.errors()
    bad = {str(e["loc"][0]) for e in errors if e["loc"]}
    rest = model.model_validate({k: v for k, v in values.items() if k not in bad})
    return rest.model_dump(exclude_unset=True), errors


@dataclass(frozen=True)
class RowKind:
    """How one row kind maps CSV columns and meta keys onto a catalog row model."""

    name: str
    model: type[BaseModel]
    section: str  # the Catalog attribute holding these rows
    key_field: str  # the row field the CSV ``model`` column fills
    columns: type[_Fields]
    meta: type[_Fields]
    required: tuple[str, ...]  # fields a new row must give
    defaults: dict[str, Any]

    def column_of(self, field: str) -> str:
        if field == self.key_field:
            return "model"
        for column, f in upload_names(self.columns).items():
            if f == field:
                return column
        for key, f in upload_names(self.meta).items():
            if f == field:
                return f"meta.{key}"
        return field

    def key(self, value: str) -> str:
        return value.strip() if self.name == "item" else normalise_model(value)


KINDS: dict[str, RowKind] = {
    "breaker": RowKind(
        name="breaker",
        model=Breaker,
        section="breakers",
        key_field="model",
        columns=BreakerColumns,
        meta=BreakerMeta,
        required=("brand", "series", "af", "poles", "family", "ratings", "price", "forms"),
        defaults={},
    ),
    "enclosure": RowKind(
        name="enclosure",
        model=Enclosure,
        section="enclosures",
        key_field="model",
        columns=EnclosureColumns,
        meta=EnclosureMeta,
        required=("series", "w", "h", "d", "price", "material", "thickness_mm"),
        defaults={},
    ),
    "item": RowKind(
        name="item",
        model=PricedItem,
        section="items",
        key_field="item_id",
        columns=ItemColumns,
        meta=ItemMeta,
        required=("name", "price"),
        defaults={"spec": "", "unit": "EA"},
    ),
}


def _positive(value: Any) -> bool:
    return value is None or value > 0


def row_problems(row: BaseModel, names: Naming) -> list[tuple[str, str]]:
    """Value rules a catalog row must meet, as (field, reason): shared by CSV and JSON."""
    out: list[tuple[str, str]] = []
    if isinstance(row, Breaker):
        if row.brand not in names.brands:
            out.append(("brand", f"must be one of {', '.join(names.brands)}, got {row.brand}"))
        if row.af not in names.frame_classes:
            frames = ", ".join(str(f) for f in sorted(names.frame_classes))
            out.append(("af", f"{row.af} is not a breaker frame ({frames})"))
        if not 2 <= row.poles <= 4:
            out.append(("poles", f"must be 2, 3 or 4, got {row.poles}"))
        if not row.ratings:
            out.append(("ratings", "must list at least one rating"))
        if list(row.ratings) != sorted(set(row.ratings)):
            out.append(("ratings", "must be in ascending order, each rating once"))
        if any(not 1 <= r <= MAX_AMPS for r in row.ratings):
            out.append(("ratings", f"every rating must be 1–{MAX_AMPS} A"))
        if not row.forms or len(set(row.forms)) != len(row.forms):
            out.append(("forms", "must list ECONOMIC and/or STANDARD, each once"))
        if row.price < 0:
            out.append(("price", "must not be negative"))
        if row.price_min is not None and not 0 <= row.price_min <= row.price:
            out.append(("price_min", f"must be between 0 and the price {row.price}"))
        if not _positive(row.capacity_ka):
            out.append(("capacity_ka", "must be positive"))
        for field in ("width_mm", "height_mm", "depth_mm"):
            value = getattr(row, field)
            if value is not None and not 0 < value <= MAX_MM:
                out.append((field, f"must be 1–{MAX_MM} mm"))
        if not row.model.strip() or not row.series.strip():
            out.append(("model" if not row.model.strip() else "series", "must not be empty"))
    elif isinstance(row, Enclosure):
        for field in ("w", "h", "d"):
            if not 0 < getattr(row, field) <= MAX_MM:
                out.append((field, f"must be 1–{MAX_MM} mm"))
        if row.price < 0:
            out.append(("price", "must not be negative"))
        if not row.thickness_mm > 0:
            out.append(("thickness_mm", "must be positive"))
        if not row.model.strip() or not row.series.strip():
            out.append(("model" if not row.model.strip() else "series", "must not be empty"))
    elif isinstance(row, PricedItem):
        if row.price < 0:
            out.append(("price", "must not be negative"))
        if not row.item_id.strip():
            out.append(("item_id", "must not be empty"))
        if not row.name.strip():
            out.append(("name", "must not be empty"))
        if not row.unit.strip():
            out.append(("unit", "must not be empty"))
    return out
