"""Catalog import (CSV and JSON), what an import changes, and validation against samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from estimator_core.catalog import Catalog
from estimator_core.catalog_import import (
    ENGINE_FAILURE,
    catalog_changes,
    catalog_counts,
    compare_outcomes,
    content_without_label,
    import_csv,
    import_json,
    validation_report,
)
from estimator_core.errors import NeedKnowledgeUpdate, ValidationFailed
from estimator_core.pipeline import estimate
from tests.conftest import ISSUED_AT, ROOT, example

HEADER = "brand,series,model,af,poles,width_mm,height_mm,depth_mm,meta"
SAMPLES = ROOT / "estimator_core" / "catalogs" / "samples"


def meta(**values: Any) -> str:
    """A meta cell: JSON, CSV-quoted."""
    return '"' + json.dumps(values).replace('"', '""') + '"'


METASOL = "LS,METASOL,METASOL-600,600,4P,280,280,109," + meta(
    family="MCCB", ratings=[600, 500], price=620000, forms=["ECONOMIC", "STANDARD"]
)


def csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def problems(text: str, catalog: Catalog) -> list[dict[str, Any]]:
    with pytest.raises(ValidationFailed) as err:
        import_csv(text, catalog, label="v9")
    assert "nothing was imported" in err.value.message
    return err.value.details


def where(details: list[dict[str, Any]]) -> set[tuple[int | None, str | None]]:
    return {(d["line"], d["column"]) for d in details}


# -- CSV: what a valid upload does -------------------------------------------------------
def test_a_new_breaker_row_lets_the_runbook_request_price(catalog: Catalog) -> None:
    with pytest.raises(NeedKnowledgeUpdate):
        estimate(example("runbook_seed_example"), catalog, issued_at=ISSUED_AT)
    new = import_csv(csv(METASOL), catalog, label="v1.1.0")
    metasol = new.breaker("METASOL-600")
    assert metasol is not None
    assert (metasol.brand, metasol.af, metasol.poles, metasol.price) == ("LS", 600, 4, 620000)
    assert metasol.ratings == (500, 600)  # sorted: the engine reads the last as the largest
    quote = estimate(example("runbook_seed_example"), new, issued_at=ISSUED_AT)
    assert quote.result.model_dump(mode="json")["lines"][2]["spec"].startswith("METASOL-600")
    assert new.label == "v1.1.0" and new.sha256 != catalog.sha256
    assert catalog.breaker("METASOL-600") is None  # the base is untouched


def test_an_update_row_replaces_only_what_it_gives(catalog: Catalog) -> None:
    before = catalog.breaker("ABN-604")
    assert before is not None
    new = import_csv(csv(",, abn-604 ,,,,,," + meta(price=610000)), catalog, label="v2")
    after = new.breaker("ABN-604")
    assert after == before.model_copy(update={"price": 610000})
    assert [b.model for b in new.breakers] == [b.model for b in catalog.breakers]


def test_enclosure_and_item_rows_by_kind_column_or_meta_key(catalog: Catalog) -> None:
    text = csv(
        ",HDS,HDS 99 99 99,,,990,990,990,"
        + meta(price=1, material="STEEL", thickness_mm=1.6)
        + ",enclosure",
        ",,MAGNET_MC-32,,,,,,"
        + meta(
            kind="item",
            name="MAG.CONTACTOR",
            price=19000,
            accessory_kind="magnet",
            accessory_model="MC-32",
        )
        + ",",
        header=HEADER + ",kind",
    )
    new = import_csv(text, catalog, label="v2")
    box = next(e for e in new.enclosures if e.model == "HDS 99 99 99")
    assert (box.w, box.h, box.d, box.material) == (990, 990, 990, "STEEL")
    magnet = new.item_for("magnet", "MC-32")
    assert magnet is not None and (magnet.item_id, magnet.unit, magnet.spec) == (
        "MAGNET_MC-32",
        "EA",
        "",
    )
    assert catalog_counts(new) == {
        "breaker": len(catalog.breakers),
        "enclosure": len(catalog.enclosures) + 1,
        "item": len(catalog.items) + 1,
    }


def test_delete_removes_a_base_row(catalog: Catalog) -> None:
    new = import_csv(csv(',,SBE-104,,,,,,"{""delete"": true}"'), catalog, label="v2")
    assert new.breaker("SBE-104") is None
    assert catalog_changes(catalog, new)["breakers"]["removed"] == ["SBE-104"]


def test_columns_in_any_order_a_bom_blank_lines_and_crlf_are_accepted(catalog: Catalog) -> None:
    header = "meta,model,brand,series,af,poles,width_mm,height_mm,depth_mm"
    row = meta(price=1) + ",ABN-604,,,,,,,"
    new = import_csv("\ufeff" + header + "\r\n\r\n" + row + "\r\n", catalog, label="v2")
    abn = new.breaker("ABN-604")
    assert abn is not None and abn.price == 1


def test_frame_aliases_and_poles_with_p_are_normalised(catalog: Catalog) -> None:
    row = "LS,X,X-630,630AF,3P,,,," + meta(
        family="MCCB", ratings=[600], price=1, forms=["STANDARD"]
    )
    new = import_csv(csv(row), catalog, label="v2")
    x = new.breaker("X-630")
    assert x is not None and (x.af, x.poles, x.width_mm) == (600, 3, None)


# -- CSV: what an invalid upload reports -------------------------------------------------
def test_every_bad_row_is_reported_with_line_column_and_reason(catalog: Catalog) -> None:
    text = csv(
        METASOL,
        "LS,METASOL,METASOL-800,700,4,280,x,109," + meta(family="MCB", price="1", prise=1),
        ",,ABN-604,,,,,," + meta(price=-5),
        ",,ABN-603,,,,,," + meta(price_min=999999999),
        ",,NOPE,,,,,," + meta(delete=True),
        ",,metasol - 600,,,,,," + meta(price=1),
        ",HDS,HDS 1,600,,1,1,1," + meta(kind="enclosure"),
        ",,ABN-604,,,,,,{not json",
        ",,ABN-604,,,,,,[1]",
        ",,ABN-604,,,,,," + meta(kind="socket"),
        "too,few",
    )
    details = problems(text, catalog)
    assert all(d["reason"] for d in details)
    assert where(details) >= {
        (3, "af"),
        (3, "height_mm"),
        (3, "meta.family"),
        (3, "meta.price"),
        (3, "meta.prise"),
        (3, "meta.ratings"),  # required for a new breaker, reported with the rest
        (3, "meta.forms"),
        (4, "meta.price"),
        (5, "meta.price_min"),
        (6, "model"),
        (7, "model"),  # the same key as line 2, case and spaces ignored
        (8, "af"),
        (8, "meta.price"),
        (9, "meta"),
        (10, "meta"),
        (11, "meta.kind"),
        (12, None),
    }


def test_header_problems_stop_at_the_header(catalog: Catalog) -> None:
    details = problems(csv(METASOL, header="brand,series,model,af,poles,colour,meta"), catalog)
    assert where(details) == {
        (1, "colour"),
        (1, "width_mm"),
        (1, "height_mm"),
        (1, "depth_mm"),
    }
    assert where(problems(csv(header=HEADER + ",meta"), catalog)) == {(1, "meta")}


@pytest.mark.parametrize(
    ("text", "line"),
    [("", 1), ("\n\n", 1), (HEADER + "\n", 1), (HEADER + '\n,,"ABN-604', 2)],
    ids=["empty", "blank", "header-only", "unterminated-quote"],
)
def test_an_upload_without_rows_or_with_broken_quoting_is_refused(
    catalog: Catalog, text: str, line: int
) -> None:
    (detail,) = problems(text, catalog)
    assert detail["line"] == line


def test_line_numbers_count_physical_lines_of_quoted_newlines(catalog: Catalog) -> None:
    text = csv(',,ABN-604,,,,,,"{""price"":\n 1}"', ",,ABN-603,,,,,," + meta(price="x"))
    assert where(problems(text, catalog)) == {(4, "meta.price")}


def test_the_kind_column_and_meta_kind_must_agree(catalog: Catalog) -> None:
    row = ",,ABN-604,,,,,," + meta(kind="item") + ",breaker"
    assert where(problems(csv(row, header=HEADER + ",kind"), catalog)) == {(2, "kind")}


def test_item_rows_leave_breaker_columns_blank(catalog: Catalog) -> None:
    row = "LS,,FUSE_HOLDER,,,,,," + meta(kind="item", price=1)
    assert where(problems(csv(row), catalog)) == {(2, "brand")}


# -- JSON --------------------------------------------------------------------------------
def test_a_json_document_is_taken_whole_under_the_version_label(catalog: Catalog) -> None:
    doc = catalog.model_dump(mode="json")
    same = import_json(json.dumps(doc), label="v1.0.1")
    assert same.label == "v1.0.1"
    assert content_without_label(same) == content_without_label(catalog)
    assert import_json(doc, label="v1.0.1").sha256 == same.sha256
    changes = catalog_changes(catalog, same)
    assert changes["rules_changed"] is False
    assert changes["breakers"]["unchanged"] == len(catalog.breakers)


def test_json_values_are_strictly_typed_and_checked(catalog: Catalog) -> None:
    doc = catalog.model_dump(mode="json")
    doc["breakers"][0]["price"] = "12"
    with pytest.raises(ValidationFailed) as err:
        import_json(doc, label="v2")
    assert err.value.details[0]["column"] == "breakers.0.price"
    doc = catalog.model_dump(mode="json")
    doc["breakers"][3]["af"] = 70
    doc["enclosures"][0]["w"] = 0
    with pytest.raises(ValidationFailed) as err:
        import_json(doc, label="v2")
    assert {d["column"] for d in err.value.details} == {"breakers.3.af", "enclosures.0.w"}


@pytest.mark.parametrize(
    ("document", "line"), [('{"label": ,}', 1), ("[]", None), ('\n\n{"a": 1', 3)]
)
def test_json_that_is_not_a_catalog_object_is_refused(document: str, line: int | None) -> None:
    with pytest.raises(ValidationFailed) as err:
        import_json(document, label="v2")
    assert err.value.details[0]["line"] == line


# -- validation --------------------------------------------------------------------------
def samples() -> list[tuple[str, Any]]:
    return [(p.stem, json.loads(p.read_text("utf-8"))) for p in sorted(SAMPLES.glob("*.json"))]


def test_the_same_catalog_validates_unchanged(catalog: Catalog) -> None:
    report = validation_report(samples(), catalog, catalog, issued_at=ISSUED_AT)
    assert report["passed"] is True
    assert report["summary"]["unchanged"] == len(samples())


def test_a_new_row_fixes_the_runbook_sample(catalog: Catalog) -> None:
    new = import_csv(csv(METASOL), catalog, label="v2")
    report = validation_report(samples(), new, catalog, issued_at=ISSUED_AT)
    assert report["passed"] is True
    fixed = [c for c in report["cases"] if c["verdict"] == "fixed"]
    assert [c["name"] for c in fixed] == ["example_runbook_seed_example"]
    assert fixed[0]["changes"]["error"] == ["NEED_KNOWLEDGE_UPDATE", None]


def test_deleting_a_breaker_samples_use_breaks_them(catalog: Catalog) -> None:
    new = import_csv(csv(",,SBE-104,,,,,," + meta(delete=True)), catalog, label="v2")
    report = validation_report(samples(), new, catalog, issued_at=ISSUED_AT)
    assert report["passed"] is False
    assert "example_apartment_sangdo" in report["broken"]
    assert report["summary"]["broken"] == len(report["broken"])


PRICED = {"status": "issued", "box": "B", "grand_total": 10, "lint_errors": [], "warnings": []}


@pytest.mark.parametrize(
    ("active", "candidate", "verdict"),
    [
        (PRICED, PRICED, "unchanged"),
        (PRICED, {**PRICED, "grand_total": 11}, "changed"),
        (PRICED, {**PRICED, "status": "needs_review", "warnings": ["ENC_FIT"]}, "changed"),
        (PRICED, {"error": "NEED_KNOWLEDGE_UPDATE", "message": "m"}, "broken"),
        (PRICED, {**PRICED, "status": "rejected", "lint_errors": ["VAT"]}, "broken"),
        (PRICED, {"error": ENGINE_FAILURE, "message": "m"}, "broken"),
        ({"error": "NEED_KNOWLEDGE_UPDATE", "message": "m"}, PRICED, "fixed"),
        (
            {"error": "NEED_KNOWLEDGE_UPDATE", "message": "m"},
            {"error": "INVALID_MODEL_COMBO", "message": "n"},
            "changed",
        ),
        (
            {"error": "REQ_MORE_INFO", "message": "m"},
            {"error": "REQ_MORE_INFO", "message": "m"},
            "unchanged",
        ),
    ],
)
def test_verdicts(active: dict[str, Any], candidate: dict[str, Any], verdict: str) -> None:
    assert compare_outcomes(active, candidate)[0] == verdict


def test_an_engine_crash_is_a_broken_case_not_an_exception(catalog: Catalog) -> None:
    # The catalog model now refuses this table at import; model_copy skips validation so the
    # engine still meets it here, as it would a defect no validator foresaw.
    rules = catalog.rules.model_copy(update={"space_below_by_rating": ()})
    broken = catalog.model_copy(update={"rules": rules})
    report = validation_report(samples()[:1], broken, catalog, issued_at=ISSUED_AT)
    (case,) = report["cases"]
    assert case["candidate"]["error"] == ENGINE_FAILURE
    assert (case["verdict"], report["passed"]) == ("broken", False)


# -- the shipped samples -----------------------------------------------------------------
def test_samples_are_the_examples_and_the_regression_requests() -> None:
    shipped = dict(samples())
    for path in sorted((ROOT / "examples").glob("*.json")):
        example = json.loads(path.read_text("utf-8"))
        if "panels" in example:
            continue  # a project (issue 11): the samples are panel requests
        assert shipped[f"example_{path.stem}"] == example
    for path in sorted((ROOT / "tests" / "regression" / "cases").glob("*.json")):
        request = json.loads(path.read_text("utf-8"))["request"]
        assert shipped[f"regression_{path.stem}"] == request, path.name
    for name, request in shipped.items():
        if name.startswith("missing_"):
            path = (
                ROOT / "tests" / "regression" / "errors" / f"{name.removeprefix('missing_')}.json"
            )
            assert json.loads(Path(path).read_text("utf-8"))["request"] == request
