"""Project quotes: many panels in one quote, worked by hand from the regression set."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator_core.catalog import Catalog
from estimator_core.errors import EstimatorError
from estimator_core.project import ProjectQuote, estimate_project, is_project
from tests.conftest import ISSUED_AT, ROOT
from tests.unit.test_pricing import DEALER, with_policies

CASES = ROOT / "tests" / "regression" / "cases"


def case(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CASES / f"{name}.json").read_text("utf-8"))["request"]
    return data


PP1 = case("08_ls_outdoor_sus_sc_3p_main")  # 3P, subtotal ₩434,300 (hand-checked), issued
LP1 = case("16_sangdo_2p_main_house")  # 2P single-phase, ₩342,500, issued
LP2 = case("15_sangdo_3p_main_pinned_pairs")  # 3P, ₩630,800, needs_review


def project(*panels: tuple[str, int, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "project": {"customer": {"name": "한빛건설"}, "name": "한빛 오피스텔", "number": "P-7"},
        "panels": [{"name": n, "qty": q, "request": copy.deepcopy(r)} for n, q, r in panels],
        **extra,
    }


def run(body: dict[str, Any], catalog: Catalog) -> ProjectQuote:
    return estimate_project(body, catalog, issued_at=ISSUED_AT)


def failure(body: dict[str, Any], catalog: Catalog) -> EstimatorError:
    with pytest.raises(EstimatorError) as err:
        run(body, catalog)
    return err.value


def test_three_panels_one_of_them_four_times(catalog: Catalog) -> None:
    # PP-1 ₩434,300 ×1 + LP-1 ₩342,500 ×4 (= 1,370,000) + LP-2 ₩630,800 ×1 = ₩2,435,100;
    # VAT once: 10 % × 2,435,100 = 243,510; total 2,678,610. LP-2 needs review, so does
    # the project; LP-1 is single-phase among three-phase panels.
    q = run(project(("PP-1", 1, PP1), ("LP-1", 4, LP1), ("LP-2", 1, LP2)), catalog)
    assert [(p.name, p.qty, p.unit_total, p.amount) for p in q.panels] == [
        ("PP-1", 1, 434300, 434300),
        ("LP-1", 4, 342500, 1370000),
        ("LP-2", 1, 630800, 630800),
    ]
    t = q.totals
    assert (t.subtotal, t.vat, t.grand_total) == (2435100, 243510, 2678610)
    assert (t.list_total, t.discount, t.rounding) == (2435100, 0, 0)
    assert t.materials + t.labour == t.subtotal
    assert q.status == "needs_review"
    assert q.panels[1].quote.result.model_dump(mode="json")["phase_balance"]["totals_a"] is None


def test_the_project_is_issued_only_when_every_panel_is(catalog: Catalog) -> None:
    assert run(project(("PP-1", 1, PP1), ("LP-1", 2, LP1)), catalog).status == "issued"


def test_a_policy_cuts_once_on_the_project_sum(catalog: Catalog) -> None:
    # Per panel the dealer rates apply to its lines; the ₩1,000 cut is taken once on the
    # project's Σ amounts, never per panel, and never adds.
    priced = with_policies(catalog, DEALER)
    q = run(project(("LP-1", 3, LP1), ("LP-2", 1, LP2), pricing="dealer"), priced)
    net = sum(p.unit_total * p.qty for p in q.panels)
    assert q.totals.subtotal == net - net % 1000
    assert q.totals.rounding == q.totals.subtotal - net
    assert q.totals.discount == q.totals.list_total - net > 0
    assert all(
        p.quote.result.model_dump(mode="json")["cover"]["pricing"]["policy"] == "dealer"
        for p in q.panels
    )


def test_every_failing_panel_is_named_in_one_error(catalog: Catalog) -> None:
    bad_at = copy.deepcopy(LP1)
    bad_at["branches"][1]["at"] = 0
    bad_brand = {**copy.deepcopy(PP1), "brand": "ACME"}
    err = failure(
        project(("PP-1", 1, PP1), ("LP-1", 1, LP1), ("LP-3", 1, bad_at), ("PP-2", 1, bad_brand)),
        catalog,
    )
    assert err.code == "VALIDATION_FAILED"
    locs = {(d["panel"], d["loc"]) for d in err.details}
    assert ("LP-3", "panels.2.request.branches.1.at") in locs
    assert ("PP-2", "panels.3.request.brand") in locs
    assert "2 (LP-3)" in err.message and "3 (PP-2)" in err.message


def test_a_panel_needing_knowledge_keeps_its_code(catalog: Catalog) -> None:
    meter = {**copy.deepcopy(LP1), "accessories": {"items": [{"kind": "meter_1ph", "qty": 1}]}}
    err = failure(project(("LP-1", 1, LP1), ("LP-2", 2, meter)), catalog)
    assert err.code == "NEED_KNOWLEDGE_UPDATE"
    assert all(d["panel"] == "LP-2" for d in err.details)


def test_a_project_is_bounded_and_its_names_unique(catalog: Catalog) -> None:
    at_bound = project(*[(f"LP-{i}", 1, LP1) for i in range(100)])
    assert len(run(at_bound, catalog).panels) == 100
    over = failure(project(*[(f"LP-{i}", 1, LP1) for i in range(101)]), catalog)
    assert (over.code, over.details[0]["loc"]) == ("VALIDATION_FAILED", "panels")
    twice = failure(project(("LP-1", 1, LP1), ("LP-1", 1, LP2)), catalog)
    assert twice.details == [{"loc": "panels.1.name", "msg": "the name of panel 0"}]
    for qty in (0, 1000, 2.0, "3"):
        err = failure(project(("LP-1", qty, LP1)), catalog)  # type: ignore[arg-type]
        assert err.details[0]["loc"] == "panels.0.qty", qty


def test_missing_project_fields_ask_for_more_info(catalog: Catalog) -> None:
    err = failure({"panels": [{"name": "LP-1", "qty": 1, "request": LP1}]}, catalog)
    assert (err.code, err.details[0]["loc"]) == ("REQ_MORE_INFO", "project")


def test_a_panel_may_not_name_another_policy(catalog: Catalog) -> None:
    priced = with_policies(catalog, DEALER, {**DEALER, "name": "public"})
    body = project(("LP-1", 1, {**LP1, "pricing": "public"}), pricing="dealer")
    err = failure(body, priced)
    assert err.details[0]["loc"] == "panels.0.request.pricing"


def test_identical_panels_share_one_pricing_and_the_root_covers_every_panel(
    catalog: Catalog,
) -> None:
    q = run(project(("LP-1", 1, LP1), ("LP-2", 1, LP1), ("LP-3", 2, LP2)), catalog)
    assert q.panels[0].quote is q.panels[1].quote
    again = run(project(("LP-1", 1, LP1), ("LP-2", 1, LP1), ("LP-3", 2, LP2)), catalog)
    assert again.evidence_root == q.evidence_root
    more = run(project(("LP-1", 1, LP1), ("LP-2", 1, LP1), ("LP-3", 3, LP2)), catalog)
    assert more.evidence_root != q.evidence_root
    assert q.result.model_dump(mode="json")["kind"] == "project" and is_project(
        project(("LP-1", 1, LP1))
    ) and not is_project(LP1)  # fmt: skip


def test_the_project_customer_goes_on_panels_that_name_none(catalog: Catalog) -> None:
    bare = {k: v for k, v in LP1.items() if k != "customer"}
    cover = (
        run(project(("LP-1", 1, bare)), catalog)
        .panels[0]
        .quote.result.model_dump(mode="json")["cover"]
    )
    assert (cover["client"], cover["project_name"], cover["project_number"]) == (
        "한빛건설",
        "한빛 오피스텔",
        "P-7",
    )


@settings(max_examples=25, deadline=None)
@given(quantities=st.lists(st.integers(min_value=1, max_value=999), min_size=1, max_size=3))
def test_project_totals_are_the_sum_of_qty_times_panel_amounts(
    quantities: list[int], catalog: Catalog
) -> None:
    requests = [PP1, LP1, LP2]
    q = run(project(*[(f"P{i}", n, requests[i]) for i, n in enumerate(quantities)]), catalog)
    panel_sums = [p.quote.format.totals.subtotal for p in q.panels]
    assert q.totals.subtotal == sum(n * s for n, s in zip(quantities, panel_sums, strict=True))
    assert q.totals.vat == (q.totals.subtotal + 5) // 10  # 10 %, half-up, once
    assert q.totals.grand_total == q.totals.subtotal + q.totals.vat


def test_the_panel_figures_used_above_are_the_hand_checked_ones() -> None:
    # The worked project example adds up the regression set's hand-checked subtotals.
    for name, subtotal in (
        ("08_ls_outdoor_sus_sc_3p_main", 434300),
        ("16_sangdo_2p_main_house", 342500),
        ("15_sangdo_3p_main_pinned_pairs", 630800),
    ):
        data = json.loads((CASES / f"{name}.json").read_text("utf-8"))
        assert data["expect"]["subtotal"] == subtotal
