"""A quote's documents over HTTP: rendered on the first GET, stored content-addressed in
the documents bucket, listed with signed URLs, one redirect per kind, re-hashed by the
evidence check; byte-identical to a fresh CLI render of the same quote; another user's
quote is 404; a renderer that fails stores nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import anyio
import httpx
import openpyxl
import pytest

from estimator_core.cli import DEFAULT_CATALOG
from functions._shared.services import build_services
from functions._shared.settings import Settings
from functions.app import create_app
from tests.conftest import ROOT, example
from tests.e2e.conftest import Api, set_profile

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
    "dxf": "image/vnd.dxf",
}


def new_quote(api: Api, user: str = "dora") -> dict[str, Any]:
    res = api.client.post(
        api.url("estimate"),
        json=example("apartment_sangdo"),
        headers=api.headers(user, f"doc-{uuid.uuid4()}"),
    )
    assert res.status_code == 201, res.text
    body: dict[str, Any] = res.json()
    return body


@pytest.fixture(scope="module")
def profile(api: Api) -> dict[str, Any]:
    return set_profile(api, f"(주)문서전기 {uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="module")
def quote(api: Api, profile: dict[str, Any]) -> dict[str, Any]:
    return new_quote(api)


def documents(api: Api, quote_id: str, user: str = "dora") -> httpx.Response:
    return api.client.get(api.url(f"quotes/{quote_id}/documents"), headers=api.headers(user))


def rows(api: Api, quote_id: str) -> list[tuple[Any, ...]]:
    return api.sql(
        "select set_no, kind, sha256, content_type, size_bytes, storage_path, profile_sha256 "
        "from estimator.documents where quote_id = %s and set_no >= 1 order by kind",
        quote_id,
    )


def test_the_first_get_renders_four_documents_and_later_gets_only_sign(
    api: Api, quote: dict[str, Any], profile: dict[str, Any]
) -> None:
    first = documents(api, quote["quote_id"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["quote_id"] == quote["quote_id"]
    assert body["quote_number"] == quote["quote_number"]
    assert [i["kind"] for i in body["items"]] == ["xlsx", "pdf", "svg", "dxf"]
    for item in body["items"]:
        assert item["content_type"] == TYPES[item["kind"]]
        assert item["ttl_s"] == 600
        assert item["size"] > 0
    recorded = rows(api, quote["quote_id"])
    assert len(recorded) == 4
    by_kind = {r[1]: r for r in recorded}
    for item in body["items"]:
        set_no, kind, sha, ctype, size, path, profile_sha = by_kind[item["kind"]]
        assert (set_no, sha, ctype, size) == (1, item["sha256"], item["content_type"], item["size"])
        assert path == f"quote/{quote['quote_id']}/{kind}/{sha}.{kind}"
        assert profile_sha == profile["sha256"]

    again = documents(api, quote["quote_id"]).json()
    assert [i["sha256"] for i in again["items"]] == [i["sha256"] for i in body["items"]]
    assert rows(api, quote["quote_id"]) == recorded  # nothing rendered or recorded again
    by_number = documents(api, quote["quote_number"]).json()
    assert [i["sha256"] for i in by_number["items"]] == [i["sha256"] for i in body["items"]]


def test_downloads_are_the_recorded_bytes_with_the_recorded_content_type(
    api: Api, quote: dict[str, Any]
) -> None:
    body = documents(api, quote["quote_id"]).json()
    for item in body["items"]:
        res = api.client.get(item["url"])
        assert res.status_code == 200
        assert res.headers["content-type"].split(";")[0] == item["content_type"]
        assert hashlib.sha256(res.content).hexdigest() == item["sha256"]
        assert len(res.content) == item["size"]


def test_each_kind_redirects_to_a_fresh_signed_url(api: Api, quote: dict[str, Any]) -> None:
    listed = {i["kind"]: i for i in documents(api, quote["quote_id"]).json()["items"]}
    for kind in ("xlsx", "pdf", "svg", "dxf"):
        res = api.client.get(
            api.url(f"quotes/{quote['quote_number']}/documents/{kind}"),
            headers=api.headers("dora"),
        )
        assert res.status_code == 307, res.text
        target = api.client.get(res.headers["location"])
        assert target.status_code == 200
        assert hashlib.sha256(target.content).hexdigest() == listed[kind]["sha256"]
    unknown = api.client.get(
        api.url(f"quotes/{quote['quote_id']}/documents/docx"), headers=api.headers("dora")
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "NOT_FOUND"


def test_another_users_quote_has_no_documents(api: Api, quote: dict[str, Any]) -> None:
    for path in ("documents", "documents/pdf"):
        for ref in (quote["quote_id"], quote["quote_number"]):
            res = api.client.get(api.url(f"quotes/{ref}/{path}"), headers=api.headers("mallory"))
            assert res.status_code == 404, res.text
            assert res.json()["error"]["code"] == "NOT_FOUND"
    anonymous = api.client.get(api.url(f"quotes/{quote['quote_id']}/documents"))
    assert anonymous.status_code == 401


def test_the_workbook_opens_and_the_pdf_carries_the_quote_number(
    api: Api, quote: dict[str, Any], tmp_path: Path
) -> None:
    items = {i["kind"]: i for i in documents(api, quote["quote_id"]).json()["items"]}
    book = openpyxl.load_workbook(BytesIO(api.client.get(items["xlsx"]["url"]).content))
    assert book.sheetnames[:2] == ["표지", "내역"]
    pdf = tmp_path / "quote.pdf"
    pdf.write_bytes(api.client.get(items["pdf"]["url"]).content)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: run ops/supabase/install.sh"
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert quote["quote_number"] in text
    assert f"{quote['totals']['grand_total']:,}" in text


def test_concurrent_first_gets_record_one_set(api: Api, profile: dict[str, Any]) -> None:
    fresh = new_quote(api)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: documents(api, fresh["quote_id"]), range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    shas = {tuple(i["sha256"] for i in a.json()["items"]) for a in answers}
    assert len(shas) == 1
    assert len(rows(api, fresh["quote_id"])) == 4


def test_documents_use_the_profile_the_quote_was_issued_with(api: Api) -> None:
    before = set_profile(api, f"(주)이전상호 {uuid.uuid4().hex[:6]}")
    issued = new_quote(api)
    set_profile(api, f"(주)새상호 {uuid.uuid4().hex[:6]}")  # changed after the quote
    assert documents(api, issued["quote_id"]).status_code == 200
    assert {r[6] for r in rows(api, issued["quote_id"])} == {before["sha256"]}


def test_a_quote_issued_before_any_profile_is_rendered_with_the_current_one(api: Api) -> None:
    issued = new_quote(api)
    # as stored by a server from before company profiles (the response names none)
    api.sql(
        "update estimator.quotes set response = response - 'company_profile' where id = %s "
        "returning id",
        issued["quote_id"],
    )
    current = api.client.get(api.url("company-profile"), headers=api.headers("dora")).json()
    assert documents(api, issued["quote_id"]).status_code == 200
    assert {r[6] for r in rows(api, issued["quote_id"])} == {current["sha256"]}


def test_evidence_verification_rehashes_the_stored_documents(
    api: Api, quote: dict[str, Any]
) -> None:
    documents(api, quote["quote_id"])
    res = api.client.get(
        api.url(f"quotes/{quote['quote_id']}/evidence"),
        params={"verify": "true"},
        headers=api.headers("dora"),
    )
    assert res.status_code == 200
    body = res.json()
    assert sorted(d["kind"] for d in body["documents"]) == ["dxf", "pdf", "svg", "xlsx"]
    assert all(d["verified"] for d in body["documents"])
    assert body["verified"] is True


def test_a_tampered_document_fails_verification(api: Api, profile: dict[str, Any]) -> None:
    if api.storage_dir is None:
        pytest.skip("tampering needs the local blob store")
    fresh = new_quote(api)
    items = {i["kind"]: i for i in documents(api, fresh["quote_id"]).json()["items"]}
    target = api.stored_file(
        "documents", f"quote/{fresh['quote_id']}/pdf/{items['pdf']['sha256']}.pdf"
    )
    target.write_bytes(target.read_bytes() + b"%tampered\n")
    body = api.client.get(
        api.url(f"quotes/{fresh['quote_id']}/evidence"),
        params={"verify": "true"},
        headers=api.headers("dora"),
    ).json()
    verdict = {d["kind"]: d["verified"] for d in body["documents"]}
    assert verdict == {"xlsx": True, "pdf": False, "svg": True, "dxf": True}
    assert body["verified"] is False


def test_the_stored_documents_equal_a_fresh_cli_render_of_the_same_quote(
    api: Api, profile: dict[str, Any], tmp_path: Path
) -> None:
    issued = new_quote(api)
    stored = {
        i["filename"]: i["sha256"] for i in documents(api, issued["quote_id"]).json()["items"]
    }
    ((request, recorded_profile),) = api.sql(
        "select q.request, p.content from estimator.quotes as q "
        "join shared.company_profiles as p "
        "on p.id = (q.response -> 'company_profile' ->> 'id')::uuid "
        "where q.id = %s",
        issued["quote_id"],
    )
    (tmp_path / "request.json").write_text(json.dumps(request), encoding="utf-8")
    (tmp_path / "profile.json").write_text(json.dumps(recorded_profile), encoding="utf-8")
    cover = issued["cover"]
    assert issued["catalog"]["label"] == DEFAULT_CATALOG.name  # the shipped catalog is active
    subprocess.run(
        [
            sys.executable,
            "-m",
            "estimator_core",
            "estimate",
            str(tmp_path / "request.json"),
            "--out",
            str(tmp_path / "out"),
            "--issued-at",
            cover["issued_at"],
            "--estimator",
            cover["estimator"],
            "--quote-number",
            issued["quote_number"],
            "--profile",
            str(tmp_path / "profile.json"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    fresh = {
        name: hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() for name in stored
    }
    assert fresh == stored


def test_a_renderer_that_fails_stores_nothing(
    api: Api, profile: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process, on the same database and blob store: the workbook renderer raises."""
    if api.storage_dir is None:
        pytest.skip("needs the local stack's database and blob store")
    fresh = new_quote(api)
    from estimator_core.documents import render

    def boom(*_: Any, **__: Any) -> bytes:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(render, "render_xlsx", boom)
    settings = Settings(
        database_url=api.database_url,
        jwt_secret=api.secret,
        storage_dir=api.storage_dir,
        public_url=api.base,
    )
    svc = build_services(settings)
    app = create_app(settings, svc=svc)
    app.state.services = svc  # httpx's ASGI transport does not run the lifespan

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(
                f"/functions/v1/quotes/{fresh['quote_id']}/documents",
                headers=api.headers("dora"),
            )

    try:
        res = anyio.run(call)
    finally:
        svc.close()
    assert res.status_code == 422, res.text
    error = res.json()["error"]
    assert error["code"] == "DOCUMENT_RENDER_FAILED"
    assert error["traceId"] == res.headers["X-Trace-Id"]
    assert rows(api, fresh["quote_id"]) == []
    assert not (api.storage_dir / "documents" / "quote" / fresh["quote_id"]).exists()
