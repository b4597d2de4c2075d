"""Hostile and careless input over real HTTP: every answer is a 4xx in the error shape,
nothing is stored (no rows, no blobs), and the connection stays usable afterwards."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest

from functions._shared.auth import mint_token
from tests.conftest import example
from tests.e2e.conftest import Api

DEEP = "[" * 1000 + "]" * 1000


def key() -> str:
    return f"k-{uuid.uuid4()}"


def with_field(raw_value: str, where: str = "unknown") -> bytes:
    """The example request as JSON text with ``raw_value`` spliced in verbatim."""
    text = json.dumps(example("apartment_sangdo"), ensure_ascii=True)
    if where == "unknown":
        return ('{"x_extra": ' + raw_value + ", " + text[1:]).encode()
    project = json.dumps(example("apartment_sangdo")["customer"]["project"], ensure_ascii=True)
    return text.replace(project, raw_value).encode()


def blob_count(api: Api) -> int:
    assert api.storage_dir is not None
    return sum(1 for p in api.storage_dir.rglob("*") if p.is_file() and "_probe" not in p.parts)


def post_raw(api: Api, path: str, body: bytes, headers: dict[str, str]) -> Any:
    return api.client.post(
        api.url(path), content=body, headers={"Content-Type": "application/json", **headers}
    )


def assert_error(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.text[:500]
    error: dict[str, Any] = res.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details", "traceId"}
    return error


BAD_BODIES = {
    "nan-in-unknown-field": with_field("NaN"),
    "infinity": with_field("Infinity"),
    "minus-infinity": with_field("-Infinity"),
    "1e400": with_field("1e400"),
    "huge-integer": with_field("1" + "0" * 5000),
    "deep-nesting": with_field(DEEP),
    "lone-surrogate": with_field('"\\ud800"', where="project"),
    "nul": with_field('"a\\u0000b"', where="project"),
    "not-utf8": b'{"brand": "\xff"}',
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_hostile_estimate_bodies_are_422_and_store_nothing(api: Api, name: str) -> None:
    if api.storage_dir is None:
        pytest.skip("counting blobs needs the local blob store")
    before_rows = api.sql("select count(*) from estimator.quotes")[0][0]
    before_blobs = blob_count(api)
    res = post_raw(api, "estimate", BAD_BODIES[name], api.headers("hostile", key()))
    assert_error(res, 422, "VALIDATION_FAILED")
    assert api.sql("select count(*) from estimator.quotes")[0][0] == before_rows
    assert blob_count(api) == before_blobs


def test_a_text_field_with_nul_names_the_field(api: Api) -> None:
    res = post_raw(api, "estimate", BAD_BODIES["nul"], api.headers("hostile", key()))
    error = assert_error(res, 422, "VALIDATION_FAILED")
    assert error["details"][0]["loc"] == "customer.project"


def admin(api: Api) -> dict[str, str]:
    return api.headers("catalog-admin", app_role="catalog_admin")


def csv_with_meta(meta: str) -> str:
    cell = meta.replace('"', '""')
    header = "brand,series,model,af,poles,width_mm,height_mm,depth_mm,meta"
    return f'{header}\nLS,METASOL,METASOL-600,600,4P,280,280,109,"{cell}"\n'


CATALOG_BODIES = {
    "import-deep-body": (
        "catalog/import",
        b'{"label": "hostile-1", "format": "json", "content": ' + DEEP.encode() + b"}",
    ),
    "import-nan-body": (
        "catalog/import",
        b'{"label": "hostile-2", "format": "json", "content": {"x": NaN}}',
    ),
    "import-json-content-nan": (
        "catalog/import",
        json.dumps({"label": "hostile-3", "format": "json", "content": '{"x": NaN}'}).encode(),
    ),
    "import-json-content-deep": (
        "catalog/import",
        json.dumps({"label": "hostile-4", "format": "json", "content": DEEP}).encode(),
    ),
    "import-csv-meta-nan": (
        "catalog/import",
        json.dumps(
            {"label": "hostile-5", "format": "csv", "content": csv_with_meta('{"price": NaN}')}
        ).encode(),
    ),
    "import-csv-meta-deep": (
        "catalog/import",
        json.dumps(
            {"label": "hostile-6", "format": "csv", "content": csv_with_meta('{"a": ' + DEEP + "}")}
        ).encode(),
    ),
    "import-csv-meta-infinity": (
        "catalog/import",
        json.dumps(
            {"label": "hostile-7", "format": "csv", "content": csv_with_meta('{"price": 1e400}')}
        ).encode(),
    ),
    "validate-deep-body": ("catalog/validate", b'{"label": ' + DEEP.encode() + b"}"),
    "validate-surrogate": ("catalog/validate", b'{"label": "\\udc00"}'),
}


@pytest.mark.parametrize("name", list(CATALOG_BODIES))
def test_hostile_catalog_bodies_are_422(api: Api, name: str) -> None:
    path, body = CATALOG_BODIES[name]
    before = api.sql("select count(*) from shared.catalog_versions")[0][0]
    assert_error(post_raw(api, path, body, admin(api)), 422, "VALIDATION_FAILED")
    assert api.sql("select count(*) from shared.catalog_versions")[0][0] == before


@pytest.mark.parametrize(
    "quote_id",
    [
        "urn:uuid:{}",
        "{{{}}}",
        "nohyphens:{}",
        "not-a-uuid",
        "00000000-0000-0000-0000-00000000000g",
    ],
)
def test_malformed_quote_ids_are_404(api: Api, quote_id: str) -> None:
    made = post_raw(
        api,
        "estimate",
        json.dumps(example("office_ls_standard")).encode(),
        api.headers("idcheck", key()),
    )
    assert made.status_code == 201, made.text[:500]
    made_id = made.json()["quote_id"]
    qid = made_id.replace("-", "") if quote_id.startswith("nohyphens") else quote_id.format(made_id)
    headers = api.headers("idcheck")
    for path in (f"quotes/{qid}", f"quotes/{qid}/evidence"):
        assert_error(api.client.get(api.url(path), headers=headers), 404, "NOT_FOUND")


def test_a_token_whose_user_does_not_exist_is_401_and_writes_nothing(api: Api) -> None:
    if api.storage_dir is None:
        pytest.skip("counting blobs needs the local blob store")
    token = mint_token(api.secret, f"ghost-{uuid.uuid4()}")  # no auth.users row
    before_rows = api.sql("select count(*) from estimator.quotes")[0][0]
    before_blobs = blob_count(api)
    res = post_raw(
        api,
        "estimate",
        json.dumps(example("apartment_sangdo")).encode(),
        {"Authorization": f"Bearer {token}", "Idempotency-Key": key()},
    )
    assert_error(res, 401, "UNKNOWN_USER")
    assert api.sql("select count(*) from estimator.quotes")[0][0] == before_rows
    assert blob_count(api) == before_blobs


def test_an_anon_token_with_a_subject_is_refused(api: Api) -> None:
    headers = api.headers("anon-user", key(), role="anon")
    listed = api.client.get(api.url("quotes"), headers=headers)
    assert_error(listed, 403, "FORBIDDEN")
    res = post_raw(api, "estimate", json.dumps(example("apartment_sangdo")).encode(), headers)
    assert_error(res, 403, "FORBIDDEN")


def test_a_body_over_the_limit_is_413_before_parsing(api: Api) -> None:
    body = b'{"pad": "' + b"x" * (600 * 1024) + b'"}'
    res = post_raw(api, "estimate", body, api.headers("big", key()))
    assert_error(res, 413, "PAYLOAD_TOO_LARGE")

    def chunks() -> Any:  # no Content-Length: the limit holds on the bytes actually sent
        yield b'{"pad": "'
        for _ in range(40):
            yield b"x" * (16 * 1024)
        yield b'"}'

    res = api.client.post(
        api.url("estimate"),
        content=chunks(),
        headers={"Content-Type": "application/json", **api.headers("big", key())},
    )
    assert_error(res, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", None],
)
def test_a_body_that_is_not_declared_json_is_415(api: Api, content_type: str | None) -> None:
    headers = api.headers("media", key())
    if content_type:
        headers["Content-Type"] = content_type
    res = api.client.post(
        api.url("estimate"),
        content=json.dumps(example("apartment_sangdo")).encode(),
        headers=headers,
    )
    assert_error(res, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize(
    "bad_key", [b"x" * 256, b"tab\there", "ключ".encode(), b"caf\xe9"], ids=str
)
def test_idempotency_keys_are_printable_ascii_up_to_255(api: Api, bad_key: bytes) -> None:
    headers: dict[str, Any] = {**api.headers("keys"), "Idempotency-Key": bad_key}
    res = api.client.post(
        api.url("estimate"),
        content=json.dumps(example("apartment_sangdo")).encode("utf-8"),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert res.status_code == 400, res.text
    assert res.json()["error"]["code"] in ("IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_KEY_REQUIRED")


def claims_token(api: Api, **changes: Any) -> str:
    claims = jwt.decode(api.token("timer"), options={"verify_signature": False})
    return jwt.encode({**claims, **changes}, api.secret, algorithm="HS256")


@pytest.mark.parametrize(
    "changes",
    [{"exp": "9999999999"}, {"iat": "0"}, {"nbf": [1]}, {"exp": 1.5}],
    ids=["exp-string", "iat-string", "nbf-list", "exp-past"],
)
def test_token_times_must_be_numbers_and_401_names_the_scheme(
    api: Api, changes: dict[str, Any]
) -> None:
    token = claims_token(api, **changes)
    res = api.client.get(api.url("quotes"), headers={"Authorization": f"Bearer {token}"})
    error = assert_error(res, 401, "UNAUTHORIZED")
    assert res.headers["WWW-Authenticate"].startswith("Bearer")
    assert "jwt" not in error["message"].lower() and "decode" not in error["message"].lower()


def test_a_token_issued_a_little_ahead_of_the_server_clock_is_accepted(api: Api) -> None:
    now = int(time.time())
    token = claims_token(api, iat=now + 20, nbf=now + 20)
    res = api.client.get(api.url("quotes"), headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200, res.text
    far = claims_token(api, iat=now + 3600)
    res = api.client.get(api.url("quotes"), headers={"Authorization": f"Bearer {far}"})
    assert_error(res, 401, "UNAUTHORIZED")


def test_a_missing_token_401_carries_www_authenticate(api: Api) -> None:
    res = api.client.get(api.url("quotes"))
    assert_error(res, 401, "UNAUTHORIZED")
    assert res.headers["WWW-Authenticate"].startswith("Bearer")


def error_requests(api: Api) -> list[tuple[str, str, bytes, dict[str, str]]]:
    good = api.headers("keepalive", key())
    return [
        ("POST", "estimate", BAD_BODIES["deep-nesting"], good),
        ("POST", "estimate", BAD_BODIES["nan-in-unknown-field"], good),
        ("POST", "estimate", b'{"pad": "' + b"x" * (600 * 1024) + b'"}', good),
        ("POST", "estimate", b"{}", {"Authorization": "Bearer nope"}),
        ("POST", "estimate", b'{"pad": "' + b"x" * (600 * 1024) + b'"}', {}),
        ("GET", "quotes/urn:uuid:0", b"", good),
        ("POST", "estimate", b"[1, 2", good),
    ]


def test_the_connection_stays_usable_after_any_error(api: Api) -> None:
    target = urlsplit(api.base)
    assert target.hostname and target.port
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=20)
    try:
        for method, path, body, headers in error_requests(api):
            conn.request(
                method,
                f"/functions/v1/{path}",
                body=body or None,
                headers={"Content-Type": "application/json", **headers},
            )
            res = conn.getresponse()
            res.read()
            assert 400 <= res.status < 500, (path, res.status)
            # the next request on the same connection is answered (http.client reopens
            # only when the server said Connection: close)
            conn.request("GET", "/functions/v1/healthz")
            after = conn.getresponse()
            after.read()
            assert after.status == 200, (path, after.status)
    finally:
        conn.close()


def test_dependency_errors_and_readyz_name_no_server_paths(api: Api) -> None:
    if api.storage_dir is None:
        pytest.skip("breaking storage needs the local blob store")
    evidence = api.storage_dir / "evidence"
    aside = api.storage_dir / "evidence.aside-paths"
    evidence.mkdir(parents=True, exist_ok=True)
    evidence.rename(aside)
    evidence.write_text("not a directory")
    try:
        res = post_raw(
            api,
            "estimate",
            json.dumps(example("apartment_sangdo")).encode(),
            api.headers("paths", key()),
        )
        ready = api.client.get(api.url("readyz"))
    finally:
        evidence.unlink()
        aside.rename(evidence)
    assert_error(res, 503, "DEPENDENCY_UNAVAILABLE")
    root = str(Path(__file__).resolve().parents[2])
    for text in (res.text, ready.text):
        assert root not in text and str(api.storage_dir) not in text, text
        assert "Errno" not in text, text


def test_an_unknown_query_parameter_is_refused_after_authentication(api: Api) -> None:
    res = api.client.get(api.url("quotes"), params={"limt": "5"}, headers=api.headers("typo"))
    error = assert_error(res, 422, "VALIDATION_FAILED")
    assert error["details"][0]["loc"] == "query.limt"
    anonymous = api.client.get(api.url("quotes"), params={"limt": "5"})
    assert_error(anonymous, 401, "UNAUTHORIZED")


def test_a_repeated_query_parameter_is_refused_not_reduced_to_its_last_value(api: Api) -> None:
    h = api.headers("twice")
    res = api.client.get(api.url("quotes"), params=[("q", "한빛"), ("q", "상도")], headers=h)
    error = assert_error(res, 422, "VALIDATION_FAILED")
    assert error["details"] == [{"loc": "query.q", "msg": "given more than once"}]
    once = api.client.get(api.url("quotes"), params={"q": "상도"}, headers=h)
    assert once.status_code == 200, once.text
