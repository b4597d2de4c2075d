"""Every request error of RULES.md §1 answers with its stable code, in the documented order."""

from __future__ import annotations

from typing import Any

import pytest

from estimator_core.catalog import Catalog
from estimator_core.errors import EstimatorError, NeedKnowledgeUpdate
from estimator_core.pipeline import estimate
from estimator_core.request import parse_request
from tests.conftest import ISSUED_AT


def base() -> dict[str, Any]:
    return {
        "brand": "SANGDO",
        "main": {"af": 100, "at": 75, "poles": "4P"},
        "branches": [{"at": 20, "poles": "2P", "qty": 6}],
    }


def code_of(body: Any, catalog: Catalog) -> str:
    with pytest.raises(EstimatorError) as err:
        estimate(body, catalog, issued_at=ISSUED_AT)
    return err.value.code


def with_(**changes: Any) -> dict[str, Any]:
    body = base()
    body.update(changes)
    return body


CASES: list[tuple[str, Any, str]] = [
    ("not an object", [1, 2], "VALIDATION_FAILED"),
    ("unknown field", with_(colour="red"), "VALIDATION_FAILED"),
    (
        "wrong type",
        with_(branches=[{"at": "twenty", "poles": "2P", "qty": 1}]),
        "VALIDATION_FAILED",
    ),
    ("qty zero", with_(branches=[{"at": 20, "poles": "2P", "qty": 0}]), "VALIDATION_FAILED"),
    (
        "negative load",
        with_(branches=[{"at": 20, "poles": "2P", "qty": 1, "load_a": -1}]),
        "VALIDATION_FAILED",
    ),
    (
        "rating above 1000",
        with_(branches=[{"at": 1200, "poles": "2P", "qty": 1}]),
        "VALIDATION_FAILED",
    ),
    (
        "text above 200",
        with_(branches=[{"at": 20, "poles": "2P", "qty": 1, "label": "x" * 201}]),
        "VALIDATION_FAILED",
    ),
    (
        "501 of one entry",
        with_(branches=[{"at": 20, "poles": "2P", "qty": 501}]),
        "VALIDATION_FAILED",
    ),
    (
        "1001 circuits",
        with_(
            branches=[{"at": 20, "poles": "2P", "qty": 500}] * 2
            + [{"at": 20, "poles": "2P", "qty": 1}]
        ),
        "VALIDATION_FAILED",
    ),
    (
        "201 entries",
        with_(branches=[{"at": 20, "poles": "2P", "qty": 1}] * 201),
        "VALIDATION_FAILED",
    ),
    ("unknown frame", with_(main={"af": 70, "poles": "4P"}), "VALIDATION_FAILED"),
    (
        "pin on 3P",
        with_(branches=[{"at": 30, "poles": "3P", "qty": 1, "phase": "R"}]),
        "VALIDATION_FAILED",
    ),
    (
        "pair pin under 4P main",
        with_(branches=[{"at": 20, "poles": "2P", "qty": 1, "phase": "RS"}]),
        "VALIDATION_FAILED",
    ),
    (
        "3P branch under 2P main",
        with_(
            main={"af": 50, "at": 50, "poles": "2P"}, branches=[{"at": 20, "poles": "3P", "qty": 1}]
        ),
        "VALIDATION_FAILED",
    ),
    (
        "pole mount indoors",
        with_(installation={"location": "INDOOR", "mount": "POLE"}),
        "VALIDATION_FAILED",
    ),
    ("no branches", with_(branches=[]), "REQ_MORE_INFO"),
    (
        "no main",
        {"brand": "LS", "branches": [{"at": 20, "poles": "2P", "qty": 1}]},
        "REQ_MORE_INFO",
    ),
    ("main without model or af", with_(main={"poles": "4P", "at": 75}), "REQ_MORE_INFO"),
    ("branch without at", with_(branches=[{"poles": "2P", "qty": 1}]), "REQ_MORE_INFO"),
    ("no brand", {k: v for k, v in base().items() if k != "brand"}, "REQ_MORE_INFO"),
    (
        "accessory without qty",
        with_(accessories={"items": [{"kind": "timer_24h"}]}),
        "REQ_MORE_INFO",
    ),
    (
        "magnet without model",
        with_(accessories={"items": [{"kind": "magnet", "qty": 1}]}),
        "REQ_MORE_INFO",
    ),
    ("MIXED without permission", with_(brand="MIXED"), "BRAND_CONFLICT"),
    (
        "MIXED without models",
        with_(brand="MIXED", options={"allow_mixed_brand": True}),
        "REQ_MORE_INFO",
    ),
    (
        "LS model in SANGDO panel",
        with_(branches=[{"model": "BS-32", "at": 20, "poles": "2P", "qty": 1}]),
        "BRAND_CONFLICT",
    ),
    ("5P", with_(main={"af": 100, "poles": "5P"}), "POLES_MISMATCH"),
    ("model with other poles", with_(main={"model": "SBE-104", "poles": "3P"}), "POLES_MISMATCH"),
    (
        "ELB model typed MCCB",
        with_(main={"model": "SEE-104", "poles": "4P", "type": "MCCB"}),
        "DEVICE_TYPE_MISMATCH",
    ),
    (
        "model with other frame",
        with_(main={"model": "SBE-104", "af": 50, "poles": "4P"}),
        "INVALID_MODEL_COMBO",
    ),
    (
        "rating the model lacks",
        with_(main={"model": "SBE-104", "at": 30, "poles": "4P"}),
        "INVALID_MODEL_COMBO",
    ),
    (
        "disabled accessories with items",
        with_(accessories={"enabled": False, "items": [{"kind": "timer_24h", "qty": 1}]}),
        "ACCESSORY_CONFLICT",
    ),
    (
        "pbl without magnet",
        with_(accessories={"items": [{"kind": "pbl", "qty": 1}]}),
        "ACCESSORY_CONFLICT",
    ),
    ("two spd", with_(accessories={"items": [{"kind": "spd", "qty": 2}]}), "ACCESSORY_CONFLICT"),
    ("unknown model", with_(main={"model": "METASOL-600", "poles": "4P"}), "NEED_KNOWLEDGE_UPDATE"),
    (
        "magnet without price",
        with_(accessories={"items": [{"kind": "magnet", "model": "MC-32", "qty": 1}]}),
        "NEED_KNOWLEDGE_UPDATE",
    ),
    (
        "flush SUS has no boxes",
        with_(installation={"mount": "FLUSH", "material": "SUS"}),
        "NEED_KNOWLEDGE_UPDATE",
    ),
    (
        "spd device has no price",
        with_(accessories={"items": [{"kind": "spd", "qty": 1}]}),
        "NEED_KNOWLEDGE_UPDATE",
    ),
]


