"""The HTTP API against the real stack: estimate, replay, isolation, auth, signed URLs."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import example
from tests.e2e.conftest import Api

CHILD_TABLES = ("quote_items", "panels", "documents", "evidence_blobs")


def post(api: Api, body: Any, key: str | None, user: str = "alice", **kw: Any) -> httpx.Response:
    return api.client.post(api.url("estimate"), json=body, headers=api.headers(user, key), **kw)


def key() -> str:
    return f"k-{uuid.uuid4()}"


def rows_for(api: Api, quote_id: str) -> dict[str, int]:
    counts = {
        "quotes": api.sql("select count(*) from estimator.quotes where id = %s", quote_id)[0][0]
    }
    for table in CHILD_TABLES:
        counts[table] = api.sql(
            f"select count(*) from estimator.{table} where quote_id = %s", quote_id
        )[0][0]
    counts["breakers"] = api.sql(
        "select count(*) from estimator.breakers b join estimator.panels p on p.id = b.panel_id "
        "where p.quote_id = %s",
        quote_id,
    )[0][0]
    return counts


def quote_count(api: Api) -> int:
    return int(api.sql("select count(*) from estimator.quotes")[0][0])


def test_estimate_stores_the_quote_and_evidence_that_verifies(api: Api) -> None:
    res = post(api, example("apartment_sangdo"), key())
    assert res.status_code == 201, res.text
    body = res.json()
    assert res.headers["X-Trace-Id"]
    assert body["status"] == "issued"
    assert body["totals"]["grand_total"] == 515240
    assert len(body["evidence"]) == 10
    for item in body["evidence"]:
        blob = api.client.get(item["url"])
        assert blob.status_code == 200, (item["stage"], blob.text)
        assert hashlib.sha256(blob.content).hexdigest() == item["sha256"]
        assert item["ttl_s"] == 600
    counts = rows_for(api, body["quote_id"])
    assert counts == {
        "quotes": 1,
        "quote_items": len(body["lines"]),
        "panels": 1,
        "documents": 1,
        "evidence_blobs": 10,
        "breakers": 15,  # main + 12 SIE-32 + 2 SES-54
    }


def test_replay_returns_the_same_quote_and_writes_nothing(api: Api) -> None:
    k = key()
    first = post(api, example("office_ls_standard"), k)
    assert first.status_code == 201
    before = quote_count(api)
    again = post(api, example("office_ls_standard"), k)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["quote_id"] == first.json()["quote_id"]
    assert again.json()["evidence_root"] == first.json()["evidence_root"]
    assert quote_count(api) == before


def test_the_first_answer_is_the_stored_response_a_replay_gives(api: Api) -> None:
    """The first answer is encoded from the members serialised for the result blob, a
    replay from the stored row: the same JSON, but for the freshly signed URLs."""
    k = key()
    first = post(api, example("apartment_sangdo"), k)
    again = post(api, example("apartment_sangdo"), k)
    assert first.status_code == again.status_code == 201
    assert first.headers["content-type"] == "application/json"

    def unsigned(body: dict[str, Any]) -> dict[str, Any]:
        evidence = [
            {k: v for k, v in e.items() if k not in ("url", "expires_at")} for e in body["evidence"]
        ]
        return {**body, "evidence": evidence}

    assert unsigned(first.json()) == unsigned(again.json())
    assert first.json()["quote_number"] == again.json()["quote_number"]


def test_same_key_with_another_body_is_rejected(api: Api) -> None:
    k = key()
    assert post(api, example("apartment_sangdo"), k).status_code == 201
    res = post(api, example("office_ls_standard"), k)
    assert res.status_code == 422
    assert res.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_twenty_concurrent_requests_with_one_key_make_one_quote(api: Api) -> None:
    k = key()
    body = example("apartment_sangdo")
    headers = api.headers("carol", k)
    before = quote_count(api)

    def send(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as c:
            return c.post(api.url("estimate"), json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(send, range(20)))
    codes = sorted(r.status_code for r in results)
    assert set(codes) <= {201, 409}, codes
    created = {r.json()["quote_id"] for r in results if r.status_code == 201}
    assert len(created) == 1
    assert quote_count(api) == before + 1
    for r in results:
        if r.status_code == 409:
            assert r.json()["error"]["code"] == "IDEMPOTENCY_IN_FLIGHT"


def test_request_errors_answer_422_with_their_code_and_store_nothing(api: Api) -> None:
    before = quote_count(api)
    res = post(api, example("runbook_seed_example"), key())
    assert res.status_code == 422
    error = res.json()["error"]
    assert error["code"] == "NEED_KNOWLEDGE_UPDATE"
    assert error["details"][0]["model"] == "METASOL-600"
    assert error["traceId"] == res.headers["X-Trace-Id"]
    bad = post(api, {"brand": "SANGDO", "colour": "red"}, key())
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "VALIDATION_FAILED"
    assert quote_count(api) == before


def test_missing_idempotency_key_is_400(api: Api) -> None:
    res = post(api, example("apartment_sangdo"), None)
    assert res.status_code == 400
    assert res.json()["error"]["code"] == "IDEMPOTENCY_KEY_REQUIRED"


def test_malformed_json_is_a_validation_error(api: Api) -> None:
    res = api.client.post(
        api.url("estimate"),
        content=b"{not json",
        headers={**api.headers("alice", key()), "Content-Type": "application/json"},
    )
    assert res.status_code == 422
    assert res.json()["error"]["code"] == "VALIDATION_FAILED"


def test_another_users_quote_and_evidence_are_not_found(api: Api) -> None:
    quote_id = post(api, example("apartment_sangdo"), key(), user="alice").json()["quote_id"]
    bob = api.headers("bob")
    assert api.client.get(api.url(f"quotes/{quote_id}"), headers=bob).status_code == 404
    assert api.client.get(api.url(f"quotes/{quote_id}/evidence"), headers=bob).status_code == 404
    listed = api.client.get(api.url("quotes"), headers=bob).json()["items"]
    assert quote_id not in {q["quote_id"] for q in listed}
    mine = api.client.get(api.url(f"quotes/{quote_id}"), headers=api.headers("alice"))
    assert mine.status_code == 200 and mine.json()["quote_id"] == quote_id


def test_quotes_are_listed_newest_first_and_paginated(api: Api) -> None:
    dave = f"dave-{uuid.uuid4().hex[:8]}"  # a new user: a project keeps quotes between runs
    ids = [
        post(api, example("apartment_sangdo"), key(), user=dave).json()["quote_id"]
        for _ in range(3)
    ]
    h = api.headers(dave)
    page1 = api.client.get(api.url("quotes"), params={"limit": 2}, headers=h).json()
    page2 = api.client.get(
        api.url("quotes"), params={"limit": 2, "offset": page1["next_offset"]}, headers=h
    ).json()
    listed = [q["quote_id"] for q in page1["items"] + page2["items"]]
    assert listed[:3] == ids[::-1]
    assert page2["next_offset"] is None


def test_each_quote_gets_the_next_number_of_its_year_and_is_found_by_it(api: Api) -> None:
    erin = f"erin-{uuid.uuid4().hex[:8]}"
    first = post(api, example("apartment_sangdo"), k := key(), user=erin).json()
    second = post(api, example("office_ls_standard"), key(), user=erin).json()
    replayed = post(api, example("apartment_sangdo"), k, user=erin).json()
    year = time.gmtime().tm_year  # the issue time is now; Seoul's year may be the next
    numbers = [first["quote_number"], second["quote_number"]]
    assert all(re.fullmatch(r"Q-(\d{4})-\d{6}", n) for n in numbers), numbers
    assert int(numbers[0][2:6]) in (year, year + 1)
    assert int(numbers[1].rsplit("-", 1)[1]) > int(numbers[0].rsplit("-", 1)[1])
    assert replayed["quote_number"] == first["quote_number"]  # a replay takes no number

    h = api.headers(erin)
    found = api.client.get(api.url(f"quotes/{first['quote_number']}"), headers=h)
    assert found.status_code == 200 and found.json()["quote_id"] == first["quote_id"]
    listed = api.client.get(api.url("quotes"), headers=h).json()["items"]
    assert {q["quote_number"] for q in listed} == set(numbers)
    other = api.client.get(api.url(f"quotes/{first['quote_number']}"), headers=api.headers("bob"))
    assert other.status_code == 404
    stored = api.sql("select quote_number from estimator.quotes where id = %s", first["quote_id"])
    assert stored == [(first["quote_number"],)]


def test_evidence_verification_rehashes_every_blob(api: Api) -> None:
    quote_id = post(api, example("office_ls_standard"), key()).json()["quote_id"]
    res = api.client.get(
        api.url(f"quotes/{quote_id}/evidence"), params={"verify": "true"}, headers=api.headers()
    )
    assert res.status_code == 200
    body = res.json()
    assert body["verified"] is True
    assert [i["stage"] for i in body["items"]][:3] == ["input", "validation", "enclosure"]
    assert all(i["verified"] and i["recorded_ok"] for i in body["items"])


def test_tampered_evidence_fails_verification(api: Api) -> None:
    if api.storage_dir is None:
        pytest.skip("tampering needs the local blob store")
    quote_id = post(api, example("apartment_sangdo"), key()).json()["quote_id"]
    (blob,) = (api.storage_dir / "evidence" / "quote" / quote_id).glob("lint~*")
    blob.write_bytes(blob.read_bytes() + b" ")
    body = api.client.get(
        api.url(f"quotes/{quote_id}/evidence"), params={"verify": "true"}, headers=api.headers()
    ).json()
    assert body["verified"] is False
    assert [i["stage"] for i in body["items"] if not i["verified"]] == ["lint"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic abc", "Bearer not-a-jwt"],
    ids=["missing", "empty", "wrong-scheme", "malformed"],
)
def test_bad_credentials_are_401(api: Api, header: str | None) -> None:
    headers = {"Idempotency-Key": key()} | ({"Authorization": header} if header else {})
    res = api.client.post(api.url("estimate"), json=example("apartment_sangdo"), headers=headers)
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("problem", ["expired", "wrong-signature", "wrong-audience"])
def test_invalid_tokens_are_401(api: Api, problem: str) -> None:
    if problem == "expired":
        token = api.token("alice", now=time.time() - 7200, ttl_s=60)
    elif problem == "wrong-signature":
        token = jwt.encode(
            jwt.decode(api.token("alice"), options={"verify_signature": False}),
            "another-secret-another-secret-another-secret",
            algorithm="HS256",
        )
    else:
        token = api.token("alice", audience="someone-else")
    res = api.client.get(api.url("quotes"), headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 401, res.text


def test_signed_urls_refuse_expired_tampered_or_moved_tokens(api: Api) -> None:
    if api.storage_dir is None:
        pytest.skip("local signed URLs only")
    body = post(api, example("apartment_sangdo"), key()).json()
    url = body["evidence"][0]["url"]
    base, token = url.split("?token=")
    assert api.client.get(url).status_code == 200
    assert api.client.get(f"{base}?token={token[:-2]}xx").status_code == 401
    other = body["evidence"][1]["url"].split("?token=")[0]
    assert api.client.get(f"{other}?token={token}").status_code == 401
    claims = jwt.decode(token, options={"verify_signature": False})
    expired = jwt.encode({**claims, "exp": int(time.time()) - 5}, api.secret, algorithm="HS256")
    assert api.client.get(f"{base}?token={expired}").status_code == 401


def test_healthz_and_readyz(api: Api) -> None:
    health = api.client.get(api.url("healthz"))
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = api.client.get(api.url("readyz"))
    assert ready.status_code == 200, ready.text
    assert (ready.json()["db"], ready.json()["storage"]) == ("ok", "ok")


def test_unknown_route_answers_the_error_shape(api: Api) -> None:
    res = api.client.get(api.url("nope"))
    assert res.status_code == 404
    assert res.json()["error"]["code"] == "NOT_FOUND"
    assert res.headers["X-Trace-Id"]


def test_openapi_document_is_served(api: Api) -> None:
    doc = api.client.get(api.url("openapi.json")).json()
    assert {"/functions/v1/estimate", "/functions/v1/quotes"} <= set(doc["paths"])
    body = doc["paths"]["/functions/v1/estimate"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "oneOf": [
            {"$ref": "#/components/schemas/EstimateRequest"},
            {"$ref": "#/components/schemas/ProjectRequest"},
        ]
    }
    assert "branches" in doc["components"]["schemas"]["EstimateRequest"]["properties"]


def test_more_concurrent_requests_than_pooled_connections_all_succeed(api: Api) -> None:
    # each request holds one pooled connection (for its idempotency lock) and must do all
    # its database work on it; taking a second one deadlocked the pool under load
    body = example("apartment_sangdo")
    headers = [api.headers("gina", key()) for _ in range(24)]

    def send(h: dict[str, str]) -> int:
        with httpx.Client(timeout=60) as c:
            return c.post(api.url("estimate"), json=body, headers=h).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        codes = list(pool.map(send, headers))
    assert codes == [201] * 24
