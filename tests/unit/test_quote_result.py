"""The typed quote: ``QuoteResult`` is the result JSON key for key, and the public surface
of ``estimator_core`` resolves lazily."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from typing import Any

import estimator_core
from estimator_core.canonical import canonical_json
from estimator_core.catalog import Catalog
from estimator_core.catalogs import DEFAULT_CATALOG, load_catalog
from estimator_core.pipeline import estimate
from estimator_core.quote import NoPhaseBalance, QuoteResult, TimedPhaseBalance
from tests.conftest import ISSUED_AT, ROOT


def test_the_result_reads_back_to_the_same_typed_quote(
    catalog: Catalog, apartment: dict[str, Any]
) -> None:
    result = estimate(apartment, catalog, issued_at=ISSUED_AT).result
    dumped = result.model_dump(mode="json")
    assert QuoteResult.model_validate(dumped) == result
    assert QuoteResult.model_validate_json(json.dumps(dumped)).model_dump(mode="json") == dumped


def test_the_output_evidence_is_the_result_before_its_evidence(
    catalog: Catalog, apartment: dict[str, Any]
) -> None:
    quote = estimate(apartment, catalog, issued_at=ISSUED_AT)
    output = json.loads(next(r for r in quote.evidence if r.stage == "output").content)
    result = quote.result.model_dump(mode="json")
    assert list(result)[: len(output)] == [k for k in result if k in output]
    for key, value in output.items():
        if key == "phase_balance":
            assert {**value, "solve_ms": result[key]["solve_ms"]} == result[key]
        elif key == "cover":
            assert {**value, "evidence_root": quote.evidence_root} == result[key]
        else:
            assert value == result[key], key


def test_a_line_leaves_out_the_fields_at_their_default(
    catalog: Catalog, apartment: dict[str, Any]
) -> None:
    result = estimate(apartment, catalog, issued_at=ISSUED_AT).result
    lines = result.model_dump(mode="json")["lines"]
    coating = next(x for x in lines if x["item"] == "COATING")
    assert list(coating) == ["section", "item", "spec", "unit", "qty", "unit_price", "amount"]
    assert any("refs" in x for x in lines)
    assert all(isinstance(x["qty"], int | float) for x in lines)


def test_a_single_phase_panel_has_no_phase_balance(
    catalog: Catalog, apartment: dict[str, Any]
) -> None:
    three = estimate(apartment, catalog, issued_at=ISSUED_AT).result.phase_balance
    assert isinstance(three, TimedPhaseBalance)
    single = {
        "brand": "LS",
        "installation": {"location": "OUTDOOR", "mount": "POLE"},
        "main": {"af": 50, "at": 40, "poles": "2P"},
        "branches": [{"at": 20, "poles": "2P", "qty": 10}],
    }
    pb = estimate(single, catalog, issued_at=ISSUED_AT).result.phase_balance
    assert isinstance(pb, NoPhaseBalance)
    assert "solve_ms" not in pb.model_dump()


def test_every_public_name_resolves() -> None:
    for name in estimator_core.__all__:
        assert getattr(estimator_core, name) is not None, name
    assert set(dir(estimator_core)) >= set(estimator_core.__all__)


def test_importing_the_package_loads_no_stage() -> None:
    code = (
        "import sys, estimator_core; "
        "print(sorted(m for m in sys.modules if m.startswith('estimator_core.')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert run.stdout.strip() == "[]"


def test_the_functions_import_the_engine_from_its_public_surface() -> None:
    for path in sorted((ROOT / "functions").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "estimator_core."
            ):
                # the dev command prints a quote with the CLI's summary
                assert (path.name, node.module) == ("dev.py", "estimator_core.cli"), path


def test_the_layout_rows_in_the_output_are_the_breaker_stages_rows() -> None:
    # The pipeline puts the breaker stage's row dicts into the output evidence instead of
    # dumping the typed rows again: the two must be the same JSON.
    body = json.loads((ROOT / "examples" / "apartment_sangdo.json").read_text(encoding="utf-8"))
    quote = estimate(body, load_catalog(DEFAULT_CATALOG), issued_at=ISSUED_AT)
    dumped = quote.result.model_dump(mode="json")["layout"]["rows"]
    assert dumped == quote.placement.layout_rows()
    assert canonical_json(dumped) == canonical_json(quote.placement.layout_rows())
    output = next(r for r in quote.evidence if r.stage == "output")
    assert json.loads(output.content)["layout"]["rows"] == dumped