@pytest.mark.parametrize(
    ("body", "code"), [(b, c) for _, b, c in CASES], ids=[n for n, *_ in CASES]
)
def test_bad_request_answers_its_code(body: Any, code: str, catalog: Catalog) -> None:
    assert code_of(body, catalog) == code


def test_schema_errors_come_before_missing_fields(catalog: Catalog) -> None:
    body = with_(colour="red")
    del body["branches"]
    assert code_of(body, catalog) == "VALIDATION_FAILED"


def test_brand_is_checked_before_accessories(catalog: Catalog) -> None:
    body = with_(
        branches=[{"model": "BS-32", "at": 20, "poles": "2P", "qty": 1}],
        accessories={"enabled": False, "items": [{"kind": "timer_24h", "qty": 1}]},
    )
    assert code_of(body, catalog) == "BRAND_CONFLICT"


def test_accessories_are_checked_before_the_main(catalog: Catalog) -> None:
    body = with_(
        main={"af": 100, "poles": "5P"},
        accessories={"items": [{"kind": "pbl", "qty": 1}]},
    )
    assert code_of(body, catalog) == "ACCESSORY_CONFLICT"


def test_missing_rows_are_collected_into_one_error(catalog: Catalog) -> None:
    body = with_(
        main={"model": "METASOL-600", "poles": "4P"},
        branches=[{"model": "ABX-999", "at": 20, "poles": "2P", "qty": 1}],
        accessories={"items": [{"kind": "meter_3ph", "qty": 1}]},
    )
    body["brand"] = "LS"
    with pytest.raises(NeedKnowledgeUpdate) as err:
        estimate(body, catalog, issued_at=ISSUED_AT)
    models = {d.get("model") for d in err.value.details}
    assert {"METASOL-600", "ABX-999", "meter_3ph"} <= models
    assert all("columns" in d for d in err.value.details)


def test_need_knowledge_update_names_the_brand_model_and_columns(catalog: Catalog) -> None:
    body = {
        "brand": "LS",
        "main": {"model": "METASOL-600", "af": 600, "poles": "4P"},
        "branches": [{"af": 250, "at": 200, "poles": "4P", "qty": 2}],
    }
    with pytest.raises(NeedKnowledgeUpdate) as err:
        estimate(body, catalog, issued_at=ISSUED_AT)
    (row,) = err.value.details
    assert (row["brand"], row["model"], row["af"], row["poles"]) == ("LS", "METASOL-600", 600, 4)
    assert {"price", "ratings", "width_mm"} <= set(row["columns"])


def test_wall_mount_elcb_and_frame_aliases_are_accepted(catalog: Catalog) -> None:
    req = parse_request(
        {
            "brand": "ls",
            "installation": {"mount": "wall"},
            "device": {"type": "ELCB"},
            "main": {"af": 630, "poles": 4},
            "branches": [{"af": 32, "at": 20, "poles": "2p", "qty": 1, "phase": "L2"}],
        },
        catalog,
    )
    assert (req.brand, req.mount, req.device_type, req.main.af) == ("LS", "SURFACE", "ELB", 630)
    assert (req.main.poles, req.branches[0].poles) == (4, 2)


def test_error_body_has_code_message_and_details(catalog: Catalog) -> None:
    with pytest.raises(EstimatorError) as err:
        estimate(with_(colour="red"), catalog, issued_at=ISSUED_AT)
    body = err.value.to_dict()
    assert body["code"] == "VALIDATION_FAILED"
    assert body["message"]
    assert any(d["loc"] == "colour" for d in body["details"])


def test_issued_at_without_zone_is_rejected(catalog: Catalog) -> None:
    with pytest.raises(EstimatorError) as err:
        estimate(base(), catalog, issued_at="2026-01-01T00:00:00")
    assert err.value.code == "VALIDATION_FAILED"
