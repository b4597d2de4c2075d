"""The Store port and its Postgres adapter (psycopg 3, pooler-safe).

Every call runs in one transaction that first sets ``role`` and ``request.jwt.claims``
from the verified token, exactly as PostgREST does, so row-level security decides what
a caller sees. Writes that must be atomic go through SQL functions of the migrations
(``estimator.create_quote``). No prepared statements: safe behind Supabase's pooler.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from functions._shared.auth import Principal
from functions._shared.errors import ApiError, DependencyUnavailable

ROLES = {"authenticated", "service_role", "anon"}


@dataclass(frozen=True)
class CatalogRef:
    id: str
    label: str
    sha256: str


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
class EvidenceRow:
    stage: str
    storage_path: str
    sha256: str
    size_bytes: int
    content_type: str


@dataclass(frozen=True)
class CatalogVersion:
    """A catalog version as the admin functions show it (times ISO 8601 UTC)."""

    id: str
    label: str
    status: str
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


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, its ``%``, ``_`` and ``\\`` literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The texts ``QuoteFilter.q`` searches: a panel quote's customer, and a project quote's.
SEARCHED_TEXTS = (
    "quote_number",
    "request->'customer'->>'name'",
    "request->'customer'->>'project'",
    "request->'project'->>'name'",
    "request->'project'->'customer'->>'name'",
)


class Store(Protocol):
    """What the handlers need from the database."""

    def ping(self) -> str: ...
    def active_catalog(self, who: Principal) -> CatalogRef | None: ...
    def catalog_content(self, who: Principal, version_id: str) -> dict[str, Any]: ...
    @contextmanager
    def idempotency_guard(self, who: Principal, key: str) -> Iterator[None]: ...
    def quote_by_key(self, who: Principal, key: str) -> StoredQuote | None: ...
    def user_exists(self, who: Principal) -> bool: ...
    def create_quote(self, who: Principal, payload: dict[str, Any]) -> str: ...
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
    """What the catalog admin functions need from the database, beyond ``Store``.

    Kept apart from ``Store`` until every adapter implements it; ``functions.catalog``
    answers 503 when the configured store does not.
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


def unknown_user() -> ApiError:
    """The token is valid but names no user (deleted, or the local stack was reset)."""
    return ApiError(
        "UNKNOWN_USER", "the token's user does not exist: sign in again to get a new token"
    )


def _claims(who: Principal) -> str:
    return json.dumps(who.claims, separators=(",", ":"))


