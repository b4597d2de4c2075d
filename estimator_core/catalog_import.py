"""Catalog import: a candidate catalog from an upload, and its check against sample requests.

A catalog admin uploads one of two formats; either becomes a new catalog version.

**JSON** — a whole catalog document, exactly what ``Catalog.document()``
writes. Its ``label`` is replaced by the version label (the label is part of the
catalog's identity and must equal the version's); everything else is taken as is,
strictly typed (``"12"`` is not a price). Rule tables change only this way.

**CSV** — rows in the panel maker's format, applied on top of a base catalog::

    brand,series,model,af,poles,width_mm,height_mm,depth_mm,meta
    LS,METASOL,METASOL-600,600,4,280,280,109,"{""family"": ""MCCB"", ""price"": 620000, …}"
    ,,ABN-604,,,,,,"{""price"": 610000}"
    ,,MAGNET_MC-32,,,,,,"{""kind"": ""item"", ""name"": ""MAG.CONTACTOR"", ""price"": 19000}"

(a new breaker, its meta shortened here; a new price for a breaker the base has; a new
accessory price.)

- UTF-8 (a leading BOM is ignored), comma-separated, RFC 4180 quoting (``meta`` is JSON,
  so it is quoted and its quotes doubled). The first non-blank line is the header: the
  nine columns above in any order, names case-insensitive, plus an optional ``kind``
  column; no others. Blank lines are skipped. Line numbers in errors are the upload's
  physical lines (the header is line 1).
- **Row kind**: the ``kind`` column or the meta key ``kind`` (if both, they must agree):
  ``breaker`` (the default when neither is given), ``enclosure`` or ``item``.
- **Key**: a breaker by ``model``, an enclosure by ``model`` (case and spaces ignored, as
  the engine looks them up), an item by ``model`` = its item id (exact).
- **Update, add, delete**: a row whose key is in the base catalog updates that row —
  non-blank columns and the meta keys present replace the base values, blank columns and
  absent keys keep them. A new key adds a row, and then every field marked *new* below
  must be given. ``{"delete": true}`` in meta removes the base row (the other cells are
  not read). A key may appear once per upload.

=========================  ===========================================================
breaker columns            ``brand`` SANGDO|LS (*new*), ``series`` (*new*), ``af`` frame
                           ``600`` or ``600AF``, aliases 630/32/63/200/250 allowed
                           (*new*), ``poles`` 2–4 as ``4`` or ``4P`` (*new*),
                           ``width_mm``/``height_mm``/``depth_mm`` positive mm or blank
breaker meta               ``family`` MCCB|ELB (*new*), ``ratings`` distinct amps 1–1000
                           (*new*), ``price`` KRW integer ≥ 0 (*new*), ``forms`` list of
                           ECONOMIC|STANDARD (*new*), ``price_min`` (a price range; ≤
                           price) or null, ``compact``/``small``/``high_sensitivity``
                           booleans, ``capacity_ka`` > 0 or null, ``flags`` list of
                           assumed|example
enclosure columns          ``series`` (*new*), ``width_mm``/``height_mm``/``depth_mm``
                           (*new*); ``brand``, ``af``, ``poles`` blank
enclosure meta             ``price`` (*new*), ``material`` STEEL|SUS (*new*),
                           ``thickness_mm`` > 0 (*new*)
item columns               ``model`` = item id; every other column blank
item meta                  ``name`` (*new*), ``price`` (*new*), ``spec`` (default ""),
                           ``unit`` (default EA), ``accessory_kind`` (the request
                           accessory it prices, e.g. ``magnet``) and ``accessory_model``
                           (e.g. ``MC-32``) or null, ``flags``
=========================  ===========================================================

Unknown meta keys are errors (a typo must not pass silently). Every row is checked and
every problem reported at once: ``import_csv`` and ``import_json`` raise one
``ValidationFailed`` whose details are ``{"line", "column", "reason"}`` (``column`` a CSV
column, ``meta.<key>`` for a meta key; for JSON ``line`` is the syntax error's line or
null and ``column`` the path in the document, e.g. ``breakers.3.price``). Nothing is
returned, so nothing can be imported, unless every row is valid.

**Validation** (``validation_report``): run sample requests against the candidate and
against the active catalog and compare, per case, status, box, imbalance, totals, lint
findings or the error code. The candidate *fails* when any case is ``broken``: a request
the active catalog priced now raises an error, the engine fails on the candidate, or the
candidate's quote has lint errors the active one did not have. A request that errored
before and now prices is ``fixed``; other differences are ``changed`` (a new price is
the point of an import) and never fail.

Pure: no I/O, no clock (``issued_at`` is passed in).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from estimator_core import strict_json
from estimator_core.catalog import (
    Breaker,
    Catalog,
    Enclosure,
    Naming,
    PricedItem,
    normalise_model,
)
from estimator_core.errors import EstimatorError, ValidationFailed
from estimator_core.pipeline import estimate

# As the database constraint catalog_versions_label_format.
LABEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"
CSV_COLUMNS: tuple[str, ...] = (
    "brand",
    "series",
    "model",
    "af",
    "poles",
    "width_mm",
    "height_mm",
    "depth_mm",
    "meta",
)
ROW_KINDS: tuple[str, ...] = ("breaker", "enclosure", "item")
MAX_ROWS = 20_000
MAX_ISSUES = 200
MAX_AMPS = 1000
MAX_MM = 10_000
MAX_TEXT = 200

Issue = dict[str, Any]


def _issue(line: int | None, column: str | None, reason: str) -> Issue:
    return {"line": line, "column": column, "reason": reason}


def _fail(issues: list[Issue], what: str) -> ValidationFailed:
    shown = issues[:MAX_ISSUES]
    more = f" (first {MAX_ISSUES} shown)" if len(issues) > MAX_ISSUES else ""
    return ValidationFailed(
        f"{what} has {len(issues)} problem(s){more}; nothing was imported", shown
    )


class _Bad(ValueError):
    """One cell or meta value is wrong; the message is the reason shown to the admin."""


# -- cell and meta parsers ---------------------------------------------------------------
Parser = Callable[[Any], Any]


def _whole(text: str, what: str = "a whole number") -> int:
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise _Bad(f"must be {what}, got {text!r}")
    return int(text)


def _brand(text: str) -> str:
    """A brand's name; whether the catalog's naming knows it is checked with the row."""
    return text.strip().upper()


def _label_text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise _Bad(f"must be at most {MAX_TEXT} characters")
    return text


def _frame(text: str) -> int:
    """A frame as written; the naming's aliases and classes are applied with the row."""
    return _whole(re.sub(r"(?i)\s*AF$", "", text), "a frame in AF such as 600 or 600AF")


