"""A whole catalog document as a new version: strictly typed, then every row's value rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from estimator_core.catalog import Catalog
from estimator_core.catalog_import.issues import Issue, fail, issue
from estimator_core.catalog_import.rows import KINDS, row_problems


def import_json(document: str | Mapping[str, Any], *, label: str) -> Catalog:
    """A whole catalog document (text or parsed), labelled ``label``, strictly validated."""
    if isinstance(document, str):
        try:
            parsed = json.loads(document.removeprefix("\ufeff"))
        except json.JSONDecodeError as err:
            raise fail(
                [issue(err.lineno, None, f"not valid JSON: {err.msg} (column {err.colno})")],
                "the JSON catalog",
            ) from None
    else:
        parsed = document
    if not isinstance(parsed, Mapping):
        raise fail(
            [issue(None, None, "must be a JSON object: a whole catalog document")],
            "the JSON catalog",
        )
    text = json.dumps({**parsed, "label": label}, ensure_ascii=False)
    try:
        catalog = Catalog.model_validate_json(text, strict=True)
    except ValidationError as err:
        raise fail(
            [
                issue(None, ".".join(str(p) for p in e["loc"]) or None, e["msg"])
                for e in err.errors()
            ],
            "the JSON catalog",
        ) from None
    issues: list[Issue] = []
    for kind in KINDS.values():
        for i, row in enumerate(getattr(catalog, kind.section)):
            for field, reason in row_problems(row, catalog.names):
                issues.append(issue(None, f"{kind.section}.{i}.{field}", reason))
    if issues:
        raise fail(issues, "the JSON catalog")
    return catalog
