"""Project quotes through the use cases over the fakes: one quote per project, its panels'
evidence, replay, a failing panel storing nothing, reading it back."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from estimator_core.errors import EstimatorError
from functions._shared.errors import ApiError, IdempotencyKeyReused
from functions._shared.persist import panel_stage, quote_records, stage_order
from functions._shared.services import Services
from functions._shared.usecases import quotes
from tests.conftest import ROOT
from tests.unit.test_usecases import ALICE, BOB, fake_services, fakes


@pytest.fixture
def svc() -> Services:
    return fake_services(ALICE, BOB)


@pytest.fixture
def building() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (ROOT / "examples" / "project_building.json").read_text("utf-8")
    )
    return data


def test_a_project_is_one_quote_with_a_panel_row_per_panel(
    svc: Services, building: dict[str, Any]
) -> None:
    store, blobs = fakes(svc)
    answer = quotes.create_quote(svc, ALICE, "p-1", building)
    body = answer.body
    assert body["kind"] == "project" and body["quote_number"].startswith("Q-")
    names = [p["name"] for p in building["panels"]]
    assert [p["name"] for p in body["panels"]] == names
    # Σ qty × unit totals, VAT once
    assert body["totals"]["subtotal"] == sum(p["amount"] for p in body["panels"])
    assert body["totals"]["subtotal"] == sum(p["unit_total"] * p["qty"] for p in body["panels"])
    (stored,) = store.quotes.values()
    payload = stored.payload
    assert [p["label"] for p in payload["panels"]] == names
    assert all(p["breakers"] for p in payload["panels"])
    assert payload["grand_total"] == body["totals"]["grand_total"]
    assert payload["evidence_root_sha256"] == body["evidence_root"]
    # the project's records first, then each panel's, panel by panel
    stages = [e["stage"] for e in body["evidence"]]
    assert stages[:2] == ["input", "project"]
    assert stages[2] == panel_stage(0, "input")
    assert stages[-1] == panel_stage(len(names) - 1, "drawing")
    assert len(stages) == 2 + 10 * len(names)
    assert len(blobs.objects) == len(stages) + 1  # and the result document
    # the estimator is kept for rebuilding the panels' covers (documents)
    assert payload["response"]["estimator"] == "alice@local.test"


def test_a_project_is_replayed_under_its_key_and_refused_with_another_body(
    svc: Services, building: dict[str, Any]
) -> None:
    store, _ = fakes(svc)
    first = quotes.create_quote(svc, ALICE, "p-2", building)
    again = quotes.create_quote(svc, ALICE, "p-2", copy.deepcopy(building))
    assert again.replayed and again.body["quote_id"] == first.body["quote_id"]
    assert again.body["quote_number"] == first.body["quote_number"]
    assert len(store.quotes) == 1
    other = copy.deepcopy(building)
    other["panels"][0]["qty"] = 2
    with pytest.raises(IdempotencyKeyReused):
        quotes.create_quote(svc, ALICE, "p-2", other)


def test_every_failing_panel_is_named_and_nothing_is_stored_or_uploaded(
    svc: Services, building: dict[str, Any]
) -> None:
    store, blobs = fakes(svc)
    building["panels"][3]["request"]["branches"][1]["at"] = 7777
    building["panels"][1]["request"]["main"]["model"] = "NO-SUCH-MODEL"
    with pytest.raises(EstimatorError) as err:
        quotes.create_quote(svc, ALICE, "p-3", building)
    locs = [d["loc"] for d in err.value.details]
    assert any(loc.startswith("panels.1.request.main") for loc in locs)
    assert "panels.3.request.branches.1.at" in locs
    assert {d["panel"] for d in err.value.details} == {"LP-1", "LP-3"}
    assert store.quotes == {} and blobs.objects == {}


def test_a_project_reads_back_by_number_and_not_for_another_user(
    svc: Services, building: dict[str, Any]
) -> None:
    created = quotes.create_quote(svc, ALICE, "p-4", building).body
    read = quotes.read_quote(svc, ALICE, created["quote_number"])
    # the same answer; only the signed URLs are fresh
    assert {k: v for k, v in read.items() if k != "evidence"} == {
        k: v for k, v in created.items() if k != "evidence"
    }
    assert [e["sha256"] for e in read["evidence"]] == [e["sha256"] for e in created["evidence"]]
    with pytest.raises(ApiError) as err:
        quotes.read_quote(svc, BOB, created["quote_id"])
    assert err.value.code == "NOT_FOUND"


def test_identical_panels_each_keep_their_own_evidence_paths(
    svc: Services, building: dict[str, Any]
) -> None:
    building["panels"].append({**copy.deepcopy(building["panels"][1]), "name": "LP-1B"})
    from estimator_core import estimate_project

    project = estimate_project(
        building, load_catalog(DEFAULT_CATALOG), issued_at="2026-11-30T00:00:00Z"
    )
    records = quote_records(project)
    assert len({r.stage for r in records}) == len(records)
    first, last = ([r.sha256 for r in records if r.stage.startswith(f"p{i}_")] for i in (1, 5))
    assert first == last  # priced once, recorded twice


def test_evidence_reads_project_first_then_panel_by_panel() -> None:
    from estimator_core import STAGES

    stages = ["p1_input", "p0_drawing", "project", "p10_input", "input", "p0_input"]
    ordered = sorted(stages, key=lambda s: stage_order(s, STAGES))
    assert ordered == ["input", "project", "p0_input", "p0_drawing", "p1_input", "p10_input"]
