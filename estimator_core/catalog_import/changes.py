"""What an import changes: rows added, updated and removed per kind, rules, policies."""

from __future__ import annotations

from typing import Any

from estimator_core.catalog import Catalog
from estimator_core.catalog_import.rows import KINDS


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
