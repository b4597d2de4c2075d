"""Revise a quote: the request priced afresh as the next revision of the latest one.

The same pricing and upload as creating a quote (``quotes.price_and_upload``), stored by
``estimator.create_revision`` (the predecessor's row lock: only the latest revision is
revised, the second of two concurrent revisions is CONFLICT). The answer is the new
revision as POST /estimate answers a quote, with its label and whether the active
catalog differs from the previous revision's.
"""

from __future__ import annotations

from typing import Any

from estimator_core import is_project, sha256_hex
from functions._shared.auth import Principal
from functions._shared.errors import ApiError, IdempotencyKeyReused, UnknownUser
from functions._shared.services import Services
from functions._shared.usecases import teams
from functions._shared.usecases.quotes import Answer, find_quote, price_and_upload, replay


def revise_quote(svc: Services, who: Principal, quote_id: str, key: str, raw: Any) -> Answer:
    store = teams.team_store(svc.store)
    previous = find_quote(svc, who, quote_id)
    if is_project(raw):
        raise ApiError(
            "VALIDATION_FAILED", "a revision takes a panel request; project revisions come later"
        )
    with svc.store.idempotency_guard(who, key):
        ctx = svc.store.quote_context(who, key)
        if ctx.existing is not None:
            if ctx.existing.request_sha256 != sha256_hex(raw):
                raise IdempotencyKeyReused()
            return Answer(_answer(svc, who, ctx.existing.id, ctx.existing.response), True)
        if not ctx.user_exists:
            raise UnknownUser()
        chain = store.quote_revisions(who, previous.id)
        latest = chain[-1] if chain else None
        if latest is None or latest["quote_id"] != previous.id:
            raise ApiError("CONFLICT", "only the latest revision of a quote can be revised")
        label = f"R{int(latest['revision']) + 1}"
        priced = price_and_upload(
            svc, who, raw, svc.catalog(who, ctx.catalog), ctx.profile, revision=label
        )
        written = store.write_revision(who, previous.id, priced.payload(key, raw))
    body = _answer(svc, who, written.id, written.response)
    changed = (
        None
        if latest["catalog_label"] == priced.ref.label
        else {"from": latest["catalog_label"], "to": priced.ref.label}
    )
    return Answer({**body, "catalog_changed": changed}, written.id != priced.quote_id)


def _answer(
    svc: Services, who: Principal, quote_id: str, response: dict[str, Any]
) -> dict[str, Any]:
    body = replay(svc, who, quote_id, response)
    return {**body, "revision": body["cover"]["revision"]}  # the label (R1), not the number
