"""What the functions server adds for the web client, without a database: the build at /,
the client's configuration, and the local sign-in that exists only on the embedded stack."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import httpx
import pytest

from functions._shared.settings import Settings
from functions.app import create_app
from functions.client import local_sign_in
from functions.web import WebClient

SECRET = "s" * 32
EMBEDDED = Settings(
    database_url="postgresql://postgres@127.0.0.1:54322/postgres", jwt_secret=SECRET
)
HOSTED = Settings(
    database_url="postgresql://postgres@db.abcd.supabase.co:6543/postgres",
    jwt_secret=SECRET,
    supabase_url="https://abcd.supabase.co",
    supabase_anon_key="sb_publishable_xyz",
    supabase_service_role_key="service",
)


def call(app: Any, method: str, path: str, **kw: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **kw)

    return anyio.run(go)


def app_for(settings: Settings) -> Any:
    svc = SimpleNamespace(settings=settings)
    app = create_app(settings, svc=svc)  # type: ignore[arg-type]
    app.state.services = svc  # the transport runs no lifespan
    return app


@pytest.mark.parametrize(
    "settings",
    [
        HOSTED,
        Settings(database_url="postgresql://u@db.example.com/postgres", jwt_secret=SECRET),
        Settings(
            database_url=EMBEDDED.database_url, jwt_secret=SECRET, supabase_url="http://x.test"
        ),
        Settings(database_url=EMBEDDED.database_url, jwks_url="https://x.test/jwks"),
        Settings(supabase_url="https://abcd.supabase.co", supabase_anon_key="k", jwt_secret=SECRET),
    ],
    ids=["hosted", "remote-db", "supabase-url", "jwks", "postgrest"],
)
def test_the_local_sign_in_is_absent_when_settings_look_hosted(settings: Settings) -> None:
    assert not local_sign_in(settings)
    res = call(app_for(settings), "POST", "/functions/v1/dev/token", json={"user": "mallory"})
    assert res.status_code == 404
    assert res.json()["error"]["code"] == "NOT_FOUND"
    assert "/functions/v1/dev/token" not in app_for(settings).openapi()["paths"]


def test_the_local_sign_in_exists_on_the_embedded_stack() -> None:
    assert local_sign_in(EMBEDDED)
    assert "/functions/v1/dev/token" in app_for(EMBEDDED).openapi()["paths"]


def test_a_malformed_sign_in_names_the_field_instead_of_asking_for_a_token() -> None:
    res = call(app_for(EMBEDDED), "POST", "/functions/v1/dev/token", json={"user": "Bad Name"})
    assert res.status_code == 422
    assert res.json()["error"]["details"][0]["loc"] == "user"


def test_client_config_offers_local_sign_in_on_the_embedded_stack() -> None:
    res = call(app_for(EMBEDDED), "GET", "/functions/v1/client-config")
    assert res.status_code == 200
    assert res.json() == {"auth": "local", "supabase_url": None, "supabase_publishable_key": None}


def test_client_config_names_the_supabase_project_when_hosted() -> None:
    res = call(app_for(HOSTED), "GET", "/functions/v1/client-config")
    assert res.json() == {
        "auth": "supabase",
        "supabase_url": "https://abcd.supabase.co",
        "supabase_publishable_key": "sb_publishable_xyz",
    }


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>KIS</title>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("no", encoding="utf-8")
    return tmp_path


def test_the_build_is_served_with_index_html_for_client_routes(dist: Path) -> None:
    app = WebClient(app_for(EMBEDDED), dist=dist)
    for path in ("/", "/new", "/quotes/4f0c6c1e-0000-0000-0000-000000000000", "/catalog"):
        res = call(app, "GET", path)
        assert res.status_code == 200, path
        assert "<title>KIS</title>" in res.text
        assert res.headers["cache-control"] == "no-cache"
    asset = call(app, "GET", "/assets/index-abc.js")
    assert asset.text == "console.log(1)"
    assert "immutable" in asset.headers["cache-control"]
    assert call(app, "GET", "/assets/missing.js").status_code == 404
    assert call(app, "GET", "/../secret.txt").text != "no"


def test_the_api_keeps_its_own_404_and_405_next_to_the_build(dist: Path) -> None:
    app = WebClient(app_for(EMBEDDED), dist=dist)
    missing = call(app, "GET", "/functions/v1/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    assert call(app, "GET", "/functions/v1/estimate").status_code == 405
    assert call(app, "POST", "/new").status_code != 200
