"""POST /quotes/{id}/revisions over HTTP: R0 → R1 → R2 with a catalog activation between,
only the latest revision is revised, ten concurrent revisions store one, another
organisation's quote is 404; the hash chain verifies end to end and a tampered R1 fails
R2's verification naming R1; a project is revised with a panel added and the diff names
it; a revision's documents are rendered (its rebuild links to the revision before it)."""

from __future__ import annotations

import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.conftest import example
from tests.e2e.conftest import Api, set_profile
from tests.e2e.test_catalog_lifecycle import V1, admin, import_csv, metasol_csv, post
from tests.e2e.test_catalog_lifecycle import v1_stays_active as _v1_stays_active
from tests.e2e.test_projects import small_panel
from tests.e2e.test_teams import teams as _teams

teams = _teams  # the fixtures, by their names here
v1_stays_active = _v1_stays_active  # the shipped catalog is active again after each test


def revise(api: Api, user: str, quote: str, body: Any, key: str | None = None) -> httpx.Response:
    return api.client.post(
        api.url(f"quotes/{quote}/revisions"),
        json=body,
        headers=api.headers(user, key or f"rev-{uuid.uuid4()}"),
    )


def _activate_new_catalog(api: Api) -> str:
    name = f"rev-{secrets.token_hex(3)}"
    assert import_csv(api, name, metasol_csv(600_000)).status_code == 201
    assert post(api, "catalog/validate", {"label": name}, admin(api)).status_code == 200
    res = post(api, "catalog/activate", {"label": name, "reason": "revision test"}, admin(api))
    assert res.status_code == 200, res.text
    return name


def test_revise_r0_r1_r2_across_a_catalog_activation(api: Api, teams: dict[str, Any]) -> None:
    q0 = teams["quote"]
    body = example("apartment_sangdo")
    r1 = revise(api, teams["eve"], q0, body)
    assert r1.status_code == 201, r1.text
    assert r1.json()["revision"] == "R1"
    assert r1.json()["cover"]["revision"] == "R1"
    assert r1.json()["catalog_changed"] is None
    number = r1.json()["quote_number"]
    stale = revise(api, teams["eve"], q0, body)  # R0 is no longer the latest
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["code"] == "CONFLICT"
    new = _activate_new_catalog(api)
    r2 = revise(api, teams["rita"], r1.json()["quote_id"], body)  # a reviewer may revise
    assert r2.status_code == 201, r2.text
    assert (r2.json()["revision"], r2.json()["quote_number"]) == ("R2", number)
    assert r2.json()["catalog_changed"] == {"from": V1, "to": new}
    listed = api.client.get(api.url(f"quotes/{q0}/revisions"), headers=api.headers(teams["ed"]))
    assert [i["label"] for i in listed.json()["items"]] == ["R0", "R1", "R2"]
    d = api.client.get(
        api.url(f"quotes/{q0}/revisions/R0/diff/R2"), headers=api.headers(teams["ed"])
    )
    assert d.status_code == 200, d.text


def test_revisions_are_once_per_key_refused_across_organisations_and_across_kinds(
    api: Api, teams: dict[str, Any]
) -> None:
    q0 = teams["quote"]
    body = example("apartment_sangdo")
    assert revise(api, teams["bo"], q0, body).status_code == 404
    assert revise(api, teams["eve"], str(uuid.uuid4()), body).status_code == 404
    first = revise(api, teams["eve"], q0, body, "same-key-" + q0)
    again = revise(api, teams["eve"], q0, body, "same-key-" + q0)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["quote_id"] == first.json()["quote_id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (again.json()["revision"], again.json()["catalog_changed"]) == ("R1", None)
    project = {"project": {"name": "p"}, "panels": [{"qty": 1, "panel": body}]}
    refused = revise(api, teams["eve"], first.json()["quote_id"], project)  # a panel stays one
    assert refused.status_code == 422, refused.text


def test_ten_concurrent_revisions_give_exactly_one(api: Api, teams: dict[str, Any]) -> None:
    q0 = teams["quote"]
    body = example("apartment_sangdo")
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda _: revise(api, teams["eve"], q0, body).status_code, range(10)))
    assert sorted(codes) == [201] + [409] * 9
    listed = api.client.get(api.url(f"quotes/{q0}/revisions"), headers=api.headers(teams["eve"]))
    assert [i["label"] for i in listed.json()["items"]] == ["R0", "R1"]


def verify(api: Api, user: str, quote: str) -> dict[str, Any]:
    res = api.client.get(
        api.url(f"quotes/{quote}/evidence"), params={"verify": "true"}, headers=api.headers(user)
    )
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def _chain(answer: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(c["revision"], c["ok"]) for c in answer["chain"]]


