"""The Lambda handler, invoked in process with the events API Gateway (HTTP API, payload
2.0) and a Lambda function URL deliver, against the embedded local stack (a migrated
scratch database, local storage). Every answer keeps the API's contract: status, the error
shape, ``X-Trace-Id``; a binary body (the panel drawing, SVG) is base64 with
``isBase64Encoded``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from mangum import Mangum

from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions import lambda_handler
from functions._shared.auth import mint_token
from functions._shared.settings import Settings
from functions.dev import ensure_user, seed_catalog
from tests.conftest import example
from tests.integration.support import DB_SH, ROOT, db_url, run

DB = f"kis_it_lambda_{os.getpid()}"
SHAPES = ["http_api", "function_url"]


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    run([DB_SH, "up"])
    run([DB_SH, "drop-db", DB], check=False)
    run([DB_SH, "create-db", DB])
    url = db_url(DB)
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    ensure_user(url, "alice")
    try:
        yield url
    finally:
        run([DB_SH, "drop-db", DB], check=False)


@pytest.fixture(scope="module")
def lam(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lambda]:
    secret = secrets.token_hex(32)
    settings = Settings(
        database_url=database,
        jwt_secret=secret,
        storage_dir=tmp_path_factory.mktemp("lambda-storage"),
        public_url="https://abc123.execute-api.eu-central-1.amazonaws.com",
    )
    # Mangum runs the app on the thread's event loop (creating one if there is none): give
    # it one this fixture owns and closes, so no loop (and its socketpair) outlives the tests
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = lambda_handler.build_handler(settings)
    try:
        yield Lambda(handler, secret)
    finally:
        handler.app.state.services.close()  # type: ignore[attr-defined]
        asyncio.set_event_loop(None)
        loop.close()


class Lambda:
    def __init__(self, handler: Mangum, secret: str) -> None:
        self.handler = handler
        self.secret = secret

    def token(self, user: str = "alice") -> str:
        return mint_token(self.secret, user)

    def invoke(
        self,
        shape: str,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        base64_body: bool = False,
    ) -> Response:
        event = make_event(shape, method, path, query, headers or {}, body, base64_body)
        out = self.handler(event, Context())
        return Response(out)


class Context:
    """What Lambda passes as the context (Mangum only carries it along)."""

    function_name = "kis-estimator-functions"
    aws_request_id = "5b3f2e7a-1c9d-4e8f-a0b1-c2d3e4f5a6b7"
    memory_limit_in_mb = 1024

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


class Response:
    """A Lambda proxy response (payload format 2.0) read back the way API Gateway does."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.status: int = raw["statusCode"]
        self.headers = {k.lower(): v for k, v in raw["headers"].items()}
        body: str = raw.get("body") or ""
        self.content = base64.b64decode(body) if raw["isBase64Encoded"] else body.encode()

    def json(self) -> Any:
        return json.loads(self.content)


def make_event(
    shape: str,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes | None,
    base64_body: bool,
) -> dict[str, Any]:
    """An event as API Gateway's HTTP API ($default stage, ``ANY /{proxy+}``) or a function
    URL sends it: lower-case headers, the raw path and query string, the body as a string
    (base64 when the client sent binary, or always when ``base64_body``)."""
    if shape == "http_api":
        domain = "abc123.execute-api.eu-central-1.amazonaws.com"
        api_id, route = "abc123", "ANY /{proxy+}"
    else:
        domain = "n4pd6v3xkqz2ymb5hc7tfwjre40ugsal.lambda-url.eu-central-1.on.aws"
        api_id, route = "n4pd6v3xkqz2ymb5hc7tfwjre40ugsal", "$default"
    all_headers = {
        "host": domain,
        "user-agent": "kis-web/1.0",
        "x-amzn-trace-id": "Root=1-6750a1b2-0123456789abcdef01234567",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        "accept": "application/json",
        **{k.lower(): v for k, v in headers.items()},
    }
    if body is not None:
        all_headers["content-length"] = str(len(body))
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012" if shape == "http_api" else "anonymous",
            "apiId": api_id,
            "domainName": domain,
            "domainPrefix": api_id,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "kis-web/1.0",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route,
            "stage": "$default",
            "time": "30/Nov/2026:15:00:00 +0000",
            "timeEpoch": 1796050800000,
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(p.split("=", 1) for p in query.split("&"))
    if shape == "http_api":
        event["pathParameters"] = {"proxy": path.lstrip("/")}
    if body is not None:
        if base64_body:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
        else:
            event["body"] = body.decode()
    return event


def assert_error(res: Response, status: int, code: str) -> None:
    assert res.status == status, res.content
    assert res.headers["content-type"] == "application/json"
    assert not res.raw["isBase64Encoded"]
    error = res.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details", "traceId"}
    assert error["traceId"] == res.headers["x-trace-id"]


def estimate(lam: Lambda, shape: str, key: str, **kw: Any) -> Response:
    body = json.dumps(example("apartment_sangdo")).encode()
    headers = {
        "authorization": f"Bearer {lam.token()}",
        "content-type": "application/json",
        "idempotency-key": key,
    }
    return lam.invoke(shape, "POST", "/functions/v1/estimate", headers=headers, body=body, **kw)


