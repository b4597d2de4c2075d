"""A CSV upload in the panel maker's format, applied on top of a base catalog (the format
is the package docstring's)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from estimator_core import strict_json
from estimator_core.catalog import Breaker, Catalog, Naming
from estimator_core.catalog_import.issues import Issue, fail, issue
from estimator_core.catalog_import.rows import (
    KINDS,
    ROW_KINDS,
    RowKind,
    row_problems,
    upload_names,
    validate_fields,
)

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
MAX_ROWS = 20_000


def reason(error: ErrorDetails, *, shown: bool = False) -> str:
    """A pydantic error as the reason shown to the admin (``shown``: with the JSON value)."""
    text = error["msg"].removeprefix("Value error, ")
    if shown:
        text += f", got {json.dumps(error['input'], ensure_ascii=False, default=str)}"
    return text


def _header(record: list[str], line: int) -> tuple[dict[str, int], list[Issue]]:
    names = [c.strip().lower() for c in record]
    issues: list[Issue] = []
    allowed = (*CSV_COLUMNS, "kind")
    for name in dict.fromkeys(names):
        if name not in allowed:
            issues.append(
                issue(line, name, f"unknown column; the columns are {', '.join(allowed)}")
            )
        elif names.count(name) > 1:
            issues.append(issue(line, name, "column appears more than once"))
    for name in CSV_COLUMNS:
        if name not in names:
            issues.append(issue(line, name, "required column is missing from the header"))
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

    def __init__(self, line: int, kind: RowKind, key: str, model_text: str) -> None:
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
            issues.append(issue(line, "meta", err.reason))
            return None
        if not isinstance(parsed, dict):
            issues.append(issue(line, "meta", "must be a JSON object"))
            return None
        meta = parsed

    column_kind = cells.get("kind", "").strip().lower()
    meta_kind = meta.pop("kind", None)
    if meta_kind is not None and not isinstance(meta_kind, str):
        issues.append(issue(line, "meta.kind", f"must be one of {', '.join(ROW_KINDS)}"))
        return None
    meta_kind = (meta_kind or "").strip().lower()
    if column_kind and meta_kind and column_kind != meta_kind:
        issues.append(
            issue(line, "kind", f"the kind column says {column_kind}, meta.kind {meta_kind}")
        )
        return None
    kind_name = column_kind or meta_kind or "breaker"
    if kind_name not in KINDS:
        column = "kind" if column_kind else "meta.kind"
        issues.append(issue(line, column, f"must be one of {', '.join(ROW_KINDS)}"))
        return None
    kind = KINDS[kind_name]

    model_text = cells.get("model", "").strip()
    if not model_text:
        issues.append(issue(line, "model", f"required: the {kind.name} row's key"))
        return None
    row = _Row(line, kind, kind.key(model_text), model_text)

    delete = meta.pop("delete", False)
    if not isinstance(delete, bool):
        issues.append(issue(line, "meta.delete", "must be true or false"))
    elif delete:
        row.delete = True
        return row if len(issues) == before else None

    columns = upload_names(kind.columns)
    cells_given: dict[str, str] = {}
    for column in CSV_COLUMNS:
        if column in ("model", "meta"):
            continue
        text = cells.get(column, "").strip()
        if not text:
            continue
        if column not in columns:
            issues.append(issue(line, column, f"must be blank for an {kind.name} row"))
            continue
        cells_given[column] = text
    fields, errors = validate_fields(kind.columns, cells_given)
    row.fields.update(fields)
    issues += [issue(line, str(e["loc"][0]), reason(e)) for e in errors]

    known = upload_names(kind.meta)
    meta_given: dict[str, Any] = {}
    for key, value in meta.items():
        if key not in known:
            listed = ", ".join([*known, "kind", "delete"])
            issues.append(
                issue(line, f"meta.{key}", f"unknown key for a {kind.name} row ({listed})")
            )
            continue
        meta_given[key] = value
    fields, errors = validate_fields(kind.meta, meta_given)
    row.fields.update(fields)
    issues += [issue(line, f"meta.{e['loc'][0]}", reason(e, shown=True)) for e in errors]
    row.given = {columns[c] for c in cells_given} | {known[k] for k in meta_given}
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
                issue(
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
                issue(row.line, kind.column_of(field), f"required for a new {kind.name} row")
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
            issues.append(issue(row.line, kind.column_of(field), e["msg"]))
        return None
    problems = row_problems(merged, names)
    for field, reason in problems:
        issues.append(issue(row.line, kind.column_of(field), reason))
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
            issues.append(issue(line, None, error or "not valid CSV"))
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
            issues.append(issue(line, None, f"more than {MAX_ROWS} rows"))
            break
        if len(record) != len(header):
            issues.append(issue(line, None, f"{len(record)} fields, the header has {len(header)}"))
            continue
        cells = {name: record[i] for name, i in header.items()}
        row = _parse_row(line, cells, issues)
        if row is None:
            continue
        if (row.kind.name, row.key) in seen:
            issues.append(
                issue(
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
                    issue(line, "model", f"no {row.kind.name} {row.model_text} to delete")
                )
            else:
                del section[row.key]
            continue
        merged = _merge(row, existing, issues, base.names)
        if merged is not None:
            section[row.key] = merged
    if header is None and not issues:
        issues.append(issue(1, None, "the upload is empty: a header line is required"))
    elif header is not None and rows == 0 and not issues:
        issues.append(issue(header_line, None, "no rows after the header"))
    if issues:
        raise fail(issues, "the CSV")
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
        raise fail([issue(None, None, e["msg"]) for e in err.errors()], "the CSV") from None
