"""Revise a quote: the request priced afresh as the next revision of the latest one.

The same pricing and upload as creating a quote (``quotes.price_and_upload``), stored by
``estimator.create_revision`` (the predecessor's row lock: only the latest revision is
revised, the second of two concurrent revisions is CONFLICT). The answer is the new
revision as POST /estimate answers a quote, with its label and whether the active
catalog differs from the previous revision's.

A panel quote is revised with a panel request, a project with a project (its panels
added, removed or changed). The new revision's evidence ends with a ``previous`` record,
the quote id, label and stored evidence root of the revision it revises, so its own root
covers its predecessor's: the revisions form a hash chain (``chain.verify_chain``).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from estimator_core import PreviousRevision, is_project, sha256_hex
from functions._shared.auth import Principal
from functions._shared.errors import ApiError, IdempotencyKeyReused, UnknownUser
from functions._shared.ports import CreatedQuote
from functions._shared.services import Services
from functions._shared.usecases.chain import RevisionStore
from functions._shared.usecases.quotes import Answer, find_quote, price_and_upload, replay


def revise_quote(svc: Services, who: Principal, quote_id: str, key: str, raw: Any) -> Answer:
    store = revising_store(svc.store)
    previous = find_quote(svc, who, quote_id)
    if is_project(raw) != _is_project_quote(previous.response):
        raise ApiError(
            "VALIDATION_FAILED",
            "a panel quote is revised with a panel request, a project with a project",
        )
    with svc.store.idempotency_guard(who, key) as ctx:
        if ctx.existing is not None:
            if ctx.existing.request_sha256 != sha256_hex(raw):
                raise IdempotencyKeyReused()
            body = _answer(svc, who, ctx.existing.id, ctx.existing.response)
            replayed = _catalog_change(store.quote_revisions(who, ctx.existing.id), ctx.existing.id)
            return Answer({**body, "catalog_changed": replayed}, True)
        if not ctx.user_exists:
            raise UnknownUser()
        chain = store.quote_revisions(who, previous.id)
        latest = chain[-1] if chain else None
        if latest is None or latest["quote_id"] != previous.id:
            raise ApiError("CONFLICT", "only the latest revision of a quote can be revised")
        label = f"R{int(latest['revision']) + 1}"
        link = PreviousRevision(
            quote_id=latest["quote_id"], revision=latest["label"], root=latest["evidence_root"]
        )
        priced = price_and_upload(
            svc,
            who,
            raw,
            svc.catalog(who, ctx.catalog),
            ctx.profile,
            revision=label,
            previous=link,
        )
        written = store.write_revision(who, previous.id, priced.payload(key, raw))
    body = _answer(svc, who, written.id, written.response)
    changed = _change(latest["catalog_label"], priced.ref.label)
    if written.id != priced.quote_id:  # a replay of the revision that won
        changed = _catalog_change(store.quote_revisions(who, written.id), written.id)
    return Answer({**body, "catalog_changed": changed}, written.id != priced.quote_id)


def _change(before: str, after: str) -> dict[str, str] | None:
    return None if before == after else {"from": before, "to": after}


def _catalog_change(chain: list[dict[str, Any]], quote_id: str) -> dict[str, str] | None:
    """A stored revision's catalog against its predecessor's (a replay answers as the
    first answer did)."""
    at = next((i for i, r in enumerate(chain) if r["quote_id"] == quote_id), 0)
    if at == 0:
        return None
    return _change(chain[at - 1]["catalog_label"], chain[at]["catalog_label"])


@runtime_checkable
class RevisingStore(RevisionStore, Protocol):
    """What revising needs beyond the ``Store``: the revisions of a number and storing
    the next one (PostgresStore and FakeStore)."""

    def write_revision(
        self, who: Principal, quote_id: str, payload: dict[str, Any]
    ) -> CreatedQuote: ...


def revising_store(store: object) -> RevisingStore:
    if not isinstance(store, RevisingStore):
        raise ApiError("DEPENDENCY_UNAVAILABLE", "the configured store does not support revisions")
    return store


def _answer(
    svc: Services, who: Principal, quote_id: str, response: dict[str, Any]
) -> dict[str, Any]:
    body = replay(svc, who, quote_id, response)
    if "cover" in body:  # a panel's label is on its cover (its response's revision: a number)
        return {**body, "revision": body["cover"]["revision"]}
    return body  # a project's response carries its label (R1)


def _is_project_quote(response: dict[str, Any]) -> bool:
    return response.get("kind") == "project"
