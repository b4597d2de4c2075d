"""RULES.md v1.2, one test per changed sentence, each with its worked example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from estimator_core.catalog import Catalog
from estimator_core.catalog_import import validation_report
from estimator_core.cli import (
    CATALOGS,
    DEFAULT_CATALOG,
    load_catalog,
    shipped_catalog_labels,
)
from estimator_core.errors import EstimatorError
from estimator_core.pipeline import Quote, estimate
from tests.conftest import ISSUED_AT, ROOT

KNOWLEDGE = ROOT.parent / "shared" / "domain" / "knowledge"
SAMPLES = ROOT / "estimator_core" / "catalogs" / "samples"
# The released v1.0.0 content, hashed when it shipped; a released label never changes.
V1_0_0_SHA256 = "e9b84c8315b4185b20845b35c4bab04a6447ed214df65f75ba4b5159f25bef81"


def run(body: dict[str, Any], catalog: Catalog) -> Quote:
    return estimate(body, catalog, issued_at=ISSUED_AT)


def request(main: dict[str, Any], branches: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"brand": "SANGDO", "main": main, "branches": branches, **extra}


def code_of(body: dict[str, Any], catalog: Catalog) -> tuple[str, list[dict[str, Any]]]:
    with pytest.raises(EstimatorError) as err:
        run(body, catalog)
    return err.value.code, err.value.details


def models(q: Quote) -> list[str]:
    return [r["model"] for r in q.panel.resolution]


def lines(q: Quote, item: str) -> list[dict[str, Any]]:
    return [x for x in q.result.model_dump(mode="json")["lines"] if x["item"] == item]


# ---- §1 `af` as a string ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "frame"),
    [
        ("100AF", "100AF"),
        ("100af", "100AF"),
        (" 100 AF ", "100AF"),
        ("100", "100AF"),
        (100, "100AF"),
        ("630", "600AF"),  # 630 → 600AF
        ("250AF", "225AF"),  # 225/250 → the 225–250AF class
    ],
)
def test_a_main_frame_may_be_written_as_text(written: Any, frame: str, catalog: Catalog) -> None:
    q = run(request({"af": written, "poles": "4P"}, [{"at": 20, "poles": 2, "qty": 3}]), catalog)
    main = next(x for x in q.result.model_dump(mode="json")["lines"] if x["section"] == "MAIN")
    assert f" {frame} " in main["spec"]


@pytest.mark.parametrize(("written", "model"), [("32af", "SIB-32"), (" 50 AF", "SBC-52")])
def test_a_branch_frame_may_be_written_as_text(written: str, model: str, catalog: Catalog) -> None:
    # 2P 20 A: "32af" → 30AF → the small SIB-32; asked as 50AF → the compact SBC-52.
    body = request({"af": 100, "poles": "4P"}, [{"af": written, "at": 20, "poles": 2, "qty": 3}])
    assert models(run(body, catalog))[1] == model


@pytest.mark.parametrize("field", ["at", "qty", "load_a"])
def test_other_numbers_stay_json_numbers(field: str, catalog: Catalog) -> None:
    branch: dict[str, Any] = {"at": 20, "poles": 2, "qty": 3, field: "20"}
    code, details = code_of(request({"af": 100, "poles": "4P"}, [branch]), catalog)
    assert code == "VALIDATION_FAILED"
    assert any(d["loc"].startswith(f"branches.0.{field}") for d in details)


@pytest.mark.parametrize("written", ["12AF", "AF", "1e3", "100 A", ""])
def test_a_frame_that_is_not_a_frame_names_the_field(written: str, catalog: Catalog) -> None:
    code, details = code_of(
        request({"af": written, "poles": "4P"}, [{"at": 20, "poles": 2, "qty": 1}]), catalog
    )
    assert code == "VALIDATION_FAILED"
    assert any(d["loc"].startswith("main.af") for d in details), details
    body = request({"af": 100, "poles": "4P"}, [{"af": written, "at": 20, "poles": 2, "qty": 1}])
    code, details = code_of(body, catalog)
    assert code == "VALIDATION_FAILED"
    assert any(d["loc"].startswith("branches.0.af") for d in details), details


# ---- §1 `af: 100` admits the 125AF-bodied …-10x ----------------------------------------


def test_af_100_standard_ls_elb_main_is_the_125af_bodied_ebs_104(catalog: Catalog) -> None:
    # LS STANDARD 4P ELB 100 A: no 100AF standard body exists; EBS-104's name says 100 and
    # its catalog frame is 125AF, so width is the 125–250AF 700 and the price ₩128,700.
    body = request(
        {"af": 100, "at": 100, "poles": "4P", "type": "ELB"},
        [{"at": 20, "poles": 2, "qty": 6}],
        brand="LS",
        form="STANDARD",
    )
    q = run(body, catalog)
    main = next(x for x in q.result.model_dump(mode="json")["lines"] if x["section"] == "MAIN")
    assert main["spec"] == "EBS-104 4P 125AF 100A"
    assert main["unit_price"] == 128700
    assert q.result.model_dump(mode="json")["enclosure"]["required"]["w"] == 700  # 125–250AF
    assert (
        q.result.model_dump(mode="json")["enclosure"]["height_parts"]["A"] == 170
    )  # by the main's rating ≤ 100 A


def test_ebs_104_named_with_af_100_is_no_contradiction(catalog: Catalog) -> None:
    body = request(
        {"model": "EBS-104", "af": "100AF", "at": 100, "poles": "4P"},
        [{"at": 20, "poles": 2, "qty": 3}],
        brand="LS",
    )
    assert models(run(body, catalog))[0] == "EBS-104"


def test_a_frame_neither_in_the_catalog_nor_in_the_name_still_contradicts(
    catalog: Catalog,
) -> None:
    body = request(
        {"model": "SBS-104", "af": 50, "poles": "4P"}, [{"at": 20, "poles": 2, "qty": 3}]
    )
    assert code_of(body, catalog)[0] == "INVALID_MODEL_COMBO"


def test_af_100_branch_takes_the_125af_pitch(catalog: Catalog) -> None:
    # LS STANDARD 3P MCCB 100 A asked as 100AF: ABS-103 (125AF body), pitch 3P 125AF = 90.
    body = request(
        {"af": 225, "poles": "4P"},
        [{"af": 100, "at": 100, "poles": 3, "qty": 1}],
        brand="LS",
        form="STANDARD",
    )
    q = run(body, catalog)
    unit = q.panel.branches[0]
    assert (unit.breaker.model, unit.breaker.af, unit.pitch_mm) == ("ABS-103", 125, 90)


def test_among_matches_the_smallest_catalog_frame_wins(catalog: Catalog) -> None:
    # SANGDO ECONOMIC 4P 100 A, af 100: SBE-104 (100AF) before nothing else; STANDARD has
    # only the 125AF-bodied SBS-104, which af 100 now admits.
    economic = run(request({"af": 100, "at": 100, "poles": "4P"}, [_two_pole()]), catalog)
    standard = run(
        request({"af": 100, "at": 100, "poles": "4P"}, [_two_pole()], form="STANDARD"), catalog
    )
    assert (models(economic)[0], models(standard)[0]) == ("SBE-104", "SBS-104")


def _two_pole() -> dict[str, Any]:
    return {"at": 20, "poles": 2, "qty": 3}


# ---- §1 the main follows the selection rules --------------------------------------------


@pytest.mark.parametrize(
    ("brand", "at", "model"),
    [("SANGDO", 50, "SEC-52"), ("SANGDO", 40, "SEC-52"), ("LS", 50, "EBS52FB")],
)
def test_a_2p_40_to_50_a_elb_main_is_the_compact_model(
    brand: str, at: int, model: str, catalog: Catalog
) -> None:
    # Regular SES-52 / EBN-52 also carry 50 A; the guide gives 2P 40–50 A ELBs the compact.
    body = request(
        {"af": 50, "at": at, "poles": "2P", "type": "ELB"},
        [{"at": 20, "poles": 2, "qty": 2}],
        brand=brand,
    )
    assert models(run(body, catalog))[0] == model


@pytest.mark.parametrize(("brand", "model"), [("SANGDO", "SBC-52"), ("LS", "ABS52FB")])
def test_a_2p_30_a_main_asked_as_50af_is_the_compact_model(
    brand: str, model: str, catalog: Catalog
) -> None:
    body = request(
        {"af": "50AF", "at": 30, "poles": "2P"}, [{"at": 20, "poles": 2, "qty": 2}], brand=brand
    )
    assert models(run(body, catalog))[0] == model


def test_a_3p_50af_main_stays_regular(catalog: Catalog) -> None:
    # 3P 50 A: SBS-53 (regular since v1.1.0, ₩15,600) before the compact SBC-53 (₩10,500).
    body = request({"af": 50, "at": 50, "poles": "3P"}, [{"at": 20, "poles": 3, "qty": 1}])
    assert models(run(body, catalog))[0] == "SBS-53"


# ---- §1 compactness comes from the catalog row ------------------------------------------


def test_compactness_is_the_catalog_rows_not_the_names(catalog: Catalog) -> None:
    # Swap the rows' flags: SBC-53 (a compact name) now reads regular, SBS-53 compact, so
    # the regular-before-compact rule picks SBC-53 although its name says compact.
    swapped = catalog.model_copy(
        update={
            "breakers": tuple(
                b.model_copy(update={"compact": b.model == "SBS-53"})
                if b.model in ("SBC-53", "SBS-53")
                else b
                for b in catalog.breakers
            )
        }
    )
    body = request({"af": 100, "poles": "4P"}, [{"at": 30, "poles": 3, "qty": 1}])
    assert models(run(body, catalog))[1] == "SBS-53"
    assert models(run(body, swapped))[1] == "SBC-53"


# ---- §3 zero bases are null --------------------------------------------------------------


def test_a_single_phase_panel_has_no_totals(catalog: Catalog) -> None:
    body = request({"af": 50, "at": 50, "poles": "2P"}, [{"at": 20, "poles": 2, "qty": 4}])
    pb = run(body, catalog).result.model_dump(mode="json")["phase_balance"]
    assert (pb["applicable"], pb["totals_a"], pb["imbalance"]) == (False, None, None)


def test_an_all_spare_panel_has_no_imbalance(catalog: Catalog) -> None:
    body = request({"af": 100, "poles": "4P"}, [{"at": 20, "poles": 2, "qty": 6, "load_a": 0}])
    pb = run(body, catalog).result.model_dump(mode="json")["phase_balance"]
    assert pb["totals_a"] == {"R": 0.0, "S": 0.0, "T": 0.0}
    assert (pb["imbalance"], pb["imbalance_single_phase"]) == (None, None)


def test_no_single_phase_load_makes_only_that_figure_null(catalog: Catalog) -> None:
    # Two 3P 30 A loads: every phase 60 A, imbalance 0; no 2P load → single-phase figure null.
    body = request({"af": 100, "poles": "4P"}, [{"at": 30, "poles": 3, "qty": 2}])
    pb = run(body, catalog).result.model_dump(mode="json")["phase_balance"]
    assert (pb["imbalance"], pb["imbalance_single_phase"]) == (0.0, None)


# ---- §4 identical accessory items make one line ------------------------------------------


def test_two_pbl_entries_make_one_line(catalog: Catalog) -> None:
    # pbl ×2 and pbl ×2 → one PBL ON/OFF line of 4 × ₩4,000 = ₩16,000.
    items = [
        {"kind": "magnet", "model": "MC-22", "qty": 1},
        {"kind": "pbl", "qty": 2},
        {"kind": "pbl", "qty": 2},
    ]
    body = request({"af": 100, "poles": "4P"}, [_two_pole()], accessories={"items": items})
    q = run(body, catalog)
    (pbl,) = lines(q, "PBL")
    assert (pbl["qty"], pbl["amount"]) == (4, 16000)
    assert q.result.model_dump(mode="json")["status"] != "rejected"  # lint still finds both entries


def test_two_entries_of_one_magnet_make_one_line(catalog: Catalog) -> None:
    items = [
        {"kind": "magnet", "model": "MC-22", "qty": 1},
        {"kind": "magnet", "model": "mc22", "qty": 2},
    ]
    body = request({"af": 100, "poles": "4P"}, [_two_pole()], accessories={"items": items})
    q = run(body, catalog)
    (magnet,) = lines(q, "MAG.CONTACTOR")
    assert (magnet["qty"], magnet["amount"]) == (3, 40500)  # 3 × ₩13,500
    (fuse,) = lines(q, "FUSEHOLDER")
    assert fuse["qty"] == 3


# ---- §2 each timer counts as one small-magnet unit ---------------------------------------


@pytest.mark.parametrize(
    ("items", "e"),
    [
        ([{"kind": "timer_24h", "qty": 1}], 0),  # one unit beside the main
        ([{"kind": "timer_24h", "qty": 2}], 250),  # two units
        ([{"kind": "magnet", "model": "MC-22", "qty": 1}, {"kind": "timer_24h", "qty": 1}], 250),
    ],
)
def test_each_timer_is_one_small_magnet_unit(
    items: list[dict[str, Any]], e: int, catalog: Catalog
) -> None:
    body = request({"af": 100, "poles": "4P"}, [_two_pole()], accessories={"items": items})
    assert run(body, catalog).result.model_dump(mode="json")["enclosure"]["height_parts"]["E"] == e


# ---- catalog v1.1.0 ----------------------------------------------------------------------


def test_the_shipped_catalog_is_v1_1_0_built_from_the_knowledge_files() -> None:
    from tools.build_catalog import build

    shipped = load_catalog(DEFAULT_CATALOG)
    assert shipped.label == "v1.1.0" == shipped_catalog_labels()[-1]
    assert build(KNOWLEDGE, "v1.1.0") == shipped


def test_v1_0_0_is_unchanged_and_differs_from_v1_1_0_only_in_sbs_53() -> None:
    old, new = load_catalog(CATALOGS / "v1.0.0"), load_catalog(DEFAULT_CATALOG)
    assert old.sha256 == V1_0_0_SHA256
    changed = [(a, b) for a, b in zip(old.breakers, new.breakers, strict=True) if a != b]
    assert [(a.model, a.compact, a.height_mm, b.compact, b.height_mm) for a, b in changed] == [
        ("SBS-53", True, 96, False, 130)
    ]
    assert (old.enclosures, old.items, old.rules) == (new.enclosures, new.items, new.rules)


def test_validating_v1_1_0_against_v1_0_0_changes_only_sangdo_3p_50af_samples() -> None:
    old, new = load_catalog(CATALOGS / "v1.0.0"), load_catalog(DEFAULT_CATALOG)
    samples = [(p.stem, json.loads(p.read_text("utf-8"))) for p in sorted(SAMPLES.glob("*.json"))]
    report = validation_report(samples, new, old, issued_at=ISSUED_AT)
    changed = {c["name"] for c in report["cases"] if c["verdict"] != "unchanged"}
    # Independently: the samples that price an unnamed SANGDO 3P 50AF MCCB under v1.0.0.
    expected = set()
    for name, body in samples:
        try:
            panel = run(body, old).panel
        except EstimatorError:
            continue
        units = [panel.main, *panel.branches]
        if any(u.breaker.model == "SBC-53" for u in units):
            expected.add(name)
    assert report["passed"] is True
    assert changed == expected
    assert "regression_30_sangdo_outdoor_tie_and_default_at" in changed
    assert all(c["verdict"] == "changed" for c in report["cases"] if c["name"] in changed)


def test_each_shipped_catalog_is_labelled_as_its_folder() -> None:
    for label in shipped_catalog_labels():
        assert load_catalog(Path(CATALOGS / label)).label == label