def test_the_chain_verifies_and_a_tampered_r1_fails_r2_naming_r1(
    api: Api, teams: dict[str, Any]
) -> None:
    if api.storage_dir is None:
        pytest.skip("tampering needs the local blob store")
    r0 = teams["quote"]
    body = example("apartment_sangdo")
    r1 = revise(api, teams["eve"], r0, body).json()["quote_id"]
    r2 = revise(api, teams["eve"], r1, body).json()["quote_id"]
    ed = teams["ed"]  # another member reads and verifies the chain
    before = verify(api, ed, r2)
    assert before["verified"] is True, before["chain"]
    assert _chain(before) == [("R0", True), ("R1", True), ("R2", True)]
    assert [c["quote_id"] for c in before["chain"]] == [r0, r1, r2]
    assert [i["stage"] for i in before["items"]][-1] == "previous"
    link = api.client.get(before["items"][-1]["url"]).json()
    assert link == {"quote_id": r1, "revision": "R1", "root": verify(api, ed, r1)["evidence_root"]}
    assert _chain(verify(api, ed, r0)) == [("R0", True)]

    (blob,) = (api.storage_dir / "evidence" / "quote" / r1).glob("breaker~*")
    blob.write_bytes(blob.read_bytes().replace(b'"row"', b'"ROW"', 1))
    after = verify(api, ed, r2)
    assert after["verified"] is False
    assert _chain(after) == [("R0", True), ("R1", False), ("R2", True)]
    assert after["chain"][1]["reason"] == (
        "evidence breaker: the stored blob does not hash to its recorded SHA-256"
    )
    assert all(i["verified"] for i in after["items"])  # R2's own evidence is intact
    own = verify(api, ed, r1)
    assert own["verified"] is False and _chain(own) == [("R0", True), ("R1", False)]
    assert verify(api, ed, r0)["verified"] is True


def test_a_project_is_revised_with_a_panel_added_and_the_diff_shows_it(
    api: Api, teams: dict[str, Any]
) -> None:
    eve = teams["eve"]
    before = {
        "project": {"customer": {"name": "한빛건설"}, "name": "한빛 오피스텔"},
        "panels": [small_panel(0), small_panel(1)],
    }
    created = api.client.post(
        api.url("estimate"), json=before, headers=api.headers(eve, f"p-{uuid.uuid4()}")
    )
    assert created.status_code == 201, created.text
    r0 = created.json()
    after = {**before, "panels": [small_panel(0), {**small_panel(1), "qty": 5}, small_panel(2)]}
    res = revise(api, eve, r0["quote_id"], after)
    assert res.status_code == 201, res.text
    r1 = res.json()
    assert (r1["kind"], r1["revision"], r1["quote_number"]) == ("project", "R1", r0["quote_number"])
    assert r1["catalog_changed"] is None
    assert [p["name"] for p in r1["panels"]] == ["LP-0", "LP-1", "LP-2"]
    read = api.client.get(api.url(f"quotes/{r1['quote_id']}"), headers=api.headers(eve)).json()
    assert read["revision"] == "R1"  # stored with its label, not the number
    assert _chain(verify(api, eve, r1["quote_id"])) == [("R0", True), ("R1", True)]
    d = api.client.get(
        api.url(f"quotes/{r0['quote_id']}/revisions/R0/diff/R1"), headers=api.headers(eve)
    )
    assert d.status_code == 200, d.text
    diff = d.json()
    assert [p["name"] for p in diff["panels"]["added"]] == ["LP-2"]
    assert diff["panels"]["removed"] == []
    assert [(p["name"], p["qty"]) for p in diff["panels"]["changed"]] == [
        ("LP-1", {"from": 2, "to": 5})
    ]
    delta = r1["totals"]["grand_total"] - r0["totals"]["grand_total"]
    assert diff["totals_delta"]["grand_total"] == delta > 0
    assert {"path": "panels[1].qty", "from": 2, "to": 5} in diff["request"]


def test_the_documents_of_a_panel_and_a_project_revision_are_rendered(
    api: Api, teams: dict[str, Any]
) -> None:
    """A revision's evidence ends with its link to the revision before it: the documents'
    rebuild must make the same link, or its root is not the stored one (409)."""
    set_profile(api, f"(주)리비전전기 {uuid.uuid4().hex[:6]}")
    eve = teams["eve"]
    panel = example("apartment_sangdo")
    project = {
        "project": {"customer": {"name": "한빛건설"}, "name": "한빛 문서"},
        "panels": [small_panel(0)],
    }
    changed_panel = {
        **panel,
        "branches": [{**panel["branches"][0], "qty": 3}, *panel["branches"][1:]],
    }
    changed_project = {**project, "panels": [{**small_panel(0), "qty": 2}]}
    for before, after in ((panel, changed_panel), (project, changed_project)):
        created = api.client.post(
            api.url("estimate"), json=before, headers=api.headers(eve, f"d-{uuid.uuid4()}")
        )
        assert created.status_code == 201, created.text
        res = revise(api, eve, created.json()["quote_id"], after)
        assert res.status_code == 201, res.text
        r1 = res.json()["quote_id"]
        docs = api.client.get(api.url(f"quotes/{r1}/documents"), headers=api.headers(eve))
        assert docs.status_code == 200, docs.text
        assert docs.json()["set_no"] == 1
        assert {d["kind"] for d in docs.json()["items"]} >= {"xlsx", "pdf"}
