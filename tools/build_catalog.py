"""Build the v1 catalog from the panel maker's knowledge files.

    python tools/build_catalog.py KNOWLEDGE_DIR OUT_DIR [--label v1.0.0]

Reads ``../shared/domain/knowledge/*.json`` (the only place that does), maps each table
onto the typed catalog of ``estimator_core.catalog`` and writes ``OUT_DIR/catalog.json``.
The output is committed; the running product never reads the knowledge files.

Where a number exists only in RULES.md (the panel maker's files are silent), it is in
``RULES_DECISIONS`` below, named, so the next catalog version can change it as data.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from estimator_core.catalog import V1_NAMING, Catalog

# The model-name grammar of breaker_rules_v1.00.json and RULES.md §1, shipped as data.
frame_class = V1_NAMING.frame_class

# Decided by RULES.md v1.1, not present as structured values in the knowledge files.
RULES_DECISIONS: dict[str, Any] = {
    "fit_score_gate": "0.90",
    "custom_enclosure_price_per_90000mm2": None,  # v1 has no custom-box price row
    "acrylic_p_cover_price": None,  # acrylic is included in the box price
    "height_round_mm": 100,
    "width_step_mm": 100,
    "two_pole_takes_three_pole_pitch_from_af": 400,
    "et_branches_per_extra": 12,
    "small_majority_rating_a": 20,
    "spd_breaker": {"poles": 4, "at": 40, "family": "MCCB"},
    # The magnet classes of RULES.md §2 (MC-9…22 small, MC-30…42 large).
    "magnet_class_bounds": {"small": (9, 22), "large": (30, 42)},
}

ITEM_NAMES: dict[str, tuple[str, str | None]] = {
    # item_id: (line name, request accessory kind)
    "MAGNET_MC-22": ("MAG.CONTACTOR", "magnet"),
    "FUSE_HOLDER": ("FUSEHOLDER", None),
    "TERMINAL_BLOCK_600V": ("TERMINAL BLOCK", None),
    "PBL_ONOFF": ("PBL", "pbl"),
    "DUCT_PVC_40": ("PVC DUCT", None),
    "CABLE_WIRE": ("CABLE/WIRE", None),
    "TIMER_24H": ("24H TIMER", "timer_24h"),
    "CABLE_WIRE_SET_KIV": ("CABLE/WIRE", None),
}

BUNDLE_ITEM_IDS = {
    "FUSE_HOLDER": "FUSE_HOLDER",
    "TERMINAL_BLOCK_600V": "TERMINAL_BLOCK_600V",
    "DUCT_PVC_40": "DUCT_PVC_40",
    "CABLE_WIRE": "CABLE_WIRE",
}


def load(knowledge: Path, name: str) -> Any:
    return json.loads((knowledge / name).read_text(encoding="utf-8-sig"))


def af_range(text: str) -> tuple[int, int]:
    nums = [int(n) for n in re.findall(r"\d+", text)]
    return (nums[0], nums[-1])


def frame_range(text: str) -> tuple[int, int]:
    """A source frame range ("50~250AF") as frame classes (250 → the 225 class)."""
    lo, hi = af_range(text)
    return (frame_class(lo) or lo, frame_class(hi) or hi)


def build_breakers(core: dict[str, Any]) -> list[dict[str, Any]]:
    forms = {"Economy": ["ECONOMIC"], "Standard": ["STANDARD"]}
    out = []
    for row in core["catalog"]["breakers"]["items"]:
        size = row["size_mm"] or [None, None, None]
        amps = row["ampere"] if isinstance(row["ampere"], list) else [row["ampere"]]
        price = row["price"]
        cap = row["capacity_kA"]
        af = frame_class(row["frame_AF"])
        if af is None:
            raise SystemExit(f"unknown frame {row['frame_AF']} for {row['model']}")
        out.append(
            {
                "brand": "SANGDO" if row["brand"].lower() == "sangdo" else row["brand"].upper(),
                "model": row["model"],
                "family": row["category"],
                "series": row["series"],
                "forms": forms.get(row["type"], ["ECONOMIC", "STANDARD"]),
                "af": af,
                "poles": row["poles"],
                "compact": bool(row["compact"]),
                "small": af == 30,
                "high_sensitivity": "고감도" in row["model"],
                "width_mm": size[0],
                "height_mm": size[1],
                "depth_mm": size[2],
                "ratings": sorted(amps),
                "price": max(price) if isinstance(price, list) else price,
                "price_min": min(price) if isinstance(price, list) else None,
                "capacity_ka": max(cap) if isinstance(cap, list) else cap,
            }
        )
    return out


def build_enclosures(core: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for row in core["catalog"]["enclosures"]["standard"]["items"]:
        if not row["size_mm"]:
            continue  # SS has no sizes in v1: a flush SUS panel needs a knowledge update
        w, h, d = row["size_mm"]
        series = re.match(r"[A-Z]+", row["model"])
        assert series is not None
        digits = re.findall(r"\d+", row["model"])
        if len(digits) == 3 and [int(x) * 10 for x in digits] != [w, h, d]:
            print(f"skipped {row['model']}: size {row['size_mm']} contradicts its name")
            continue
        if len(digits) == 1 and digits[0] != f"{w // 10}{h // 10}{d // 10}":
            print(f"skipped {row['model']}: size {row['size_mm']} contradicts its name")
            continue
        out.append(
            {
                "series": series.group(),
                "model": row["model"],
                "w": w,
                "h": h,
                "d": d,
                "price": row["price"],
                "material": row["material"].upper(),
                "thickness_mm": row["thickness_mm"],
            }
        )
    return out


def build_items(supp: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for row in supp["accessory_prices_krw"]:
        name, kind = ITEM_NAMES[row["item_id"]]
        out.append(
            {
                "item_id": row["item_id"],
                "name": name,
                "spec": row.get("spec", row.get("model", "")),
                "unit": row["unit"],
                "price": row["price"],
                "kind": kind,
                "model": row.get("model"),
                "flags": [row["flag"]] if row.get("flag") else [],
            }
        )
    return out


def build_row_pitches(enc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for poles_key, rows in enc["C_branch_total_height"]["tables_mm"].items():
        poles = int(poles_key[0])
        for row in rows:
            label = row["AF"]
            lo, hi = af_range(label)
            compact = True if "컴팩트" in label or "FB" in label else None
            for af in sorted({frame_class(lo), frame_class(hi)} - {None}):
                entry: dict[str, Any] = {"poles": poles, "af": af, "mm": row["mm"]}
                if poles == 2 and af == 30:
                    entry["small"] = True
                if poles == 2 and af == 50:
                    entry["compact"] = compact  # 2P 50AF is listed for compact/FB only
                out.append(entry)
    return out


def build_rules(k: Path) -> dict[str, Any]:
    enc = load(k, "enclosure_rules_v1.00.json")
    supp = load(k, "v1_supplement.json")
    costing = load(k, "costing_rules_v1.0.0.json")
    width = load(k, "width_rules.json")
    magnets = load(k, "magnet_layout_rule.json")
    acc = load(k, "accessories_v1.0.0.json")
    core = load(k, "ai_estimation_core_v1.2.0.json")
    d = RULES_DECISIONS

    above_rating = [
        {"max": r["main_rating_max_a"], "value": r["mm"]}
        for r in supp["space_above_main_mm"]
        if "main_rating_max_a" in r
    ]
    above_frame = [
        {"af_min": r["main_frame_af"], "af_max": r["main_frame_af"], "value": r["mm"]}
        | ({"flags": [r["flag"]]} if r.get("flag") else {})
        for r in supp["space_above_main_mm"]
        if "main_frame_af" in r
    ]
    for row in above_frame:
        row["af_min"] = row["af_max"] = frame_class(row["af_min"])

    heights = {r["magnet_range"]: r for r in magnets["height_adjustment_rule"]}
    small_one = next(r for r in magnets["height_adjustment_rule"] if r["condition"] == "1EA")
    small_many = next(r for r in magnets["height_adjustment_rule"] if r["condition"] == "2EA 이상")
    large = next(r for r in heights.values() if r["condition"] == "1EA 이상")
    layout = {r["magnet_range"]: r for r in magnets["rules"]}
    small_layout = next(v for key, v in layout.items() if "22" in key)
    large_layout = next(v for key, v in layout.items() if "42" in key)
    bounds = d["magnet_class_bounds"]
    magnet_classes = [
        {
            "name": "small",
            "lo": bounds["small"][0],
            "hi": bounds["small"][1],
            "rank": 1,
            "height_one_mm": small_one["height_increase_mm"],
            "height_many_mm": small_many["height_increase_mm"],
            "band_capacity_at_base": small_layout["base_count"],
            "band_capacity_per_100mm": small_layout["increment_per_100mm"],
        },
        {
            "name": "large",
            "lo": bounds["large"][0],
            "hi": bounds["large"][1],
            "rank": 2,
            "height_one_mm": large["height_increase_mm"],
            "height_many_mm": large["height_increase_mm"],
            "band_capacity_at_base": large_layout["base_count"],
            "band_capacity_per_100mm": large_layout["increment_per_100mm"],
        },
    ]
    meter = acc["estimation_rules"]["meter_rules"]

    w = width
    widths = [
        {
            "af_min": 30,
            "af_max": 100,
            "base": w["50_100AF"]["base"],
            "small_only": w["50_100AF"]["small_only"],
            "many_branches": w["50_100AF"]["branch_ge28"],
            "many_branches_from": 28,
        },
        {"af_min": 125, "af_max": 225, "base": w["125_250AF"]["base"]},
        {
            "af_min": 400,
            "af_max": 400,
            "base": w["400AF"]["base"],
            "big_branches": w["400AF"]["branch_200_250_ge2"],
            "big_branches_from": 2,
        },
        {
            "af_min": 600,
            "af_max": 800,
            "base": w["600_800AF"]["base"],
            "big_branches": w["600_800AF"]["branch_200_250_ge2"],
            "big_branches_from": 2,
        },
    ]

    def by_frame(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        out = []
        for r in rows:
            lo, hi = frame_range(r["af_range"])
            out.append({"af_min": 30 if lo == 50 else lo, "af_max": hi, "value": r[key]})
        return out

    depth = supp["depth_mm"]
    busbar = supp["busbar"]
    supports = supp["supports_krw"]
    cons = costing["CONSUMABLES"]
    bundle = next(b for b in core["rules"]["bundles"] if b["id"] == "BND_MAGNET_BASE")
    timer = next(b for b in core["rules"]["bundles"] if b["id"] == "BND_TIMER_EFFECT")
    wire_set = next(r for r in supp["accessory_prices_krw"] if "applies_to" in r)
    phase = supp["phase_balance"]
    bounds_req = supp["request_bounds"]
    steel_cover = re.findall(r"\d+", costing["P_COVER"]["steel_formula"])
    base_price = re.findall(r"\d+", enc["base"]["price_formula"])

    assembly = []
    for t in costing["ASSEMBLY_CHARGE"]["tiers"]:
        lo, hi = frame_range(t["af_range"])
        assembly.append(
            {
                "af_min": 30 if lo == 50 else lo,
                "af_max": hi,
                "base_w": t["base_WH"][0],
                "base_h": t["base_WH"][1],
                "base_price": t["base_krw"],
                "per_100h": t["per_100H_add_krw"],
                "small_majority_add": t["exception_increment_krw"],
            }
        )

    return {
        "row_pitches": build_row_pitches(enc),
        "two_pole_takes_three_pole_pitch_from_af": d["two_pole_takes_three_pole_pitch_from_af"],
        "space_above_main_by_rating": above_rating,
        "space_above_main_by_frame": above_frame,
        "gap_main_to_first_row_mm": supp["gap_main_to_first_row_mm"],
        "space_below_by_rating": [
            {"max": r["main_rating_max_a"], "value": r["mm"]} for r in supp["space_below_mm"]
        ],
        "height_round_mm": d["height_round_mm"],
        "magnet_classes": magnet_classes,
        "magnet_band_base_width_mm": small_layout["base_enclosure_width"],
        "meter_band_columns": meter["max_recommended_columns"],
        "meter_band_height_mm": meter["bottom_mount_slot_h_mm"],
        "widths": widths,
        "width_step_mm": d["width_step_mm"],
        "depth_small_mm": depth["small_no_accessories"]["mm"],
        "depth_small_max_main_af": depth["small_no_accessories"]["main_frame_max_af"],
        "depth_default_mm": depth["default"],
        "depth_large_mm": depth["pbl_or_main_from_400af"],
        "depth_large_from_main_af": 400,
        "enclosure_series": [
            {
                "location": r["location"],
                "mounts": r["mount"],
                "material": r["material"],
                "series": r["series"],
            }
            for r in supp["enclosure_series"]
        ],
        "standalone_base_height_mm": enc["base"]["size_rule"]["H_mm_default"],
        "standalone_base_price_per_90000mm2": int(base_price[-1]),
        "pole_bracket_price": enc["pole_mount"]["bracket_weld_cost_addon"],
        "custom_enclosure_price_per_90000mm2": d["custom_enclosure_price_per_90000mm2"],
        "fit_score_gate": d["fit_score_gate"],
        "busbar_price_per_kg": busbar["price_per_kg_krw"],
        "busbar_kg_decimals": busbar["kg_decimals"],
        "busbar_factors": [
            {
                "max": f["main_rating_max_a"],
                "main": format(Decimal(repr(f["main"])), "f"),
                "branch": format(Decimal(repr(f["branch"])), "f"),
            }
            for f in busbar["factors_by_main_rating"]
        ],
        "busbar_specs": [
            {"max": s["rating_max_a"], "spec": s["spec"].replace("*", "×")}
            for s in busbar["spec_by_rating"]
        ],
        "et_prices": by_frame(costing["ET"]["rules"], "base_krw"),
        "et_branches_per_extra": d["et_branches_per_extra"],
        "nt_price": supports["NT"]["price"],
        "np_plate_price": supports["NP_PLATE_3T_40_200"]["price"],
        "card_holder_price": supports["NP_CARD_HOLDER"]["price"],
        "card_holder_flags": [supports["NP_CARD_HOLDER"]["flag"]],
        "coating_prices": by_frame(costing["COATING"]["rules"], "unit_price_krw"),
        "steel_p_cover_price_per_90000mm2": int(steel_cover[-1]),
        "acrylic_p_cover_price": d["acrylic_p_cover_price"],
        "insulators_per_main": costing["INSULATOR"]["per_main_qty"],
        "insulator_prices": by_frame(costing["INSULATOR"]["rules"], "unit_price_per_piece_krw"),
        "small_breaker_support_price": costing["ELB_SUPPORT"]["unit_price_krw"],
        "consumables_base_w": cons["base_WH"][0],
        "consumables_base_h": cons["base_WH"][1],
        "consumables_base_price": cons["base_krw"],
        "consumables_per_100mm": cons["per_100mm_add_krw"],
        "consumables_per_accessory": cons["per_accessory_add_krw"],
        "consumables_cap": cons["cap_krw"],
        "assembly": assembly,
        "small_majority_rating_a": d["small_majority_rating_a"],
        "magnet_labour": bundle["labor_add_per_item_won"],
        "magnet_bundle": [
            [BUNDLE_ITEM_IDS[a["item_id"]], a["qty_per"]] for a in bundle["then_add"]
        ],
        "timer_adds_pbl": timer["then_add"][0]["qty_per"],
        "wire_set_item": wire_set["item_id"],
        "wire_set_kinds": wire_set["applies_to"],
        "vat_rate": str(supp["vat_rate"]),
        "imbalance_target": str(phase["target_imbalance"]),
        "imbalance_kec_limit": str(phase["kec_limit"]),
        "balance_time_limit_s": phase["time_limit_s"],
        "spd_breaker_poles": d["spd_breaker"]["poles"],
        "spd_breaker_at": d["spd_breaker"]["at"],
        "spd_breaker_family": d["spd_breaker"]["family"],
        "max_branch_entries": bounds_req["branch_entries"],
        "max_circuits": bounds_req["circuits"],
        "max_qty_per_entry": bounds_req["qty_per_entry"],
        "max_accessory_items": bounds_req["accessory_items"],
        "max_qty_per_accessory": bounds_req["qty_per_accessory"],
        "max_amps": bounds_req["max_amps"],
        "max_text": bounds_req["max_text"],
    }


def build(knowledge: Path, label: str) -> Catalog:
    core = load(knowledge, "ai_estimation_core_v1.2.0.json")
    supp = load(knowledge, "v1_supplement.json")
    data = {
        "label": label,
        "breakers": build_breakers(core),
        "enclosures": build_enclosures(core),
        "items": build_items(supp),
        "rules": build_rules(knowledge),
        "naming": V1_NAMING,
    }
    return Catalog.model_validate(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("knowledge", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--label", default="v1.0.0")
    args = parser.parse_args()
    catalog = build(args.knowledge, args.label)
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(catalog.document(), ensure_ascii=False, indent=1)
    (args.out / "catalog.json").write_text(text + "\n", encoding="utf-8")
    print(f"{args.label}: {len(catalog.breakers)} breakers, {len(catalog.enclosures)} boxes,")
    print(f"  {len(catalog.items)} priced items, sha256 {catalog.sha256}")


if __name__ == "__main__":
    main()
