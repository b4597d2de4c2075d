"""Regression set: realistic requests whose expected quotes were computed by hand.

Each ``cases/NN_name.json`` holds a request, the expected figures (status, box,
requirement, height parts, imbalance, phase totals, subtotal, grand total, warning rule
ids) and ``why``: the arithmetic from RULES.md and the v1 catalog that produced them.
Each ``errors/NN_name.json`` holds a bad request and the error code RULES.md gives it.
The expectations were never copied from the engine; a disagreement is a finding to
report, not a number to update.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from estimator_core.catalog import Catalog
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from estimator_core.errors import EstimatorError
from estimator_core.pipeline import estimate

HERE = Path(__file__).parent
CASE_FILES = sorted((HERE / "cases").glob("*.json"))
ERROR_FILES = sorted((HERE / "errors").glob("*.json"))
ISSUED_AT = "2026-01-01T00:00:00Z"
TOL = 1e-9


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _params(files: list[Path]) -> list[Any]:
    return [pytest.param(f, id=f.stem) for f in files]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CATALOG)


def _close(actual: float | None, expected: float | None) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return math.isclose(actual, expected, rel_tol=0.0, abs_tol=TOL)


def _describe(result: dict[str, Any]) -> str:
    """The engine's lines, to make a failing comparison readable."""
    rows = [
        f"  {x['section']:<12} {x['item']:<16} {x.get('spec', '')!s:<28} "
        f"{x['qty']!s:>7} × {x['unit_price']:>9,} = {x['amount']:>10,}"
        for x in result["lines"]
    ]
    return "\n".join(rows)


@pytest.mark.parametrize("path", _params(CASE_FILES))
def test_case_matches_hand_computation(path: Path, catalog: Catalog) -> None:
    case = _load(path)
    expect = case["expect"]
    result = estimate(case["request"], catalog, issued_at=ISSUED_AT).result.model_dump(mode="json")
    enc = result["enclosure"]
    balance = result["phase_balance"]
    totals = result["totals"]
    warnings = sorted(w["rule"] for w in result["lint"]["warnings"])

    actual = {
        "status": result["status"],
        "box": enc["box"]["model"],
        "required": enc["required"],
        "height_parts": enc["height_parts"],
        "subtotal": totals["subtotal"],
        "grand_total": totals["grand_total"],
        "warnings": warnings,
        "errors": result["lint"]["errors"],
    }
    wanted = {
        "status": expect["status"],
        "box": expect["box"],
        "required": expect["required"],
        "height_parts": expect["height_parts"],
        "subtotal": expect["subtotal"],
        "grand_total": expect["grand_total"],
        "warnings": expect["warnings"],
        "errors": [],
    }
    mismatched = {k: (actual[k], wanted[k]) for k in wanted if actual[k] != wanted[k]}

    if expect.get("totals_a", "absent") is None:
        # A 2P main: a single-phase panel has nothing to balance.
        if (balance["applicable"], balance["imbalance"], balance["totals_a"]) != (
            False,
            None,
            None,
        ):
            mismatched["phase_balance"] = (balance, "applicable false, imbalance and totals null")
    else:
        if not _close(balance["imbalance"], expect["imbalance"]):
            mismatched["imbalance"] = (balance["imbalance"], expect["imbalance"])
        got = balance["totals_a"]
        if "totals_a" in expect:
            want = expect["totals_a"]
            if set(got) != set(want) or not all(_close(got[k], want[k]) for k in want):
                mismatched["totals_a"] = (got, want)
        if "totals_a_sorted" in expect:
            want_sorted = expect["totals_a_sorted"]
            got_sorted = sorted(got.values())
            if len(got_sorted) != len(want_sorted) or not all(
                _close(a, b) for a, b in zip(got_sorted, want_sorted, strict=True)
            ):
                mismatched["totals_a_sorted"] = (got_sorted, want_sorted)

    for want_line in expect.get("lines", []):
        # Optional: lines the case states exactly (item, spec, qty), each found once.
        found = [
            {k: x.get(k, "") for k in want_line}
            for x in result["lines"]
            if (x["item"], x.get("spec", "")) == (want_line["item"], want_line["spec"])
        ]
        if found != [want_line]:
            mismatched[f"line {want_line['item']} {want_line['spec']}"] = (found, want_line)

    assert not mismatched, (
        f"{path.name}: engine ≠ hand computation (actual, expected): {mismatched}\n"
        + _describe(result)
    )


@pytest.mark.parametrize("path", _params(ERROR_FILES))
def test_bad_request_answers_its_code(path: Path, catalog: Catalog) -> None:
    case = _load(path)
    with pytest.raises(EstimatorError) as info:
        estimate(case["request"], catalog, issued_at=ISSUED_AT)
    assert info.value.code == case["expect_code"], info.value.to_dict()


def test_regression_set_is_large_enough() -> None:
    assert len(CASE_FILES) >= 20
    assert len(ERROR_FILES) >= 14


def test_error_set_covers_every_code() -> None:
    codes = {_load(f)["expect_code"] for f in ERROR_FILES}
    assert codes == {
        "VALIDATION_FAILED",
        "REQ_MORE_INFO",
        "BRAND_CONFLICT",
        "POLES_MISMATCH",
        "DEVICE_TYPE_MISMATCH",
        "INVALID_MODEL_COMBO",
        "ACCESSORY_CONFLICT",
        "NEED_KNOWLEDGE_UPDATE",
    }


def test_every_case_explains_its_numbers() -> None:
    for f in CASE_FILES:
        case = _load(f)
        assert case["name"] and len(case["why"]) >= 5, f.name
        assert {"status", "box", "required", "height_parts", "subtotal", "grand_total"} <= set(
            case["expect"]
        ), f.name
