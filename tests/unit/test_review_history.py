"""The review history use case through the fake store: members read it, others get 404."""

from __future__ import annotations

import pytest

from functions._shared.errors import ApiError
from functions._shared.fakes import FakeStore
from functions._shared.services import Services
from functions._shared.usecases import quotes, reviews
from tests.conftest import example
from tests.unit.test_usecases import ALICE, BOB, fake_services


@pytest.fixture
def svc() -> Services:
    return fake_services(ALICE, BOB)


def test_the_history_of_a_readable_quote_is_answered_oldest_first(svc: Services) -> None:
    store = svc.store
    assert isinstance(store, FakeStore)
    quote = quotes.create_quote(svc, ALICE, "key-1", example("apartment_sangdo")).body["quote_id"]
    assert reviews.review_history(store, ALICE, quote) == {"reviews": []}
    decided = [
        {
            "decision": "return",
            "reason": "fix",
            "reviewer_id": BOB.user_id,
            "reviewer_email": "bob@local.test",
            "created_at": "2026-11-30T10:00:00.000000Z",
        },
    ]
    store.reviews[quote] = decided
    assert reviews.review_history(store, ALICE, quote) == {"reviews": decided}


@pytest.mark.parametrize("quote_id", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_an_unknown_quote_is_not_found(svc: Services, quote_id: str) -> None:
    with pytest.raises(ApiError) as err:
        reviews.review_history(reviews.history_store(svc.store), ALICE, quote_id)
    assert err.value.code == "NOT_FOUND"


def test_another_users_quote_is_not_found(svc: Services) -> None:
    quote = quotes.create_quote(svc, ALICE, "key-2", example("apartment_sangdo")).body["quote_id"]
    with pytest.raises(ApiError) as err:
        reviews.review_history(reviews.history_store(svc.store), BOB, quote)
    assert err.value.code == "NOT_FOUND"


def test_a_store_without_a_history_is_a_dependency_failure() -> None:
    with pytest.raises(ApiError) as err:
        reviews.history_store(object())
    assert err.value.code == "DEPENDENCY_UNAVAILABLE"
