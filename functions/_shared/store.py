"""The Store port and its Postgres adapter (psycopg 3, pooler-safe).

Every call runs in one transaction that first sets ``role`` and ``request.jwt.claims``
from the verified token, exactly as PostgREST does, so row-level security decides what
a caller sees. Writes that must be atomic go through SQL functions of the migrations
(``estimator.create_quote``). No prepared statements: safe behind Supabase's pooler.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

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


class Store(Protocol):
    """What the handlers need from the database."""

    def ping(self) -> str: ...
    def active_catalog(self, who: Principal) -> CatalogRef | None: ...
    def catalog_content(self, who: Principal, version_id: str) -> dict[str, Any]: ...
    @contextmanager
    def idempotency_guard(self, who: Principal, key: str) -> Iterator[None]: ...
    def quote_by_key(self, who: Principal, key: str) -> StoredQuote | None: ...
    def create_quote(self, who: Principal, payload: dict[str, Any]) -> str: ...
    def get_quote(self, who: Principal, quote_id: str) -> StoredQuote | None: ...
    def list_quotes(self, who: Principal, limit: int, offset: int) -> list[dict[str, Any]]: ...
    def evidence(self, who: Principal, quote_id: str) -> list[EvidenceRow]: ...
    def evidence_valid(self, who: Principal, quote_id: str, stage: str, sha256: str) -> bool: ...


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

    def open(self) -> None:
        self._pool.open(wait=False)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _tx(self, who: Principal | None) -> Iterator[psycopg.Cursor[dict[str, Any]]]:
        """A transaction as ``who`` (RLS applies), or as the connection's own role."""
        try:
            with self._pool.connection() as conn, conn.transaction():
                cur = conn.cursor(row_factory=dict_row)
                if who is not None:
                    if who.role not in ROLES:
                        raise ApiError("FORBIDDEN", f"role {who.role!r} is not allowed")
                    cur.execute(f"set local role {who.role}")
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
        """Hold a session advisory lock on (owner, key) while the request runs; 409 if taken."""
        try:
            conn = self._pool.getconn()
        except PoolTimeout as err:
            raise DependencyUnavailable("database", err) from None
        try:
            lock_key = f"idem:{who.user_id}:{key}"
            conn.autocommit = True
            got = conn.execute(
                "select pg_try_advisory_lock(hashtextextended(%s, 0))", (lock_key,)
            ).fetchone()
            if not got or not got[0]:
                raise ApiError(
                    "IDEMPOTENCY_IN_FLIGHT",
                    "a request with this Idempotency-Key is still being processed",
                )
            try:
                yield
            finally:
                conn.execute("select pg_advisory_unlock(hashtextextended(%s, 0))", (lock_key,))
        except psycopg.OperationalError as err:
            raise DependencyUnavailable("database", err) from None
        finally:
            conn.autocommit = False
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

    def create_quote(self, who: Principal, payload: dict[str, Any]) -> str:
        try:
            with self._tx(who) as cur:
                cur.execute(
                    "select estimator.create_quote(%s::jsonb)::text as id", (json.dumps(payload),)
                )
                row = cur.fetchone()
        except psycopg.errors.UniqueViolation as err:
            raise ApiError("CONFLICT", "the quote conflicts with a stored one") from err
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

    def list_quotes(self, who: Principal, limit: int, offset: int) -> list[dict[str, Any]]:
        with self._tx(who) as cur:
            cur.execute(
                "select id::text as quote_id, status, grand_total, catalog_label, "
                "evidence_root_sha256 as evidence_root, "
                "request -> 'customer' ->> 'project' as project, "
                "to_char(created_at at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
                "as created_at from estimator.quotes "
                "order by created_at desc, id desc limit %s offset %s",
                (limit, offset),
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
