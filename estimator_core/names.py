"""What a breaker model's name says: brand, family, frame and poles.

Model names encode them [breaker_rules_v1.00.json]: SANGDO ``SB{E|S}-…`` MCCB,
``SE{E|S}-…`` ELB, compact ``SBC/SEC``, small ``SIB-32``/``SIE-32``; LS ``AB{N|S}-…``
MCCB, ``EB{N|S}-…`` ELB, ``…FB`` compact, small ``BS-32``/``32GRHS``. Reading them
catches a contradiction even for a model the catalog lacks. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from estimator_core.catalog import Catalog, normalise_model
from estimator_core.errors import BrandConflict

_FRAME_CODES = {"3": 30, "5": 50, "6": 60, "10": 100, "20": 225, "40": 400, "60": 600, "80": 800}


@dataclass(frozen=True)
class ParsedName:
    """What a model's name says about it."""

    brand: str
    family: str
    af: int | None
    poles: int | None


# Whether a model is compact is read from its catalog row, never from these patterns.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^S(?P<f>[BE])(?:E|S)-(?P<d>\d{2,3})$"), "SANGDO"),
    (re.compile(r"^S(?P<f>[BE])C-(?P<d>\d{2,3})$"), "SANGDO"),
    (re.compile(r"^(?P<f>[AE])B(?:N|S)-(?P<d>\d{2,3})$"), "LS"),
    (re.compile(r"^(?P<f>[AE])B(?:N|S)(?P<d>\d{2,3})FB$"), "LS"),
)
_SMALL = {"SIB-32": ("SANGDO", "MCCB"), "SIE-32": ("SANGDO", "ELB"), "BS-32": ("LS", "MCCB")}
_SMALL |= {"BS32": ("LS", "MCCB"), "32GRHS": ("LS", "ELB")}


def parse_model_name(model: str) -> ParsedName | None:
    """Brand, family, frame and poles from a model's name, or None when it follows no pattern."""
    name = normalise_model(model).replace("고감도", "")
    if name in _SMALL:
        brand, family = _SMALL[name]
        return ParsedName(brand=brand, family=family, af=30, poles=2)
    for pattern, brand in _PATTERNS:
        m = pattern.match(name)
        if m:
            digits = m.group("d")
            family = "MCCB" if m.group("f") in ("B", "A") else "ELB"
            return ParsedName(
                brand=brand,
                family=family,
                af=_FRAME_CODES.get(digits[:-1]),
                poles=int(digits[-1]),
            )
    return None


def model_brand(model: str, catalog: Catalog) -> str | None:
    """The brand of a model: the catalog's if it knows the model, else the name's."""
    known = catalog.breaker(model)
    if known:
        return known.brand
    parsed = parse_model_name(model)
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
