"""The ASGI app without a database: CORS, trace ids and the error shape on unknown routes."""

from __future__ import annotations

import anyio
import httpx

from functions._shared.settings import Settings
from functions.app import create_app

ORIGIN = "https://app.kis.example"


def call(method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    app = create_app(Settings(jwt_secret="s" * 32, cors_origins=(ORIGIN,)), svc=object())  # type: ignore[arg-type]

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, headers=headers)

    return anyio.run(go)


def test_a_configured_origin_passes_the_cors_preflight() -> None:
    res = call(
        "OPTIONS",
        "/functions/v1/estimate",
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,idempotency-key",
        },
    )
    assert res.status_code == 200
    assert res.headers["access-control-allow-origin"] == ORIGIN


def test_another_origin_is_not_allowed() -> None:
    res = call(
        "OPTIONS",
        "/functions/v1/estimate",
        {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in res.headers


def test_healthz_needs_no_dependency_and_echoes_a_valid_trace_id() -> None:
    res = call("GET", "/functions/v1/healthz", {"X-Trace-Id": "trace-12345678"})
    assert res.status_code == 200
    assert res.headers["X-Trace-Id"] == res.json()["traceId"] == "trace-12345678"


def test_an_unknown_route_answers_the_error_shape_with_a_fresh_trace_id() -> None:
    res = call("GET", "/functions/v1/nope", {"X-Trace-Id": "bad id with spaces"})
    assert res.status_code == 404
    body = res.json()["error"]
    assert body["code"] == "NOT_FOUND"
    assert body["traceId"] == res.headers["X-Trace-Id"] != "bad id with spaces"
