"""Dependencies failing: storage or the database down never yields a 500 or half a quote."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.conftest import example
from tests.e2e.conftest import Api
from tests.integration.support import DB_SH, run


def quote_count(api: Api) -> int:
    return int(api.sql("select count(*) from estimator.quotes")[0][0])


def test_storage_unavailable_is_503_and_stores_no_rows(api: Api) -> None:
    if api.storage_dir is None:
        pytest.skip("breaking storage needs the local blob store")
    headers = api.headers("erin", f"k-{uuid.uuid4()}")
    before = quote_count(api)
    evidence = api.storage_dir / "evidence"
    aside = api.storage_dir / "evidence.aside"
    evidence.mkdir(parents=True, exist_ok=True)
    evidence.rename(aside)
    evidence.write_text("not a directory")  # every upload under evidence/ now fails
    try:
        res = api.client.post(
            api.url("estimate"), json=example("apartment_sangdo"), headers=headers
        )
        ready = api.client.get(api.url("readyz"))
    finally:
        evidence.unlink()
        aside.rename(evidence)
    assert res.status_code == 503, res.text
    assert res.json()["error"]["code"] == "DEPENDENCY_UNAVAILABLE"
    assert quote_count(api) == before
    assert ready.status_code == 503 and ready.json()["storage"] == "failing"
    again = api.client.post(api.url("estimate"), json=example("apartment_sangdo"), headers=headers)
    assert again.status_code == 201, again.text


def test_database_down_degrades_and_recovers_without_losing_quotes(api: Api) -> None:
    if api.mode != "local":
        pytest.skip("stopping the database is for the local stack only")
    headers = api.headers("frank", f"k-{uuid.uuid4()}")  # minted while the database is up
    stored = api.client.post(
        api.url("estimate"), json=example("office_ls_standard"), headers=headers
    ).json()["quote_id"]
    before = quote_count(api)
    run([DB_SH, "down"])
    try:
        assert api.client.get(api.url("healthz")).status_code == 200
        ready = api.client.get(api.url("readyz"))
        assert ready.status_code == 503
        assert (ready.json()["status"], ready.json()["db"]) == ("degraded", "failing")
        res = api.client.post(
            api.url("estimate"),
            json=example("apartment_sangdo"),
            headers={**headers, "Idempotency-Key": f"k-{uuid.uuid4()}"},
        )
        assert res.status_code == 503, res.text
        assert res.json()["error"]["code"] == "DEPENDENCY_UNAVAILABLE"
    finally:
        run([DB_SH, "up"])
    deadline = time.monotonic() + 20
    while api.client.get(api.url("readyz")).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert api.client.get(api.url("readyz")).status_code == 200
    assert quote_count(api) == before
    got = api.client.get(
        api.url(f"quotes/{stored}/evidence"), params={"verify": "true"}, headers=headers
    )
    assert got.status_code == 200 and got.json()["verified"] is True
    res = api.client.post(
        api.url("estimate"),
        json=example("apartment_sangdo"),
        headers={**headers, "Idempotency-Key": f"k-{uuid.uuid4()}"},
    )
    assert res.status_code == 201, res.text
