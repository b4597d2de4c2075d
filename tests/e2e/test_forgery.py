"""What a stored row cannot make the server do: sign another user's objects, or call a
quote without evidence verified. The rows are written here as the database owner, the
way a user could write them before quotes became server-only (supabase/tests/database/
13_forgery.test.sql proves users cannot any more)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from functions._shared.auth import user_id_for
from tests.conftest import example
from tests.e2e.conftest import Api


def forged_quote(api: Api, user: str, response: dict[str, Any]) -> str:
    api.token(user)  # the user exists
    quote_id = str(uuid.uuid4())
    version_id, label, sha = api.sql(
        "select id::text, label, content_sha256 from shared.catalog_versions "
        "where status = 'active'"
    )[0]
    api.sql(
        "insert into estimator.quotes (id, owner, idempotency_key, status, request, "
        "request_sha256, response, catalog_version_id, catalog_label, catalog_sha256, "
        "subtotal, vat, grand_total, evidence_root_sha256) values (%s, %s, %s, 'issued', "
        "'{}', repeat('a', 64), %s::jsonb, %s, %s, %s, 1, 0, 1, repeat('e', 64)) returning id",
        quote_id,
        user_id_for(user),
        f"forged-{quote_id}",
        json.dumps({**response, "quote_id": quote_id}),
        version_id,
        label,
        sha,
    )
    return quote_id


def test_signed_urls_never_come_from_the_stored_response(api: Api) -> None:
    victim = api.client.post(
        api.url("estimate"),
        json=example("apartment_sangdo"),
        headers=api.headers("victim", f"k-{uuid.uuid4()}"),
    ).json()
    victim_path = victim["evidence"][0]["url"].split("/object/sign/evidence/")[1].split("?")[0]
    stolen = {
        **{k: v for k, v in victim.items() if k not in ("evidence", "quote_id")},
        "evidence_objects": [
            {
                "stage": "input",
                "storage_path": victim_path,
                "sha256": victim["evidence"][0]["sha256"],
                "size_bytes": 1,
                "content_type": "application/json",
            }
        ],
    }
    quote_id = forged_quote(api, "thief", stolen)
    headers = api.headers("thief")
    got = api.client.get(api.url(f"quotes/{quote_id}"), headers=headers)
    assert got.status_code == 200, got.text[:300]
    assert got.json()["evidence"] == []
    assert victim["quote_id"] not in got.text
    evidence = api.client.get(
        api.url(f"quotes/{quote_id}/evidence"), params={"verify": "true"}, headers=headers
    )
    assert evidence.status_code == 200, evidence.text[:300]
    assert victim["quote_id"] not in evidence.text
    # no evidence rows: nothing was verified, so the quote is not "verified"
    assert evidence.json()["items"] == []
    assert evidence.json()["verified"] is False
