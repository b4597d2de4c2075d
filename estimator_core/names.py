"""Brand checks of named models against a single-brand panel (BRAND_CONFLICT).

What a model's name says (brand, family, frame, poles) is read with the catalog's naming
section (``Catalog.names``): the grammar is data, so a new brand needs no release.
Pure: no I/O.
"""

from __future__ import annotations

from estimator_core.catalog import Catalog
from estimator_core.errors import BrandConflict


def model_brand(model: str, catalog: Catalog) -> str | None:
    """The brand of a model: the catalog's if it knows the model, else the name's."""
    known = catalog.breaker(model)
    if known:
        return known.brand
    parsed = catalog.names.parse(model)
    return parsed.brand if parsed else None


def check_model_brands(req_brand: str, entries: list[tuple[str, str]], catalog: Catalog) -> None:
    """BRAND_CONFLICT when a named model is of another brand than a single-brand panel."""
    if req_brand == "MIXED":
        return
    for loc, model in entries:
        brand = model_brand(model, catalog)
        if brand is not None and brand != req_brand:
            raise BrandConflict(
                f"{loc}: {model} is a {brand} model in a {req_brand} panel",
                [{"loc": loc, "model": model, "brand": brand, "panel_brand": req_brand}],
            )
