"""The ports: what the use cases need from the database and from object storage, and
the rows that cross them. Adapters: ``store.PostgresStore`` (psycopg),
``postgrest.PostgrestStore`` (PostgREST), ``blobs.LocalBlobStore`` and
``blobs.SupabaseBlobStore``; fakes for tests: ``functions._shared.fakes``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from functions._shared.auth import Principal

__all__ = [
    "BlobStore",
    "CatalogRef",
    "CatalogStore",
    "CatalogVersion",
    "CreatedQuote",
    "EvidenceRow",
    "NewCatalogVersion",
    "ProfileStore",
    "QuoteContext",
    "SignedUrl",
    "Store",
    "StoredObject",
    "StoredProfile",
    "StoredQuote",
]


@dataclass(frozen=True)
class SignedUrl:
    url: str
    expires_at: int


@dataclass(frozen=True)
class StoredObject:
    """An object as listed for the orphan sweep: its path and last change (epoch s)."""

    path: str
    modified: float


class BlobStore(Protocol):
    """Where evidence and documents live."""

    # True when an upload goes over the network (Supabase Storage: tens of milliseconds).
    remote: bool

    def upload(self, bucket: str, path: str, data: bytes, content_type: str) -> None: ...
    def upload_many(self, bucket: str, objects: list[tuple[str, bytes, str]]) -> None:
        """Upload ``(path, data, content_type)`` objects as one batch; raises if any fails."""
        ...

    def download(self, bucket: str, path: str) -> bytes: ...
    def sign(self, bucket: str, path: str, ttl_s: int) -> SignedUrl: ...
    def delete(self, bucket: str, paths: list[str]) -> None: ...


@dataclass(frozen=True)
class CatalogRef:
    """The identity of a catalog version: what a quote records and the cache key."""

    id: str
    label: str
    sha256: str


@dataclass(frozen=True)
class CatalogVersion:
    """A catalog version: its identity, lifecycle state and row counts (times ISO 8601
    UTC). The one shape of a version; ``ref`` is its identity alone."""

    id: str
    label: str
    status: str  # staging | active | retired
    sha256: str
    notes: str | None
    created_at: str
    created_by: str | None
    activated_at: str | None
    activated_by: str | None
    counts: dict[str, int]

    @property
    def ref(self) -> CatalogRef:
        return CatalogRef(self.id, self.label, self.sha256)


@dataclass(frozen=True)
class NewCatalogVersion:
    """A staging version to create: the catalog document, its item rows and the audit detail."""

    label: str
    content: dict[str, Any]  # the catalog document; its label equals ``label``
    sha256: str
    notes: str | None
    items: list[dict[str, Any]]  # rows for shared.catalog_items (functions._shared.catalog_rows)
    audit: dict[str, Any]  # detail of the ``catalog.import`` audit entry


@dataclass(frozen=True)
class StoredProfile:
    """A company profile as stored: its id, content hash and content."""

    id: str
    sha256: str
    content: dict[str, Any]
    created_at: str


@dataclass(frozen=True)
class StoredQuote:
    id: str
    request_sha256: str
    status: str
    response: dict[str, Any]
    created_at: str


@dataclass(frozen=True)
class CreatedQuote:
    """What writing a quote gives back, from the writing transaction: the id stored under
    the key (another request's when it won the race) and its stored response (with the
    quote number the transaction assigned)."""

    id: str
    response: dict[str, Any]


@dataclass(frozen=True)
class QuoteContext:
    """What creating a quote reads before the engine runs, in one go: the quote already
    stored under the key, whether the caller's user exists, the active catalog version
    and the current company profile."""

    existing: StoredQuote | None
    user_exists: bool
    catalog: CatalogRef | None
    profile: StoredProfile | None


@dataclass(frozen=True)
class EvidenceRow:
    stage: str
    storage_path: str
    sha256: str
    size_bytes: int
    content_type: str


@dataclass(frozen=True)
class QuoteSource:
    """What a stored quote recorded, enough to build it again: the request, the catalog
    version, the evidence root and the stored response (cover, company profile)."""

    id: str
    quote_number: str
    status: str
    request: dict[str, Any]
    catalog_version_id: str
    catalog_label: str
    catalog_sha256: str
    evidence_root: str
    response: dict[str, Any]


@dataclass(frozen=True)
class DocumentRow:
    """A rendered document of a quote as recorded (``estimator.documents``, set 1 on)."""

    set_no: int
    state: str
    kind: str
    filename: str
    storage_path: str
    sha256: str
    content_type: str
    size_bytes: int


# Quote numbers and issue dates follow Korea's calendar, where the panel maker works.
KOREA = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class QuoteFilter:
    """What ``GET /quotes`` narrows the list to; every part is optional.

    ``q`` matches the quote number, the customer or the project name (case-insensitive,
    anywhere in the text); ``issued_from``/``issued_to`` are inclusive days of Korea's
    calendar, like the quote numbers' years.
    """

    q: str | None = None
    status: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    # the organisation's quotes only (else every organisation the caller belongs to)
    organisation_id: str | None = None
    # oldest first (a review queue) instead of newest first
    oldest_first: bool = False

    @property
    def since(self) -> datetime | None:
        """The first instant of ``issued_from`` in Korea."""
        if self.issued_from is None:
            return None
        return datetime.combine(self.issued_from, time(), KOREA)

    @property
    def before(self) -> datetime | None:
        """The first instant after ``issued_to`` in Korea."""
        if self.issued_to is None:
            return None
        return datetime.combine(self.issued_to + timedelta(days=1), time(), KOREA)


class Store(Protocol):
    """What the use cases need from the database."""

    # True when what is written inside ``idempotency_guard`` is committed only when the
    # guard exits without an error (one transaction): a use case may then upload blobs
    # while the rows are written, a failed upload still leaving no rows.
    commits_on_exit: bool

    def ping(self) -> str: ...
    def active_catalog(self, who: Principal) -> CatalogRef | None: ...
    def catalog_content(self, who: Principal, version_id: str) -> dict[str, Any]: ...
    def idempotency_guard(self, who: Principal, key: str) -> AbstractContextManager[QuoteContext]:
        """Hold ``key`` for the request (409 while held, where the store can) and give its
        ``quote_context``."""
        ...

    def quote_context(self, who: Principal, key: str) -> QuoteContext: ...
    def quote_by_key(self, who: Principal, key: str) -> StoredQuote | None: ...
    def user_exists(self, who: Principal) -> bool: ...
    def create_quote(self, who: Principal, payload: dict[str, Any]) -> str: ...
    def write_quote(
        self, who: Principal, payload: dict[str, Any], response_json: bytes | None = None
    ) -> CreatedQuote:
        """``estimator.create_quote``; ``response_json``: the payload's response already
        serialised (an adapter may send it as it is)."""
        ...

    def get_quote(self, who: Principal, quote_id: str) -> StoredQuote | None: ...
    def get_quote_by_number(self, who: Principal, number: str) -> StoredQuote | None: ...
    def list_quotes(
        self, who: Principal, limit: int, offset: int, where: QuoteFilter | None = None
    ) -> list[dict[str, Any]]: ...
    def evidence(self, who: Principal, quote_id: str) -> list[EvidenceRow]: ...
    def evidence_valid(self, who: Principal, quote_id: str, stage: str, sha256: str) -> bool: ...
    def company_profile(self, who: Principal) -> StoredProfile | None: ...


@runtime_checkable
class CatalogStore(Protocol):
    """What the catalog lifecycle needs from the database, beyond ``Store``.

    Kept apart from ``Store`` until every adapter implements it; the catalog use cases
    answer 503 when the configured store does not.
    """

    def catalog_versions(self, who: Principal) -> list[CatalogVersion]: ...
    def catalog_version(self, who: Principal, label: str) -> CatalogVersion | None: ...
    def create_catalog_version(self, who: Principal, new: NewCatalogVersion) -> CatalogVersion: ...
    def activate_catalog_version(
        self,
        who: Principal,
        version_id: str,
        *,
        expected_active_id: str | None,
        action: str,
        detail: dict[str, Any],
    ) -> CatalogVersion: ...
    def append_audit(
        self, who: Principal, action: str, target: str, detail: dict[str, Any]
    ) -> None: ...


@runtime_checkable
class ProfileStore(Protocol):
    """Changing the company profile (an admin, through the functions): beyond ``Store``,
    implemented where the server writes over a database URL."""

    def save_company_profile(
        self, who: Principal, content: dict[str, Any], sha256: str
    ) -> StoredProfile: ...
