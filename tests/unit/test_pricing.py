"""The panel maker's pricing policy and the estimator's custom lines, worked by hand."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator_core.catalog import Catalog, PricingPolicy
from estimator_core.catalog_import import catalog_changes, import_csv, import_json
from estimator_core.errors import EstimatorError
from estimator_core.lint import lint_quote
from estimator_core.money import round_half_up
from estimator_core.pipeline import Quote, estimate
from tests.conftest import ISSUED_AT

DEALER = {
    "name": "dealer",
    "description": "대리점가",
    "rates": [
        {"section": "BRANCHES", "brand": "SANGDO", "rate": "0.62"},
        {"section": "MAIN", "rate": "0.62"},
        {"section": "ENCLOSURE", "rate": "0.9"},
    ],
    "round_down_to": 1000,
}


def with_policies(catalog: Catalog, *policies: dict[str, Any]) -> Catalog:
    doc = catalog.document()
    doc["pricing_policies"] = list(policies)
    return import_json(doc, label=f"{catalog.label}-policies")


def run(body: dict[str, Any], catalog: Catalog) -> Quote:
    return estimate(body, catalog, issued_at=ISSUED_AT)


def line(q: Quote, item: str, spec: str | None = None) -> dict[str, Any]:
    (found,) = [
        x
        for x in q.result.model_dump(mode="json")["lines"]
        if x["item"] == item and (spec is None or x["spec"] == spec)
    ]
    return found


def test_a_dealer_policy_discounts_by_section_and_brand_and_cuts_the_subtotal(
    apartment: dict[str, Any], catalog: Catalog
) -> None:
    priced = with_policies(catalog, DEALER)
    q = run({**apartment, "pricing": "dealer"}, priced)
    # 외함 85,000 × 0.9 = 76,500; COATING (an ENCLOSURE line) 5,000 × 0.9 = 4,500;
    # main SBE-104 20,000 × 0.62 = 12,400; SES-54 33,400 × 0.62 = 20,708 (×2 = 41,416);
    # SIE-32 3,800 × 0.62 = 2,356 (×12 = 28,272); every other line at list (rate 1).
    assert (line(q, "외함")["unit_price"], line(q, "외함")["list_price"]) == (76500, 85000)
    assert line(q, "COATING")["amount"] == 4500
    main = line(q, "MCCB", "SBE-104 4P 100AF 75A")
    assert (main["unit_price"], main["rate"]) == (12400, "0.62")
    assert line(q, "ELB", "SES-54 4P 50AF 30A")["amount"] == 41416
    assert line(q, "ELB", "SIE-32 2P 30AF 20A")["amount"] == 28272
    assert line(q, "N.T")["rate"] == "1"
    # Σ amounts 409,088; list 468,400 → discount 59,312; 끝자리 절사 to ₩1,000 → 409,000
    # (rounding −88); VAT 40,900; total 449,900.
    assert q.result.model_dump(mode="json")["totals"] == {
        "list_total": 468400,
        "discount": 59312,
        "rounding": -88,
        "materials": 349088,
        "labour": 60000,
        "subtotal": 409000,
        "vat": 40900,
        "grand_total": 449900,
    }
    assert q.result.model_dump(mode="json")["lint"]["errors"] == []
    assert q.result.model_dump(mode="json")["cover"]["pricing"]["policy"] == "dealer"


def test_a_margin_multiplies_every_rate(apartment: dict[str, Any], catalog: Catalog) -> None:
    # 0.62 × 1.1 = 0.682: SBE-104 20,000 × 0.682 = 13,640; N.T 3,000 × 1.1 = 3,300.
    priced = with_policies(catalog, {**DEALER, "margin": "0.1"})
    q = run({**apartment, "pricing": "dealer"}, priced)
    main = line(q, "MCCB", "SBE-104 4P 100AF 75A")
    assert (main["unit_price"], main["rate"]) == (13640, "0.682")
    assert line(q, "N.T")["unit_price"] == 3300


def test_without_a_policy_lines_carry_no_list_price(apartment, catalog) -> None:
    q = run(apartment, catalog)
    assert all(
        "list_price" not in x and "rate" not in x for x in q.result.model_dump(mode="json")["lines"]
    )
    assert q.result.model_dump(mode="json")["cover"]["pricing"] is None


def test_an_unknown_policy_names_the_known_ones(apartment, catalog) -> None:
    with pytest.raises(EstimatorError) as err:
        run({**apartment, "pricing": "vip"}, with_policies(catalog, DEALER))
    assert err.value.code == "VALIDATION_FAILED"
    assert err.value.details[0]["loc"] == "pricing"
    assert "dealer" in err.value.message


def test_lint_rejects_a_price_that_does_not_follow_list_times_rate(apartment, catalog) -> None:
    priced = with_policies(catalog, DEALER)
    q = run({**apartment, "pricing": "dealer"}, priced)
    bad = [
        x.model_copy(update={"unit_price": x.unit_price + 1, "amount": x.amount + 1})
        if x.item == "외함"
        else x
        for x in q.format.lines
    ]
    fmt = q.format.model_copy(update={"lines": tuple(bad)})
    rules = {e.rule for e in lint_quote(q.panel, q.enclosure, q.placement, fmt, priced).errors}
    assert "PRICE_POLICY" in rules


def test_a_csv_import_keeps_the_bases_policies(catalog: Catalog) -> None:
    priced = with_policies(catalog, DEALER)
    row = ",,SBE-104,,,,,," + '"{""price"": 21000}"'
    header = "brand,series,model,af,poles,width_mm,height_mm,depth_mm,meta"
    new = import_csv(f"{header}\n{row}\n", priced, label="v2")
    assert new.pricing_policies == priced.pricing_policies and new.naming == priced.naming


def test_the_catalog_hash_covers_policies_only_when_there_are_some(catalog: Catalog) -> None:
    # A catalog without policies keeps its document and hash (v1.0.0 and v1.1.0 did).
    assert "pricing_policies" not in catalog.document()
    priced = with_policies(catalog, DEALER)
    assert priced.document()["pricing_policies"][0]["name"] == "dealer"
    changed = with_policies(catalog, {**DEALER, "round_down_to": 10000})
    assert priced.sha256 != changed.sha256
    assert catalog_changes(priced, changed)["pricing_policies"]["updated"] == ["dealer"]
    assert catalog_changes(catalog, priced)["pricing_policies"]["added"] == ["dealer"]


@pytest.mark.parametrize(
    ("policy", "where"),
    [
        ({**DEALER, "rates": [{"rate": "abc"}]}, "rate"),
        ({**DEALER, "margin": "-2"}, "margin"),
        ({**DEALER, "round_down_to": 0}, "round_down_to"),
        ({**DEALER, "name": "Dealer Price"}, "name"),
    ],
)
def test_a_malformed_policy_is_refused_at_import(
    policy: dict[str, Any], where: str, catalog: Catalog
) -> None:
    with pytest.raises(EstimatorError) as err:
        with_policies(catalog, policy)
    assert err.value.code == "VALIDATION_FAILED"
    assert where in str(err.value.details)


# ---- custom lines ------------------------------------------------------------------------

SPD = {
    "section": "accessories_required",
    "item": "SPD (타사)",
    "spec": "20kA 4P",
    "unit": "EA",
    "qty": 1,
    "unit_price": 85000,
}


def test_a_custom_line_is_counted_flagged_and_noted(apartment, catalog) -> None:
    plain = run(apartment, catalog)
    q = run({**apartment, "extras": [SPD]}, catalog)
    spd = line(q, "SPD (타사)")
    assert spd["section"] == "ACCESSORIES_REQUIRED"
    assert (spd["amount"], spd["flags"], spd["note"]) == (85000, ["custom"], "별도")
    assert (
        q.result.model_dump(mode="json")["totals"]["subtotal"]
        == plain.result.model_dump(mode="json")["totals"]["subtotal"] + 85000
    )
    assert "N_CUSTOM_LINE" in {n["rule"] for n in q.result.model_dump(mode="json")["lint"]["notes"]}
    assert (
        q.result.model_dump(mode="json")["status"] == plain.result.model_dump(mode="json")["status"]
    )  # a note changes no status


def test_a_custom_line_ends_its_section_and_keeps_its_price_under_a_policy(
    apartment, catalog
) -> None:
    work = {"section": "ENCLOSURE", "item": "현장 설치", "unit": "식", "qty": 1,
            "unit_price": 150000, "note": "야간 작업"}  # fmt: skip
    q = run({**apartment, "extras": [work], "pricing": "dealer"}, with_policies(catalog, DEALER))
    sections = [x["section"] for x in q.result.model_dump(mode="json")["lines"]]
    enclosure = [
        x["item"] for x in q.result.model_dump(mode="json")["lines"] if x["section"] == "ENCLOSURE"
    ]
    assert enclosure[-1] == "현장 설치" and sections == sorted(sections, key=sections.index)
    custom = line(q, "현장 설치")
    assert (custom["unit_price"], custom["note"]) == (150000, "야간 작업")
    assert "list_price" not in custom
    assert q.result.model_dump(mode="json")["lint"]["errors"] == []


@pytest.mark.parametrize(
    ("extra", "loc"),
    [
        ({**SPD, "section": "GARDEN"}, "extras.0.section"),
        ({**SPD, "qty": 0}, "extras.0.qty"),
        ({**SPD, "unit_price": -1}, "extras.0.unit_price"),
        ({**SPD, "unit_price": "85000"}, "extras.0.unit_price"),
        ({k: v for k, v in SPD.items() if k != "item"}, "extras.0.item"),
    ],
)
def test_a_bad_custom_line_names_its_field(
    extra: dict[str, Any], loc: str, apartment, catalog
) -> None:
    with pytest.raises(EstimatorError) as err:
        run({**apartment, "extras": [extra]}, catalog)
    assert err.value.code == "VALIDATION_FAILED"
    assert any(d["loc"].startswith(loc) for d in err.value.details), err.value.details


def test_an_unpriced_accessory_suggests_a_custom_line(apartment, catalog) -> None:
    body = {**apartment, "accessories": {"items": [{"kind": "meter_1ph", "qty": 1}]}}
    with pytest.raises(EstimatorError) as err:
        run(body, catalog)
    assert err.value.code == "NEED_KNOWLEDGE_UPDATE"
    assert "custom line" in err.value.message


# ---- properties --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    rate=st.decimals(min_value="0.01", max_value="2", places=2),
    margin=st.decimals(min_value="-0.5", max_value="1", places=2),
    unit=st.sampled_from([1, 10, 100, 1000, 10000]),
)
def test_rounding_never_increases_and_prices_follow_list_times_rate(
    rate: Any, margin: Any, unit: int, catalog: Catalog
) -> None:
    from tests.conftest import example

    policy = {"name": "p", "rates": [{"rate": str(rate)}], "margin": str(margin),
              "round_down_to": unit}  # fmt: skip
    priced = with_policies(catalog, policy)
    q = run({**example("apartment_sangdo"), "pricing": "p"}, priced)
    t = q.result.model_dump(mode="json")["totals"]
    net = sum(x["amount"] for x in q.result.model_dump(mode="json")["lines"])
    assert t["subtotal"] <= net and net - t["subtotal"] < unit and t["subtotal"] % unit == 0
    effective = Fraction(str(rate)) * (1 + Fraction(str(margin)))
    for x in q.result.model_dump(mode="json")["lines"]:
        assert x["unit_price"] == round_half_up(x["list_price"] * effective)
    assert t["grand_total"] == t["subtotal"] + t["vat"]
    assert q.result.model_dump(mode="json")["lint"]["errors"] == []
    assert PricingPolicy.model_validate(policy).rate_for("MAIN", None) == effective
