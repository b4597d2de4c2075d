"""A quote's customer documents (quote.xlsx, quote.pdf, drawing.svg, drawing.dxf), stored.

A project quote's documents: quote.xlsx (총괄표 then one lines sheet per panel), quote.pdf
(the same), and one drawing per panel, ``drawing-<panel>.svg`` and ``drawing-<panel>.dxf``
(``estimator_core.documents.drawing_stems``: the panel's name in a safe alphabet, unique),
kinds ``svg`` and ``dxf`` once per panel, in the project's order.

Rendered lazily, after the quote was answered (POST /estimate stays as fast as the engine):
the first request for a quote's documents rebuilds the typed quote from what the quote
recorded — the request, the catalog version's content, the issue time, estimator and
revision on its cover, and the company profile it was issued with — checks the rebuilt
evidence root equals the stored one, renders all four documents, uploads them to the
private documents bucket at ``quote/{quote_id}/{kind}/{sha256}.{ext}`` and records them
(``estimator.record_documents``, idempotent: concurrent first requests record one set).
Later requests only sign URLs. Everything is rendered before anything is uploaded: a
renderer that fails stores nothing.

An approved quote's documents are rendered again as the next set (state ``approved``, the
cover and the drawing's title block naming the approver and the time of the approval, as
the review recorded them), right after the approval (``review``) or, when
that failed, on the next request for them; the older sets are kept, listed and verified.

Never signs a stored path: the signed path is recomputed from (quote, kind, sha256,
content type), as for evidence.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from estimator_core import (
    Approval,
    EstimatorError,
    PreviousRevision,
    ProjectQuote,
    Quote,
    approved_document,
    document_from_result,
    drawing_stems,
    estimate,
    estimate_project,
    is_project,
    parse_company_profile,
    project_document_from_result,
    sha256_hex,
    verify,
)
from functions._shared.auth import Principal
from functions._shared.errors import ApiError, DependencyUnavailable
from functions._shared.ports import CatalogRef, DocumentRow, QuoteSource, StoredProfile
from functions._shared.services import Services
from functions._shared.usecases import teams
from functions._shared.usecases.chain import RevisionStore

if TYPE_CHECKING:  # the renderers (XlsxWriter, fpdf2, ezdxf) load on the first render
    from estimator_core import ParsedFont, RenderedDocument

log = logging.getLogger("kis.functions")

KINDS = ("xlsx", "pdf", "svg", "dxf")
# The extension of a stored document, by its content type (the path's only variable part).
EXTENSIONS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/pdf": "pdf",
    "image/svg+xml": "svg",
    "image/vnd.dxf": "dxf",
}
FIRST_SET = 1  # set 0 is the result JSON written with the quote
APPROVED = "approved"  # a quote in this state gets documents that say so
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@runtime_checkable
class DocumentStore(Protocol):
    """What storing documents needs from the database, beyond ``Store``."""

    def quote_source(self, who: Principal, quote_id: str) -> QuoteSource | None: ...
    def company_profile(self, who: Principal) -> StoredProfile | None: ...
    def company_profile_by_id(self, who: Principal, profile_id: str) -> StoredProfile | None: ...
    def documents(self, who: Principal, quote_id: str) -> list[DocumentRow]: ...
    def record_documents(
        self,
        who: Principal,
        quote_id: str,
        *,
        set_no: int,
        state: str,
        profile: StoredProfile,
        documents: list[dict[str, Any]],
    ) -> int: ...
    def review_history(self, who: Principal, quote_id: str) -> list[dict[str, Any]] | None: ...


@dataclass(frozen=True)
class DocumentSet:
    """One recorded document set of a quote (the newest unless one was asked for), and
    which sets the quote has."""

    quote_id: str
    quote_number: str
    set_no: int
    state: str
    rows: list[DocumentRow]
    sets: list[tuple[int, str]]  # (set_no, state), oldest first


def document_path(quote_id: str, kind: str, sha256: str, content_type: str) -> str:
    """``quote/{quote_id}/{kind}/{sha256}.{ext}``: the only document paths the server signs."""
    ext = EXTENSIONS.get(content_type)
    if not (_UUID.match(quote_id) and kind in KINDS and _SHA256.match(sha256) and ext == kind):
        raise ValueError(f"not a document object: {quote_id!r} {kind!r} {sha256!r}")
    return f"quote/{quote_id}/{kind}/{sha256}.{ext}"


def _store(svc: Services) -> DocumentStore:
    store = svc.store
    if not isinstance(store, DocumentStore):
        raise ApiError("DEPENDENCY_UNAVAILABLE", "the configured store cannot store documents")
    return store


def newest_set(
    rows: list[DocumentRow], order: list[str] | None = None, set_no: int | None = None
) -> list[DocumentRow]:
    """The rows of set ``set_no`` (default: the highest set number), in ``KINDS`` order; a
    project's drawings in ``order`` (file names: the project's panel order)."""
    if not rows:
        return []
    top = max(r.set_no for r in rows) if set_no is None else set_no
    chosen = [r for r in rows if r.set_no == top and r.kind in KINDS]
    place = {name: i for i, name in enumerate(order or [])}
    return sorted(
        chosen, key=lambda r: (KINDS.index(r.kind), place.get(r.filename, len(place)), r.filename)
    )


def _drawing_order(source: QuoteSource) -> list[str]:
    """A project's drawing file names in panel order (none for a panel quote)."""
    panels = source.response.get("panels")
    if source.response.get("kind") != "project" or not isinstance(panels, list):
        return []
    stems = drawing_stems([str(p.get("name", "")) for p in panels if isinstance(p, dict)])
    return [f"{stem}.{ext}" for ext in ("svg", "dxf") for stem in stems]


