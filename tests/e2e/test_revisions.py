"""POST /quotes/{id}/revisions over HTTP: R0 → R1 → R2 with a catalog activation between,
only the latest revision is revised, ten concurrent revisions store one, another
organisation's quote is 404."""

from __future__ import annotations

import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.conftest import example
from tests.e2e.conftest import Api
from tests.e2e.test_catalog_lifecycle import V1, admin, import_csv, metasol_csv, post
from tests.e2e.test_catalog_lifecycle import v1_stays_active as _v1_stays_active
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


def test_revisions_are_once_per_key_refused_across_organisations_and_for_projects(
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
    project = {"project": {"name": "p"}, "panels": [{"qty": 1, "panel": body}]}
    refused = revise(api, teams["eve"], first.json()["quote_id"], project)
    assert refused.status_code == 422, refused.text


def test_ten_concurrent_revisions_give_exactly_one(api: Api, teams: dict[str, Any]) -> None:
    q0 = teams["quote"]
    body = example("apartment_sangdo")
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda _: revise(api, teams["eve"], q0, body).status_code, range(10)))
    assert sorted(codes) == [201] + [409] * 9
    listed = api.client.get(api.url(f"quotes/{q0}/revisions"), headers=api.headers(teams["eve"]))
    assert [i["label"] for i in listed.json()["items"]] == ["R0", "R1"]
