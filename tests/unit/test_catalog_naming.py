"""A brand is data: its model-name grammar, breakers and prices come from the catalog."""

from __future__ import annotations

from typing import Any

import pytest

from estimator_core.catalog import V1_NAMING, Catalog
from estimator_core.catalog_import import import_csv, import_json
from estimator_core.cli import CATALOGS, DEFAULT_CATALOG, load_catalog
from estimator_core.errors import EstimatorError
from estimator_core.pipeline import estimate
from tests.conftest import ISSUED_AT

HYUNDAI_PATTERN = {
    "brand": "HYUNDAI",
    "regex": r"^H(?P<f>[BE])N-(?P<d>\d{2,3})$",
    "families": [["B", "MCCB"], ["E", "ELB"]],
}


def breaker(
    model: str, family: str, af: int, poles: int, ratings: list[int], price: int
) -> dict[str, Any]:
    return {
        "brand": "HYUNDAI", "model": model, "family": family, "series": model[:3],
        "forms": ["ECONOMIC", "STANDARD"], "af": af, "poles": poles,
        "width_mm": 25 * poles, "ratings": ratings, "price": price,
    }  # fmt: skip


def with_third_brand(catalog: Catalog) -> Catalog:
    doc = catalog.document()
    naming = catalog.names.model_dump(mode="json")
    naming["brands"] = [*naming["brands"], "HYUNDAI"]
    naming["patterns"] = [*naming["patterns"], HYUNDAI_PATTERN]
    doc["naming"] = naming
    doc["breakers"] = [
        *doc["breakers"],
        breaker("HBN-104", "MCCB", 100, 4, [60, 75, 100], 21000),
        breaker("HBN-54", "MCCB", 50, 4, [20, 30, 40, 50], 17000),
        breaker("HBN-52", "MCCB", 50, 2, [20, 30, 40, 50], 5000),
        breaker("HEN-52", "ELB", 50, 2, [20, 30, 40, 50], 9000),
    ]
    return import_json(doc, label="v1.1.0-hyundai")


def request(**extra: Any) -> dict[str, Any]:
    return {
        "brand": "hyundai",
        "main": {"af": "100AF", "at": 100, "poles": "4P"},
        "branches": [
            {"at": 20, "poles": "2P", "qty": 6},
            {"model": "HEN-52", "at": 30, "poles": "2P", "qty": 3},
            {"at": 30, "poles": "4P", "qty": 1},
        ],
        **extra,
    }


def test_a_third_brand_is_priced_with_no_code_change(catalog: Catalog) -> None:
    q = estimate(request(), with_third_brand(catalog), issued_at=ISSUED_AT)
    specs = {
        x["spec"]: x["unit_price"]
        for x in q.result.model_dump(mode="json")["lines"]
        if x.get("brand")
    }
    assert specs == {
        "HBN-104 4P 100AF 100A": 21000,
        "HBN-54 4P 50AF 30A": 17000,
        "HEN-52 2P 50AF 30A": 9000,
        "HBN-52 2P 50AF 20A": 5000,
    }
    assert q.result.model_dump(mode="json")["lint"]["errors"] == []
    assert q.result.model_dump(mode="json")["status"] in ("issued", "needs_review")


def test_the_third_brands_names_are_read_by_its_grammar(catalog: Catalog) -> None:
    third = with_third_brand(catalog)
    parsed = third.names.parse("hen-104")
    assert parsed is not None
    assert (parsed.brand, parsed.family, parsed.af, parsed.poles) == ("HYUNDAI", "ELB", 100, 4)
    # A model of another brand in a HYUNDAI panel, and a HYUNDAI name the catalog lacks.
    body = request()
    body["branches"][1]["model"] = "SEE-52"
    with pytest.raises(EstimatorError) as err:
        estimate(body, third, issued_at=ISSUED_AT)
    assert err.value.code == "BRAND_CONFLICT"
    body["branches"][1]["model"] = "HEN-62"  # a 60AF 2P ELB by its name, not in the catalog
    with pytest.raises(EstimatorError) as err:
        estimate(body, third, issued_at=ISSUED_AT)
    assert (err.value.code, err.value.details[0]["brand"]) == ("NEED_KNOWLEDGE_UPDATE", "HYUNDAI")


def test_a_brand_the_naming_lacks_is_refused(catalog: Catalog) -> None:
    with pytest.raises(EstimatorError) as err:
        estimate(request(), catalog, issued_at=ISSUED_AT)
    assert (err.value.code, err.value.details[0]["loc"]) == ("VALIDATION_FAILED", "brand")
    csv = "brand,series,model,af,poles,width_mm,height_mm,depth_mm,meta\n"
    csv += 'HYUNDAI,HBN,HBN-104,100,4,100,,,"{""family"": ""MCCB"", ""ratings"": [100], '
    csv += '""price"": 1, ""forms"": [""ECONOMIC""]}"\n'
    with pytest.raises(EstimatorError) as err:
        import_csv(csv, catalog, label="v9")
    assert (2, "brand") in {(d["line"], d["column"]) for d in err.value.details}
    updated = import_csv(csv, with_third_brand(catalog), label="v9").breaker("HBN-104")
    assert updated is not None and updated.price == 1


def test_v1_1_0_ships_its_naming_as_data_and_v1_0_0_reads_the_v1_naming() -> None:
    new, old = load_catalog(DEFAULT_CATALOG), load_catalog(CATALOGS / "v1.0.0")
    assert new.naming == V1_NAMING and "naming" in new.document()
    assert old.naming is None and old.names == V1_NAMING and "naming" not in old.document()