def _poles(text: str) -> int:
    return _whole(re.sub(r"(?i)\s*P$", "", text), "2, 3 or 4 (or 2P, 3P, 4P)")


def _mm(text: str) -> int:
    return _whole(text, "a whole number of millimetres")


def _j_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"must be a whole number, got {json.dumps(value, ensure_ascii=False)}")
    return int(value)


def _j_int_or_null(value: Any) -> int | None:
    return None if value is None else _j_int(value)


def _j_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"must be a number, got {json.dumps(value, ensure_ascii=False)}")
    return float(value)


def _j_number_or_null(value: Any) -> float | None:
    return None if value is None else _j_number(value)


def _j_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"must be true or false, got {json.dumps(value, ensure_ascii=False)}")
    return value


def _j_text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"must be a string, got {json.dumps(value, ensure_ascii=False)}")
    return _label_text(value.strip())


def _j_text_or_null(value: Any) -> str | None:
    return None if value is None else (_j_text(value) or None)


def _j_enum(*allowed: str) -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value.strip().upper() not in allowed:
            raise _Bad(f"must be one of {', '.join(allowed)}, got {json.dumps(value)}")
        return value.strip().upper()

    return parse


def _j_list(item: Parser) -> Parser:
    def parse(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _Bad(f"must be a list, got {json.dumps(value, ensure_ascii=False)}")
        return tuple(item(v) for v in value)

    return parse


def _j_ratings(value: Any) -> tuple[int, ...]:
    """Ratings in ascending order (the engine reads the last as the largest)."""
    ratings: tuple[int, ...] = _j_list(_j_int)(value)
    return tuple(sorted(ratings))


def _j_flag(value: Any) -> str:
    if value not in ("assumed", "example"):
        raise _Bad(f"flags must be 'assumed' or 'example', got {json.dumps(value)}")
    return str(value)


# -- what each row kind reads ------------------------------------------------------------
@dataclass(frozen=True)
class _Kind:
    """How one row kind maps CSV columns and meta keys onto a catalog row model."""

    name: str
    model: type[BaseModel]
    section: str  # the Catalog attribute holding these rows
    key_field: str  # the row field the CSV ``model`` column fills
    columns: Mapping[str, tuple[str, Callable[[str], Any]]]  # CSV column -> (field, parser)
    meta: Mapping[str, tuple[str, Parser]]  # meta key -> (field, parser)
    required: tuple[str, ...]  # fields a new row must give
    defaults: Mapping[str, Any]

    def column_of(self, field: str) -> str:
        if field == self.key_field:
            return "model"
        for column, (f, _) in self.columns.items():
            if f == field:
                return column
        for key, (f, _) in self.meta.items():
            if f == field:
                return f"meta.{key}"
        return field

    def key(self, value: str) -> str:
        return value.strip() if self.name == "item" else normalise_model(value)


_DIMENSIONS = {
    "width_mm": ("width_mm", _mm),
    "height_mm": ("height_mm", _mm),
    "depth_mm": ("depth_mm", _mm),
}
KINDS: dict[str, _Kind] = {
    "breaker": _Kind(
        name="breaker",
        model=Breaker,
        section="breakers",
        key_field="model",
        columns={
            "brand": ("brand", _brand),
            "series": ("series", _label_text),
            "af": ("af", _frame),
            "poles": ("poles", _poles),
            **_DIMENSIONS,
        },
        meta={
            "family": ("family", _j_enum("MCCB", "ELB")),
            "ratings": ("ratings", _j_ratings),
            "price": ("price", _j_int),
            "price_min": ("price_min", _j_int_or_null),
            "forms": ("forms", _j_list(_j_enum("ECONOMIC", "STANDARD"))),
            "compact": ("compact", _j_bool),
            "small": ("small", _j_bool),
            "high_sensitivity": ("high_sensitivity", _j_bool),
            "capacity_ka": ("capacity_ka", _j_number_or_null),
            "flags": ("flags", _j_list(_j_flag)),
        },
        required=("brand", "series", "af", "poles", "family", "ratings", "price", "forms"),
        defaults={},
    ),
    "enclosure": _Kind(
        name="enclosure",
        model=Enclosure,
        section="enclosures",
        key_field="model",
        columns={
            "series": ("series", _label_text),
            "width_mm": ("w", _mm),
            "height_mm": ("h", _mm),
            "depth_mm": ("d", _mm),
        },
        meta={
            "price": ("price", _j_int),
            "material": ("material", _j_enum("STEEL", "SUS")),
            "thickness_mm": ("thickness_mm", _j_number),
        },
        required=("series", "w", "h", "d", "price", "material", "thickness_mm"),
        defaults={},
    ),
    "item": _Kind(
        name="item",
        model=PricedItem,
        section="items",
        key_field="item_id",
        columns={},
        meta={
            "name": ("name", _j_text),
            "spec": ("spec", _j_text),
            "unit": ("unit", _j_text),
            "price": ("price", _j_int),
            "accessory_kind": ("kind", _j_text_or_null),
            "accessory_model": ("model", _j_text_or_null),
            "flags": ("flags", _j_list(_j_flag)),
        },
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


# -- CSV ---------------------------------------------------------------------------------
def _header(record: list[str], line: int) -> tuple[dict[str, int], list[Issue]]:
    names = [c.strip().lower() for c in record]
    issues: list[Issue] = []
    allowed = (*CSV_COLUMNS, "kind")
    for name in dict.fromkeys(names):
        if name not in allowed:
            issues.append(
                _issue(line, name, f"unknown column; the columns are {', '.join(allowed)}")
            )
        elif names.count(name) > 1:
            issues.append(_issue(line, name, "column appears more than once"))
    for name in CSV_COLUMNS:
        if name not in names:
            issues.append(_issue(line, name, "required column is missing from the header"))
    return {n: i for i, n in enumerate(names)}, issues


def _records(text: str) -> Iterable[tuple[int, list[str] | None, str | None]]:
    """(first line, fields, csv error) for every non-blank record."""
    # Lines split on \n only, ends kept, so line numbers are the upload's physical lines
    # and a quoted field may span lines.
    reader = csv.reader((line + "\n" for line in text.split("\n")), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield reader.line_num, None, f"not valid CSV: {err}"
            return
        if record and any(cell.strip() for cell in record):
            yield start, record, None


class _Row:
    """One parsed CSV row, before it is merged into the base."""

    def __init__(self, line: int, kind: _Kind, key: str, model_text: str) -> None:
        self.line = line
        self.kind = kind
        self.key = key
        self.model_text = model_text
        self.fields: dict[str, Any] = {}
        self.given: set[str] = set()  # fields given, valid or not
        self.ok = True
        self.delete = False


def _parse_row(line: int, cells: dict[str, str], issues: list[Issue]) -> _Row | None:
    """The row's kind, key and fields; None when even those cannot be read."""
    before = len(issues)
    meta: dict[str, Any] = {}
    raw_meta = cells.get("meta", "").strip()
    if raw_meta:
        try:
            parsed = strict_json.loads(raw_meta)
        except strict_json.JsonRejected as err:
            issues.append(_issue(line, "meta", err.reason))
            return None
        if not isinstance(parsed, dict):
            issues.append(_issue(line, "meta", "must be a JSON object"))
            return None
        meta = parsed

    column_kind = cells.get("kind", "").strip().lower()
    meta_kind = meta.pop("kind", None)
    if meta_kind is not None and not isinstance(meta_kind, str):
        issues.append(_issue(line, "meta.kind", f"must be one of {', '.join(ROW_KINDS)}"))
        return None
    meta_kind = (meta_kind or "").strip().lower()
    if column_kind and meta_kind and column_kind != meta_kind:
        issues.append(
            _issue(line, "kind", f"the kind column says {column_kind}, meta.kind {meta_kind}")
        )
        return None
    kind_name = column_kind or meta_kind or "breaker"
    if kind_name not in KINDS:
        column = "kind" if column_kind else "meta.kind"
        issues.append(_issue(line, column, f"must be one of {', '.join(ROW_KINDS)}"))
        return None
    kind = KINDS[kind_name]

    model_text = cells.get("model", "").strip()
    if not model_text:
        issues.append(_issue(line, "model", f"required: the {kind.name} row's key"))
        return None
    row = _Row(line, kind, kind.key(model_text), model_text)

    delete = meta.pop("delete", False)
    if not isinstance(delete, bool):
        issues.append(_issue(line, "meta.delete", "must be true or false"))
    elif delete:
        row.delete = True
        return row if len(issues) == before else None

    for column in CSV_COLUMNS:
        if column in ("model", "meta"):
            continue
        text = cells.get(column, "").strip()
        if not text:
            continue
        if column not in kind.columns:
            issues.append(_issue(line, column, f"must be blank for an {kind.name} row"))
            continue
        field, parse = kind.columns[column]
        row.given.add(field)
        try:
            row.fields[field] = parse(text)
        except _Bad as err:
            issues.append(_issue(line, column, str(err)))
    for key, value in meta.items():
        if key not in kind.meta:
            known = ", ".join([*kind.meta, "kind", "delete"])
            issues.append(
                _issue(line, f"meta.{key}", f"unknown key for a {kind.name} row ({known})")
            )
            continue
        field, parse = kind.meta[key]
        row.given.add(field)
        try:
            row.fields[field] = parse(value)
        except _Bad as err:
            issues.append(_issue(line, f"meta.{key}", str(err)))
    row.ok = len(issues) == before
    return row


def _merge(
    row: _Row, base: BaseModel | None, issues: list[Issue], names: Naming
) -> BaseModel | None:
    kind = row.kind
    if isinstance(row.fields.get("af"), int) and kind.model is Breaker:
        written = row.fields["af"]
        row.fields["af"] = names.frame_class(written)
        if row.fields["af"] is None:
            aliases = ", ".join(f"{a}→{c}" for a, c in names.frame_aliases)
            frames = ", ".join(str(f) for f in sorted(names.frame_classes))
            issues.append(
                _issue(
                    row.line,
                    "af",
                    f"{written}AF is not a breaker frame ({frames}; aliases {aliases})",
                )
            )
            row.ok = False  # the rest of the row is still checked and reported
    if base is None:
        missing = [f for f in kind.required if f not in row.given]
        for field in missing:
            issues.append(
                _issue(row.line, kind.column_of(field), f"required for a new {kind.name} row")
            )
        if missing or not row.ok:
            return None
        data = {**kind.defaults, **row.fields, kind.key_field: row.model_text}
    elif not row.ok:
        return None
    else:
        data = {**base.model_dump(), **row.fields}
    try:
        merged = kind.model.model_validate(data)
    except ValidationError as err:
        for e in err.errors():
            field = str(e["loc"][0]) if e["loc"] else ""
            issues.append(_issue(row.line, kind.column_of(field), e["msg"]))
        return None
    problems = row_problems(merged, names)
    for field, reason in problems:
        issues.append(_issue(row.line, kind.column_of(field), reason))
    return None if problems else merged


def import_csv(text: str, base: Catalog, *, label: str) -> Catalog:
    """The base catalog with the CSV's rows applied, labelled ``label``.

    Raises ``ValidationFailed`` listing every problem (line, column, reason).
    """
    text = text.removeprefix("\ufeff")
    issues: list[Issue] = []
    records = _records(text)
    header: dict[str, int] | None = None
    header_line = 0
    sections: dict[str, dict[str, BaseModel]] = {
        k.name: {k.key(getattr(r, k.key_field)): r for r in getattr(base, k.section)}
        for k in KINDS.values()
    }
    seen: dict[tuple[str, str], int] = {}
    rows = 0
    for line, record, error in records:
        if error is not None or record is None:
            issues.append(_issue(line, None, error or "not valid CSV"))
            break
        if header is None:
            header, problems = _header(record, line)
            header_line = line
            if problems:
                issues.extend(problems)
                break
            continue
        rows += 1
        if rows > MAX_ROWS:
            issues.append(_issue(line, None, f"more than {MAX_ROWS} rows"))
            break
        if len(record) != len(header):
            issues.append(_issue(line, None, f"{len(record)} fields, the header has {len(header)}"))
            continue
        cells = {name: record[i] for name, i in header.items()}
        row = _parse_row(line, cells, issues)
        if row is None:
            continue
        if (row.kind.name, row.key) in seen:
            issues.append(
                _issue(
                    line,
                    "model",
                    f"{row.model_text} already appears on line {seen[(row.kind.name, row.key)]}",
                )
            )
            continue
        seen[(row.kind.name, row.key)] = line
        section = sections[row.kind.name]
        existing = section.get(row.key)
        if row.delete:
            if existing is None:
                issues.append(
                    _issue(line, "model", f"no {row.kind.name} {row.model_text} to delete")
                )
            else:
                del section[row.key]
            continue
        merged = _merge(row, existing, issues, base.names)
        if merged is not None:
            section[row.key] = merged
    if header is None and not issues:
        issues.append(_issue(1, None, "the upload is empty: a header line is required"))
    elif header is not None and rows == 0 and not issues:
        issues.append(_issue(header_line, None, "no rows after the header"))
    if issues:
        raise _fail(issues, "the CSV")
    content = {
        "label": label,
        "breakers": [r.model_dump() for r in sections["breaker"].values()],
        "enclosures": [r.model_dump() for r in sections["enclosure"].values()],
        "items": [r.model_dump() for r in sections["item"].values()],
        "rules": base.rules.model_dump(),
        # What rows cannot express is the base's: its naming, texts and pricing policies.
        "naming": base.naming.model_dump() if base.naming else None,
        "texts": base.texts.model_dump() if base.texts else None,
        "pricing_policies": [p.model_dump() for p in base.pricing_policies],
    }
    try:
        return Catalog.model_validate(content)
    except ValidationError as err:
        raise _fail([_issue(None, None, e["msg"]) for e in err.errors()], "the CSV") from None


# -- JSON --------------------------------------------------------------------------------
def import_json(document: str | Mapping[str, Any], *, label: str) -> Catalog:
    """A whole catalog document (text or parsed), labelled ``label``, strictly validated."""
    if isinstance(document, str):
        try:
            parsed = json.loads(document.removeprefix("\ufeff"))
        except json.JSONDecodeError as err:
            raise _fail(
                [_issue(err.lineno, None, f"not valid JSON: {err.msg} (column {err.colno})")],
                "the JSON catalog",
            ) from None
    else:
        parsed = document
    if not isinstance(parsed, Mapping):
        raise _fail(
            [_issue(None, None, "must be a JSON object: a whole catalog document")],
            "the JSON catalog",
        )
    text = json.dumps({**parsed, "label": label}, ensure_ascii=False)
    try:
        catalog = Catalog.model_validate_json(text, strict=True)
    except ValidationError as err:
        raise _fail(
            [
                _issue(None, ".".join(str(p) for p in e["loc"]) or None, e["msg"])
                for e in err.errors()
            ],
            "the JSON catalog",
        ) from None
    issues: list[Issue] = []
    for kind in KINDS.values():
        for i, row in enumerate(getattr(catalog, kind.section)):
            for field, reason in row_problems(row, catalog.names):
                issues.append(_issue(None, f"{kind.section}.{i}.{field}", reason))
    if issues:
        raise _fail(issues, "the JSON catalog")
    return catalog


# -- what an import changes --------------------------------------------------------------
def catalog_counts(catalog: Catalog) -> dict[str, int]:
    """Rows per kind, as ``shared.catalog_items`` counts them."""
    return {
        "breaker": len(catalog.breakers),
        "enclosure": len(catalog.enclosures),
        "item": len(catalog.items),
    }


def content_without_label(catalog: Catalog) -> dict[str, Any]:
    """The catalog document minus its label: what "the same content" compares."""
    content = catalog.document()
    content.pop("label")
    return content


def catalog_changes(base: Catalog | None, new: Catalog) -> dict[str, Any]:
    """Rows added, updated and removed per kind, and whether the rule tables changed."""
    out: dict[str, Any] = {}
    for kind in KINDS.values():
        before = {
            kind.key(getattr(r, kind.key_field)): r
            for r in (getattr(base, kind.section) if base else ())
        }
        after = {kind.key(getattr(r, kind.key_field)): r for r in getattr(new, kind.section)}
        out[kind.section] = {
            "added": [getattr(r, kind.key_field) for k, r in after.items() if k not in before],
            "updated": [
                getattr(r, kind.key_field)
                for k, r in after.items()
                if k in before and before[k] != r
            ],
            "removed": [getattr(r, kind.key_field) for k, r in before.items() if k not in after],
            "unchanged": sum(1 for k, r in after.items() if before.get(k) == r),
        }
    out["rules_changed"] = base is None or base.rules != new.rules
    before_p = {p.name: p for p in (base.pricing_policies if base else ())}
    after_p = {p.name: p for p in new.pricing_policies}
    out["pricing_policies"] = {
        "added": [n for n in after_p if n not in before_p],
        "updated": [n for n, p in after_p.items() if n in before_p and before_p[n] != p],
        "removed": [n for n in before_p if n not in after_p],
        "unchanged": sum(1 for n, p in after_p.items() if before_p.get(n) == p),
    }
    return out


# -- validation against sample requests --------------------------------------------------
VERDICTS: tuple[str, ...] = ("unchanged", "changed", "fixed", "broken")
VALIDATION_RULE = (
    "fails when a case is broken: a sample the active catalog priced now errors, the "
    "engine fails, or the candidate's quote has lint errors the active one had not; "
    "error -> priced is fixed, other differences are changed and pass"
)
ENGINE_FAILURE = "ENGINE_FAILURE"


def sample_outcome(request: Any, catalog: Catalog, *, issued_at: str) -> dict[str, Any]:
    """What one request gives under one catalog: the quote's key figures or the error."""
    try:
        result = estimate(request, catalog, issued_at=issued_at).result
    except EstimatorError as err:
        return {"error": err.code, "message": err.message}
    except Exception as err:  # a candidate that crashes the engine must fail, not raise
        return {"error": ENGINE_FAILURE, "message": f"{type(err).__name__}: {err}"[:300]}
    lint = result["lint"]
    return {
        "status": result["status"],
        "box": result["enclosure"]["box"]["model"],
        "imbalance": result["phase_balance"].get("imbalance"),
        "subtotal": result["totals"]["subtotal"],
        "grand_total": result["totals"]["grand_total"],
        "lint_errors": sorted({f["rule"] for f in lint["errors"]}),
        "warnings": sorted({f["rule"] for f in lint["warnings"]}),
    }


def compare_outcomes(
    active: Mapping[str, Any] | None, candidate: Mapping[str, Any]
) -> tuple[str, dict[str, list[Any]]]:
    """The verdict for one case and the fields that differ, as ``{field: [active, candidate]}``."""
    before = dict(active or {})
    changes = {
        k: [before.get(k), candidate.get(k)]
        for k in sorted(set(before) | set(candidate))
        if before.get(k) != candidate.get(k)
    }
    new_lint = set(candidate.get("lint_errors", ())) - set(before.get("lint_errors", ()))
    if candidate.get("error") == ENGINE_FAILURE:
        return "broken", changes
    if "error" not in before and active is not None and "error" in candidate:
        return "broken", changes
    if new_lint:
        return "broken", changes
    if not changes:
        return "unchanged", changes
    if "error" in before and "error" not in candidate:
        return "fixed", changes
    return "changed", changes


def validation_report(
    samples: Sequence[tuple[str, Any]],
    candidate: Catalog,
    active: Catalog | None,
    *,
    issued_at: str,
) -> dict[str, Any]:
    """Run every sample under both catalogs; ``passed`` is False when any case is broken."""
    cases = []
    for name, request in samples:
        before = sample_outcome(request, active, issued_at=issued_at) if active else None
        after = sample_outcome(request, candidate, issued_at=issued_at)
        verdict, changes = compare_outcomes(before, after)
        cases.append(
            {
                "name": name,
                "verdict": verdict,
                "active": before,
                "candidate": after,
                "changes": changes,
            }
        )
    broken = [c["name"] for c in cases if c["verdict"] == "broken"]
    return {
        "candidate": {"label": candidate.label, "sha256": candidate.sha256},
        "active": {"label": active.label, "sha256": active.sha256} if active else None,
        "passed": not broken,
        "broken": broken,
        "summary": {v: sum(1 for c in cases if c["verdict"] == v) for v in VERDICTS},
        "rule": VALIDATION_RULE,
        "cases": cases,
    }