@pytest.mark.parametrize("shape", SHAPES)
def test_healthz_answers_with_a_trace_id(lam: Lambda, shape: str) -> None:
    res = lam.invoke(shape, "GET", "/functions/v1/healthz", headers={"x-trace-id": "trace-0001"})

    assert res.status == 200
    assert res.json()["status"] == "ok"
    assert res.headers["x-trace-id"] == "trace-0001"
    assert res.json()["traceId"] == "trace-0001"


@pytest.mark.parametrize("shape", SHAPES)
def test_an_estimate_is_created_then_replayed_by_its_idempotency_key(
    lam: Lambda, shape: str
) -> None:
    key = f"lambda-{uuid.uuid4()}"

    first = estimate(lam, shape, key)
    again = estimate(lam, shape, key, base64_body=True)  # function URLs may send base64

    assert first.status == 201, first.content
    assert first.headers["content-type"] == "application/json"
    assert first.headers["x-trace-id"]
    assert "idempotent-replayed" not in first.headers
    body = first.json()
    assert body["totals"]["grand_total"] == 515240
    assert len(body["evidence"]) == 10
    assert again.status == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["quote_id"] == body["quote_id"]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_stored_quote_is_read_back(lam: Lambda, shape: str) -> None:
    created = estimate(lam, shape, f"lambda-{uuid.uuid4()}").json()
    auth = {"authorization": f"Bearer {lam.token()}"}

    res = lam.invoke(shape, "GET", f"/functions/v1/quotes/{created['quote_id']}", headers=auth)
    listing = lam.invoke(shape, "GET", "/functions/v1/quotes", query="limit=5", headers=auth)

    assert res.status == 200
    assert res.json()["quote_id"] == created["quote_id"]
    assert res.json()["evidence_root"] == created["evidence_root"]
    assert created["quote_id"] in [q["quote_id"] for q in listing.json()["items"]]


@pytest.mark.parametrize("shape", SHAPES)
def test_the_panel_drawing_comes_back_base64_encoded_and_byte_exact(
    lam: Lambda, shape: str
) -> None:
    created = estimate(lam, shape, f"lambda-{uuid.uuid4()}").json()
    drawing = next(e for e in created["evidence"] if e["stage"] == "drawing")
    signed = urlsplit(drawing["url"])

    res = lam.invoke(shape, "GET", signed.path, query=signed.query)

    assert res.status == 200, res.content
    assert res.raw["isBase64Encoded"] is True
    assert res.headers["content-type"] == "image/svg+xml"
    assert res.headers["x-trace-id"]
    assert b"<svg" in res.content
    assert hashlib.sha256(res.content).hexdigest() == drawing["sha256"]


@pytest.mark.parametrize("shape", SHAPES)
def test_no_token_is_401_with_the_error_shape(lam: Lambda, shape: str) -> None:
    res = lam.invoke(
        shape,
        "POST",
        "/functions/v1/estimate",
        headers={"content-type": "application/json", "idempotency-key": "k-anon"},
        body=json.dumps(example("apartment_sangdo")).encode(),
    )

    assert_error(res, 401, "UNAUTHORIZED")


@pytest.mark.parametrize("shape", SHAPES)
def test_an_invalid_request_is_422_with_the_error_shape(lam: Lambda, shape: str) -> None:
    body = {**example("apartment_sangdo"), "no_such_field": 1}
    res = lam.invoke(
        shape,
        "POST",
        "/functions/v1/estimate",
        headers={
            "authorization": f"Bearer {lam.token()}",
            "content-type": "application/json",
            "idempotency-key": f"lambda-{uuid.uuid4()}",
        },
        body=json.dumps(body).encode(),
    )

    assert_error(res, 422, "VALIDATION_FAILED")
    assert res.json()["error"]["details"]


def test_the_app_is_built_once_per_container(monkeypatch: pytest.MonkeyPatch, lam: Lambda) -> None:
    builds: list[int] = []

    def build() -> Mangum:
        builds.append(1)
        return lam.handler

    monkeypatch.setattr(lambda_handler, "build_handler", build)
    monkeypatch.setattr(lambda_handler, "_built", None)
    event = make_event("http_api", "GET", "/functions/v1/healthz", "", {}, None, False)

    answers = [lambda_handler.handler(event, Context())["statusCode"] for _ in range(3)]

    assert answers == [200, 200, 200]
    assert builds == [1]


def _import_handler(**env: str) -> str:
    code = "import functions.lambda_handler as h; print(h._built is not None)"
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_importing_the_handler_outside_lambda_builds_nothing() -> None:
    # no settings at all: building would fail, so importing must not build
    assert _import_handler() == "False"


def test_in_lambda_the_app_is_built_during_init(database: str, tmp_path: Path) -> None:
    built = _import_handler(
        AWS_LAMBDA_FUNCTION_NAME="kis-estimator-functions",
        DATABASE_URL=database,
        JWT_SECRET=secrets.token_hex(32),
        STORAGE_DIR=str(tmp_path),
    )

    assert built == "True"
