"""The web client's functions over HTTP: the preview stores nothing, the local sign-in
mints working tokens, the client config tells the client which sign-in to offer."""

from __future__ import annotations

from tests.conftest import example
from tests.e2e.conftest import Api
from tests.e2e.test_api import key, post


def counts(api: Api) -> tuple[int, int]:
    quotes = api.sql("select count(*) from estimator.quotes")[0][0]
    blobs = api.sql("select count(*) from estimator.evidence_blobs")[0][0]
    return int(quotes), int(blobs)


def stored_files(api: Api) -> int:
    return sum(1 for p in api.storage_dir.rglob("*") if p.is_file()) if api.storage_dir else 0


def test_preview_answers_the_quote_estimate_would_store_and_stores_nothing(api: Api) -> None:
    before, files = counts(api), stored_files(api)
    res = api.client.post(
        api.url("estimate/preview"), json=example("apartment_sangdo"), headers=api.headers()
    )
    assert res.status_code == 200, res.text
    preview = res.json()
    assert counts(api) == before and stored_files(api) == files
    assert "quote_id" not in preview and "evidence" not in preview
    assert preview["drawing_svg"].lstrip().startswith("<")
    issued = post(api, example("apartment_sangdo"), key()).json()
    for part in ("enclosure", "lines", "totals", "lint", "status"):
        assert preview[part] == issued[part], part
    assert preview["phase_balance"]["totals_a"] == issued["phase_balance"]["totals_a"]


def test_preview_needs_a_token_and_names_the_bad_field(api: Api) -> None:
    anonymous = api.client.post(api.url("estimate/preview"), json=example("apartment_sangdo"))
    assert anonymous.status_code == 401
    bad = example("apartment_sangdo")
    bad["main"]["at"] = 9999
    before = counts(api)
    res = api.client.post(api.url("estimate/preview"), json=bad, headers=api.headers())
    assert res.status_code == 422
    error = res.json()["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert error["details"][0]["loc"] == "main.at"
    assert counts(api) == before


def test_the_local_sign_in_exists_only_on_the_embedded_stack(api: Api) -> None:
    config = api.client.get(api.url("client-config")).json()
    res = api.client.post(api.url("dev/token"), json={"user": "carol", "role": "catalog_admin"})
    if api.mode != "local":  # a Supabase project: its own sign-in, no local tokens
        assert config["auth"] == "supabase" and config["supabase_url"]
        assert res.status_code == 404
        return
    assert config["auth"] == "local"
    assert res.status_code == 200, res.text
    token = res.json()["access_token"]
    versions = api.client.get(
        api.url("catalog/versions"), headers={"Authorization": f"Bearer {token}"}
    )
    assert versions.status_code == 200
