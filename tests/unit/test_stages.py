"""Worked examples per stage, checked by hand against RULES.md (the arithmetic is stated)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from estimator_core.catalog import Catalog, PricedItem
from estimator_core.enclosure import pair_rows
from estimator_core.lines import QuoteLine
from estimator_core.lint import lint_quote
from estimator_core.pipeline import Quote, estimate
from tests.conftest import ISSUED_AT


def run(body: dict[str, Any], catalog: Catalog) -> Quote:
    return estimate(body, catalog, issued_at=ISSUED_AT)


def panel(branches: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "brand": "SANGDO",
        "main": {"af": 100, "at": 100, "poles": "4P"},
        "branches": branches,
    }
    body.update(extra)
    return body


def line(q: Quote, item: str, spec: str | None = None) -> dict[str, Any]:
    found = [
        x
        for x in q.result.model_dump(mode="json")["lines"]
        if x["item"] == item and (spec is None or x["spec"] == spec)
    ]
    assert len(found) == 1, found
    return found[0]


# ---- enclosure -------------------------------------------------------------------------


def test_apartment_height_is_a_plus_b_plus_c_plus_d_rounded_up(apartment, catalog) -> None:
    # A 170 (main 75 A ≤ 100) + B 30 + C 340 (100 + 6×40) + D 150 (≤ 250 A) = 690 → 700
    q = run(apartment, catalog)
    enc = q.result.model_dump(mode="json")["enclosure"]
    assert enc["height_parts"] == {"A": 170, "B": 30, "C": 340, "D": 150, "E": 0}
    assert enc["height_raw"] == 690
    assert enc["required"] == {"w": 600, "h": 700, "d": 150}
    assert enc["box"]["model"] == "HDS 60 70 15"
    assert enc["fit_score"] == 1.0


def test_pairing_neighbours_minimises_the_sum_of_row_pitches(apartment, catalog) -> None:
    units = run(apartment, catalog).panel.branches
    best = min(
        sum(max(units[p[i]].pitch_mm, units[p[i + 1]].pitch_mm) for i in range(0, 14, 2))
        for p in itertools.islice(itertools.permutations(range(14)), 20000)
    )
    assert sum(r.pitch_mm for r in pair_rows(units)) <= best
    assert sum(r.pitch_mm for r in pair_rows(units)) == 340


def test_an_odd_breaker_takes_a_row_alone(catalog) -> None:
    q = run(panel([{"at": 20, "poles": "2P", "qty": 3}]), catalog)
    rows = q.result.model_dump(mode="json")["layout"]["rows"]
    assert [r["right"] is None for r in rows] == [False, True]
    # C = 40 + 40; A 170, B 30, D 150 → 430 → 500; W 500 (every branch is small)
    assert q.result.model_dump(mode="json")["enclosure"]["required"] == {
        "w": 500,
        "h": 500,
        "d": 150,
    }


def test_28_branch_breakers_widen_a_100af_panel_to_700(catalog) -> None:
    q = run(panel([{"at": 20, "poles": "2P", "qty": 28}]), catalog)
    assert q.result.model_dump(mode="json")["enclosure"]["required"]["w"] == 700


def test_two_225af_branches_under_a_400af_main_widen_to_900(catalog) -> None:
    body = panel(
        [{"at": 200, "poles": "4P", "qty": 2}, {"at": 20, "poles": "2P", "qty": 6}],
        main={"af": 400, "at": 400, "poles": "4P"},
    )
    enc = run(body, catalog).result.model_dump(mode="json")["enclosure"]
    # W 900; D 250 (main 400AF); A 320 (assumed) + 30 + C (140 + 3×40 = 260) + D 200 = 810
    assert enc["required"] == {"w": 900, "h": 900, "d": 250}
    assert enc["height_parts"] == {"A": 320, "B": 30, "C": 260, "D": 200, "E": 0}


def test_many_small_magnets_widen_the_band(catalog) -> None:
    # small band at W 600 holds 5, +2 per 100 mm: 8 magnets need W 800 (5 + 2·2 = 9)
    body = panel(
        [{"at": 30, "poles": "4P", "qty": 2}],
        accessories={"items": [{"kind": "magnet", "model": "MC-22", "qty": 8}]},
    )
    enc = run(body, catalog).result.model_dump(mode="json")["enclosure"]
    assert enc["required"]["w"] == 800
    assert enc["height_parts"]["E"] == 250
    assert enc["required"]["d"] == 200  # accessories, no PBL, 100AF main


def test_one_small_magnet_sits_beside_the_main(catalog) -> None:
    body = panel(
        [{"at": 30, "poles": "4P", "qty": 2}],
        accessories={"items": [{"kind": "magnet", "model": "MC-22", "qty": 1}]},
    )
    assert run(body, catalog).result.model_dump(mode="json")["enclosure"]["height_parts"]["E"] == 0


def test_meters_add_200_per_band_of_three(catalog) -> None:
    meter = PricedItem(item_id="METER_3PH", name="3상계량기", price=50000, kind="meter_3ph")
    priced = catalog.model_copy(update={"items": (*catalog.items, meter)})
    body = panel(
        [{"at": 30, "poles": "4P", "qty": 2}],
        accessories={"items": [{"kind": "meter_3ph", "qty": 4}]},
    )
    q = run(body, priced)
    assert (
        q.result.model_dump(mode="json")["enclosure"]["height_parts"]["E"] == 400
    )  # ⌈4 / 3⌉ = 2 bands × 200
    assert line(q, "CABLE/WIRE")["qty"] == 4  # one KIV set per meter


def test_pbl_on_the_door_makes_the_box_250_deep(catalog) -> None:
    body = panel(
        [{"at": 30, "poles": "4P", "qty": 2}],
        accessories={
            "items": [
                {"kind": "magnet", "model": "MC-22", "qty": 1},
                {"kind": "pbl", "qty": 1},
            ]
        },
    )
    assert run(body, catalog).result.model_dump(mode="json")["enclosure"]["required"]["d"] == 250


def test_outdoor_steel_uses_ht_and_flush_uses_hs(catalog) -> None:
    outdoor = run(
        panel([{"at": 20, "poles": "2P", "qty": 4}], installation={"location": "OUTDOOR"}), catalog
    )
    flush = run(
        panel([{"at": 20, "poles": "2P", "qty": 4}], installation={"mount": "FLUSH"}), catalog
    )
    assert outdoor.result.model_dump(mode="json")["enclosure"]["box"]["series"] == "HT"
    assert flush.result.model_dump(mode="json")["enclosure"]["box"]["series"] == "HS"


def test_cheapest_fitting_box_is_chosen(catalog) -> None:
    # main 50 A: A 130 + B 30 + C 80 + D 150 = 390 → 400; W 500 (small only)
    # need 500×400×150 indoor surface: HDS 50 50 15 (60,000) is the cheapest HDS that fits
    body = panel([{"at": 20, "poles": "2P", "qty": 3}], main={"af": 50, "at": 50, "poles": "4P"})
    q = run(body, catalog)
    assert q.result.model_dump(mode="json")["enclosure"]["required"] == {
        "w": 500,
        "h": 400,
        "d": 150,
    }
    assert q.result.model_dump(mode="json")["enclosure"]["box"]["model"] == "HDS 50 50 15"
    assert q.result.model_dump(mode="json")["enclosure"]["box"]["price"] == 60000
    # fit = 500·400 / (500·500) = 0.8 → below the 0.90 gate
    assert q.result.model_dump(mode="json")["enclosure"]["fit_score"] == pytest.approx(0.8)
    assert [w["rule"] for w in q.result.model_dump(mode="json")["lint"]["warnings"]] == ["ENC_FIT"]
    assert q.status == "needs_review"


# ---- breaker -----------------------------------------------------------------------------


def test_apartment_phases_are_140_each_and_cycle_down_the_rows(apartment, catalog) -> None:
    q = run(apartment, catalog)
    pb = q.result.model_dump(mode="json")["phase_balance"]
    assert pb["totals_a"] == {"R": 140.0, "S": 140.0, "T": 140.0}  # 12×20/3 + 2×30
    assert pb["imbalance"] == 0.0
    assert pb["proven_optimal"] is True
    phases = [
        cell["phase"]
        for row in q.result.model_dump(mode="json")["layout"]["rows"]
        for cell in (row["left"], row["right"])
        if cell and cell["poles"] == 2
    ]
    assert phases == ["R", "S", "T"] * 4


def test_larger_poles_and_ratings_come_first_within_equal_pitch(catalog) -> None:
    body = panel([{"at": 20, "poles": "2P", "qty": 1}, {"at": 30, "poles": "2P", "qty": 1}])
    rows = run(body, catalog).result.model_dump(mode="json")["layout"]["rows"]
    assert (rows[0]["left"]["at"], rows[0]["right"]["at"]) == (30, 20)


def test_pinned_circuits_keep_their_phase(office, catalog) -> None:
    q = run(office, catalog)
    assignment = q.result.model_dump(mode="json")["phase_balance"]["assignment"]
    assert assignment["B4-1"] == assignment["B4-2"] == "R"


def test_single_phase_panel_has_nothing_to_balance(catalog) -> None:
    body = panel([{"at": 20, "poles": "2P", "qty": 4}], main={"af": 50, "at": 50, "poles": "2P"})
    pb = run(body, catalog).result.model_dump(mode="json")["phase_balance"]
    assert pb["applicable"] is False
    assert pb["imbalance"] is None


def test_three_wire_panel_balances_pairs(catalog) -> None:
    body = panel(
        [{"at": 20, "poles": "2P", "qty": 3}, {"at": 30, "poles": "3P", "qty": 1}],
        main={"af": 100, "at": 100, "poles": "3P"},
    )
    pb = run(body, catalog).result.model_dump(mode="json")["phase_balance"]
    assert set(pb["totals_a"]) == {"RS", "ST", "TR"}
    assert pb["totals_a"] == {"RS": 20.0, "ST": 20.0, "TR": 20.0}
    assert pb["imbalance"] == 0.0


def test_imbalance_above_target_is_the_proven_optimum(catalog) -> None:
    # three 2P circuits 30, 20, 20 A on R/S/T: spread 10 A, mean (70/3) → 42.86 %
    body = panel([{"at": 30, "poles": "2P", "qty": 1}, {"at": 20, "poles": "2P", "qty": 2}])
    q = run(body, catalog)
    pb = q.result.model_dump(mode="json")["phase_balance"]
    assert pb["optimum_a"] == 10.0 and pb["proven_optimal"]
    assert pb["imbalance"] == pytest.approx(10 / (70 / 3))
    assert {w["rule"] for w in q.result.model_dump(mode="json")["lint"]["warnings"]} >= {
        "BAL_TARGET",
        "BAL_KEC_LIMIT",
    }


# ---- format ------------------------------------------------------------------------------


def test_apartment_lines_match_the_hand_computation(apartment, catalog) -> None:
    q = run(apartment, catalog)
    amounts = {
        (x["item"], x["spec"]): x["amount"] for x in q.result.model_dump(mode="json")["lines"]
    }
    assert amounts == {
        ("외함", "HDS 60 70 15 600×700×150 STEEL 1.6T"): 85000,
        ("COATING", ""): 5000,  # main 100AF: 50–250AF
        ("MCCB", "SBE-104 4P 100AF 75A"): 20000,
        ("ELB", "SES-54 4P 50AF 30A"): 2 * 33400,
        ("ELB", "SIE-32 2P 30AF 20A"): 12 * 3800,
        ("MAIN BUS-BAR", "3T×15"): 58800,  # 600·700·0.000007 = 2.94 kg × 20,000
        ("BUS-BAR", "3T×15"): 37800,  # 600·700·0.0000045 = 1.89 kg × 20,000
        ("E.T", ""): 2 * 4500,  # 1 + ⌊14 / 12⌋
        ("N.T", ""): 3000,
        ("N.P", "3T×40×200"): 4000,
        ("N.P", "CARD HOLDER"): 14 * 4000,
        ("INSULATOR", ""): 4 * 1100,
        ("ELB 지지대", ""): 12 * 500,
        ("잡자재비", ""): 7000,  # 600×700, no accessories
        ("ASSEMBLY CHARGE", "조립비"): 60000,  # 50,000 + 10,000: 12 of 14 are small 20 A
    }
    assert q.result.model_dump(mode="json")["totals"] == {
        "list_total": 468400,  # no pricing policy: list prices, no discount, no rounding
        "discount": 0,
        "rounding": 0,
        "materials": 408400,
        "labour": 60000,
        "subtotal": 468400,
        "vat": 46840,
        "grand_total": 515240,
    }


def test_sections_come_in_document_order(office, catalog) -> None:
    sections = [x["section"] for x in run(office, catalog).result.model_dump(mode="json")["lines"]]
    order = ["ENCLOSURE", "MAIN", "BRANCHES", "ACCESSORIES_REQUIRED", "BUSBAR", "SUPPORTS", "COSTS"]
    assert sorted(set(sections), key=sections.index) == order


def test_branches_sort_by_poles_then_amperes_descending(office, catalog) -> None:
    specs = [
        x["spec"]
        for x in run(office, catalog).result.model_dump(mode="json")["lines"]
        if x["section"] == "BRANCHES"
    ]
    assert specs == [
        "ABS-63 3P 60AF 60A",
        "EBS52FB 2P 50AF 40A",
        "32GRHS 2P 30AF 30A",
        "32GRHS 2P 30AF 20A",
    ]


def test_magnet_bundle_timer_pbl_and_labour(office, catalog) -> None:
    q = run(office, catalog)
    assert line(q, "FUSEHOLDER")["qty"] == 2
    assert line(q, "TERMINAL BLOCK")["qty"] == 6
    assert line(q, "PVC DUCT")["qty"] == 4
    assert line(q, "CABLE/WIRE")["qty"] == 4
    assert line(q, "PBL", "ON/OFF/SS")["qty"] == 1
    assert line(q, "인건비(MAGNET)")["amount"] == 40000


def test_what_a_panel_needs_is_computed_once_and_priced_as_is(office, catalog) -> None:
    # Two magnets and a 24H timer: per magnet 1 fuse holder, 3 terminal blocks, 2 ducts,
    # 2 cable/wire and labour; the timer beside a magnet adds one PBL (ON/OFF/SS).
    q = run(office, catalog)
    assert {n.ref: n.qty for n in q.panel.needs} == {
        "bundle:FUSE_HOLDER": 2,
        "bundle:TERMINAL_BLOCK_600V": 6,
        "bundle:DUCT_PVC_40": 4,
        "bundle:CABLE_WIRE": 4,
        "bundle:PBL_TIMER": 1,
        "bundle:MAGNET_LABOUR": 2,
    }
    for need in q.panel.needs:
        (quoted,) = [
            x for x in q.result.model_dump(mode="json")["lines"] if need.ref in x.get("refs", ())
        ]
        assert (quoted["qty"], quoted["unit_price"]) == (need.qty, need.unit_price)
    assert q.panel.has_pbl  # the timer's PBL is on the door: depth 250
    assert q.result.model_dump(mode="json")["enclosure"]["required"]["d"] == 250


def test_identical_breakers_from_several_entries_make_one_line(catalog) -> None:
    body = panel([{"at": 20, "poles": "2P", "qty": 2}, {"at": 20, "poles": "2P", "qty": 3}])
    assert line(run(body, catalog), "MCCB", "SIB-32 2P 30AF 20A")["qty"] == 5


def test_price_range_quotes_the_higher_figure_with_a_note(catalog) -> None:
    body = panel([{"at": 20, "poles": "2P", "qty": 3}], main={"model": "SBS-104", "poles": "4P"})
    q = run(body, catalog)
    main = line(q, "MCCB", "SBS-104 4P 125AF 125A")
    assert main["unit_price"] == 49000  # range 32,000–49,000
    assert "32,000–49,000" in main["note"]
    assert "PRICE_RANGE" in {n["rule"] for n in q.result.model_dump(mode="json")["lint"]["notes"]}


def test_steel_p_cover_standalone_base_and_pole_bracket(catalog) -> None:
    body = panel(
        [{"at": 20, "poles": "2P", "qty": 6}, {"at": 30, "poles": "4P", "qty": 2}],
        installation={"mount": "STANDALONE"},
        options={"p_cover": "STEEL"},
    )
    q = run(body, catalog)
    # C = 100 + 3·40 = 220; 170 + 30 + 220 + 150 = 570 → 600: HDS 60 60 15
    # P-COVER (600·600/90000)·12,000 = 48,000; base (600·200/90000)·32,000
    assert q.result.model_dump(mode="json")["enclosure"]["box"]["model"] == "HDS 60 60 15"
    assert line(q, "P-COVER")["amount"] == 48000
    assert line(q, "BASE")["amount"] == 42667  # 42,666.67 rounded half-up
    pole = panel(
        [{"at": 20, "poles": "2P", "qty": 6}], installation={"location": "OUTDOOR", "mount": "POLE"}
    )
    assert line(run(pole, catalog), "BRACKET 용접")["amount"] == 20000


def test_consumables_are_capped(office, catalog) -> None:
    # 800×1400: 7,000 + (2 + 7)·1,000 + 3 accessories·12,000 = 52,000 → cap 42,000
    assert line(run(office, catalog), "잡자재비")["amount"] == 42000


def test_assembly_grows_with_height(office, catalog) -> None:
    # 125–250AF: 60,000 at H 800; H 1400 → +6·15,000; 18 of 28 small 20 A → +10,000
    assert line(run(office, catalog), "ASSEMBLY CHARGE")["amount"] == 160000


def test_busbar_brackets_follow_the_main_rating(catalog) -> None:
    body = panel([{"at": 200, "poles": "4P", "qty": 2}], main={"af": 400, "at": 400, "poles": "4P"})
    q = run(body, catalog)
    box = q.result.model_dump(mode="json")["enclosure"]["box"]
    main_bar = line(q, "MAIN BUS-BAR")
    assert main_bar["spec"] == "6T×30"
    kg = Decimal(box["w"] * box["h"]) * Decimal("0.000013")
    assert main_bar["qty"] == float(kg.quantize(Decimal("0.01")))
    assert line(q, "BUS-BAR")["spec"] == "5T×20"  # largest branch 200 A


# ---- lint --------------------------------------------------------------------------------


def _tampered(q: Quote, **changes: Any) -> list[str]:
    first = q.format.lines[0]
    bad: QuoteLine = first.model_copy(update=changes)
    fmt = q.format.model_copy(update={"lines": (bad, *q.format.lines[1:])})
    report = lint_quote(q.panel, q.enclosure, q.placement, fmt, CATALOG_FOR_LINT)
    assert report.status == "rejected"
    return [e.rule for e in report.errors]


CATALOG_FOR_LINT: Catalog


@pytest.fixture(autouse=True)
def _lint_catalog(catalog: Catalog) -> None:
    global CATALOG_FOR_LINT
    CATALOG_FOR_LINT = catalog


def test_lint_rejects_an_amount_that_is_not_qty_times_price(apartment, catalog) -> None:
    assert "LINE_AMOUNT" in _tampered(run(apartment, catalog), amount=1)


def test_lint_rejects_a_zero_quantity(apartment, catalog) -> None:
    assert "LINE_QTY_POSITIVE" in _tampered(run(apartment, catalog), qty=0, amount=0)


def test_lint_rejects_sections_out_of_order(apartment, catalog) -> None:
    assert "SECTION_ORDER" in _tampered(run(apartment, catalog), section="COSTS")


def test_lint_rejects_a_missing_branch(apartment, catalog) -> None:
    q = run(apartment, catalog)
    lines = tuple(x for x in q.format.lines if "branches.1" not in x.refs)
    fmt = q.format.model_copy(update={"lines": lines})
    rules = [e.rule for e in lint_quote(q.panel, q.enclosure, q.placement, fmt, catalog).errors]
    assert "MISSING_BRANCH" in rules and "SUBTOTAL" in rules


def test_lint_rejects_a_missing_bundle_item(office, catalog) -> None:
    q = run(office, catalog)
    lines = tuple(x for x in q.format.lines if x.refs != ("bundle:FUSE_HOLDER",))
    fmt = q.format.model_copy(update={"lines": lines})
    rules = [e.rule for e in lint_quote(q.panel, q.enclosure, q.placement, fmt, catalog).errors]
    assert "MISSING_BUNDLE" in rules


def test_a_correct_quote_has_no_lint_errors(apartment, office, catalog) -> None:
    for body in (apartment, office):
        assert run(body, catalog).result.model_dump(mode="json")["lint"]["errors"] == []


def test_assumed_and_example_rows_are_noted(office, catalog) -> None:
    notes = {
        n["rule"] for n in run(office, catalog).result.model_dump(mode="json")["lint"]["notes"]
    }
    assert {"CAT_ASSUMED", "CAT_EXAMPLE", "PITCH_FROM_WIDTH"} <= notes


# ---- cover -------------------------------------------------------------------------------


def test_cover_carries_totals_catalog_issue_time_and_root(apartment, catalog) -> None:
    q = estimate(apartment, catalog, issued_at=ISSUED_AT, estimator="kim", revision="R2")
    cover = q.result.model_dump(mode="json")["cover"]
    assert cover["client"] == "한빛건설"
    assert cover["project_name"] == "한빛아파트 101동 세대분전반"
    assert (cover["estimator"], cover["revision"], cover["currency"]) == ("kim", "R2", "KRW")
    assert cover["issued_at"] == ISSUED_AT
    assert (
        cover["totals"]["grand_total"] == q.result.model_dump(mode="json")["totals"]["grand_total"]
    )
    assert cover["catalog"] == {"label": catalog.label, "sha256": catalog.sha256}
    assert cover["evidence_root"] == q.evidence_root
