"""In-memory adapters of the ports, for fast tests of the use cases (no database).

``FakeStore`` behaves as ``PostgresStore`` does where the use cases can tell (the
contract suite, tests/contract, runs the same assertions against both): quotes are
per owner and exactly once per (owner, Idempotency-Key), numbered Q-{year}-{n:06} when
written, a key in flight is 409, catalog versions go staging → active → retired; a
quote is revised (R1, R2 … under its number) only from its latest revision.
``FakeBlobStore`` keeps objects in a dict and can be told to fail.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from functions._shared.auth import Principal
from functions._shared.errors import (
    ApiError,
    Conflict,
    DependencyUnavailable,
    IdempotencyInFlight,
    IdempotencyKeyReused,
    NotFound,
    UnknownUser,
)
from functions._shared.ports import (
    CatalogRef,
    CatalogVersion,
    CreatedQuote,
    EvidenceRow,
    NewCatalogVersion,
    QuoteContext,
    QuoteFilter,
    SignedUrl,
    StoredProfile,
    StoredQuote,
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class _Quote:
    owner: str
    key: str
    number: str
    payload: dict[str, Any]
    created_at: str
    revision: int = 0  # R{revision} of its number
    previous: str | None = None  # the quote it revises

    def revision_row(self) -> dict[str, Any]:
        """A row of ``quote_revisions``."""
        p = self.payload
        return {
            "quote_id": p["id"],
            "quote_number": self.number,
            "revision": self.revision,
            "label": f"R{self.revision}",
            "status": p["status"],
            "created_by": self.owner,
            "previous_quote_id": self.previous,
            "grand_total": p["grand_total"],
            "catalog_label": p["catalog_label"],
            "evidence_root": p["evidence_root_sha256"],
            "created_at": self.created_at,
        }

    def stored(self) -> StoredQuote:
        p = self.payload
        return StoredQuote(
            p["id"], p["request_sha256"], p["status"], copy.deepcopy(p["response"]), self.created_at
        )


@dataclass
class FakeStore:
    """``Store``, ``CatalogStore`` and ``ProfileStore`` in memory."""

    commits_on_exit = False  # a write is kept at once

    users: set[str] = field(default_factory=set)
    quotes: dict[str, _Quote] = field(default_factory=dict)
    versions: dict[str, CatalogVersion] = field(default_factory=dict)
    contents: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles: list[StoredProfile] = field(default_factory=list)
    audit: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    # quote id -> its review decisions (as review_history answers them), oldest first
    reviews: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # called inside write_quote before the write: lets a test play a concurrent request
    before_write: Callable[[Principal, dict[str, Any]], None] | None = None
    _in_flight: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: int = 0

    # -- Store ------------------------------------------------------------------------
    def ping(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def active_catalog(self, who: Principal) -> CatalogRef | None:
        return next((v.ref for v in self.versions.values() if v.status == "active"), None)

    def catalog_content(self, who: Principal, version_id: str) -> dict[str, Any]:
        if version_id not in self.contents:
            raise NotFound(f"catalog version {version_id} not found")
        return copy.deepcopy(self.contents[version_id])

    @contextmanager
    def idempotency_guard(self, who: Principal, key: str) -> Iterator[QuoteContext]:
        slot = (who.user_id, key)
        with self._lock:
            if slot in self._in_flight:
                raise IdempotencyInFlight()
            self._in_flight.add(slot)
        try:
            yield self.quote_context(who, key)
        finally:
            with self._lock:
                self._in_flight.discard(slot)

    def quote_context(self, who: Principal, key: str) -> QuoteContext:
        return QuoteContext(
            existing=self.quote_by_key(who, key),
            user_exists=self.user_exists(who),
            catalog=self.active_catalog(who),
            profile=self.company_profile(who),
        )

    def quote_by_key(self, who: Principal, key: str) -> StoredQuote | None:
        found = [q for q in self.quotes.values() if q.owner == who.user_id and q.key == key]
        return found[0].stored() if found else None

    def user_exists(self, who: Principal) -> bool:
        return who.user_id in self.users

    def create_quote(self, who: Principal, payload: dict[str, Any]) -> str:
        return self.write_quote(who, payload).id

    def write_quote(
        self, who: Principal, payload: dict[str, Any], response_json: bytes | None = None
    ) -> CreatedQuote:
        """``estimator.create_quote``: exactly once per (owner, key); the same key with
        another request is IDEMPOTENCY_KEY_REUSED; an owner without a user is UNKNOWN_USER."""
        if self.before_write is not None:
            hook, self.before_write = self.before_write, None
            hook(who, payload)
        with self._lock:
            if who.user_id not in self.users:
                raise UnknownUser()
            key = payload["idempotency_key"]
            for q in self.quotes.values():
                if q.owner == who.user_id and q.key == key:
                    if q.payload["request_sha256"] != payload["request_sha256"]:
                        raise IdempotencyKeyReused()
                    return CreatedQuote(q.payload["id"], copy.deepcopy(q.payload["response"]))
            if payload["id"] in self.quotes:
                raise Conflict("the quote conflicts with a stored one")
            self._numbers += 1
            number = f"Q-{datetime.now(UTC).year}-{self._numbers:06d}"
            stored = copy.deepcopy(payload)
            stored["response"] = {**stored["response"], "quote_number": number}
            self.quotes[payload["id"]] = _Quote(who.user_id, key, number, stored, _now())
            return CreatedQuote(payload["id"], copy.deepcopy(stored["response"]))

    def _mine(self, who: Principal) -> list[_Quote]:
        return [q for q in self.quotes.values() if q.owner == who.user_id]

    def get_quote(self, who: Principal, quote_id: str) -> StoredQuote | None:
        q = self.quotes.get(quote_id)
        return q.stored() if q is not None and q.owner == who.user_id else None

    def review_history(self, who: Principal, quote_id: str) -> list[dict[str, Any]] | None:
        if self.get_quote(who, quote_id) is None:
            return None
        return copy.deepcopy(self.reviews.get(quote_id, []))

    def get_quote_by_number(self, who: Principal, number: str) -> StoredQuote | None:
        # a quote number names all its revisions: the latest one answers
        found = sorted((q for q in self._mine(who) if q.number == number), key=lambda q: q.revision)
        return found[-1].stored() if found else None

    # -- revisions (what PostgresStore's team methods do for one owner) ----------------
    def write_revision(
        self, who: Principal, quote_id: str, payload: dict[str, Any]
    ) -> CreatedQuote:
        """``estimator.create_revision``: the next revision of the latest revision
        ``quote_id`` (same number); an earlier revision is CONFLICT unless this is a replay
        of the revision that was stored (same key and request)."""
        with self._lock:
            prev = self.quotes.get(quote_id)
            if prev is None or prev.owner != who.user_id:
                raise NotFound("not found")
            for q in self.quotes.values():
                if q.previous == quote_id:
                    same = q.key == payload["idempotency_key"] and (
                        q.payload["request_sha256"] == payload["request_sha256"]
                    )
                    if q.owner == who.user_id and same:
                        return CreatedQuote(q.payload["id"], copy.deepcopy(q.payload["response"]))
                    raise Conflict(f"quote {quote_id} already has a newer revision")
            if any(
                q.owner == who.user_id and q.key == payload["idempotency_key"]
                for q in self.quotes.values()
            ):
                raise IdempotencyKeyReused()
            revision = prev.revision + 1
            stored = copy.deepcopy(payload)
            label = stored["response"].get("revision")
            extra = {} if isinstance(label, str) else {"revision": revision}
            stored["response"] = {**stored["response"], "quote_number": prev.number, **extra}
            self.quotes[payload["id"]] = _Quote(
                who.user_id,
                payload["idempotency_key"],
                prev.number,
                stored,
                _now(),
                revision,
                quote_id,
            )
            return CreatedQuote(payload["id"], copy.deepcopy(stored["response"]))

    def quote_revisions(self, who: Principal, quote_id: str) -> list[dict[str, Any]]:
        q = self.quotes.get(quote_id)
        if q is None or q.owner != who.user_id:
            return []
        same = [r for r in self._mine(who) if r.number == q.number]
        return [r.revision_row() for r in sorted(same, key=lambda r: r.revision)]

    def quote_revision(self, who: Principal, quote_id: str) -> dict[str, Any] | None:
        q = self.quotes.get(quote_id)
        if q is None or q.owner != who.user_id:
            return None
        p = copy.deepcopy(q.payload)
        return {
            "quote_id": quote_id,
            "quote_number": q.number,
            "revision": q.revision,
            "request": p["request"],
            "response": p["response"],
        }

    def list_quotes(
        self, who: Principal, limit: int, offset: int, where: QuoteFilter | None = None
    ) -> list[dict[str, Any]]:
        where = where or QuoteFilter()
        mine = sorted(
            self._mine(who),
            key=lambda q: (q.created_at, q.payload["id"]),
            reverse=not where.oldest_first,
        )
        rows = []
        for q in mine:
            customer = q.payload["request"].get("customer") or {}
            row = {
                "quote_id": q.payload["id"],
                "quote_number": q.number,
                "status": q.payload["status"],
                "grand_total": q.payload["grand_total"],
                "catalog_label": q.payload["catalog_label"],
                "evidence_root": q.payload["evidence_root_sha256"],
                "project": customer.get("project"),
                "customer": customer.get("name"),
                "created_at": q.created_at,
            }
            org = q.payload.get("organisation_id")
            if where.organisation_id and org not in (None, where.organisation_id):
                continue
            if _admits(where, row, datetime.fromisoformat(q.payload["issued_at"])):
                rows.append(row)
        return rows[offset : offset + limit]

    def evidence(self, who: Principal, quote_id: str) -> list[EvidenceRow]:
        q = self.quotes.get(quote_id)
        if q is None or q.owner != who.user_id:
            return []
        return sorted((EvidenceRow(**e) for e in q.payload["evidence"]), key=lambda e: e.stage)

    def evidence_valid(self, who: Principal, quote_id: str, stage: str, sha256: str) -> bool:
        return any(e.stage == stage and e.sha256 == sha256 for e in self.evidence(who, quote_id))

    def company_profile(self, who: Principal) -> StoredProfile | None:
        return self.profiles[-1] if self.profiles else None

    # -- ProfileStore -----------------------------------------------------------------
    def save_company_profile(
        self, who: Principal, content: dict[str, Any], sha256: str
    ) -> StoredProfile:
        saved = StoredProfile(str(uuid.uuid4()), sha256, copy.deepcopy(content), _now())
        self.profiles.append(saved)
        self.append_audit(who, "company_profile.update", f"company_profile:{saved.id}", {})
        return saved

    # -- CatalogStore -----------------------------------------------------------------
    def catalog_versions(self, who: Principal) -> list[CatalogVersion]:
        return sorted(self.versions.values(), key=lambda v: (v.created_at, v.label), reverse=True)

    def catalog_version(self, who: Principal, label: str) -> CatalogVersion | None:
        return next((v for v in self.versions.values() if v.label == label), None)

    def create_catalog_version(self, who: Principal, new: NewCatalogVersion) -> CatalogVersion:
        if self.catalog_version(who, new.label) is not None:
            raise Conflict(f"catalog version {new.label} already exists", [{"label": new.label}])
        body = {k: v for k, v in new.content.items() if k != "label"}
        for v in self.versions.values():
            if {k: x for k, x in self.contents[v.id].items() if k != "label"} == body:
                raise Conflict(
                    f"this content is already catalog version {v.label}",
                    [{"label": v.label, "sha256": v.sha256}],
                )
        counts: dict[str, int] = {}
        for item in new.items:
            counts[item["kind"]] = counts.get(item["kind"], 0) + 1
        version = CatalogVersion(
            id=str(uuid.uuid4()),
            label=new.label,
            status="staging",
            sha256=new.sha256,
            notes=new.notes,
            created_at=_now(),
            created_by=who.user_id,
            activated_at=None,
            activated_by=None,
            counts=counts,
        )
        time.sleep(0.000001)  # created_at orders versions, as in the database
        self.versions[version.id] = version
        self.contents[version.id] = copy.deepcopy(new.content)
        self.append_audit(who, "catalog.import", f"catalog_version:{version.id}", new.audit)
        return version

    def add_version(self, content: dict[str, Any], sha256: str, *, status: str) -> CatalogVersion:
        """Test set-up: a version in any state (as ``functions.dev.seed_catalog`` does)."""
        version = CatalogVersion(
            str(uuid.uuid4()), content["label"], status, sha256, None, _now(), None, None, None, {}
        )
        self.versions[version.id] = version
        self.contents[version.id] = copy.deepcopy(content)
        return version

    def activate_catalog_version(
        self,
        who: Principal,
        version_id: str,
        *,
        expected_active_id: str | None,
        action: str,
        detail: dict[str, Any],
    ) -> CatalogVersion:
        """``shared.activate_catalog_version``: the active version retires, this one is
        active; 409 when the active version is no longer the expected one."""
        with self._lock:
            current = self.active_catalog(who)
            if (current.id if current else None) != expected_active_id:
                now = current.label if current else "none"
                raise Conflict(
                    f"the active catalog changed (now {now}) while this request ran; try again"
                )
            if version_id not in self.versions:
                raise NotFound(f"catalog version {version_id} not found")
            if current is not None:
                self.versions[current.id] = replace(self.versions[current.id], status="retired")
            self.versions[version_id] = replace(
                self.versions[version_id],
                status="active",
                activated_at=_now(),
                activated_by=who.user_id,
            )
        self.append_audit(who, action, f"catalog_version:{version_id}", detail)
        return self.versions[version_id]

    def append_audit(
        self, who: Principal, action: str, target: str, detail: dict[str, Any]
    ) -> None:
        self.audit.append((action, target, copy.deepcopy(detail)))


@dataclass
class FakeBlobStore:
    """``BlobStore`` in memory; ``fail_uploads`` makes every upload a 503."""

    objects: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)
    fail_uploads: bool = False
    remote: bool = False

    def upload(self, bucket: str, path: str, data: bytes, content_type: str) -> None:
        if self.fail_uploads:
            raise DependencyUnavailable("storage", "the fake is told to fail")
        self.objects[(bucket, path)] = (data, content_type)

    def upload_many(self, bucket: str, objects: list[tuple[str, bytes, str]]) -> None:
        for path, data, content_type in objects:
            self.upload(bucket, path, data, content_type)

    def download(self, bucket: str, path: str) -> bytes:
        if (bucket, path) not in self.objects:
            raise ApiError("NOT_FOUND", "object not found")
        return self.objects[(bucket, path)][0]

    def sign(self, bucket: str, path: str, ttl_s: int) -> SignedUrl:
        exp = int(time.time()) + ttl_s
        return SignedUrl(f"fake://{bucket}/{path}?exp={exp}&n={uuid.uuid4().hex[:8]}", exp)

    def delete(self, bucket: str, paths: list[str]) -> None:
        for p in paths:
            self.objects.pop((bucket, p), None)


def _admits(where: QuoteFilter, row: dict[str, Any], issued_at: datetime) -> bool:
    """What the adapters' ``where`` admits: ``q`` in the number, customer or project (any
    case), the status, and the issue time within the Korean days."""
    texts = (row["quote_number"], row["customer"], row["project"])
    if where.q and not any(t and where.q.lower() in t.lower() for t in texts):
        return False
    if where.status and row["status"] != where.status:
        return False
    if where.since is not None and issued_at < where.since:
        return False
    return where.before is None or issued_at < where.before
