"""GET /functions/v1/quotes narrowed on the server: search text, status, issue days, paging.

Each test works as a new user, so the quotes of other tests (and of earlier runs against a
project) never show in its list. Statuses and issue times are set in the database: the
filters read the stored columns, whatever priced them.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from tests.conftest import example
from tests.e2e.conftest import Api


def new_user(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def issue(api: Api, user: str, customer: str, project: str) -> dict[str, Any]:
    body = {**example("apartment_sangdo"), "customer": {"name": customer, "project": project}}
    res = api.client.post(
        api.url("estimate"), json=body, headers=api.headers(user, f"k-{uuid.uuid4()}")
    )
    assert res.status_code == 201, res.text
    quote: dict[str, Any] = res.json()
    return quote


def listed(api: Api, user: str, **params: Any) -> list[str]:
    res = api.client.get(api.url("quotes"), params=params, headers=api.headers(user))
    assert res.status_code == 200, res.text
    return [q["quote_id"] for q in res.json()["items"]]


@pytest.fixture
def three(api: Api) -> tuple[str, list[dict[str, Any]]]:
    """A user with three quotes, oldest first: two customers, one needing review."""
    user = new_user("sora")
    quotes = [
        issue(api, user, "한빛건설", "한빛아파트 101동 세대분전반"),
        issue(api, user, "Daehan Electric", "Office Tower B2 MDP"),
        issue(api, user, "한빛건설", "50%_할인 현장"),
    ]
    api.sql(
        "update estimator.quotes set status = 'needs_review' where id = %s returning id",
        quotes[1]["quote_id"],
    )
    return user, quotes


def test_the_search_text_matches_the_number_customer_or_project_ignoring_case(
    api: Api, three: tuple[str, list[dict[str, Any]]]
) -> None:
    user, quotes = three
    ids = [q["quote_id"] for q in quotes]

    assert listed(api, user, q="한빛건설") == [ids[2], ids[0]]  # customer, newest first
    assert listed(api, user, q="office tower") == [ids[1]]  # project, any case
    assert listed(api, user, q="daehan") == [ids[1]]
    assert listed(api, user, q=quotes[0]["quote_number"]) == [ids[0]]
    assert listed(api, user, q=quotes[0]["quote_number"].lower()) == [ids[0]]
    assert listed(api, user, q="  101동  ") == [ids[0]]  # trimmed
    assert listed(api, user, q="nowhere") == []


def test_like_wildcards_in_the_search_text_match_only_themselves(
    api: Api, three: tuple[str, list[dict[str, Any]]]
) -> None:
    user, quotes = three
    assert listed(api, user, q="50%_") == [quotes[2]["quote_id"]]
    assert listed(api, user, q="%") == [quotes[2]["quote_id"]]
    assert listed(api, user, q="_") == [quotes[2]["quote_id"]]
    assert listed(api, user, q="\\") == []


def test_the_status_filter_keeps_only_that_status(
    api: Api, three: tuple[str, list[dict[str, Any]]]
) -> None:
    user, quotes = three
    ids = [q["quote_id"] for q in quotes]
    assert listed(api, user, status="needs_review") == [ids[1]]
    assert listed(api, user, status="issued") == [ids[2], ids[0]]
    assert listed(api, user, status="rejected") == []
    assert listed(api, user, status="approved") == []
    assert listed(api, user, status="needs_review", q="한빛") == []


def test_issue_days_are_korean_calendar_days_inclusive(
    api: Api, three: tuple[str, list[dict[str, Any]]]
) -> None:
    user, quotes = three
    ids = [q["quote_id"] for q in quotes]
    # 23:30 on March 31st in Seoul, 00:30 on April 1st in Seoul, 23:59 on April 30th
    for quote_id, at in zip(
        ids,
        ("2026-03-31T14:30:00Z", "2026-03-31T15:30:00Z", "2026-04-30T14:59:00Z"),
        strict=True,
    ):
        with psycopg.connect(api.database_url) as conn:
            # a stored quote is immutable (a trigger): only this test moves its issue time
            conn.execute("set session_replication_role = replica")
            conn.execute("update estimator.quotes set issued_at = %s where id = %s", (at, quote_id))

    assert listed(api, user, **{"from": "2026-04-01"}) == [ids[2], ids[1]]
    assert listed(api, user, to="2026-03-31") == [ids[0]]
    assert listed(api, user, **{"from": "2026-04-01", "to": "2026-04-30"}) == [ids[2], ids[1]]
    assert listed(api, user, **{"from": "2026-04-30", "to": "2026-04-30"}) == [ids[2]]
    assert listed(api, user, **{"from": "2026-05-01"}) == []
    assert listed(api, user, **{"from": "2026-04-02", "to": "2026-04-01"}) == []


def test_a_filtered_list_pages_over_the_matching_quotes_only(
    api: Api, three: tuple[str, list[dict[str, Any]]]
) -> None:
    user, quotes = three
    h = api.headers(user)
    first = api.client.get(api.url("quotes"), params={"q": "한빛건설", "limit": 1}, headers=h)
    page = first.json()
    assert [q["quote_id"] for q in page["items"]] == [quotes[2]["quote_id"]]
    assert page["next_offset"] == 1
    second = api.client.get(
        api.url("quotes"), params={"q": "한빛건설", "limit": 1, "offset": 1}, headers=h
    ).json()
    assert [q["quote_id"] for q in second["items"]] == [quotes[0]["quote_id"]]
    assert second["next_offset"] is None
    assert second["items"][0]["customer"] == "한빛건설"
    assert second["items"][0]["project"] == "한빛아파트 101동 세대분전반"


def test_another_users_quotes_never_match(
    api: Api, three: tuple[str, list[dict[str, Any]]]
) -> None:
    _, quotes = three
    other = new_user("taro")
    assert listed(api, other, q=quotes[0]["quote_number"]) == []
    assert listed(api, other, q="한빛건설") == []


@pytest.mark.parametrize(
    "params",
    [
        {"status": "draft"},
        {"from": "2026-13-01"},
        {"to": "yesterday"},
        {"to": "0"},
        {"from": "2026-02-30"},
        {"q": "x" * 101},
        {"q": "a\x00b"},
    ],
)
def test_a_bad_filter_is_refused_with_the_parameter_named(api: Api, params: dict[str, str]) -> None:
    res = api.client.get(api.url("quotes"), params=params, headers=api.headers("alice"))
    assert res.status_code == 422, res.text
    error = res.json()["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert error["details"][0]["loc"] == f"query.{next(iter(params))}"
