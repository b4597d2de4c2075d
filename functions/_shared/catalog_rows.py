"""A catalog document as rows: the ``shared.catalog_items`` projection and version inserts.

Shared by the catalog admin functions and the operator commands (``functions.dev``).
"""

from __future__ import annotations

import json
from typing import Any

import psycopg

from estimator_core import Catalog


def catalog_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """The queryable projection of a catalog document (shared.catalog_items)."""
    rows: list[dict[str, Any]] = []
    for b in catalog.breakers:
        rows.append(
            {
                "kind": "breaker",
                "brand": b.brand,
                "series": b.series,
                "model": b.model,
                "af": b.af,
                "poles": b.poles,
                "w_mm": b.width_mm,
                "h_mm": b.height_mm,
                "d_mm": b.depth_mm,
                "price": b.price,
                "flags": list(b.flags),
                "meta": {"family": b.family, "ratings": list(b.ratings), "forms": list(b.forms)},
            }
        )
    for e in catalog.enclosures:
        rows.append(
            {
                "kind": "enclosure",
                "series": e.series,
                "model": e.model,
                "w_mm": e.w,
                "h_mm": e.h,
                "d_mm": e.d,
                "price": e.price,
                "meta": {"material": e.material, "thickness_mm": e.thickness_mm},
            }
        )
    for i in catalog.items:
        rows.append(
            {
                "kind": "item",
                "model": i.item_id,
                "price": i.price,
                "flags": list(i.flags),
                "meta": {"name": i.name, "spec": i.spec, "unit": i.unit, "kind": i.kind},
            }
        )
    return rows


def insert_version(
    conn: psycopg.Connection[Any], catalog: Catalog, *, status: str, notes: str | None = None
) -> str:
    """Insert a catalog version with its items (caller's transaction and role)."""
    content = catalog.document()
    row = conn.execute(
        "insert into shared.catalog_versions (label, status, content, content_sha256, notes, "
        "activated_at) values (%s, %s, %s::jsonb, %s, %s, "
        "case when %s = 'active' then now() end) returning id::text",
        (catalog.label, status, json.dumps(content), catalog.sha256, notes, status),
    ).fetchone()
    assert row is not None
    version_id = str(row[0])
    cols = ("kind", "brand", "series", "model", "af", "poles", "w_mm", "h_mm", "d_mm", "price")
    with conn.cursor() as cur:
        cur.executemany(
            "insert into shared.catalog_items (version_id, "
            + ", ".join(cols)
            + ", flags, meta) values (%s, "
            + ", ".join(["%s"] * len(cols))
            + ", %s, %s::jsonb)",
            [
                (version_id, *(r.get(c) for c in cols), r.get("flags", []), json.dumps(r["meta"]))
                for r in catalog_rows(catalog)
            ],
        )
    return version_id