def quote_documents(
    svc: Services, who: Principal, quote_id: str, set_no: int | None = None
) -> DocumentSet:
    """The quote's newest document set, or set ``set_no`` (404 when it has none such).

    The first call renders and stores set 1; for an approved quote whose newest set does
    not show the approval yet (rendered before it, or its re-render after the approval
    failed) the next set is rendered now."""
    store = _store(svc)
    source = store.quote_source(who, quote_id)
    if source is None:
        raise ApiError("NOT_FOUND", "quote not found")
    order = _drawing_order(source)
    recorded = store.documents(who, quote_id)
    if _needs_render(source, recorded):
        recorded = _render_and_store(svc, store, who, source, recorded)
    rows = newest_set(recorded, order, set_no)
    if not rows:
        raise ApiError("NOT_FOUND", f"this quote has no document set {set_no}")
    sets = sorted({(r.set_no, r.state) for r in recorded})
    return DocumentSet(source.id, source.quote_number, rows[0].set_no, rows[0].state, rows, sets)


def _needs_render(source: QuoteSource, recorded: list[DocumentRow]) -> bool:
    """No set yet, or an approved quote whose newest set does not show the approval."""
    if not recorded:
        return True
    top = max(r.set_no for r in recorded)
    return source.status == APPROVED and all(
        r.state != APPROVED for r in recorded if r.set_no == top
    )


def review(svc: Services, who: Principal, quote_id: str, body: Any) -> dict[str, Any]:
    """``teams.review``; an approval then renders the quote's documents as a new set showing
    it: ``document_set`` is its number, or None when that failed (logged; the approval
    stands, and the next request for the documents renders them)."""
    result = teams.review(teams.team_store(svc.store), who, quote_id, body)
    if result["status"] == APPROVED:
        try:
            result["document_set"] = quote_documents(svc, who, result["quote_id"]).set_no
        except Exception:
            log.exception("rendering the approved documents of quote %s failed", quote_id)
            result["document_set"] = None
    return result


@functools.lru_cache(maxsize=2)
def _font(path: Path) -> ParsedFont:
    """The PDF's font, read and parsed once per warm worker (parsing it is most of a PDF's
    render time; each document gets its own copy, benchmarks/RESULTS.md)."""
    from estimator_core import ParsedFont

    try:
        data = path.read_bytes()
    except OSError as err:
        raise DependencyUnavailable("document font", err) from None
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # each dropped table, not news
    return ParsedFont(data)


