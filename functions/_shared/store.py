"""The psycopg adapter of the ``Store`` port (``functions._shared.ports``), pooler-safe.

Every call runs in one transaction that first sets ``role`` and ``request.jwt.claims``
from the verified token, exactly as PostgREST does, so row-level security decides what
a caller sees. Writes that must be atomic go through SQL functions of the migrations
(``estimator.create_quote``). No prepared statements: safe behind Supabase's pooler.
A quote is created in one transaction (``idempotency_guard``): the lock, the role and
claims once with the read of the context (one round trip), one write (``create_quote``).
Driver errors become API errors in ``functions._shared.driver_errors``.
"""

from __future__ import annotations

import json
import math
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from functions._shared.auth import Principal
from functions._shared.driver_errors import Overrides, psycopg_errors
from functions._shared.errors import (
    Conflict,
    DependencyUnavailable,
    Forbidden,
    IdempotencyInFlight,
    NotFound,
    unknown_user,
)
from functions._shared.ports import (
    CatalogRef,
    CatalogStore,
    CatalogVersion,
    CreatedQuote,
    DocumentRow,
    EvidenceRow,
    NewCatalogVersion,
    ProfileStore,
    QuoteContext,
    QuoteFilter,
    QuoteSource,
    Store,
    StoredProfile,
    StoredQuote,
)

__all__ = [  # the port's names stay importable from here while callers move to ports
    "ROLES",
    "CatalogRef",
    "CatalogStore",
    "CatalogVersion",
    "CreatedQuote",
    "EvidenceRow",
    "NewCatalogVersion",
    "PostgresStore",
    "ProfileStore",
    "QuoteContext",
    "Store",
    "StoredProfile",
    "StoredQuote",
    "unknown_user",
]

ROLES = {"authenticated", "service_role", "anon"}
# a service_role that cannot read auth.users (estimator.user_exists): say so, not a 500
_CANNOT_READ_USERS: Overrides = {
    "42501": lambda: DependencyUnavailable("database", "user_exists refused")
}
# A pooled connection idle this long is checked (a round trip) before it is used again.
CHECK_AFTER_IDLE_S = 2.0
_UTC_US = '\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\''


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


def _claims(who: Principal) -> str:
    return json.dumps(who.claims, separators=(",", ":"))


