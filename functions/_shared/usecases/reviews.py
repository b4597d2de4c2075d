"""The review history of a quote: who decided what, when and why, oldest first.

Readable by every member of the quote's organisation; the database decides (RLS on
``estimator.quote_reviews``). A quote the caller
cannot read is 404, never 403. Never writes: deciding is ``usecases.teams.review``.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

from functions._shared.auth import Principal
from functions._shared.errors import ApiError

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@runtime_checkable
class ReviewHistoryStore(Protocol):
    """What the history needs from a store (PostgresStore, PostgrestStore, FakeStore)."""

    def review_history(self, who: Principal, quote_id: str) -> list[dict[str, Any]] | None:
        """The quote's decisions (decision, reason, reviewer_id, reviewer_email, created_at)
        oldest first, or None when the caller cannot read the quote."""
        ...


def history_store(store: object) -> ReviewHistoryStore:
    if not isinstance(store, ReviewHistoryStore):
        raise ApiError("DEPENDENCY_UNAVAILABLE", "the configured store has no review history")
    return store


def review_history(store: ReviewHistoryStore, who: Principal, quote_id: str) -> dict[str, Any]:
    """``{reviews: [...]}`` of a quote the caller can read, else NOT_FOUND."""
    rows = store.review_history(who, quote_id.lower()) if _UUID.match(quote_id) else None
    if rows is None:
        raise ApiError("NOT_FOUND", "quote not found")
    return {"reviews": rows}