def _profile(store: DocumentStore, who: Principal, source: QuoteSource) -> StoredProfile:
    """The profile the quote was issued with; for a quote issued before any profile was
    set, the current one (the set records which)."""
    recorded = source.response.get("company_profile")
    if recorded:
        found = store.company_profile_by_id(who, recorded["id"])
        if found is None or found.sha256 != recorded["sha256"]:
            raise ApiError(
                "EVIDENCE_MISMATCH",
                "the company profile this quote was issued with is not stored as recorded",
                [{"company_profile": recorded}],
            )
    else:
        found = store.company_profile(who)
        if found is None:
            raise ApiError(
                "COMPANY_PROFILE_REQUIRED",
                "documents need a company profile: an admin sets it with PUT /company-profile",
            )
    if sha256_hex(found.content) != found.sha256:
        raise ApiError(
            "EVIDENCE_MISMATCH",
            "the stored company profile does not match its SHA-256",
            [{"company_profile": {"id": found.id, "sha256": found.sha256}}],
        )
    return found


def rebuild_documents(
    svc: Services,
    who: Principal,
    source: QuoteSource,
    profile: StoredProfile,
    approval: Approval | None = None,
) -> tuple[RenderedDocument, ...]:
    """Build the quote again from what it recorded and render its four documents (showing
    ``approval`` when given).

    ``EVIDENCE_MISMATCH`` when the rebuilt evidence root is not the stored one (the
    documents would not be the quote's); ``DOCUMENT_RENDER_FAILED`` when a renderer fails.
    """
    ref = CatalogRef(source.catalog_version_id, source.catalog_label, source.catalog_sha256)
    _, catalog = svc.catalog(who, ref)
    cover = source.response.get("cover") or {}
    project = is_project(source.request)
    label = source.response.get("revision") if project else cover.get("revision")
    previous = _previous(svc, who, source) if label not in (None, "R0") else None
    quote: Quote | ProjectQuote
    try:
        if project:
            # a project's response has no cover: its issue time, revision and estimator
            # (on each panel's cover) are the project's own
            quote = estimate_project(
                source.request,
                catalog,
                issued_at=source.response["issued_at"],
                estimator=source.response["estimator"],
                revision=source.response["revision"],
                previous=previous,
                clock=time.perf_counter,
            )
        else:
            quote = estimate(
                source.request,
                catalog,
                issued_at=cover["issued_at"],
                estimator=cover["estimator"],
                revision=cover["revision"],
                previous=previous,
                clock=time.perf_counter,
            )
    except (KeyError, EstimatorError) as err:
        log.warning("quote %s cannot be rebuilt: %r", source.id, err)
        raise _mismatch(source) from None
    if quote.evidence_root != source.evidence_root:
        raise _mismatch(source)
    from estimator_core import render_documents, render_project_documents

    try:
        parsed = parse_company_profile(profile.content)
        font = _font(svc.settings.document_font)
        if isinstance(quote, ProjectQuote):
            project_doc = project_document_from_result(
                quote, catalog, profile=parsed, quote_number=source.quote_number
            )
            if approval is not None:
                project_doc = approved_document(project_doc, approval)
            return render_project_documents(project_doc, font=font)
        doc = document_from_result(quote, catalog, profile=parsed, quote_number=source.quote_number)
        if approval is not None:
            doc = approved_document(doc, approval)
        return render_documents(doc, font=font)
    except ApiError:
        raise
    except Exception as err:
        log.exception("rendering the documents of quote %s failed", source.id)
        raise ApiError(
            "DOCUMENT_RENDER_FAILED",
            "the documents of this quote could not be rendered; nothing was stored",
            [{"quote_id": source.id, "error": type(err).__name__}],
        ) from None


