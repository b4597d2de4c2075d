"""Revising over the fakes: the hash chain R0 → R1 → R2 verifies end to end, a tampered
revision is named by every later one, and a project is revised panel by panel."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from functions._shared.errors import ApiError
from functions._shared.fakes import FakeBlobStore, FakeStore
from functions._shared.services import Services
from functions._shared.usecases import quotes, teams
from functions._shared.usecases.revise import revise_quote
from functions._shared.usecases.stored_evidence import panel_outputs
from tests.conftest import example
from tests.unit.test_project import LP1, LP2, PP1, project
from tests.unit.test_usecases import ALICE, fake_services


@pytest.fixture
def svc() -> Services:
    return fake_services(ALICE)


@pytest.fixture
def body() -> dict[str, Any]:
    return copy.deepcopy(example("apartment_sangdo"))


def chain_of(svc: Services, quote_id: str) -> dict[str, Any]:
    return quotes.quote_evidence(svc, ALICE, quote_id, True)


def r0_r1_r2(svc: Services, body: dict[str, Any]) -> list[str]:
    r0 = quotes.create_quote(svc, ALICE, "k0", body).body["quote_id"]
    changed = copy.deepcopy(body)
    changed["customer"] = {**changed.get("customer", {}), "name": "다른 고객"}
    r1 = revise_quote(svc, ALICE, r0, "k1", changed).body
    r2 = revise_quote(svc, ALICE, r1["quote_id"], "k2", body).body
    assert (r1["revision"], r2["revision"]) == ("R1", "R2")
    return [r0, r1["quote_id"], r2["quote_id"]]


def tamper(svc: Services, quote_id: str, stage: str) -> None:
    blobs = svc.blobs
    assert isinstance(blobs, FakeBlobStore)
    (key,) = [k for k in blobs.objects if k[1].startswith(f"quote/{quote_id}/{stage}/")]
    data, kind = blobs.objects[key]
    blobs.objects[key] = (data + b" ", kind)


def test_each_revision_links_to_the_root_of_the_one_before(
    svc: Services,
    body: dict[str, Any],
) -> None:
    ids = r0_r1_r2(svc, body)
    roots = [chain_of(svc, q)["evidence_root"] for q in ids]
    store = svc.store
    assert isinstance(store, FakeStore)
    stages = [e["stage"] for e in store.quotes[ids[2]].payload["evidence"]]
    assert stages[-1] == "previous" and "previous" not in [
        e["stage"] for e in store.quotes[ids[0]].payload["evidence"]
    ]
    answer = chain_of(svc, ids[2])
    assert answer["verified"] is True
    assert answer["chain"] == [
        {"revision": f"R{i}", "quote_id": q, "ok": True, "reason": None} for i, q in enumerate(ids)
    ]
    assert len(set(roots)) == 3
    assert chain_of(svc, ids[0])["chain"] == [answer["chain"][0]]


def test_a_tampered_revision_fails_every_later_verification_naming_it(
    svc: Services,
    body: dict[str, Any],
) -> None:
    r0, r1, r2 = r0_r1_r2(svc, body)
    tamper(svc, r1, "lint")
    later = chain_of(svc, r2)
    assert later["verified"] is False
    assert [(c["revision"], c["ok"]) for c in later["chain"]] == [
        ("R0", True),
        ("R1", False),
        ("R2", True),
    ]
    assert later["chain"][1]["reason"] == (
        "evidence lint: the stored blob does not hash to its recorded SHA-256"
    )
    assert all(i["verified"] for i in later["items"])  # R2's own blobs are intact
    assert chain_of(svc, r1)["verified"] is False
    assert chain_of(svc, r0)["verified"] is True


def test_a_link_to_another_root_or_a_forged_root_is_named(
    svc: Services,
    body: dict[str, Any],
) -> None:
    _, r1, r2 = r0_r1_r2(svc, body)
    store = svc.store
    assert isinstance(store, FakeStore)
    real = store.quotes[r1].payload["evidence_root_sha256"]
    store.quotes[r1].payload["evidence_root_sha256"] = "0" * 64  # a root its blobs do not give
    chain = chain_of(svc, r2)["chain"]
    assert chain[1]["reason"] == "its stored evidence root is not the root of its stored evidence"
    assert chain[2]["reason"] == (
        f"its previous record names root {real}, the previous revision's is {'0' * 64}"
    )
    assert chain[0]["ok"] is True


def test_only_the_latest_revision_is_revised_and_a_panel_stays_a_panel(
    svc: Services,
    body: dict[str, Any],
) -> None:
    r0, r1, r2 = r0_r1_r2(svc, body)
    again = revise_quote(svc, ALICE, r1, "k2", body)  # R2's key and request: a replay
    assert again.replayed and again.body["quote_id"] == r2
    assert (again.body["revision"], again.body["catalog_changed"]) == ("R2", None)
    with pytest.raises(ApiError) as stale:
        revise_quote(svc, ALICE, r1, "k3", body)
    assert stale.value.code == "CONFLICT"
    with pytest.raises(ApiError) as kind:
        revise_quote(svc, ALICE, r0, "k4", project(("LP-1", 1, LP1)))
    assert kind.value.code == "VALIDATION_FAILED"


def test_a_project_is_revised_with_a_panel_added_and_the_diff_names_it(svc: Services) -> None:
    before = project(("PP-1", 1, PP1), ("LP-1", 2, LP1))
    after = project(("PP-1", 1, PP1), ("LP-1", 3, LP1), ("LP-2", 1, LP2))
    r0 = quotes.create_quote(svc, ALICE, "p0", before).body
    r1 = revise_quote(svc, ALICE, r0["quote_id"], "p1", after).body
    assert (r1["revision"], r1["kind"], r1["quote_number"]) == ("R1", "project", r0["quote_number"])
    assert r1["catalog_changed"] is None
    assert [p["name"] for p in r1["panels"]] == ["PP-1", "LP-1", "LP-2"]
    assert chain_of(svc, r1["quote_id"])["verified"] is True
    d = teams.revision_diff(
        svc.store,  # type: ignore[arg-type]
        ALICE,
        r1["quote_id"],
        "R0",
        "R1",
        lambda q, response: panel_outputs(svc, ALICE, q, response),
    )
    assert [p["name"] for p in d["panels"]["added"]] == ["LP-2"]
    assert d["panels"]["removed"] == []
    (lp1,) = d["panels"]["changed"]
    assert (lp1["name"], lp1["qty"]) == ("LP-1", {"from": 2, "to": 3})
    assert lp1["lines"] == {"added": [], "removed": [], "changed": []}  # same panel, ×3
    assert d["totals_delta"]["subtotal"] == r1["totals"]["subtotal"] - r0["totals"]["subtotal"]
    assert d["totals_delta"]["subtotal"] > 0
    assert (d["enclosure"], d["imbalance"]) == (None, None)
