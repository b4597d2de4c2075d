"""Quote use cases: create one (exactly once per Idempotency-Key), read, list, evidence.

Plain functions over ``Services`` (the ports and settings); the HTTP handlers parse,
call one of these and answer. Creating a quote is one transaction on the psycopg
adapter (``Store.idempotency_guard``): the context read with the lock, the engine,
the blobs uploaded in one batch (while the write runs), then one write (``write_quote``)
whose transaction also gives back the quote number. The stored response is serialised
once (``CanonicalObject``): the result blob, the payload's ``response`` and the answer.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from estimator_core import (
    Catalog,
    EvidenceRecord,
    PreviousRevision,
    ProjectQuote,
    Quote,
    blob_record,
    estimate,
    estimate_project,
    is_project,
    sha256_hex,
    verify,
)
from functions._shared.auth import Principal
from functions._shared.canonical_object import CanonicalObject
from functions._shared.errors import IdempotencyKeyReused, NotFound, UnknownUser
from functions._shared.models import QUOTE_NUMBER_PATTERN
from functions._shared.persist import (
    evidence_row,
    quote_payload,
    quote_records,
    reading_order,
    signed_evidence,
    upload_records,
)
from functions._shared.ports import (
    CatalogRef,
    EvidenceRow,
    QuoteFilter,
    StoredProfile,
    StoredQuote,
)
from functions._shared.services import Services
from functions._shared.usecases.chain import verify_chain
from functions._shared.usecases.documents import verify_documents
from functions._shared.usecases.stored_evidence import download

# Only the canonical form: Python's uuid.UUID also takes urn:uuid:…, braces and no
# hyphens, which Postgres refuses; any other id is simply not found.
QUOTE_ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_QUOTE_ID = re.compile(QUOTE_ID_PATTERN)
_QUOTE_NUMBER = re.compile(QUOTE_NUMBER_PATTERN)


@dataclass(frozen=True)
class Answer:
    """A quote as the API answers it, and whether it is a replay of a stored one;
    ``content``: ``body`` already encoded as JSON, when it was."""

    body: dict[str, Any]
    replayed: bool = False
    content: bytes | None = field(default=None, compare=False, repr=False)


def replay(
    svc: Services,
    who: Principal,
    quote_id: str,
    stored_response: dict[str, Any],
    rows: list[EvidenceRow] | None = None,
) -> dict[str, Any]:
    """A stored response, as stored, with fresh signed URLs for the quote's evidence.

    Never re-validated: a response stored by an older version (without keys a newer
    engine adds) is served as it was stored. The URLs come from the quote's evidence rows
    as the caller reads them (``rows`` when the quote was just written by this request),
    never from the stored JSON.
    """
    if rows is None:
        rows = svc.store.evidence(who, quote_id)
    body = {k: v for k, v in stored_response.items() if k != "evidence_objects"}
    body["quote_id"] = quote_id
    body["evidence"] = signed_evidence(svc, quote_id, sorted(rows, key=reading_order))
    return body


def create_quote(
    svc: Services, who: Principal, key: str, raw: Any, organisation: str | None = None
) -> Answer:
    """Price ``raw`` (a panel request or a project) and store it under ``key`` exactly once.

    A project is one quote: one number, its evidence (the project's records, then each
    panel's as ``p{i}_{stage}``) and one ``estimator.panels`` row per panel. A failing
    panel fails the whole project before anything is uploaded.

    The same key with the same body replays the stored quote (fresh signed URLs); with
    another body it is ``IDEMPOTENCY_KEY_REUSED``; while the first request runs it is
    ``IDEMPOTENCY_IN_FLIGHT`` (psycopg adapter). An unknown user is refused before
    anything is uploaded; a failed upload writes no rows: where the store commits only
    when the guard exits (``Store.commits_on_exit``) local blobs are uploaded while the
    rows are written and a failed upload rolls the write back, else they are uploaded
    before the write. Remote blobs (``BlobStore.remote``) never overlap the write: it takes
    the year's quote-number lock, held until the commit, and every other quote of every
    server would wait out the uploads' tens of milliseconds behind it.

    ``organisation`` (the X-Organisation header's id) files the quote under that
    organisation; the database refuses one the caller does not belong to (404) and, with
    none named, picks the caller's only or personal one (else ORGANISATION_REQUIRED).
    """
    # priced while the lock and the context are fetched
    with _priced_early(svc, who, raw) as early, svc.store.idempotency_guard(who, key) as ctx:
        if ctx.existing is not None:
            if ctx.existing.request_sha256 != sha256_hex(raw):
                raise IdempotencyKeyReused()
            return Answer(replay(svc, who, ctx.existing.id, ctx.existing.response), True)
        if not ctx.user_exists:
            raise UnknownUser()  # before anything is uploaded: such a request writes nothing
        catalog = svc.catalog(who, ctx.catalog)
        svc.last_active = catalog
        priced = price(svc, who, raw, catalog, ctx.profile, early=_taken(early, catalog[0]))
        payload = priced.payload(key, raw)
        if organisation is not None:
            payload["organisation_id"] = organisation
        evidence = None
        if svc.store.commits_on_exit and not svc.blobs.remote:
            with _uploading(svc, priced) as signed:
                written = svc.store.write_quote(who, payload, priced.response_json)
            evidence = signed.result()
        else:
            upload(svc, priced)
            written = svc.store.write_quote(who, payload, priced.response_json)
    if written.id != priced.quote_id:
        # another request with this key won the race (possible over PostgREST, which
        # has no in-flight lock): answer with the quote that was stored
        return Answer(replay(svc, who, written.id, written.response), True)
    # the stored response carries what the storing transaction added: the quote number
    return _created(svc, priced, written.response, evidence)


# Uploads that run while the rows are written (``create_quote``); threads start on demand.
_UPLOADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="kis-upload")
# Pricing that runs while the request waits for its lock and context (``create_quote``).
_PRICING = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kis-price")


@dataclass(frozen=True)
class _Early:
    """A request being priced before its lock is taken, on the catalog version this
    process last saw active (``Services.last_active``)."""

    ref: CatalogRef
    issued_at: str
    pending: Future[Quote | ProjectQuote]


@contextmanager
def _priced_early(svc: Services, who: Principal, raw: Any) -> Iterator[_Early | None]:
    """Start pricing ``raw`` on the catalog last seen active: the engine runs while the
    database answers the lock and context (about 1 ms). None before any quote was made.
    On leaving, pricing that has not started is called off: a replay, a refused request
    or a failed one needs no engine."""
    seen = svc.last_active
    if seen is None:
        yield None
        return
    ref, catalog = seen
    issued_at = _now()
    early = _Early(ref, issued_at, _PRICING.submit(_price_any, who, raw, catalog, issued_at))
    try:
        yield early
    finally:
        early.pending.cancel()


def _taken(early: _Early | None, active: CatalogRef) -> tuple[str, Quote | ProjectQuote] | None:
    """The early quote and its issue time when it was priced on ``active`` (the version the
    context read); else None and the request is priced now: another version became active
    meanwhile (a hot swap), or the early pricing had not started (all its threads busy).
    Its error, if any, is the request's (the same engine on the same catalog)."""
    if early is None or early.ref != active or early.pending.cancel():
        return None
    return early.issued_at, early.pending.result()


@contextmanager
def _uploading(svc: Services, priced: Priced) -> Iterator[Future[list[dict[str, Any]]]]:
    """Upload ``priced``'s blobs in the background while the body runs, then sign the
    answer's evidence URLs there too (they need nothing the write gives back): the request
    waits on the database meanwhile. On leaving, wait for both and raise the upload's
    error, if any (the write is then rolled back)."""
    pending = _UPLOADS.submit(_upload_and_sign, svc, priced)
    try:
        yield pending
    except BaseException:
        pending.exception()  # the write failed: let the upload finish, its blobs unreferenced
        raise
    pending.result()


def _upload_and_sign(svc: Services, priced: Priced) -> list[dict[str, Any]]:
    upload(svc, priced)
    return _signed(svc, priced)


def _signed(svc: Services, priced: Priced) -> list[dict[str, Any]]:
    """The answer's evidence: each row of ``priced`` with a signed URL, in stage order."""
    return signed_evidence(svc, priced.quote_id, sorted(priced.evidence, key=reading_order))


def _created(
    svc: Services,
    priced: Priced,
    response: dict[str, Any],
    evidence: list[dict[str, Any]] | None = None,
) -> Answer:
    """The answer to a quote this request stored: the stored response as ``replay`` gives
    it, its JSON encoded from the members serialised once for the result blob; ``evidence``
    signed already (while the write ran), else signed here."""
    if evidence is None:
        evidence = _signed(svc, priced)
    added = {k: v for k, v in response.items() if k not in priced.stored}
    extra = {**added, "quote_id": priced.quote_id, "evidence": evidence}
    body = {k: v for k, v in priced.stored.items() if k != "evidence_objects"} | extra
    content = priced.members.encode(drop=("evidence_objects",), extra=extra)
    return Answer(body, content=content)


def _estimator(who: Principal) -> str:
    """The name on a quote's cover: the caller's e-mail, else their user id."""
    return str(who.claims.get("email") or who.user_id)


@dataclass(frozen=True)
class Priced:
    """A request priced and serialised, nothing uploaded nor written yet: what
    ``write_quote`` (or a revision's ``create_revision``) stores. Shared by creating a
    quote and revising one."""

    quote_id: str
    quote: Quote | ProjectQuote
    ref: CatalogRef
    evidence: list[EvidenceRow]
    document: EvidenceRow
    stored: dict[str, Any]
    issued_at: str
    # the stored response's members, each serialised once (the result blob is their JSON)
    members: CanonicalObject
    # every object to upload: the evidence records, then the result document
    records: list[EvidenceRecord]

    @property
    def response_json(self) -> bytes:
        """The stored response as JSON: the result blob's bytes."""
        return self.records[-1].content

    def payload(self, key: str, raw: Any) -> dict[str, Any]:
        return quote_payload(
            quote_id=self.quote_id,
            key=key,
            raw=raw,
            quote=self.quote,
            ref=self.ref,
            evidence=self.evidence,
            document=self.document,
            response=self.stored,
            issued_at=self.issued_at,
        )


def price(
    svc: Services,
    who: Principal,
    raw: Any,
    catalog: tuple[CatalogRef, Catalog],
    profile: StoredProfile | None,
    *,
    revision: str = "R0",
    previous: PreviousRevision | None = None,
    early: tuple[str, Quote | ProjectQuote] | None = None,
) -> Priced:
    """Price ``raw`` against ``catalog`` (its ref and the catalog) with ``revision`` on
    its cover (and a revision's link to ``previous`` in its evidence) under a new quote
    id, and serialise its stored response once; nothing is uploaded nor written.
    ``early``: the R0 quote already priced on this catalog, and when (``_taken``)."""
    ref, cat = catalog
    if early is not None:
        issued_at, quote = early
    else:
        issued_at = _now()
        quote = _price_any(who, raw, cat, issued_at, revision, previous)
    quote_id = str(uuid.uuid4())
    records = quote_records(quote)
    evidence = [evidence_row(quote_id, rec) for rec in records]
    # a panel's result is dumped already, its layout encoded (a project's is dumped here)
    if isinstance(quote, Quote):
        data, encoded = quote.result_data, {"layout": quote.layout_json}
    else:
        data, encoded = quote.result.model_dump(mode="json", exclude={"evidence"}), {}
    stored = {
        **data,
        "quote_id": quote_id,
        # the profile its documents are rendered with, now or later (identical files)
        "company_profile": {"id": profile.id, "sha256": profile.sha256} if profile else None,
        # a project has no cover of its own: who priced it, for its panels' covers
        **({"estimator": _estimator(who)} if isinstance(quote, ProjectQuote) else {}),
        "evidence_objects": [asdict(e) for e in evidence],
    }
    members = CanonicalObject(stored, encoded=encoded)
    content = members.encode()  # == canonical_json(stored)
    result = blob_record("result", content, "application/json")
    document = evidence_row(quote_id, result)
    return Priced(
        quote_id, quote, ref, evidence, document, stored, issued_at, members, [*records, result]
    )


def upload(svc: Services, priced: Priced) -> None:
    """Upload ``priced``'s evidence and result document in one batch."""
    upload_records(svc.blobs, svc.settings.evidence_bucket, priced.quote_id, priced.records)


def price_and_upload(
    svc: Services,
    who: Principal,
    raw: Any,
    catalog: tuple[CatalogRef, Catalog],
    profile: StoredProfile | None,
    *,
    revision: str = "R0",
    previous: PreviousRevision | None = None,
) -> Priced:
    """``price``, then ``upload``: the blobs are stored before anything is written."""
    priced = price(svc, who, raw, catalog, profile, revision=revision, previous=previous)
    upload(svc, priced)
    return priced


def _price_any(
    who: Principal,
    raw: Any,
    catalog: Catalog,
    issued_at: str,
    revision: str = "R0",
    previous: PreviousRevision | None = None,
) -> Quote | ProjectQuote:
    """A panel request priced by the pipeline, a project (``is_project``) panel by panel."""
    run = estimate_project if is_project(raw) else estimate
    return run(
        raw,
        catalog,
        issued_at=issued_at,
        estimator=_estimator(who),
        revision=revision,
        previous=previous,
        clock=time.perf_counter,
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def preview(svc: Services, who: Principal, raw: Any) -> dict[str, Any]:
    """What ``create_quote`` would store, and the drawing's SVG; nothing is written. A
    project answers its totals and every panel's preview."""
    _, catalog = svc.active_catalog(who)
    quote = _price_any(who, raw, catalog, _now())
    if isinstance(quote, ProjectQuote):
        summary = quote.result.model_dump(mode="json", exclude={"evidence"})
        summary["panels"] = [
            {**row, "preview": _panel_preview(panel.quote)}
            for row, panel in zip(summary["panels"], quote.panels, strict=True)
        ]
        return summary
    return _panel_preview(quote)


def _panel_preview(quote: Quote) -> dict[str, Any]:
    drawing = next(r for r in quote.evidence if r.stage == "drawing")
    return {**quote.result_data, "drawing_svg": drawing.content.decode("utf-8")}


def find_quote(svc: Services, who: Principal, ref: str) -> StoredQuote:
    """A quote by its id or by its number (Q-2026-000123); another user's is not found."""
    stored: StoredQuote | None = None
    if _QUOTE_NUMBER.match(ref):
        stored = svc.store.get_quote_by_number(who, ref)
    elif _QUOTE_ID.match(ref):
        stored = svc.store.get_quote(who, ref.lower())
    if stored is None:
        raise NotFound("quote not found")
    return stored


def read_quote(svc: Services, who: Principal, ref: str) -> dict[str, Any]:
    stored = find_quote(svc, who, ref)
    return replay(svc, who, stored.id, stored.response)


def list_quotes(
    svc: Services, who: Principal, limit: int, offset: int, where: QuoteFilter | None = None
) -> dict[str, Any]:
    """A page of the caller's quotes (those ``where`` admits), newest first, and the next
    page's offset."""
    rows = svc.store.list_quotes(who, limit + 1, offset, where)
    more = len(rows) > limit
    return {
        "items": rows[:limit],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }


def quote_evidence(svc: Services, who: Principal, ref: str, check: bool) -> dict[str, Any]:
    """The quote's evidence with signed URLs; with ``check``, each blob re-hashed and its
    recorded row checked by the database (``verified`` is None unless checked)."""
    stored = find_quote(svc, who, ref)
    rows = sorted(svc.store.evidence(who, stored.id), key=reading_order)
    items = signed_evidence(svc, stored.id, rows)
    overall: bool | None = None
    if check:
        # a quote without evidence proves nothing: it is never "verified"
        overall = bool(rows)
        for item, row in zip(items, rows, strict=True):
            item["verified"] = _blob_verified(svc, stored.id, row)
            item["recorded_ok"] = svc.store.evidence_valid(who, stored.id, row.stage, row.sha256)
            overall = overall and item["verified"] and item["recorded_ok"]
    documents = chain = None
    if check:
        # the stored documents too (none until they were first asked for)
        documents = verify_documents(svc, who, stored.id)
        overall = overall and all(d["verified"] for d in documents)
        # and every revision back to R0: each verifies and links to the one before
        chain = verify_chain(svc, who, stored.id)
        overall = overall and all(link["ok"] for link in chain or [])
    return {
        "quote_id": stored.id,
        "evidence_root": stored.response.get("evidence_root", ""),
        "items": items,
        "verified": overall,
        "documents": documents,
        "chain": chain,
    }


def _blob_verified(svc: Services, quote_id: str, row: EvidenceRow) -> bool:
    data = download(svc, quote_id, row)
    return data is not None and verify(row.sha256, data)