def _previous(svc: Services, who: Principal, source: QuoteSource) -> PreviousRevision | None:
    """A revision's link to the revision before it (its evidence's last record, so the
    rebuilt root is the stored one): from the stored revisions of its quote number."""
    store = svc.store
    if not isinstance(store, RevisionStore):
        return None
    revisions = store.quote_revisions(who, source.id)
    at = next((i for i, r in enumerate(revisions) if r["quote_id"] == source.id), 0)
    if at == 0:
        return None
    before = revisions[at - 1]
    return PreviousRevision(
        quote_id=before["quote_id"], revision=before["label"], root=before["evidence_root"]
    )


def _mismatch(source: QuoteSource) -> ApiError:
    return ApiError(
        "EVIDENCE_MISMATCH",
        "the quote could not be rebuilt to its recorded evidence root; nothing was stored",
        [{"quote_id": source.id, "evidence_root": source.evidence_root}],
    )


def _approval(store: DocumentStore, who: Principal, source: QuoteSource) -> Approval | None:
    """The approval an approved quote's documents show: its last approving review."""
    if source.status != APPROVED:
        return None
    reviews = store.review_history(who, source.id) or []
    approvals = [r for r in reviews if r["decision"] == "approve"]
    if not approvals:
        return None
    last = approvals[-1]
    return Approval(by=last["reviewer_email"] or last["reviewer_id"], at=last["created_at"])


def _render_and_store(
    svc: Services,
    store: DocumentStore,
    who: Principal,
    source: QuoteSource,
    recorded: list[DocumentRow],
) -> list[DocumentRow]:
    """The next set rendered, uploaded and recorded; every recorded row afterwards."""
    profile = _profile(store, who, source)
    approval = _approval(store, who, source)
    rendered = rebuild_documents(svc, who, source, profile, approval)
    set_no = max((r.set_no for r in recorded), default=FIRST_SET - 1) + 1
    bucket = svc.settings.documents_bucket
    records = []
    for doc in rendered:
        path = document_path(source.id, doc.kind, doc.sha256, doc.content_type)
        svc.blobs.upload(bucket, path, doc.content, doc.content_type)
        records.append(
            {
                "kind": doc.kind,
                "filename": doc.filename,
                "storage_path": path,
                "sha256": doc.sha256,
                "content_type": doc.content_type,
                "size_bytes": len(doc.content),
            }
        )
    store.record_documents(
        who, source.id, set_no=set_no, state=source.status, profile=profile, documents=records
    )
    # what the database holds: a concurrent request may have recorded the set (the same
    # bytes: the same quote, profile and approval)
    return store.documents(who, source.id)


def signed_document(svc: Services, quote_id: str, row: DocumentRow) -> dict[str, Any]:
    """A recorded document with a fresh signed URL (TTL from settings)."""
    ttl = svc.settings.signed_url_ttl_s
    path = document_path(quote_id, row.kind, row.sha256, row.content_type)
    signed = svc.blobs.sign(svc.settings.documents_bucket, path, ttl)
    return {
        "kind": row.kind,
        "filename": row.filename,
        "sha256": row.sha256,
        "size": row.size_bytes,
        "content_type": row.content_type,
        "url": signed.url,
        "expires_at": signed.expires_at,
        "ttl_s": ttl,
    }


def verify_documents(svc: Services, who: Principal, quote_id: str) -> list[dict[str, Any]]:
    """Every recorded document of the quote (all sets), downloaded and re-hashed."""
    store = svc.store
    if not isinstance(store, DocumentStore):
        return []
    out = []
    for row in store.documents(who, quote_id):
        try:
            path = document_path(quote_id, row.kind, row.sha256, row.content_type)
            data: bytes | None = svc.blobs.download(svc.settings.documents_bucket, path)
        except ValueError:
            data = None
        except ApiError as err:
            if err.code != "NOT_FOUND":
                raise
            data = None
        out.append(
            {
                "set_no": row.set_no,
                "kind": row.kind,
                "sha256": row.sha256,
                "size": row.size_bytes,
                "verified": data is not None and verify(row.sha256, data),
            }
        )
    return out
