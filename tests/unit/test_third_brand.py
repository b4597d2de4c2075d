"""A third brand is data: a catalog with its own model-name grammar, breakers, boxes, prices,
item texts and rule units prices a request with no code change (issue 9)."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from estimator_core.catalog import OPTIONAL_RULES, Catalog
from estimator_core.catalog_import import import_json
from estimator_core.cli import CATALOGS, DEFAULT_CATALOG, load_catalog
from estimator_core.money import round_half_up
from estimator_core.pipeline import estimate
from tests.conftest import ISSUED_AT

HANGUL = re.compile("[\uac00-\ud7a3]")

TEXTS = {
    "enclosure": "Cabinet",
    "enclosure_custom": "Cabinet (made to order)",
    "custom_box_model": "{series}-CUSTOM {w}x{h}x{d}",
    "base": "Plinth",
    "pole_bracket": "Pole bracket",
    "pole_bracket_spec": "pole mounted",
    "lot": "LOT",
    "p_cover": "Inner cover",
    "coating": "Powder coating",
    "spd_suffix": " (for SPD)",
    "spd_label": "(for SPD)",
    "earth_terminal": "Earth bar",
    "neutral_terminal": "Neutral bar",
    "name_plate": "Label",
    "name_plate_spec": "engraved",
    "card_holder_spec": "circuit card",
    "insulator": "Standoff",
    "small_breaker_support": "Din rail",
    "main_busbar": "Main copper",
    "busbar": "Branch copper",
    "consumables": "Sundries",
    "assembly": "Wiring labour",
    "assembly_spec": "workshop",
    "magnet_labour": "Contactor labour",
    "timer_pbl_spec": "START/STOP",
    "wire_set_spec": "control wiring",
    "custom_line_note": "by others",
}


def _breaker(model: str, family: str, af: int, poles: int, price: int) -> dict[str, Any]:
    return {
        "brand": "ACME", "model": model, "family": family, "series": "ACM",
        "forms": ["ECONOMIC", "STANDARD"], "af": af, "poles": poles,
        "width_mm": 25 * poles, "ratings": [20, 30, 40, 50] if af == 50 else [60, 75, 100],
        "price": price,
    }  # fmt: skip


def _item(item_id: str, name: str, price: int, **extra: Any) -> dict[str, Any]:
    return {"item_id": item_id, "name": name, "spec": "", "unit": "PC", "price": price, **extra}


def acme_catalog(base: Catalog) -> Catalog:
    """Only ACME: v1's rule tables with ACME's own everything else."""
    doc = base.document()
    doc["naming"] = {
        "brands": ["ACME"],
        # ACM/M104: family letter M or R, frame code 10 or 5, then the poles.
        "patterns": [
            {
                "brand": "ACME",
                "regex": r"^ACM/(?P<f>[MR])(?P<d>\d{2,3})$",
                "families": [["M", "MCCB"], ["R", "ELB"]],
            }
        ],
        "frame_codes": [["5", 50], ["10", 100]],
        "frame_classes": [50, 100],
        "magnet_sizes": [9, 40],
    }
    doc["breakers"] = [
        _breaker("ACM/M104", "MCCB", 100, 4, 31000),
        _breaker("ACM/M54", "MCCB", 50, 4, 19000),
        _breaker("ACM/M52", "MCCB", 50, 2, 7000),
        _breaker("ACM/R52", "ELB", 50, 2, 11000),
    ]
    doc["enclosures"] = [
        {
            "series": "AX",
            "model": f"AX-{w}{h}",
            "w": w,
            "h": h,
            "d": 250,
            "price": w * h // 10,
            "material": "STEEL",
            "thickness_mm": 1.2,
        }
        for w in (600, 700, 800)
        for h in (700, 900, 1100, 1300, 1500)
    ]
    doc["items"] = [
        _item("ACME_CONTACTOR_22", "Contactor", 15000, kind="magnet", model="MC-22"),
        _item("ACME_TIMER", "Time switch", 30000, kind="timer_24h"),
        _item("ACME_FUSE", "Fuse block", 2500),
        _item("ACME_PUSH", "Push button", 4500, kind="pbl"),
        _item("ACME_WIRES", "Wire kit", 9000),
    ]
    rules = doc["rules"]
    rules["enclosure_series"] = [
        {"location": "INDOOR", "mounts": ["SURFACE"], "material": "STEEL", "series": "AX"}
    ]
    rules["magnet_bundle"] = [["ACME_FUSE", 2]]
    rules["wire_set_item"] = "ACME_WIRES"
    rules["pbl_item"] = "ACME_PUSH"
    rules["price_area_mm2"] = 1_000_000  # area prices per m², not per 300 mm × 300 mm
    rules["cost_step_mm"] = 50
    rules["steel_p_cover_price_per_90000mm2"] = 40_000
    doc["texts"] = TEXTS
    return import_json(doc, label="acme-1")


def acme_request() -> dict[str, Any]:
    return {
        "brand": "acme",
        "main": {"af": "100AF", "at": 100, "poles": "4P"},
        "branches": [
            {"at": 20, "poles": "2P", "qty": 6},
            {"model": "acm/r52", "at": 30, "poles": "2P", "qty": 3},
            {"at": 30, "poles": "4P", "qty": 1},
        ],
        "accessories": {
            "items": [
                {"kind": "magnet", "model": "MC-22", "qty": 1},
                {"kind": "timer_24h", "qty": 1},
            ]
        },
        "options": {"p_cover": "STEEL"},
        "extras": [
            {"section": "COSTS", "item": "Permit", "unit": "LOT", "qty": 1, "unit_price": 5000}
        ],
    }


def test_a_third_brand_with_its_own_grammar_texts_and_units_is_priced(catalog: Catalog) -> None:
    acme = acme_catalog(catalog)
    q = estimate(acme_request(), acme, issued_at=ISSUED_AT)
    lines = q.result.model_dump(mode="json")["lines"]
    breakers = {x["spec"]: x["unit_price"] for x in lines if x.get("brand")}
    assert breakers == {
        "ACM/M104 4P 100AF 100A": 31000,
        "ACM/M54 4P 50AF 30A": 19000,
        "ACM/R52 2P 50AF 30A": 11000,
        "ACM/M52 2P 50AF 20A": 7000,
    }
    box = q.result.model_dump(mode="json")["enclosure"]["box"]
    assert box["model"].startswith("AX-")
    items = {x["item"] for x in lines}
    assert {"Cabinet", "Inner cover", "Contactor", "Fuse block", "Push button"} <= items
    assert {"Contactor labour", "Main copper", "Branch copper", "Earth bar", "Sundries"} <= items
    assert {"Wiring labour", "Permit"} <= items
    # Every generated word is the catalog's: nothing of v1's Korean quote is left.
    for x in lines:
        assert not HANGUL.search(f"{x['item']} {x['spec']} {x['unit']} {x.get('note', '')}"), x
    (cover,) = [x for x in lines if x["item"] == "Inner cover"]
    area = Fraction(box["w"] * box["h"], 1_000_000)
    assert cover["unit_price"] == round_half_up(area * 40_000)
    (push,) = [x for x in lines if x["item"] == "Push button"]
    assert push["spec"] == "START/STOP"  # the timer's PBL, priced as the catalog's pbl_item
    (fuse,) = [x for x in lines if x["item"] == "Fuse block"]
    assert fuse["qty"] == 2
    (extra,) = [x for x in lines if x["item"] == "Permit"]
    assert extra["note"] == "by others"
    assert q.result.model_dump(mode="json")["lint"]["errors"] == []


def test_the_assembly_step_is_a_rule(catalog: Catalog) -> None:
    """Assembly adds per_100h for every started step above the base height: a 50 mm step
    doubles the steps of a box above the base."""
    coarse, fine = catalog, acme_catalog(catalog)
    fine_100 = import_json({**fine.document(), "rules": {**fine.document()["rules"],
                            "cost_step_mm": 100}}, label="acme-2")  # fmt: skip

    def assembly(c: Catalog) -> int:
        q = estimate(acme_request(), c, issued_at=ISSUED_AT)
        (line,) = [
            x for x in q.result.model_dump(mode="json")["lines"] if x["item"] == "Wiring labour"
        ]
        return int(line["unit_price"])

    tier = coarse.rules.assembly[0]
    h = estimate(acme_request(), fine, issued_at=ISSUED_AT).result.model_dump(mode="json")[
        "enclosure"
    ]["box"]["h"]
    over = max(0, h - tier.base_h)
    assert assembly(fine) - assembly(fine_100) == tier.per_100h * (-(-over // 50) - -(-over // 100))


def test_shipped_catalogs_keep_their_hash_and_leave_the_new_rules_out() -> None:
    for path in (CATALOGS / "v1.0.0", DEFAULT_CATALOG):
        shipped = load_catalog(path)
        doc = shipped.document()
        assert "texts" not in doc
        assert not set(OPTIONAL_RULES) & set(doc["rules"])
        assert import_json(doc, label=shipped.label).sha256 == shipped.sha256


def test_a_rule_off_its_default_is_part_of_the_identity(catalog: Catalog) -> None:
    doc = catalog.document()
    doc["rules"] = {**doc["rules"], "price_area_mm2": 1_000_000}
    changed = import_json(doc, label=catalog.label)
    assert changed.document()["rules"]["price_area_mm2"] == 1_000_000
    assert changed.sha256 != catalog.sha256


def test_a_main_given_by_frame_is_rated_by_the_catalogs_table(catalog: Catalog) -> None:
    doc = acme_catalog(catalog).document()
    doc["rules"] = {**doc["rules"], "main_at_by_frame": [[100, 75]]}
    acme = import_json(doc, label="acme-3")
    body = acme_request()
    body["main"] = {"af": 100, "poles": 4}
    lines = estimate(body, acme, issued_at=ISSUED_AT).result.model_dump(mode="json")["lines"]
    (main,) = [x for x in lines if x["section"] == "MAIN"]
    assert main["spec"] == "ACM/M104 4P 100AF 75A"
