"""The web client's functions over HTTP: the preview stores nothing, the local sign-in
mints working tokens, the client config tells the client which sign-in to offer."""

from __future__ import annotations

from typing import Any

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


def project(*panels: tuple[str, int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "project": {"customer": {"name": "한빛건설"}, "name": "한빛타워 신축공사"},
        "panels": [{"name": n, "qty": q, "request": r} for n, q, r in panels],
    }


def panel(name: str) -> dict[str, Any]:
    request = example(name)
    del request["customer"]  # the project's customer goes on every cover
    return request


def test_a_project_preview_prices_every_panel_times_its_qty_and_stores_nothing(api: Api) -> None:
    before, files = counts(api), stored_files(api)
    body = project(("LP-1", 3, panel("apartment_sangdo")), ("PP-1", 1, panel("office_ls_standard")))
    res = api.client.post(api.url("estimate/preview"), json=body, headers=api.headers())
    assert res.status_code == 200, res.text
    preview = res.json()
    assert counts(api) == before and stored_files(api) == files
    assert preview["kind"] == "project"
    assert [(p["name"], p["qty"]) for p in preview["panels"]] == [("LP-1", 3), ("PP-1", 1)]
    for row, name in zip(
        preview["panels"], ("apartment_sangdo", "office_ls_standard"), strict=True
    ):
        alone = api.client.post(
            api.url("estimate/preview"), json=panel(name), headers=api.headers()
        ).json()
        assert row["preview"]["enclosure"] == alone["enclosure"]
        assert row["preview"]["drawing_svg"].lstrip().startswith("<")
        assert row["preview"]["cover"]["client"] == "한빛건설"
        assert row["amount"] == row["unit_total"] * row["qty"]
    totals = preview["totals"]
    assert totals["subtotal"] == sum(p["amount"] for p in preview["panels"])
    assert totals["grand_total"] == totals["subtotal"] + totals["vat"]


def test_a_project_preview_names_every_failing_panel_at_its_field(api: Api) -> None:
    bad_rating = panel("apartment_sangdo")
    bad_rating["branches"][1]["at"] = 9999
    no_main = panel("office_ls_standard")
    no_main["main"]["at"] = 9999
    body = project(
        ("LP-1", 2, panel("apartment_sangdo")), ("LP-2", 1, bad_rating), ("PP-1", 1, no_main)
    )
    res = api.client.post(api.url("estimate/preview"), json=body, headers=api.headers())
    assert res.status_code == 422, res.text
    error = res.json()["error"]
    locs = {(d["loc"], d.get("panel")) for d in error["details"]}
    assert ("panels.1.request.branches.1.at", "LP-2") in locs
    assert ("panels.2.request.main.at", "PP-1") in locs
    assert not any(loc.startswith("panels.0.") for loc, _ in locs)


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
