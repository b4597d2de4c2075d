"""The ``Store`` port over PostgREST (supabase-py's postgrest client), for deployments
given only ``SUPABASE_URL`` and keys.

Every call carries the caller's own token (``Authorization: Bearer <user JWT>``) next to
``apikey: <anon key>``, so PostgREST switches to the token's role and row-level security
decides, exactly as ``PostgresStore`` does with ``set local role``. Each call builds a
throw-away ``SyncPostgrestClient`` (a few header objects) on one shared ``httpx.Client``:
headers live on the per-call client, never on the shared one, so concurrent requests
cannot see each other's tokens. The shared client keeps no cookies either.

Differences from the psycopg adapter, by nature of the transport:

* ``idempotency_guard`` is a no-op. Over PostgREST, exactly-once comes from the unique
  (owner, idempotency_key) constraint inside ``estimator.create_quote``: a concurrent
  duplicate gets the first quote's id back (same body) or ``IDEMPOTENCY_KEY_REUSED``.
  Answering 409 ``IDEMPOTENCY_IN_FLIGHT`` for a request still running needs a session
  advisory lock and is a psycopg-only feature.
* postgrest-py's automatic retries (GET/HEAD on 503/520 and network errors, with 1-2-4 s
  sleeps) are off: a request fails fast with 503 and the client retries, as with psycopg.
* postgrest-py's ``APIError`` carries PostgREST's error ``code`` but not the HTTP status,
  so errors are classified by code, following PostgREST's code -> status table.
* The team changes (organisations, members, review, revisions) call the same SQL
  functions as service_role, naming the caller in their ``actor`` argument (the service
  key's claims name no user); the functions check the caller's role themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, cast

import httpx
from postgrest import APIResponse, SyncPostgrestClient
from postgrest.constants import DEFAULT_POSTGREST_CLIENT_HEADERS

from functions._shared.auth import Principal
from functions._shared.driver_errors import postgrest_errors
from functions._shared.errors import ApiError, DependencyUnavailable, Forbidden
from functions._shared.keys import is_api_key
from functions._shared.ports import (
    CatalogRef,
    CreatedQuote,
    DocumentRow,
    EvidenceRow,
    QuoteContext,
    QuoteFilter,
    QuoteSource,
    StoredProfile,
    StoredQuote,
)
from functions._shared.store import ROLES, like_pattern

_QUOTE_COLUMNS = "id,request_sha256,status,response,created_at"
_LIST_COLUMNS = (
    "quote_id:id,quote_number,status,grand_total,catalog_label,"
    "evidence_root:evidence_root_sha256,"
    "project:request->customer->>project,customer:request->customer->>name,"
    "project_name:request->project->>name,project_customer:request->project->customer->>name,"
    "created_at"
)
# PostgREST's spelling of store.SEARCHED_TEXTS.
_SEARCHED = (
    "quote_number",
    "request->customer->>name",
    "request->customer->>project",
    "request->project->>name",
    "request->project->customer->>name",
)
_EVIDENCE_COLUMNS = "stage,storage_path,sha256,size_bytes,content_type"
_SOURCE_COLUMNS = (
    "id,quote_number,status,request,catalog_version_id,catalog_label,catalog_sha256,"
    "evidence_root:evidence_root_sha256,response"
)
_REVISION_COLUMNS = (
    "quote_id:id,quote_number,revision,status,created_by:owner,previous_quote_id,"
    "grand_total,catalog_label,evidence_root:evidence_root_sha256,created_at"
)
_DOCUMENT_COLUMNS = "set_no,state,kind,filename,storage_path,sha256,content_type,size_bytes"


def http_client(
    timeout_s: float = 10.0, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """The shared HTTP client: bounded timeouts, no default headers, no cookie jar.

    Cookies are refused so nothing one response sets (a load balancer's cookie, say)
    is replayed on another user's request.
    """
    return httpx.Client(
        timeout=httpx.Timeout(timeout_s, connect=3.0),
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        transport=transport,
    )


def _utc(value: Any, fmt: str) -> str:
    """A timestamptz as PostgREST renders it (ISO 8601 with offset) -> UTC in ``fmt``."""
    return datetime.fromisoformat(str(value)).astimezone(UTC).strftime(fmt)


def _created_at(value: Any) -> str:
    # the psycopg adapter's to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return _utc(value, "%Y-%m-%dT%H:%M:%S.%fZ")


class PostgrestStore:
    """``Store`` over PostgREST with the caller's JWT, through supabase-py's postgrest."""

    commits_on_exit = False  # each call is its own transaction

    def __init__(
        self,
        supabase_url: str,
        anon_key: str,
        *,
        service_role_key: str | None = None,
        client: httpx.Client | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self._rest_url = f"{supabase_url.rstrip('/')}/rest/v1"
        self._anon_key = anon_key
        self._service_key = service_role_key
        self._owns_http = client is None
        self._http = client if client is not None else http_client(timeout_s)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def _client(self, schema: str, key: str, token: str) -> SyncPostgrestClient:
        """A per-call client: its own headers over the shared connection pool."""
        client = SyncPostgrestClient(
            self._rest_url,
            schema=schema,
            headers={**DEFAULT_POSTGREST_CLIENT_HEADERS, "apikey": key},
            http_client=self._http,
            retry_enabled=False,
        )
        # an sb_secret_ key is not a JWT: the gateway takes it from `apikey` alone
        return client if is_api_key(token) else client.auth(token)

    def _as(self, who: Principal, schema: str) -> SyncPostgrestClient:
        if who.role not in ROLES:
            raise Forbidden(f"role {who.role!r} is not allowed")
        return self._client(schema, self._anon_key, who.token)

    @staticmethod
    def _run(call: Callable[[], APIResponse], *, table: bool, anonymous: bool = False) -> Any:
        """Execute one request; map transport failures and PostgREST errors."""
        with postgrest_errors(table=table, anonymous=anonymous):
            return call().data

    def _select(self, who: Principal, call: Callable[[], APIResponse]) -> list[dict[str, Any]]:
        rows = self._run(call, table=True, anonymous=who.role == "anon")
        return cast(list[dict[str, Any]], rows)

    def _rpc(self, who: Principal, call: Callable[[], APIResponse]) -> Any:
        return self._run(call, table=False, anonymous=who.role == "anon")

    def ping(self) -> str:
        """Prove the Data API answers; the database's UTC time when a service key is set.

        With the service key: rpc ``shared.health_check_detailed`` (EXECUTE is granted to
        service_role only) and its ``checked_at``. Without it: ``GET /rest/v1/`` with the
        anon key, where any answer below 500 proves the API is up, dated by ``Date``.
        """
        if self._service_key:
            client = self._client("shared", self._service_key, self._service_key)
            report = self._run(client.rpc("health_check_detailed", {}).execute, table=False)
            try:
                return _utc(report["checked_at"], "%Y-%m-%dT%H:%M:%SZ")
            except (KeyError, TypeError, ValueError):
                raise DependencyUnavailable(
                    "database", "health_check_detailed gave no time"
                ) from None
        try:
            res = self._http.get(f"{self._rest_url}/", headers={"apikey": self._anon_key})
        except httpx.TransportError as err:
            raise DependencyUnavailable("database", err) from None
        if res.status_code >= 500:
            raise DependencyUnavailable("database", f"PostgREST answered {res.status_code}")
        try:
            when = parsedate_to_datetime(res.headers["date"])
        except (KeyError, TypeError, ValueError):
            when = datetime.now(UTC)
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def active_catalog(self, who: Principal) -> CatalogRef | None:
        query = (
            self._as(who, "shared")
            .from_("catalog_versions")
            .select("id,label,content_sha256")
            .eq("status", "active")
        )
        rows = self._select(who, query.execute)
        if not rows:
            return None
        row = rows[0]
        return CatalogRef(str(row["id"]), row["label"], row["content_sha256"])

    def catalog_content(self, who: Principal, version_id: str) -> dict[str, Any]:
        query = (
            self._as(who, "shared").from_("catalog_versions").select("content").eq("id", version_id)
        )
        rows = self._select(who, query.execute)
        if not rows:
            raise ApiError("NOT_FOUND", f"catalog version {version_id} not found")
        content: dict[str, Any] = rows[0]["content"]
        return content

    @contextmanager
    def idempotency_guard(self, who: Principal, key: str) -> Iterator[QuoteContext]:
        """No lock over PostgREST: the (owner, idempotency_key) constraint inside
        ``create_quote`` gives exactly-once; 409 for a key in flight is psycopg-only."""
        yield self.quote_context(who, key)

    @staticmethod
    def _quote(rows: list[dict[str, Any]]) -> StoredQuote | None:
        if not rows:
            return None
        row = rows[0]
        return StoredQuote(
            id=str(row["id"]),
            request_sha256=row["request_sha256"],
            status=row["status"],
            response=row["response"],
            created_at=_created_at(row["created_at"]),
        )

    def quote_by_key(self, who: Principal, key: str) -> StoredQuote | None:
        query = (
            self._as(who, "estimator")
            .from_("quotes")
            .select(_QUOTE_COLUMNS)
            .eq("owner", who.user_id)  # teammates' quotes are visible and may share keys
            .eq("idempotency_key", key)
        )
        return self._quote(self._select(who, query.execute))

    def _server(self, schema: str) -> SyncPostgrestClient:
        """A client as service_role: quotes are written by the server only."""
        if not self._service_key:
            raise DependencyUnavailable(
                "database", "writing quotes needs SUPABASE_SERVICE_ROLE_KEY (service_role)"
            )
        return self._client(schema, self._service_key, self._service_key)

    def user_exists(self, who: Principal) -> bool:
        params = cast(dict[str, str], {"user_id": who.user_id})
        ok = self._rpc(who, self._server("estimator").rpc("user_exists", params).execute)
        return ok is True

    def quote_context(self, who: Principal, key: str) -> QuoteContext:
        """Four reads (PostgREST has no multi-statement call): the key's quote, the user,
        the active version and the profile."""
        return QuoteContext(
            existing=self.quote_by_key(who, key),
            user_exists=self.user_exists(who),
            catalog=self.active_catalog(who),
            profile=self.company_profile(who),
        )

    def create_quote(self, who: Principal, payload: dict[str, Any]) -> str:
        # service_role names the owner (its own claims carry no user); postgrest-py
        # annotates rpc params as dict[str, str], they are sent as a JSON body
        params = cast(dict[str, str], {"payload": {**payload, "owner": who.user_id}})
        quote_id = self._rpc(who, self._server("estimator").rpc("create_quote", params).execute)
        if not isinstance(quote_id, str):
            raise DependencyUnavailable("database", "create_quote returned no quote id")
        return quote_id

    def write_quote(
        self, who: Principal, payload: dict[str, Any], response_json: bytes | None = None
    ) -> CreatedQuote:
        """``create_quote``, then the stored response (with the quote number it assigned):
        two calls, PostgREST has no transaction across them."""
        quote_id = self.create_quote(who, payload)
        stored = self.get_quote(who, quote_id)
        return CreatedQuote(quote_id, stored.response if stored else payload["response"])

    def get_quote(self, who: Principal, quote_id: str) -> StoredQuote | None:
        query = self._as(who, "estimator").from_("quotes").select(_QUOTE_COLUMNS).eq("id", quote_id)
        return self._quote(self._select(who, query.execute))

    def company_profile(self, who: Principal) -> StoredProfile | None:
        query = (
            self._as(who, "shared")
            .from_("company_profiles")
            .select("id,content_sha256,content,created_at")
            .order("created_at", desc=True)
            .order("id", desc=True)
            .limit(1)
        )
        rows = self._select(who, query.execute)
        if not rows:
            return None
        row = rows[0]
        return StoredProfile(
            str(row["id"]), row["content_sha256"], row["content"], _created_at(row["created_at"])
        )

    def get_quote_by_number(self, who: Principal, number: str) -> StoredQuote | None:
        query = (
            self._as(who, "estimator")
            .from_("quotes")
            .select(_QUOTE_COLUMNS)
            .eq("quote_number", number)
            .order("revision", desc=True)  # a quote number names all its revisions
            .limit(1)
        )
        return self._quote(self._select(who, query.execute))

    def list_quotes(
        self, who: Principal, limit: int, offset: int, where: QuoteFilter | None = None
    ) -> list[dict[str, Any]]:
        where = where or QuoteFilter()
        query = self._as(who, "estimator").from_("quotes").select(_LIST_COLUMNS)
        if where.q:
            pattern = _quoted(search_pattern(where.q))
            query = query.or_(",".join(f"{column}.ilike.{pattern}" for column in _SEARCHED))
        if where.status:
            query = query.eq("status", where.status)
        if where.organisation_id:
            query = query.eq("organisation_id", where.organisation_id)
        if where.since is not None:
            query = query.gte("issued_at", where.since.isoformat())
        if where.before is not None:
            query = query.lt("issued_at", where.before.isoformat())
        newest = not where.oldest_first
        query = query.order("created_at", desc=newest).order("id", desc=newest)
        rows = self._select(who, query.limit(limit).offset(offset).execute)
        return [
            {
                "quote_id": str(r["quote_id"]),
                "quote_number": r["quote_number"],
                "status": r["status"],
                "grand_total": r["grand_total"],
                "catalog_label": r["catalog_label"],
                "evidence_root": r["evidence_root"],
                "project": r["project"] if r["project"] is not None else r.get("project_name"),
                "customer": r.get("customer") or r.get("project_customer"),
                "created_at": _created_at(r["created_at"]),
            }
            for r in rows
        ]

    def evidence(self, who: Principal, quote_id: str) -> list[EvidenceRow]:
        query = (
            self._as(who, "estimator")
            .from_("evidence_blobs")
            .select(_EVIDENCE_COLUMNS)
            .eq("quote_id", quote_id)
            .order("created_at")
            .order("stage")
        )
        return [
            EvidenceRow(
                stage=r["stage"],
                storage_path=r["storage_path"],
                sha256=r["sha256"],
                size_bytes=int(r["size_bytes"]),
                content_type=r["content_type"],
            )
            for r in self._select(who, query.execute)
        ]

    def evidence_valid(self, who: Principal, quote_id: str, stage: str, sha256: str) -> bool:
        params = {"quote_id": quote_id, "stage": stage, "sha256": sha256}
        ok = self._rpc(
            who, self._as(who, "estimator").rpc("validate_evidence_integrity", params).execute
        )
        return ok is True

    # -- rendered documents (functions._shared.usecases.documents.DocumentStore) ----------
    def quote_source(self, who: Principal, quote_id: str) -> QuoteSource | None:
        query = (
            self._as(who, "estimator").from_("quotes").select(_SOURCE_COLUMNS).eq("id", quote_id)
        )
        rows = self._select(who, query.execute)
        if not rows:
            return None
        r = rows[0]
        return QuoteSource(
            id=str(r["id"]),
            quote_number=r["quote_number"],
            status=r["status"],
            request=r["request"],
            catalog_version_id=str(r["catalog_version_id"]),
            catalog_label=r["catalog_label"],
            catalog_sha256=r["catalog_sha256"],
            evidence_root=r["evidence_root"],
            response=r["response"],
        )

    def company_profile_by_id(self, who: Principal, profile_id: str) -> StoredProfile | None:
        query = (
            self._as(who, "shared")
            .from_("company_profiles")
            .select("id,content_sha256,content,created_at")
            .eq("id", profile_id)
        )
        rows = self._select(who, query.execute)
        if not rows:
            return None
        row = rows[0]
        return StoredProfile(
            str(row["id"]), row["content_sha256"], row["content"], _created_at(row["created_at"])
        )

    def documents(self, who: Principal, quote_id: str) -> list[DocumentRow]:
        query = (
            self._as(who, "estimator")
            .from_("documents")
            .select(_DOCUMENT_COLUMNS)
            .eq("quote_id", quote_id)
            .gte("set_no", 1)
            .order("set_no")
            .order("kind")
        )
        return [
            DocumentRow(
                set_no=int(r["set_no"]),
                state=r["state"],
                kind=r["kind"],
                filename=r["filename"],
                storage_path=r["storage_path"],
                sha256=r["sha256"],
                content_type=r["content_type"],
                size_bytes=int(r["size_bytes"]),
            )
            for r in self._select(who, query.execute)
        ]

    # -- the review history (functions._shared.usecases.reviews.ReviewHistoryStore) -----
    def review_history(self, who: Principal, quote_id: str) -> list[dict[str, Any]] | None:
        """The quote's ``quote_reviews`` with the caller's token (RLS decides), oldest
        first; None when the caller cannot read the quote."""
        if self.get_quote(who, quote_id) is None:
            return None
        query = (
            self._as(who, "estimator")
            .from_("quote_reviews")
            .select("reviewer,reviewer_email,decision,reason,at")
            .eq("quote_id", quote_id)
            .order("at")
            .order("id")
        )
        return [
            {
                "decision": r["decision"],
                "reason": r["reason"],
                "reviewer_id": str(r["reviewer"]),
                "reviewer_email": r["reviewer_email"],
                "created_at": _created_at(r["at"]),
            }
            for r in self._select(who, query.execute)
        ]

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
        """``estimator.record_documents`` as service_role; the service key's own claims name
        no user, so this transport cannot tie the set to the caller in SQL: the quote was
        read with the caller's token just before (RLS), which is the check here."""
        params = cast(
            dict[str, str],
            {
                "quote_id": quote_id,
                "set_no": set_no,
                "state": state,
                "profile_id": profile.id,
                "profile_sha256": profile.sha256,
                "documents": documents,
            },
        )
        n = self._rpc(who, self._server("estimator").rpc("record_documents", params).execute)
        if not isinstance(n, int):
            raise DependencyUnavailable("database", "record_documents returned no count")
        return n

    # -- teams (functions._shared.usecases.teams.TeamStore) -----------------------------------
    # Reads with the caller's token (RLS: their organisations only); changes through the
    # SQL functions as service_role naming the caller in ``actor`` (the service key's claims
    # name no user), which check the caller's role themselves, as over psycopg.

    def _team_rpc(self, who: Principal, name: str, params: dict[str, Any]) -> Any:
        args = cast(dict[str, str], {**params, "actor": who.user_id})
        return self._rpc(who, self._server("estimator").rpc(name, args).execute)

    def organisations(self, who: Principal) -> list[dict[str, Any]]:
        query = (
            self._as(who, "estimator")
            .from_("memberships")
            .select("role,organisation:organisations(id,name,personal_owner,created_at)")
            .eq("user_id", who.user_id)
        )
        rows = [r for r in self._select(who, query.execute) if r.get("organisation")]
        rows.sort(
            key=lambda r: (_created_at(r["organisation"]["created_at"]), r["organisation"]["id"])
        )
        return [
            {
                "id": str(r["organisation"]["id"]),
                "name": r["organisation"]["name"],
                "role": r["role"],
                "personal": r["organisation"]["personal_owner"] == who.user_id,
            }
            for r in rows
        ]

    def create_organisation(self, who: Principal, name: str) -> str:
        org = self._team_rpc(who, "create_organisation", {"name": name})
        if not isinstance(org, str):
            raise DependencyUnavailable("database", "create_organisation returned no id")
        return org

    def members(self, who: Principal, organisation_id: str) -> list[dict[str, Any]] | None:
        org = (
            self._as(who, "estimator").from_("organisations").select("id").eq("id", organisation_id)
        )
        if not self._select(who, org.execute):
            return None
        query = (
            self._as(who, "estimator")
            .from_("memberships")
            .select("user_id,role,created_at")
            .eq("organisation_id", organisation_id)
            .order("created_at")
            .order("user_id")
        )
        return [
            {"user_id": str(r["user_id"]), "role": r["role"], "since": _created_at(r["created_at"])}
            for r in self._select(who, query.execute)
        ]

    def member_emails(self, who: Principal, organisation_id: str) -> dict[str, str]:
        """User id → e-mail of the organisation's members (``estimator.member_emails`` with
        the caller's token: empty for a non-member)."""
        params = {"organisation_id": organisation_id}
        rows = self._rpc(who, self._as(who, "estimator").rpc("member_emails", params).execute)
        return {str(r["user_id"]): r["email"] for r in cast(list[dict[str, Any]], rows or [])}

    def user_id_by_email(self, who: Principal, email: str) -> str | None:
        params = cast(dict[str, str], {"email": email})
        found = self._rpc(who, self._server("estimator").rpc("user_id_by_email", params).execute)
        return found if isinstance(found, str) else None

    def set_member(
        self, who: Principal, organisation_id: str, user_id: str, role: str
    ) -> dict[str, Any]:
        row = self._team_rpc(
            who,
            "set_member",
            {"organisation_id": organisation_id, "user_id": user_id, "role": role},
        )
        if isinstance(row, list):  # a composite result may come as a one-row array
            row = row[0] if row else None
        if not isinstance(row, dict):
            raise DependencyUnavailable("database", "set_member returned no membership")
        return {
            "user_id": str(row["user_id"]),
            "role": row["role"],
            "organisation_id": str(row["organisation_id"]),
        }

    def remove_member(self, who: Principal, organisation_id: str, user_id: str) -> bool:
        removed = self._team_rpc(
            who, "remove_member", {"organisation_id": organisation_id, "user_id": user_id}
        )
        return removed is True

    def review_quote(
        self, who: Principal, quote_id: str, decision: str, reason: str
    ) -> dict[str, Any]:
        row = self._team_rpc(
            who, "review_quote", {"quote_id": quote_id, "decision": decision, "reason": reason}
        )
        if isinstance(row, list):
            row = row[0] if row else None
        if not isinstance(row, dict):
            raise DependencyUnavailable("database", "review_quote returned no review")
        stored = self.get_quote(who, quote_id)  # the status the function set
        if stored is None:
            raise ApiError("NOT_FOUND", "quote not found")
        return {
            "quote_id": str(row["quote_id"]),
            "decision": row["decision"],
            "reason": row["reason"],
            "reviewer": str(row["reviewer"]),
            "at": _created_at(row["at"]),
            "status": stored.status,
        }

    def write_revision(
        self, who: Principal, quote_id: str, payload: dict[str, Any]
    ) -> CreatedQuote:
        """``create_revision``, then the stored response: two calls (see ``write_quote``)."""
        new_id = self._team_rpc(who, "create_revision", {"quote_id": quote_id, "payload": payload})
        if not isinstance(new_id, str):
            raise DependencyUnavailable("database", "create_revision returned no quote id")
        stored = self.get_quote(who, new_id)
        return CreatedQuote(new_id, stored.response if stored else payload["response"])

    def quote_revisions(self, who: Principal, quote_id: str) -> list[dict[str, Any]]:
        """Every revision of the quote's number: two reads (PostgREST has no subquery)."""
        this = self._as(who, "estimator").from_("quotes").select("quote_number").eq("id", quote_id)
        found = self._select(who, this.execute)
        if not found or found[0]["quote_number"] is None:
            return []
        query = (
            self._as(who, "estimator")
            .from_("quotes")
            .select(_REVISION_COLUMNS)
            .eq("quote_number", found[0]["quote_number"])
            .order("revision")
        )
        return [
            {
                "quote_id": str(r["quote_id"]),
                "quote_number": r["quote_number"],
                "revision": r["revision"],
                "label": f"R{r['revision']}",
                "status": r["status"],
                "created_by": str(r["created_by"]),
                "previous_quote_id": (
                    str(r["previous_quote_id"]) if r["previous_quote_id"] else None
                ),
                "grand_total": r["grand_total"],
                "catalog_label": r["catalog_label"],
                "evidence_root": r["evidence_root"],
                "created_at": _created_at(r["created_at"]),
            }
            for r in self._select(who, query.execute)
        ]

    def quote_revision(self, who: Principal, quote_id: str) -> dict[str, Any] | None:
        query = (
            self._as(who, "estimator")
            .from_("quotes")
            .select("quote_id:id,quote_number,revision,request,response")
            .eq("id", quote_id)
        )
        rows = self._select(who, query.execute)
        return {**rows[0], "quote_id": str(rows[0]["quote_id"])} if rows else None


def search_pattern(text: str) -> str:
    """``text`` as a PostgREST ``ilike`` pattern matching it anywhere (``*`` is PostgREST's
    ``%``; ``%``, ``_`` and ``\\`` stay literal; a ``*`` in ``text`` cannot, and matches
    anything)."""
    return f"*{like_pattern(text)[1:-1]}*"


def _quoted(value: str) -> str:
    """A value of a PostgREST logic tree (``or=(…)``) in double quotes, so commas,
    parentheses and dots in it are text."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