def _json(value: Any) -> bytes:
    """JSON for a ``jsonb`` parameter (any valid encoding: Postgres normalises it): orjson,
    about ten times faster than ``json`` on a quote's 20 KB payload; ``json`` for what
    orjson refuses (an integer beyond 64 bits, a lone surrogate), encoded as before."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value).encode()


class PostgresStore:
    """``Store`` over a psycopg connection pool."""

    commits_on_exit = True  # the guard's transaction commits when it exits

    def __init__(self, conninfo: str, *, pool_size: int = 8, timeout_s: float = 5.0) -> None:
        self._pool = ConnectionPool(
            conninfo,
            min_size=0,
            max_size=pool_size,
            timeout=timeout_s,
            kwargs={"autocommit": False, "prepare_threshold": None, "connect_timeout": 3},
            check=self._check,
            reset=self._returned,
            open=False,
        )
        self._held = threading.local()
        self._last_used: weakref.WeakKeyDictionary[psycopg.Connection[Any], float] = (
            weakref.WeakKeyDictionary()
        )

    def _returned(self, conn: psycopg.Connection[Any]) -> None:
        self._last_used[conn] = time.monotonic()

    def _check(self, conn: psycopg.Connection[Any]) -> None:
        """Check a connection with a round trip before handing it out only when it sat in
        the pool ``CHECK_AFTER_IDLE_S`` or more (the server may have closed it since);
        one just given back is handed out as it is (a round trip saved per request)."""
        if time.monotonic() - self._last_used.get(conn, -math.inf) >= CHECK_AFTER_IDLE_S:
            ConnectionPool.check_connection(conn)

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

    @staticmethod
    def _role(who: Principal, as_server: bool) -> str:
        role = "service_role" if as_server else who.role
        if role not in ROLES:
            raise Forbidden(f"role {role!r} is not allowed")
        return role

    @contextmanager
    def _tx(
        self, who: Principal | None, *, as_server: bool = False, errors: Overrides | None = None
    ) -> Iterator[psycopg.Cursor[dict[str, Any]]]:
        """A transaction as ``who`` (RLS applies), or as the connection's own role.

        ``as_server``: as service_role (the only role that may write quotes) with ``who``'s
        claims, so ``auth.uid()`` still names the caller. Inside ``idempotency_guard``,
        whose transaction already set the server role and the claims, a server call runs
        directly on it (no savepoint, no second ``set``).
        """
        with psycopg_errors(overrides=errors):
            held = getattr(self._held, "conn", None)
            if held is not None and as_server and getattr(self._held, "server", False):
                yield held.cursor(row_factory=dict_row)
                return
            with self._connection() as conn, conn.transaction():
                cur = conn.cursor(row_factory=dict_row)
                if who is not None:
                    cur.execute(
                        "select set_config('role', %s, true), "
                        "set_config('request.jwt.claims', %s, true)",
                        (self._role(who, as_server), _claims(who)),
                    )
                    if held is not None:
                        self._held.server = as_server
                yield cur

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
            raise NotFound(f"catalog version {version_id} not found")
        content: dict[str, Any] = row["content"]
        return content

    @contextmanager
    def idempotency_guard(self, who: Principal, key: str) -> Iterator[QuoteContext]:
        """Run the request in one transaction holding an advisory lock on (owner, key),
        and give its context (``quote_context``), read in the lock's round trip.

        A second request with the key gets 409 while the first runs. The lock is a
        transaction lock: it cannot leak, and behind Supabase's transaction pooler the open
        transaction keeps every statement on the same server connection. The same
        statement sets the server role and the caller's claims for the whole request; the
        context is read after it, as that role (psycopg's pipeline sends both at once).
        The request's other calls run on this connection, so its quote is committed, all
        of it, only when the request succeeds.
        """
        role = self._role(who, True)
        try:
            conn = self._pool.getconn()
        except PoolTimeout as err:
            raise DependencyUnavailable("database", err) from None
        try:
            with psycopg_errors(overrides=_CANNOT_READ_USERS), conn.transaction():
                lock = conn.cursor()
                read = conn.cursor(row_factory=dict_row)
                with conn.pipeline():
                    lock.execute(
                        "select pg_try_advisory_xact_lock(hashtextextended(%s, 0)), "
                        "set_config('role', %s, true), "
                        "set_config('request.jwt.claims', %s, true)",
                        (f"idem:{who.user_id}:{key}", role, _claims(who)),
                    )
                    read.execute(self._CONTEXT, {"uid": who.user_id, "key": key})
                got = lock.fetchone()
                if not got or not got[0]:
                    raise IdempotencyInFlight()
                context = self._context(read.fetchone())
                self._held.conn, self._held.server = conn, True
                try:
                    yield context
                finally:
                    self._held.conn, self._held.server = None, False
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

    _QUOTE_COLS = (
        "id::text as id, request_sha256, status, response, "
        f"to_char(created_at at time zone 'utc', {_UTC_US}) as created_at "
    )
    _QUOTE = "select " + _QUOTE_COLS + "from estimator.quotes "

    # One statement: the caller's quote under the key (owner named: the server role
    # bypasses RLS), whether the user exists, the active version, the current profile.
    _CONTEXT = (
        "select (select to_jsonb(q) from (select " + _QUOTE_COLS + "from estimator.quotes "
        "where owner = %(uid)s::uuid and idempotency_key = %(key)s) as q) as existing, "
        "estimator.user_exists(%(uid)s::uuid) as user_ok, "
        "(select to_jsonb(c) from (select id::text as id, label, content_sha256 as sha256 "
        "from shared.catalog_versions where status = 'active') as c) as catalog, "
        "(select to_jsonb(p) from (select id::text as id, content_sha256 as sha256, content, "
        f"to_char(created_at at time zone 'utc', {_UTC_US}) as created_at "
        "from shared.company_profiles order by created_at desc, id desc limit 1) as p) as profile"
    )

    def quote_context(self, who: Principal, key: str) -> QuoteContext:
        with self._tx(who, as_server=True, errors=_CANNOT_READ_USERS) as cur:
            cur.execute(self._CONTEXT, {"uid": who.user_id, "key": key})
            return self._context(cur.fetchone())

    def _context(self, row: dict[str, Any] | None) -> QuoteContext:
        assert row is not None
        cat, prof = row["catalog"], row["profile"]
        return QuoteContext(
            existing=self._quote(row["existing"]),
            user_exists=bool(row["user_ok"]),
            catalog=CatalogRef(**cat) if cat else None,
            profile=StoredProfile(**prof) if prof else None,
        )

    def quote_by_key(self, who: Principal, key: str) -> StoredQuote | None:
        with self._tx(who) as cur:
            # the caller's own key: teammates' quotes are visible too, and may share keys
            cur.execute(
                self._QUOTE + "where owner = (select auth.uid()) and idempotency_key = %s",
                (key,),
            )
            return self._quote(cur.fetchone())

    def user_exists(self, who: Principal) -> bool:
        with self._tx(who, as_server=True, errors=_CANNOT_READ_USERS) as cur:
            cur.execute("select estimator.user_exists(%s) as ok", (who.user_id,))
            row = cur.fetchone()
        return bool(row and row["ok"])

    def create_quote(self, who: Principal, payload: dict[str, Any]) -> str:
        """Store the quote through ``estimator.create_quote`` as the server (service_role)."""
        return self.write_quote(who, payload).id

    def write_quote(
        self, who: Principal, payload: dict[str, Any], response_json: bytes | None = None
    ) -> CreatedQuote:
        """``create_quote``, and the stored response (with the quote number it assigned)
        from the same transaction: no second request for the number.

        ``response_json``: ``payload["response"]`` already serialised, sent as it is. Only
        the members the storing transaction added to the response (the quote number) are
        read back, in the same round trip (psycopg's pipeline: the read runs after the
        call, in its transaction); another request's quote (a lost race) is read whole.
        """
        rest = {k: v for k, v in payload.items() if k != "response"}
        rest["owner"] = who.user_id
        if response_json is None:
            response_json = _json(payload.get("response", {}))
        text = (_json(rest)[:-1] + b',"response":' + response_json + b"}").decode()
        sent = payload.get("response", {})
        with self._tx(who, as_server=True) as cur:
            read = cur.connection.cursor(row_factory=dict_row)
            with cur.connection.pipeline():
                cur.execute("select estimator.create_quote(%s::jsonb)::text as id", (text,))
                read.execute(
                    "select response - %s::text[] as added from estimator.quotes "
                    "where id = %s::uuid",
                    (list(sent), payload.get("id")),
                )
            row = cur.fetchone()
            added = read.fetchone()
            assert row is not None
            if row["id"] != payload.get("id") or added is None:
                cur.execute("select response from estimator.quotes where id = %s", (row["id"],))
                other = cur.fetchone()
                assert other is not None
                return CreatedQuote(str(row["id"]), other["response"])
        return CreatedQuote(str(row["id"]), {**sent, **added["added"]})

    def get_quote(self, who: Principal, quote_id: str) -> StoredQuote | None:
        with self._tx(who) as cur:
            cur.execute(self._QUOTE + "where id = %s", (quote_id,))
            return self._quote(cur.fetchone())

    def get_quote_by_number(self, who: Principal, number: str) -> StoredQuote | None:
        with self._tx(who) as cur:
            # a quote number names all its revisions: the latest one answers
            cur.execute(
                self._QUOTE + "where quote_number = %s order by revision desc limit 1", (number,)
            )
            return self._quote(cur.fetchone())

    def list_quotes(
        self, who: Principal, limit: int, offset: int, where: QuoteFilter | None = None
    ) -> list[dict[str, Any]]:
        where = where or QuoteFilter()
        conditions, params = _quote_conditions(where)
        order = "created_at, id" if where.oldest_first else "created_at desc, id desc"
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
                f"order by {order} limit %s offset %s",
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
        exists = Conflict(f"catalog version {new.label} already exists", [{"label": new.label}])
        errors: Overrides = {
            "23505": lambda: exists,
            "42501": lambda: Forbidden("writing catalog versions needs catalog_admin"),
        }
        with self._tx(who, errors=errors) as cur:
            cur.execute(self._CATALOG_LOCK)
            cur.execute("select label from shared.catalog_versions where label = %s", (new.label,))
            if cur.fetchone():
                raise Conflict(
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
                raise Conflict(
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
        errors: Overrides = {
            "23505": lambda: Conflict("another activation ran at the same time; try again"),
            "42501": lambda: Forbidden("activating a catalog needs catalog_admin"),
        }
        with self._tx(who, errors=errors) as cur:
            cur.execute(self._CATALOG_LOCK)
            cur.execute(
                "select id::text as id, label from shared.catalog_versions where status = 'active'"
            )
            active = cur.fetchone()
            if (active["id"] if active else None) != expected_active_id:
                now = active["label"] if active else "none"
                raise Conflict(
                    f"the active catalog changed (now {now}) while this request ran; try again",
                )
            cur.execute("select shared.activate_catalog_version(%s)", (version_id,))
            self._audit(cur, action, f"catalog_version:{version_id}", detail)
            (version,) = self._versions(cur, "where v.id = %s", (version_id,))
            return version

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

    # -- rendered documents (functions._shared.usecases.documents.DocumentStore) ----------
    def quote_source(self, who: Principal, quote_id: str) -> QuoteSource | None:
        with self._tx(who) as cur:
            cur.execute(
                "select id::text, quote_number, status, request, catalog_version_id::text, "
                "catalog_label, catalog_sha256, evidence_root_sha256 as evidence_root, response "
                "from estimator.quotes where id = %s",
                (quote_id,),
            )
            row = cur.fetchone()
        return QuoteSource(**row) if row else None

    def company_profile_by_id(self, who: Principal, profile_id: str) -> StoredProfile | None:
        with self._tx(who) as cur:
            cur.execute(self._PROFILE + "where id = %s", (profile_id,))
            return self._profile(cur.fetchone())

    def documents(self, who: Principal, quote_id: str) -> list[DocumentRow]:
        """The quote's rendered documents, every set (1 on), by set then kind."""
        with self._tx(who) as cur:
            cur.execute(
                "select set_no, state, kind, filename, storage_path, sha256, content_type, "
                "size_bytes from estimator.documents "
                "where quote_id = %s and set_no >= 1 order by set_no, kind",
                (quote_id,),
            )
            return [DocumentRow(**r) for r in cur.fetchall()]

    def record_documents(
        self,
        who: Principal,
        quote_id: str,
        *,
        set_no: int,
        state: str,
        profile: StoredProfile,
        documents: list[dict[str, Any]],
    ) -> int:
        """Record a rendered set through ``estimator.record_documents`` as the server;
        idempotent (a set already recorded is kept). Returns the set's size."""
        with self._tx(who, as_server=True) as cur:  # P0002 (not the caller's quote): 404
            cur.execute(
                "select estimator.record_documents(%s, %s, %s, %s, %s, %s::jsonb) as n",
                (quote_id, set_no, state, profile.id, profile.sha256, json.dumps(documents)),
            )
            row = cur.fetchone()
        assert row is not None
        return int(row["n"])

    # Teams (functions._shared.usecases.teams.TeamStore) ----------------------------------------
    # Reads run as the caller (RLS: their organisations only); changes go through the SQL
    # functions as the server with the caller's claims, which check roles themselves.

    _TS = "to_char({} at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

    def organisations(self, who: Principal) -> list[dict[str, Any]]:
        with self._tx(who) as cur:
            cur.execute(
                "select o.id::text as id, o.name, m.role, "
                "coalesce(o.personal_owner = (select auth.uid()), false) as personal "
                "from estimator.organisations as o join estimator.memberships as m "
                "on m.organisation_id = o.id and m.user_id = (select auth.uid()) "
                "order by o.created_at, o.id"
            )
            return list(cur.fetchall())

    def create_organisation(self, who: Principal, name: str) -> str:
        with self._tx(who, as_server=True) as cur:
            cur.execute("select estimator.create_organisation(%s)::text as id", (name,))
            row = cur.fetchone()
        assert row is not None
        return str(row["id"])

    def members(self, who: Principal, organisation_id: str) -> list[dict[str, Any]] | None:
        with self._tx(who) as cur:
            cur.execute("select 1 from estimator.organisations where id = %s", (organisation_id,))
            if cur.fetchone() is None:
                return None
            cur.execute(
                "select user_id::text, role, "
                + self._TS.format("created_at")
                + " as since from estimator.memberships where organisation_id = %s "
                "order by created_at, user_id",
                (organisation_id,),
            )
            return list(cur.fetchall())

    def user_id_by_email(self, who: Principal, email: str) -> str | None:
        with self._tx(who, as_server=True) as cur:
            cur.execute("select estimator.user_id_by_email(%s)::text as id", (email,))
            row = cur.fetchone()
        return None if row is None or row["id"] is None else str(row["id"])

    def set_member(
        self, who: Principal, organisation_id: str, user_id: str, role: str
    ) -> dict[str, Any]:
        with self._tx(who, as_server=True) as cur:
            cur.execute(
                "select m.user_id::text, m.role, m.organisation_id::text from "
                "estimator.set_member(%s, %s, %s) as m",
                (organisation_id, user_id, role),
            )
            row = cur.fetchone()
        assert row is not None
        return dict(row)

    def remove_member(self, who: Principal, organisation_id: str, user_id: str) -> bool:
        with self._tx(who, as_server=True) as cur:
            cur.execute(
                "select estimator.remove_member(%s, %s) as removed", (organisation_id, user_id)
            )
            row = cur.fetchone()
        return bool(row and row["removed"])

    def review_quote(
        self, who: Principal, quote_id: str, decision: str, reason: str
    ) -> dict[str, Any]:
        with self._tx(who, as_server=True) as cur:
            cur.execute(
                "select r.quote_id::text, r.decision, r.reason, r.reviewer::text, "
                + self._TS.format("r.at")
                + " as at from estimator.review_quote(%s, %s, %s) as r",
                (quote_id, decision, reason),
            )
            row = cur.fetchone()
            # a new statement: it sees the status the function set
            cur.execute("select status from estimator.quotes where id = %s", (quote_id,))
            status = cur.fetchone()
        assert row is not None and status is not None
        return {**row, "status": status["status"]}

    def write_revision(
        self, who: Principal, quote_id: str, payload: dict[str, Any]
    ) -> CreatedQuote:
        """``create_revision``: ``payload`` (``write_quote``'s) stored as the next revision
        of the latest revision ``quote_id``, and its stored response; an earlier revision
        or a lost race is CONFLICT, another organisation's quote NOT_FOUND."""
        with self._tx(who, as_server=True) as cur:
            cur.execute(
                "select estimator.create_revision(%s, %s::jsonb)::text as id",
                (quote_id, json.dumps(payload)),
            )
            row = cur.fetchone()
            assert row is not None
            cur.execute("select response from estimator.quotes where id = %s", (row["id"],))
            stored = cur.fetchone()
        assert stored is not None
        return CreatedQuote(str(row["id"]), stored["response"])

    def review_history(self, who: Principal, quote_id: str) -> list[dict[str, Any]] | None:
        """The quote's ``estimator.quote_reviews`` as the caller (RLS decides), oldest
        first; None when the caller cannot read the quote."""
        with self._tx(who) as cur:
            cur.execute("select 1 from estimator.quotes where id = %s", (quote_id,))
            if cur.fetchone() is None:
                return None
            cur.execute(
                "select decision, reason, reviewer::text as reviewer_id, reviewer_email, "
                + self._TS.format("at")
                + " as created_at from estimator.quote_reviews where quote_id = %s "
                "order by at, id",
                (quote_id,),
            )
            return list(cur.fetchall())

    def member_emails(self, who: Principal, organisation_id: str) -> dict[str, str]:
        """User id → e-mail of the organisation's members (empty for a non-member)."""
        with self._tx(who) as cur:
            cur.execute(
                "select user_id::text, email from estimator.member_emails(%s)", (organisation_id,)
            )
            return {r["user_id"]: r["email"] for r in cur.fetchall()}

    def quote_revisions(self, who: Principal, quote_id: str) -> list[dict[str, Any]]:
        with self._tx(who) as cur:
            cur.execute(
                "select q.id::text as quote_id, q.quote_number, q.revision, "
                "'R' || q.revision as label, q.status, q.owner::text as created_by, "
                "q.previous_quote_id::text, q.grand_total, q.catalog_label, "
                "q.evidence_root_sha256 as evidence_root, "
                + self._TS.format("q.created_at")
                + " as created_at from estimator.quotes as q "
                "where q.quote_number = (select quote_number from estimator.quotes where id = %s) "
                "order by q.revision",
                (quote_id,),
            )
            return list(cur.fetchall())

    def quote_revision(self, who: Principal, quote_id: str) -> dict[str, Any] | None:
        with self._tx(who) as cur:
            cur.execute(
                "select id::text as quote_id, quote_number, revision, request, response "
                "from estimator.quotes where id = %s",
                (quote_id,),
            )
            row = cur.fetchone()
        return None if row is None else dict(row)


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
    if where.organisation_id:
        conditions.append("organisation_id = %s")
        params.append(where.organisation_id)
    if where.since is not None:
        conditions.append("issued_at >= %s")
        params.append(where.since)
    if where.before is not None:
        conditions.append("issued_at < %s")
        params.append(where.before)
    return " and ".join(conditions), params
