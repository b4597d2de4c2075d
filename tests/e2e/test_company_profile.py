"""The company profile over HTTP: read by everyone signed in, changed by an admin only,
checked field by field, audited, and recorded by every quote issued after it."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from typing import Any

import httpx

from tests.conftest import ROOT, example
from tests.e2e.conftest import Api

SAMPLE: dict[str, Any] = json.loads(
    (ROOT / "estimator_core" / "catalogs" / "company_profile.sample.json").read_text("utf-8")
)
PNG = b"\x89PNG\r\n\x1a\n"


def put(
    api: Api, body: Any, user: str = "pat", role: str | None = "catalog_admin"
) -> httpx.Response:
    headers = api.headers(user, app_role=role) if role else api.headers(user)
    return api.client.put(api.url("company-profile"), json=body, headers=headers)


def profiles(api: Api) -> int:
    return int(api.sql("select count(*) from shared.company_profiles")[0][0])


def test_an_admin_sets_the_profile_and_every_user_reads_it(api: Api) -> None:
    body = {**copy.deepcopy(SAMPLE), "name": f"(주)케이아이에스 {uuid.uuid4().hex[:6]}"}
    res = put(api, body)
    assert res.status_code == 200, res.text
    saved = res.json()
    read = api.client.get(api.url("company-profile"), headers=api.headers("erin"))
    assert read.status_code == 200
    assert (
        read.json()["sha256"] == saved["sha256"] and read.json()["profile"]["name"] == body["name"]
    )
    (audit,) = api.sql(
        "select detail ->> 'sha256' from shared.audit_logs "
        "where action = 'company_profile.update' and target = %s",
        f"company_profile:{saved['id']}",
    )
    assert audit == (saved["sha256"],)
    quote = api.client.post(
        api.url("estimate"), json=example("apartment_sangdo"),
        headers=api.headers("erin", f"k-{uuid.uuid4()}"),
    ).json()  # fmt: skip
    assert quote["company_profile"] == {"id": saved["id"], "sha256": saved["sha256"]}


def test_an_estimator_cannot_change_the_profile(api: Api) -> None:
    before = profiles(api)
    assert put(api, SAMPLE, user="erin", role=None).status_code == 403
    assert profiles(api) == before


def test_a_malformed_business_number_or_an_oversized_logo_is_refused_by_field(api: Api) -> None:
    before = profiles(api)
    bad_number = put(api, {**SAMPLE, "business_number": "123-45-67890"})
    assert bad_number.status_code == 422
    error = bad_number.json()["error"]
    assert error["code"] == "INVALID_COMPANY_PROFILE"
    assert [d["loc"] for d in error["details"]] == ["business_number"]
    logo = base64.b64encode(PNG + b"\0" * (300 * 1024)).decode()
    big_logo = put(api, {**SAMPLE, "logo": logo})
    assert big_logo.status_code == 422
    assert [d["loc"] for d in big_logo.json()["error"]["details"]] == ["logo"]
    assert profiles(api) == before


def test_the_profile_needs_a_signed_in_caller(api: Api) -> None:
    assert api.client.get(api.url("company-profile")).status_code == 401


def test_the_sample_profile_file_is_valid() -> None:
    from estimator_core.documents.model import parse_company_profile

    assert parse_company_profile(SAMPLE).business_number == "123-45-67891"


def test_a_method_the_path_lacks_names_every_method_it_has(api: Api) -> None:
    res = api.client.request("DELETE", api.url("company-profile"), headers=api.headers("erin"))
    assert res.status_code == 405
    assert res.headers["Allow"] == "GET, PUT"
    assert res.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