class PostgresStore:
    """``Store`` over a psycopg connection pool."""

    def __init__(self, conninfo: str, *, pool_size: int = 8, timeout_s: float = 5.0) -> None:
        self._pool = ConnectionPool(
            conninfo,
            min_size=0,
            max_size=pool_size,
            timeout=timeout_s,
            kwargs={"autocommit": False, "prepare_threshold": None, "connect_timeout": 3},
            check=ConnectionPool.check_connection,
            open=False,
        )
        self._held = threading.local()

    def open(self) -> None:
        self._pool.open(wait=False)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection this request holds (see ``idempotency_guard``), else one from the
        pool: a request never needs two connections, so the pool cannot deadlock."""
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield held
        else:
            with self._pool.connection() as conn:
                yield conn

    @contextmanager
    def _tx(
        self, who: Principal | None, *, as_server: bool = False
    ) -> Iterator[psycopg.Cursor[dict[str, Any]]]:
        """A transaction as ``who`` (RLS applies), or as the connection's own role.

        ``as_server``: as service_role (the only role that may write quotes) with ``who``'s
        claims, so ``auth.uid()`` still names the caller.
        """
        try:
            with self._connection() as conn, conn.transaction():
                cur = conn.cursor(row_factory=dict_row)
                if who is not None:
                    role = "service_role" if as_server else who.role
                    if role not in ROLES:
                        raise ApiError("FORBIDDEN", f"role {role!r} is not allowed")
                    cur.execute(f"set local role {role}")
                    cur.execute(
                        "select set_config('request.jwt.claims', %s, true)", (_claims(who),)
                    )
                yield cur
        except ApiError:
            raise
        except (psycopg.OperationalError, PoolTimeout) as err:
            raise DependencyUnavailable("database", err) from None

    def ping(self) -> str:
        with self._tx(None) as cur:
            cur.execute(
                "select to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') as ts"
            )
            row = cur.fetchone()
        assert row is not None
        return str(row["ts"])

    def active_catalog(self, who: Principal) -> CatalogRef | None:
        with self._tx(who) as cur:
            cur.execute(
                "select id::text, label, content_sha256 from shared.catalog_versions "
                "where status = 'active'"
            )
            row = cur.fetchone()
        return CatalogRef(row["id"], row["label"], row["content_sha256"]) if row else None

    def catalog_content(self, who: Principal, version_id: str) -> dict[str, Any]:
        with self._tx(who) as cur:
            cur.execute("select content from shared.catalog_versions where id = %s", (version_id,))
            row = cur.fetchone()
        if row is None:
            raise ApiError("NOT_FOUND", f"catalog version {version_id} not found")
        content: dict[str, Any] = row["content"]
        return content

    @contextmanager
    def idempotency_guard(self, who: Principal, key: str) -> Iterator[None]:
        """Run the request in one transaction holding an advisory lock on (owner, key).

        A second request with the key gets 409 while the first runs. The lock is a
        transaction lock: it cannot leak, and behind Supabase's transaction pooler the open
        transaction keeps every statement on the same server connection. The request's
        other calls run on this connection (as savepoints), so its quote is committed,
        all of it, only when the request succeeds.
        """
        try:
            conn = self._pool.getconn()
        except PoolTimeout as err:
            raise DependencyUnavailable("database", err) from None
        try:
            with conn.transaction():
                got = conn.execute(
                    "select pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                    (f"idem:{who.user_id}:{key}",),
                ).fetchone()
                if not got or not got[0]:
                    raise ApiError(
                        "IDEMPOTENCY_IN_FLIGHT",
                        "a request with this Idempotency-Key is still being processed",
                    )
                self._held.conn = conn
                try:
                    yield
                finally:
                    self._held.conn = None
        except psycopg.OperationalError as err:
            raise DependencyUnavailable("database", err) from None
        finally:
            self._pool.putconn(conn)

    def _quote(self, row: dict[str, Any] | None) -> StoredQuote | None:
        if row is None:
            return None
        return StoredQuote(
            id=row["id"],
            request_sha256=row["request_sha256"],
            status=row["status"],
            response=row["response"],
            created_at=row["created_at"],
        )

    _QUOTE = (
        "select id::text, request_sha256, status, response, "
        "to_char(created_at at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') as created_at "
        "from estimator.quotes "
    )

    def quote_by_key(self, who: Principal, key: str) -> StoredQuote | None:
        with self._tx(who) as cur:
            cur.execute(self._QUOTE + "where idempotency_key = %s", (key,))
            return self._quote(cur.fetchone())

    def user_exists(self, who: Principal) -> bool:
        try:
            with self._tx(who, as_server=True) as cur:
                cur.execute("select estimator.user_exists(%s) as ok", (who.user_id,))
                row = cur.fetchone()
        except psycopg.errors.InsufficientPrivilege as err:
            # a project whose service_role cannot read auth.users: say so, not a 500
            raise DependencyUnavailable("database", err) from None
        return bool(row and row["ok"])

    def create_quote(self, who: Principal, payload: dict[str, Any]) -> str:
        """Store the quote through ``estimator.create_quote`` as the server (service_role)."""
        payload = {**payload, "owner": who.user_id}
        try:
            with self._tx(who, as_server=True) as cur:
                cur.execute(
                    "select estimator.create_quote(%s::jsonb)::text as id", (json.dumps(payload),)
                )
                row = cur.fetchone()
        except psycopg.errors.UniqueViolation as err:
            raise ApiError("CONFLICT", "the quote conflicts with a stored one") from err
        except psycopg.errors.ForeignKeyViolation:
            raise unknown_user() from None
        except psycopg.Error as err:
            if err.sqlstate == "PT422":
                raise ApiError(
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used with a different request body",
                ) from None
            raise
        assert row is not None
        return str(row["id"])

    def get_quote(self, who: Principal, quote_id: str) -> StoredQuote | None:
        with self._tx(who) as cur:
            cur.execute(self._QUOTE + "where id = %s", (quote_id,))
            return self._quote(cur.fetchone())

    def get_quote_by_number(self, who: Principal, number: str) -> StoredQuote | None:
        with self._tx(who) as cur:
            cur.execute(self._QUOTE + "where quote_number = %s", (number,))
            return self._quote(cur.fetchone())

    def list_quotes(
        self, who: Principal, limit: int, offset: int, where: QuoteFilter | None = None
    ) -> list[dict[str, Any]]:
        conditions, params = _quote_conditions(where or QuoteFilter())
        with self._tx(who) as cur:
            cur.execute(
                "select id::text as quote_id, quote_number, status, grand_total, catalog_label, "
                "evidence_root_sha256 as evidence_root, "
                "coalesce(request -> 'customer' ->> 'project', request -> 'project' ->> 'name') "
                "as project, "
                "coalesce(request -> 'customer' ->> 'name', "
                "request -> 'project' -> 'customer' ->> 'name') as customer, "
                "to_char(created_at at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
                "as created_at from estimator.quotes "
                f"where {conditions} "
                "order by created_at desc, id desc limit %s offset %s",
                (*params, limit, offset),
            )
            return list(cur.fetchall())

    def evidence(self, who: Principal, quote_id: str) -> list[EvidenceRow]:
        with self._tx(who) as cur:
            cur.execute(
                "select stage, storage_path, sha256, size_bytes, content_type "
                "from estimator.evidence_blobs where quote_id = %s order by created_at, stage",
                (quote_id,),
            )
            return [EvidenceRow(**r) for r in cur.fetchall()]

    def evidence_valid(self, who: Principal, quote_id: str, stage: str, sha256: str) -> bool:
        with self._tx(who) as cur:
            cur.execute(
                "select estimator.validate_evidence_integrity(%s, %s, %s) as ok",
                (quote_id, stage, sha256),
            )
            row = cur.fetchone()
        return bool(row and row["ok"])

    # -- catalog versions (CatalogStore) ------------------------------------------------
    _VERSIONS = (
        "select v.id::text, v.label, v.status, v.content_sha256 as sha256, v.notes, "
        "to_char(v.created_at at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
        "as created_at, v.created_by::text, "
        "to_char(v.activated_at at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
        "as activated_at, v.activated_by::text, "
        "coalesce((select jsonb_object_agg(k.kind, k.n) from (select i.kind, count(*) as n "
        "from shared.catalog_items as i where i.version_id = v.id group by i.kind) as k), "
        "'{}'::jsonb) as counts "
        "from shared.catalog_versions as v "
    )
    # Serialises imports and activations: one content check and one switch at a time.
    _CATALOG_LOCK = "select pg_advisory_xact_lock(hashtextextended('kis:catalog:versions', 0))"

    @staticmethod
    def _versions(
        cur: psycopg.Cursor[dict[str, Any]], where: str, params: tuple[Any, ...]
    ) -> list[CatalogVersion]:
        cur.execute(PostgresStore._VERSIONS + where, params)
        return [CatalogVersion(**row) for row in cur.fetchall()]

    def catalog_versions(self, who: Principal) -> list[CatalogVersion]:
        with self._tx(who) as cur:
            return self._versions(cur, "order by v.created_at desc, v.label", ())

    def catalog_version(self, who: Principal, label: str) -> CatalogVersion | None:
        with self._tx(who) as cur:
            found = self._versions(cur, "where v.label = %s", (label,))
        return found[0] if found else None

    def create_catalog_version(self, who: Principal, new: NewCatalogVersion) -> CatalogVersion:
        """Insert a staging version, its items and a ``catalog.import`` audit entry at once.

        409 CONFLICT when the label is taken or a version already holds the same content
        (the document apart from its label), naming that version.
        """
        content = {k: v for k, v in new.content.items() if k != "label"}
        cols = ("kind", "brand", "series", "model", "af", "poles", "w_mm", "h_mm", "d_mm")
        try:
            with self._tx(who) as cur:
                cur.execute(self._CATALOG_LOCK)
                cur.execute(
                    "select label from shared.catalog_versions where label = %s", (new.label,)
                )
                if cur.fetchone():
                    raise ApiError(
                        "CONFLICT",
                        f"catalog version {new.label} already exists",
                        [{"label": new.label}],
                    )
                cur.execute(
                    "select label, content_sha256 from shared.catalog_versions "
                    "where content - 'label' = %s::jsonb order by created_at limit 1",
                    (json.dumps(content),),
                )
                same = cur.fetchone()
                if same:
                    raise ApiError(
                        "CONFLICT",
                        f"this content is already catalog version {same['label']}",
                        [{"label": same["label"], "sha256": same["content_sha256"]}],
                    )
                cur.execute(
                    "insert into shared.catalog_versions (label, status, content, "
                    "content_sha256, notes) values (%s, 'staging', %s::jsonb, %s, %s) "
                    "returning id::text as id",
                    (new.label, json.dumps(new.content), new.sha256, new.notes),
                )
                row = cur.fetchone()
                assert row is not None
                version_id = str(row["id"])
                cur.executemany(
                    "insert into shared.catalog_items (version_id, "
                    + ", ".join(cols)
                    + ", price, flags, meta) values (%s, "
                    + ", ".join(["%s"] * len(cols))
                    + ", %s, %s, %s::jsonb)",
                    [
                        (
                            version_id,
                            *(r.get(c) for c in cols),
                            r.get("price"),
                            r.get("flags", []),
                            json.dumps(r.get("meta", {})),
                        )
                        for r in new.items
                    ],
                )
                self._audit(cur, "catalog.import", f"catalog_version:{version_id}", new.audit)
                (version,) = self._versions(cur, "where v.id = %s", (version_id,))
                return version
        except psycopg.errors.UniqueViolation:
            raise ApiError(
                "CONFLICT", f"catalog version {new.label} already exists", [{"label": new.label}]
            ) from None
        except psycopg.errors.InsufficientPrivilege:
            raise ApiError("FORBIDDEN", "writing catalog versions needs catalog_admin") from None

    def activate_catalog_version(
        self,
        who: Principal,
        version_id: str,
        *,
        expected_active_id: str | None,
        action: str,
        detail: dict[str, Any],
    ) -> CatalogVersion:
        """Make a version active (``shared.activate_catalog_version``) and audit why, at once.

        409 CONFLICT when the active version is no longer ``expected_active_id`` (another
        activation won the race; what the caller checked is stale).
        """
        try:
            with self._tx(who) as cur:
                cur.execute(self._CATALOG_LOCK)
                cur.execute(
                    "select id::text as id, label from shared.catalog_versions "
                    "where status = 'active'"
                )
                active = cur.fetchone()
                if (active["id"] if active else None) != expected_active_id:
                    now = active["label"] if active else "none"
                    raise ApiError(
                        "CONFLICT",
                        f"the active catalog changed (now {now}) while this request ran; try again",
                    )
                cur.execute("select shared.activate_catalog_version(%s)", (version_id,))
                self._audit(cur, action, f"catalog_version:{version_id}", detail)
                (version,) = self._versions(cur, "where v.id = %s", (version_id,))
                return version
        except psycopg.errors.UniqueViolation:
            raise ApiError(
                "CONFLICT", "another activation ran at the same time; try again"
            ) from None
        except psycopg.errors.InsufficientPrivilege:
            raise ApiError("FORBIDDEN", "activating a catalog needs catalog_admin") from None

    @staticmethod
    def _audit(
        cur: psycopg.Cursor[dict[str, Any]], action: str, target: str, detail: dict[str, Any]
    ) -> None:
        cur.execute(
            "insert into shared.audit_logs (actor, action, target, detail) "
            "values (auth.uid(), %s, %s, %s::jsonb)",
            (action, target, json.dumps(detail)),
        )

    def append_audit(
        self, who: Principal, action: str, target: str, detail: dict[str, Any]
    ) -> None:
        with self._tx(who) as cur:
            self._audit(cur, action, target, detail)

    _PROFILE = (
        "select id::text, content_sha256, content, "
        "to_char(created_at at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
        "as created_at from shared.company_profiles "
    )

    @staticmethod
    def _profile(row: dict[str, Any] | None) -> StoredProfile | None:
        if row is None:
            return None
        return StoredProfile(row["id"], row["content_sha256"], row["content"], row["created_at"])

    def company_profile(self, who: Principal) -> StoredProfile | None:
        with self._tx(who) as cur:
            cur.execute(self._PROFILE + "order by created_at desc, id desc limit 1")
            return self._profile(cur.fetchone())

    def save_company_profile(
        self, who: Principal, content: dict[str, Any], sha256: str
    ) -> StoredProfile:
        """A new current profile, written as the server and audited in one transaction."""
        with self._tx(who, as_server=True) as cur:
            cur.execute(
                "insert into shared.company_profiles (content, content_sha256, created_by) "
                "values (%s::jsonb, %s, auth.uid()) returning id::text",
                (json.dumps(content), sha256),
            )
            row = cur.fetchone()
            assert row is not None
            self._audit(
                cur, "company_profile.update", f"company_profile:{row['id']}", {"sha256": sha256}
            )
            cur.execute(self._PROFILE + "where id = %s", (row["id"],))
            saved = self._profile(cur.fetchone())
        assert saved is not None
        return saved


def _quote_conditions(where: QuoteFilter) -> tuple[str, list[Any]]:
    """The SQL ``where`` of a quote list (fixed text; the values are parameters)."""
    conditions = ["true"]
    params: list[Any] = []
    if where.q:
        pattern = like_pattern(where.q)
        conditions.append("(" + " or ".join(f"{t} ilike %s" for t in SEARCHED_TEXTS) + ")")
        params += [pattern] * len(SEARCHED_TEXTS)
    if where.status:
        conditions.append("status = %s")
        params.append(where.status)
    if where.since is not None:
        conditions.append("issued_at >= %s")
        params.append(where.since)
    if where.before is not None:
        conditions.append("issued_at < %s")
        params.append(where.before)
    return " and ".join(conditions), params
