"""Request shapes of the Supabase adapters, against ``httpx.MockTransport`` (no network).

``PostgrestStore`` (functions/_shared/postgrest.py) must send each caller's own token to
PostgREST with the anon key, pick the schema with ``Accept-Profile``/``Content-Profile``,
call the migrations' SQL functions with the right JSON bodies, parse the answers into the
``Store`` dataclasses and map errors. ``SupabaseBlobStore`` (functions/_shared/blobs.py)
is driven through a supabase-py client built over the same kind of mock transport.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
import pytest

from functions._shared.auth import Principal
from functions._shared.blobs import LocalBlobStore, SupabaseBlobStore, storage_client
from functions._shared.errors import ApiError
from functions._shared.ports import (
    CatalogRef,
    DocumentRow,
    EvidenceRow,
    QuoteFilter,
    QuoteSource,
    StoredProfile,
    StoredQuote,
)
from functions._shared.postgrest import PostgrestStore, http_client
from functions._shared.services import build_services
from functions._shared.settings import Settings

SUPABASE_URL = "https://project.supabase.test"
ANON_KEY = "anon-key"
SERVICE_KEY = "service-role-key"
# The two shapes of a server-side key: a legacy service_role JWT and a new secret key.
LEGACY_SERVICE_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl"
SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"
QUOTE_ID = "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
VERSION_ID = "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
SHA = "a" * 64


def principal(name: str, role: str = "authenticated") -> Principal:
    user_id = {"alice": "11111111-1111-4111-8111-111111111111"}.get(
        name, "22222222-2222-4222-8222-222222222222"
    )
    claims = {"sub": user_id, "role": role, "aud": "authenticated"}
    return Principal(user_id=user_id, role=role, claims=claims, token=f"{name}-jwt")


ALICE = principal("alice")
BOB = principal("bob")

Responder = Callable[[httpx.Request], httpx.Response]


@dataclass
class Recorder:
    """A MockTransport handler that keeps every request it answered."""

    respond: Responder
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.respond(request)

    @property
    def only(self) -> httpx.Request:
        assert len(self.requests) == 1, [str(r.url) for r in self.requests]
        return self.requests[0]


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Responder:
    return lambda _request: httpx.Response(status, json=body, headers=headers)


def fail_with(error: Exception) -> Responder:
    def respond(_request: httpx.Request) -> httpx.Response:
        raise error

    return respond


@pytest.fixture
def clients() -> Iterator[list[httpx.Client]]:
    made: list[httpx.Client] = []
    yield made
    for client in made:
        client.close()


@pytest.fixture
def api(clients: list[httpx.Client]) -> Callable[..., tuple[PostgrestStore, Recorder]]:
    """A PostgrestStore over a mock transport answering with ``respond``."""

    def make(
        respond: Responder, service_role_key: str | None = SERVICE_KEY
    ) -> tuple[PostgrestStore, Recorder]:
        recorder = Recorder(respond)
        client = httpx.Client(transport=httpx.MockTransport(recorder))
        clients.append(client)
        store = PostgrestStore(
            SUPABASE_URL, ANON_KEY, service_role_key=service_role_key, client=client
        )
        return store, recorder

    return make


def params(request: httpx.Request) -> list[tuple[str, str]]:
    return sorted(request.url.params.multi_items())


def assert_as_user(request: httpx.Request, who: Principal, schema: str) -> None:
    assert request.headers["apikey"] == ANON_KEY
    assert request.headers["authorization"] == f"Bearer {who.token}"
    assert request.headers["accept-profile"] == schema
    assert request.headers["content-profile"] == schema


# --- PostgrestStore: reads ------------------------------------------------------------------


def test_the_active_catalog_is_read_from_the_shared_schema_with_the_callers_token(api: Any) -> None:
    store, mock = api(answer([{"id": VERSION_ID, "label": "v1.2", "content_sha256": SHA}]))

    ref = store.active_catalog(ALICE)

    request = mock.only
    assert request.method == "GET"
    assert request.url.path == "/rest/v1/catalog_versions"
    assert params(request) == [("select", "id,label,content_sha256"), ("status", "eq.active")]
    assert_as_user(request, ALICE, "shared")
    assert ref == CatalogRef(id=VERSION_ID, label="v1.2", sha256=SHA)


def test_no_active_catalog_is_none(api: Any) -> None:
    store, _ = api(answer([]))

    assert store.active_catalog(ALICE) is None


def test_catalog_content_is_selected_by_version_id(api: Any) -> None:
    store, mock = api(answer([{"content": {"brands": ["SANGDO"]}}]))

    content = store.catalog_content(ALICE, VERSION_ID)

    assert mock.only.url.path == "/rest/v1/catalog_versions"
    assert params(mock.only) == [("id", f"eq.{VERSION_ID}"), ("select", "content")]
    assert_as_user(mock.only, ALICE, "shared")
    assert content == {"brands": ["SANGDO"]}


def test_a_catalog_version_that_is_not_visible_is_not_found(api: Any) -> None:
    store, _ = api(answer([]))

    with pytest.raises(ApiError) as err:
        store.catalog_content(ALICE, VERSION_ID)

    assert err.value.code == "NOT_FOUND"


def quote_row(created_at: str = "2026-11-22T19:00:00.5+09:00") -> dict[str, Any]:
    return {
        "id": QUOTE_ID,
        "request_sha256": SHA,
        "status": "issued",
        "response": {"quote_id": QUOTE_ID, "totals": {"grand_total": 1100}},
        "created_at": created_at,
    }


def test_a_quote_is_found_by_idempotency_key_and_its_time_is_rendered_in_utc(api: Any) -> None:
    store, mock = api(answer([quote_row()]))

    stored = store.quote_by_key(ALICE, "key-1")

    request = mock.only
    assert request.method == "GET"
    assert request.url.path == "/rest/v1/quotes"
    assert params(request) == [
        ("idempotency_key", "eq.key-1"),
        # the caller's own key: teammates' quotes are visible too and may share keys
        ("owner", f"eq.{ALICE.user_id}"),
        ("select", "id,request_sha256,status,response,created_at"),
    ]
    assert_as_user(request, ALICE, "estimator")
    assert stored == StoredQuote(
        id=QUOTE_ID,
        request_sha256=SHA,
        status="issued",
        response={"quote_id": QUOTE_ID, "totals": {"grand_total": 1100}},
        created_at="2026-11-22T10:00:00.500000Z",
    )


def test_a_quote_is_read_by_id_and_an_invisible_one_is_none(api: Any) -> None:
    rows: list[list[dict[str, Any]]] = [[quote_row("2026-11-22T10:00:00+00:00")], []]
    store, mock = api(lambda _request: httpx.Response(200, json=rows.pop(0)))

    found = store.get_quote(ALICE, QUOTE_ID)
    missing = store.get_quote(BOB, QUOTE_ID)

    assert [r.url.path for r in mock.requests] == ["/rest/v1/quotes", "/rest/v1/quotes"]
    assert ("id", f"eq.{QUOTE_ID}") in params(mock.requests[0])
    assert_as_user(mock.requests[1], BOB, "estimator")
    assert found is not None and found.created_at == "2026-11-22T10:00:00.000000Z"
    assert missing is None


def test_the_quote_list_is_newest_first_paged_and_shaped_like_the_psycopg_one(api: Any) -> None:
    row = {
        "quote_id": QUOTE_ID,
        "quote_number": "Q-2026-000123",
        "status": "issued",
        "grand_total": 1_234_500,
        "catalog_label": "v1.2",
        "evidence_root": SHA,
        "project": "Sangdo apartments",
        "customer": "Hanbit",
        "project_name": None,
        "project_customer": None,
        "created_at": "2026-11-22T10:00:00.123456+00:00",
    }
    store, mock = api(answer([row]))

    rows = store.list_quotes(ALICE, 21, 40)

    request = mock.only
    assert request.url.path == "/rest/v1/quotes"
    assert params(request) == [
        ("limit", "21"),
        ("offset", "40"),
        ("order", "created_at.desc,id.desc"),
        (
            "select",
            "quote_id:id,quote_number,status,grand_total,catalog_label,"
            "evidence_root:evidence_root_sha256,project:request->customer->>project,"
            "customer:request->customer->>name,project_name:request->project->>name,"
            "project_customer:request->project->customer->>name,created_at",
        ),
    ]
    assert_as_user(request, ALICE, "estimator")
    shaped = {k: v for k, v in row.items() if k not in ("project_name", "project_customer")}
    assert rows == [{**shaped, "created_at": "2026-11-22T10:00:00.123456Z"}]


def test_the_quote_list_filters_become_postgrest_filters_with_the_search_text_literal(
    api: Any,
) -> None:
    project_row = {
        "quote_id": QUOTE_ID,
        "quote_number": "Q-2026-000124",
        "status": "needs_review",
        "grand_total": 1,
        "catalog_label": "v1.2",
        "evidence_root": SHA,
        "project": None,
        "customer": None,
        "project_name": "Hanbit tower",
        "project_customer": "Hanbit",
        "created_at": "2026-11-22T10:00:00+00:00",
    }
    store, mock = api(answer([project_row]))
    where = QuoteFilter(
        q='50%_a,b"(c)\\',
        status="needs_review",
        issued_from=date(2026, 11, 1),
        issued_to=date(2026, 11, 30),
    )

    rows = store.list_quotes(ALICE, 21, 0, where)

    got = dict(params(mock.only))
    pattern = '"*50\\\\%\\\\_a,b\\"(c)\\\\\\\\*"'
    assert (
        got["or"]
        == "("
        + ",".join(
            f"{column}.ilike.{pattern}"
            for column in (
                "quote_number",
                "request->customer->>name",
                "request->customer->>project",
                "request->project->>name",
                "request->project->customer->>name",
            )
        )
        + ")"
    )
    assert got["status"] == "eq.needs_review"
    # Korea's days: Nov 1 00:00 KST to Dec 1 00:00 KST
    assert sorted(v for k, v in params(mock.only) if k == "issued_at") == [
        "gte.2026-11-01T00:00:00+09:00",
        "lt.2026-12-01T00:00:00+09:00",
    ]
    assert rows[0]["project"] == "Hanbit tower" and rows[0]["customer"] == "Hanbit"


def test_a_quote_is_found_by_its_number_as_the_user(api: Any) -> None:
    store, mock = api(answer([]))

    assert store.get_quote_by_number(ALICE, "Q-2026-000123") is None

    request = mock.only
    assert request.url.path == "/rest/v1/quotes"
    assert ("quote_number", "eq.Q-2026-000123") in params(request)
    assert_as_user(request, ALICE, "estimator")


def test_evidence_rows_are_selected_per_quote_in_stage_order(api: Any) -> None:
    store, mock = api(
        answer(
            [
                {
                    "stage": "input",
                    "storage_path": f"quote/{QUOTE_ID}/input/{SHA}.json",
                    "sha256": SHA,
                    "size_bytes": 512,
                    "content_type": "application/json",
                }
            ]
        )
    )

    rows = store.evidence(ALICE, QUOTE_ID)

    request = mock.only
    assert request.url.path == "/rest/v1/evidence_blobs"
    assert params(request) == [
        ("order", "created_at.asc,stage.asc"),
        ("quote_id", f"eq.{QUOTE_ID}"),
        ("select", "stage,storage_path,sha256,size_bytes,content_type"),
    ]
    assert_as_user(request, ALICE, "estimator")
    assert rows == [
        EvidenceRow("input", f"quote/{QUOTE_ID}/input/{SHA}.json", SHA, 512, "application/json")
    ]


@pytest.mark.parametrize("recorded", [True, False])
def test_evidence_integrity_is_checked_by_the_sql_function(api: Any, recorded: bool) -> None:
    store, mock = api(answer(recorded))

    ok = store.evidence_valid(ALICE, QUOTE_ID, "input", SHA)

    request = mock.only
    assert request.method == "POST"
    assert request.url.path == "/rest/v1/rpc/validate_evidence_integrity"
    assert json.loads(request.content) == {"quote_id": QUOTE_ID, "stage": "input", "sha256": SHA}
    assert_as_user(request, ALICE, "estimator")
    assert ok is recorded


def test_the_review_history_is_read_as_the_user_after_the_quote(api: Any) -> None:
    row = {
        "reviewer": "aa000000-0000-4000-8000-000000000002",
        "reviewer_email": "rita@acme.test",
        "decision": "approve",
        "reason": "ok",
        "at": "2026-11-30T21:00:00.5+09:00",
    }
    answers: list[Any] = [[quote_row()], [row], []]
    store, mock = api(lambda _request: httpx.Response(200, json=answers.pop(0)))

    history = store.review_history(ALICE, QUOTE_ID)
    hidden = store.review_history(BOB, QUOTE_ID)

    quote, reviews, invisible = mock.requests
    assert (quote.url.path, reviews.url.path) == ("/rest/v1/quotes", "/rest/v1/quote_reviews")
    assert reviews.url.params["quote_id"] == f"eq.{QUOTE_ID}"
    assert reviews.url.params["order"] in ("at.asc,id.asc", "at,id")
    assert_as_user(reviews, ALICE, "estimator")
    assert history == [
        {
            "decision": "approve",
            "reason": "ok",
            "reviewer_id": row["reviewer"],
            "reviewer_email": "rita@acme.test",
            "created_at": "2026-11-30T12:00:00.500000Z",
        }
    ]
    assert_as_user(invisible, BOB, "estimator")
    assert hidden is None  # no quote for BOB: nothing more asked


def test_member_emails_are_read_as_the_user(api: Any) -> None:
    org = "0e000000-0000-4000-8000-00000000000a"
    answer = [{"user_id": ALICE.user_id, "email": "alice@acme.test"}]
    store, mock = api(lambda _request: httpx.Response(200, json=answer))

    emails = store.member_emails(ALICE, org)

    (request,) = mock.requests
    assert (request.method, request.url.path) == ("POST", "/rest/v1/rpc/member_emails")
    assert json.loads(request.content) == {"organisation_id": org}
    assert_as_user(request, ALICE, "estimator")
    assert emails == {ALICE.user_id: "alice@acme.test"}


# --- PostgrestStore: rendered documents -------------------------------------------------------


def test_what_a_quote_recorded_is_read_as_the_user(api: Any) -> None:
    row = {
        "id": QUOTE_ID,
        "quote_number": "Q-2026-000123",
        "status": "issued",
        "request": {"brand": "SANGDO"},
        "catalog_version_id": VERSION_ID,
        "catalog_label": "v1.1.0",
        "catalog_sha256": SHA,
        "evidence_root": SHA,
        "response": {"cover": {}},
    }
    store, mock = api(answer([row]))

    source = store.quote_source(ALICE, QUOTE_ID)

    request = mock.only
    assert request.url.path == "/rest/v1/quotes"
    assert ("id", f"eq.{QUOTE_ID}") in params(request)
    columns = (
        "id,quote_number,status,request,catalog_version_id,catalog_label,"
        "catalog_sha256,evidence_root:evidence_root_sha256,response"
    )
    assert ("select", columns) in params(request)
    assert_as_user(request, ALICE, "estimator")
    assert source == QuoteSource(**row)


def test_the_documents_of_a_quote_are_its_rendered_sets_in_order(api: Any) -> None:
    row = {
        "set_no": 1,
        "state": "issued",
        "kind": "pdf",
        "filename": "quote.pdf",
        "storage_path": f"quote/{QUOTE_ID}/pdf/{SHA}.pdf",
        "sha256": SHA,
        "content_type": "application/pdf",
        "size_bytes": 2048,
    }
    store, mock = api(answer([row]))

    rows = store.documents(ALICE, QUOTE_ID)

    request = mock.only
    assert request.url.path == "/rest/v1/documents"
    assert ("set_no", "gte.1") in params(request)
    assert ("order", "set_no.asc,kind.asc") in params(request)
    assert_as_user(request, ALICE, "estimator")
    assert rows == [DocumentRow(**row)]


def test_a_document_set_is_recorded_by_the_server_role(api: Any) -> None:
    store, mock = api(answer(4))
    profile = StoredProfile("f0000000-0000-4000-8000-000000000001", SHA, {}, "2026-01-01")
    docs = [{"kind": "pdf", "sha256": SHA}]

    n = store.record_documents(
        ALICE, QUOTE_ID, set_no=1, state="issued", profile=profile, documents=docs
    )

    request = mock.only
    assert request.url.path == "/rest/v1/rpc/record_documents"
    assert json.loads(request.content) == {
        "quote_id": QUOTE_ID,
        "set_no": 1,
        "state": "issued",
        "profile_id": profile.id,
        "profile_sha256": SHA,
        "documents": docs,
    }
    assert request.headers["authorization"] == f"Bearer {SERVICE_KEY}"
    assert n == 4


def test_recording_documents_of_an_invisible_quote_is_not_found(api: Any) -> None:
    store, _ = api(answer({"code": "P0002", "message": "not found", "details": None}, 400))
    profile = StoredProfile("f0000000-0000-4000-8000-000000000001", SHA, {}, "2026-01-01")

    with pytest.raises(ApiError) as err:
        store.record_documents(
            ALICE, QUOTE_ID, set_no=1, state="issued", profile=profile, documents=[{}]
        )

    assert err.value.code == "NOT_FOUND"


# --- PostgrestStore: create_quote and idempotency -----------------------------------------


def test_a_quote_is_created_by_the_server_role_naming_the_verified_owner(api: Any) -> None:
    store, mock = api(answer(QUOTE_ID))
    payload = {"id": QUOTE_ID, "idempotency_key": "key-1", "items": [{"qty": 2}]}

    quote_id = store.create_quote(ALICE, payload)

    request = mock.only
    assert request.method == "POST"
    assert request.url.path == "/rest/v1/rpc/create_quote"
    assert request.url.query == b""
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"payload": {**payload, "owner": ALICE.user_id}}
    # users cannot call create_quote: the write goes as service_role
    assert request.headers["apikey"] == SERVICE_KEY
    assert request.headers["authorization"] == f"Bearer {SERVICE_KEY}"
    assert request.headers["content-profile"] == "estimator"
    assert quote_id == QUOTE_ID


def test_a_quote_for_a_deleted_user_is_unknown_user(api: Any) -> None:
    body = {"code": "23503", "message": "insert violates foreign key", "details": None}
    store, _ = api(answer(body, status=409))

    with pytest.raises(ApiError) as err:
        store.create_quote(ALICE, {"idempotency_key": "key-1"})

    assert (err.value.code, err.value.status) == ("UNKNOWN_USER", 401)


def test_writing_a_quote_without_the_service_key_is_503(api: Any) -> None:
    store, mock = api(answer(QUOTE_ID), service_role_key=None)

    with pytest.raises(ApiError) as err:
        store.create_quote(ALICE, {"idempotency_key": "key-1"})

    assert err.value.code == "DEPENDENCY_UNAVAILABLE"
    assert mock.requests == []


@pytest.mark.parametrize("exists", [True, False])
def test_whether_the_user_exists_is_asked_as_the_server(api: Any, exists: bool) -> None:
    store, mock = api(answer(exists))

    assert store.user_exists(ALICE) is exists

    request = mock.only
    assert request.url.path == "/rest/v1/rpc/user_exists"
    assert json.loads(request.content) == {"user_id": ALICE.user_id}
    assert request.headers["authorization"] == f"Bearer {SERVICE_KEY}"


def test_a_reused_idempotency_key_is_idempotency_key_reused(api: Any) -> None:
    body = {"code": "PT422", "message": "IDEMPOTENCY_KEY_REUSED: key-1", "details": None}
    store, _ = api(answer(body, status=422))

    with pytest.raises(ApiError) as err:
        store.create_quote(ALICE, {"idempotency_key": "key-1"})

    assert err.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert err.value.status == 422


def test_a_unique_violation_while_creating_is_a_conflict(api: Any) -> None:
    body = {"code": "23505", "message": "duplicate key value violates unique constraint"}
    store, _ = api(answer(body, status=409))

    with pytest.raises(ApiError) as err:
        store.create_quote(ALICE, {"idempotency_key": "key-1"})

    assert err.value.code == "CONFLICT"


def test_the_idempotency_guard_takes_no_lock_and_only_reads_the_context(api: Any) -> None:
    store, mock = api(answer([]))

    with store.idempotency_guard(ALICE, "key-1") as one, store.idempotency_guard(ALICE, "key-1"):
        entered = True

    assert entered  # the same key twice at once: no 409 over PostgREST
    assert one.existing is None and one.catalog is None
    paths = [r.url.path for r in mock.requests]
    assert len(paths) == 8 and paths[:4] == paths[4:]  # the four context reads, each time
    assert all(r.method in ("GET", "POST") for r in mock.requests)
    assert [p for p in paths if p.endswith("/rpc/user_exists")] == ["/rest/v1/rpc/user_exists"] * 2


def test_two_users_at_once_each_send_their_own_token(api: Any) -> None:
    both_in_flight = threading.Barrier(2, timeout=5)

    def respond(request: httpx.Request) -> httpx.Response:
        both_in_flight.wait()  # the two requests overlap on the shared client
        return httpx.Response(200, json=[])

    store, mock = api(respond)
    with ThreadPoolExecutor(max_workers=2) as pool:
        calls = [
            pool.submit(store.quote_by_key, ALICE, "alice-key"),
            pool.submit(store.quote_by_key, BOB, "bob-key"),
        ]
        assert [c.result(timeout=10) for c in calls] == [None, None]

    sent = sorted(
        (r.url.params["idempotency_key"], r.headers["authorization"]) for r in mock.requests
    )
    assert sent == [("eq.alice-key", "Bearer alice-jwt"), ("eq.bob-key", "Bearer bob-jwt")]


# --- PostgrestStore: errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("respond", "code"),
    [
        (answer({"code": "PGRST001", "message": "no connection to the database"}, 503), None),
        (lambda _r: httpx.Response(502, text="<html>bad gateway</html>"), None),
        (answer({"code": "22P02", "message": "invalid input syntax for type uuid"}, 400), None),
        (answer({"code": "PGRST301", "message": "JWT expired"}, 401), "UNAUTHORIZED"),
        (answer({"code": "42501", "message": "permission denied for table"}, 403), "FORBIDDEN"),
        (answer({"code": "PGRST205", "message": "Could not find the table"}, 404), "NOT_FOUND"),
        (fail_with(httpx.ConnectError("connection refused")), None),
        (fail_with(httpx.ReadTimeout("timed out")), None),
    ],
    ids=[
        "503",
        "502-html",
        "400",
        "jwt-expired",
        "permission-denied",
        "table-missing",
        "connect-error",
        "read-timeout",
    ],
)
def test_table_reads_map_errors_and_never_leak_a_500(
    api: Any, respond: Responder, code: str | None
) -> None:
    store, mock = api(respond)

    with pytest.raises(ApiError) as err:
        store.get_quote(ALICE, QUOTE_ID)

    assert err.value.code == (code or "DEPENDENCY_UNAVAILABLE")
    assert err.value.status < 500 or err.value.status == 503
    assert len(mock.requests) == 1  # postgrest-py's retries (with sleeps) are off


def test_a_dependency_failure_names_the_database_and_logs_the_postgrest_code(
    api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store, _ = api(answer({"code": "PGRST001", "message": "no connection"}, 503))

    with pytest.raises(ApiError) as err:
        store.active_catalog(ALICE)

    assert err.value.status == 503
    # the library's text stays in the server log; the client learns only what failed
    assert err.value.details == [{"dependency": "database"}]
    assert "PostgREST PGRST001: no connection" in caplog.text


def test_a_missing_sql_function_is_a_dependency_failure_not_a_missing_quote(api: Any) -> None:
    store, _ = api(answer({"code": "PGRST202", "message": "Could not find the function"}, 404))

    with pytest.raises(ApiError) as err:
        store.create_quote(ALICE, {"idempotency_key": "key-1"})

    assert err.value.code == "DEPENDENCY_UNAVAILABLE"


def test_a_permission_error_for_an_anonymous_caller_is_unauthorized(api: Any) -> None:
    store, _ = api(answer({"code": "42501", "message": "permission denied for schema"}, 401))

    with pytest.raises(ApiError) as err:
        store.list_quotes(principal("carol", role="anon"), 10, 0)

    assert err.value.code == "UNAUTHORIZED"


def test_a_token_role_outside_the_api_roles_is_refused_before_any_request(api: Any) -> None:
    store, mock = api(answer([]))

    with pytest.raises(ApiError) as err:
        store.get_quote(principal("mallory", role="postgres"), QUOTE_ID)

    assert err.value.code == "FORBIDDEN"
    assert mock.requests == []


# --- PostgrestStore: ping -------------------------------------------------------------------


def test_ping_calls_the_health_check_with_the_service_key_and_returns_utc(api: Any) -> None:
    report = {"status": "degraded", "checked_at": "2026-11-22T19:00:01.987+09:00"}
    store, mock = api(answer(report))

    ts = store.ping()

    request = mock.only
    assert request.method == "POST"
    assert request.url.path == "/rest/v1/rpc/health_check_detailed"
    assert json.loads(request.content) == {}
    assert request.headers["apikey"] == SERVICE_KEY
    assert request.headers["authorization"] == f"Bearer {SERVICE_KEY}"
    assert request.headers["accept-profile"] == "shared"
    assert ts == "2026-11-22T10:00:01Z"


def test_ping_with_a_new_secret_key_sends_it_as_apikey_only(api: Any) -> None:
    report = {"status": "ok", "checked_at": "2026-11-22T10:00:01Z"}
    store, mock = api(answer(report), service_role_key=SECRET_KEY)

    store.ping()

    assert mock.only.headers["apikey"] == SECRET_KEY
    assert "authorization" not in mock.only.headers


def test_a_publishable_key_goes_as_apikey_next_to_the_callers_own_token(
    clients: list[httpx.Client],
) -> None:
    publishable = "sb_publishable_ZrYwDGm1sO5mBl3qXDxJ1w_Jcl0Dbr1"
    recorder = Recorder(answer([]))
    client = httpx.Client(transport=httpx.MockTransport(recorder))
    clients.append(client)
    store = PostgrestStore(SUPABASE_URL, publishable, client=client)

    store.get_quote(ALICE, QUOTE_ID)

    assert recorder.only.headers["apikey"] == publishable
    assert recorder.only.headers["authorization"] == f"Bearer {ALICE.token}"


def test_ping_without_a_service_key_asks_the_api_root_and_dates_it_by_the_server(
    api: Any,
) -> None:
    date = {"Date": "Sun, 22 Nov 2026 10:00:02 GMT"}
    store, mock = api(answer({"message": "root"}, 401, headers=date), service_role_key=None)

    ts = store.ping()

    request = mock.only
    assert request.method == "GET"
    assert request.url.path == "/rest/v1/"
    assert request.headers["apikey"] == ANON_KEY
    assert "authorization" not in request.headers
    assert ts == "2026-11-22T10:00:02Z"


@pytest.mark.parametrize("service_role_key", [SERVICE_KEY, None])
@pytest.mark.parametrize(
    "respond",
    [answer({"code": "PGRST000", "message": "down"}, 503), fail_with(httpx.ConnectError("no"))],
    ids=["503", "connect-error"],
)
def test_ping_reports_an_unreachable_api_as_unavailable(
    api: Any, respond: Responder, service_role_key: str | None
) -> None:
    store, _ = api(respond, service_role_key=service_role_key)

    with pytest.raises(ApiError) as err:
        store.ping()

    assert err.value.code == "DEPENDENCY_UNAVAILABLE"


def test_the_shared_http_client_keeps_no_cookies_between_callers() -> None:
    seen: list[str | None] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, json=[], headers={"Set-Cookie": "lb=alice; Path=/"})

    with http_client(transport=httpx.MockTransport(respond)) as client:
        store = PostgrestStore(SUPABASE_URL, ANON_KEY, client=client)
        store.quote_by_key(ALICE, "k")
        store.quote_by_key(BOB, "k")

    assert seen == [None, None]


# --- build_services -------------------------------------------------------------------------


def test_without_a_database_url_the_supabase_keys_select_the_postgrest_store() -> None:
    settings = Settings(
        supabase_url=SUPABASE_URL,
        supabase_anon_key=ANON_KEY,
        supabase_service_role_key=SERVICE_KEY,
        jwt_secret="test-secret",
    )

    svc = build_services(settings)

    assert isinstance(svc.store, PostgrestStore)
    assert isinstance(svc.blobs, SupabaseBlobStore)
    svc.store.close()


def test_without_a_service_key_the_postgrest_store_keeps_local_blobs(tmp_path: Any) -> None:
    settings = Settings(
        supabase_url=SUPABASE_URL,
        supabase_anon_key=ANON_KEY,
        jwt_secret="test-secret",
        storage_dir=tmp_path,
    )

    svc = build_services(settings)

    assert isinstance(svc.store, PostgrestStore)
    assert isinstance(svc.blobs, LocalBlobStore)
    svc.store.close()


def test_neither_a_database_url_nor_supabase_keys_is_a_startup_error() -> None:
    with pytest.raises(RuntimeError, match="SUPABASE_ANON_KEY"):
        build_services(Settings(supabase_url=SUPABASE_URL, jwt_secret="test-secret"))


# --- SupabaseBlobStore (storage3) -----------------------------------------------------------

OBJECT = f"quote/{QUOTE_ID}/input/{SHA}.json"


@pytest.fixture(params=[LEGACY_SERVICE_KEY, SECRET_KEY], ids=["service_role_jwt", "sb_secret"])
def server_key(request: pytest.FixtureRequest) -> str:
    key: str = request.param
    return key


@pytest.fixture
def storage(
    clients: list[httpx.Client], server_key: str
) -> Callable[[Responder], tuple[SupabaseBlobStore, Recorder]]:
    def make(respond: Responder) -> tuple[SupabaseBlobStore, Recorder]:
        recorder = Recorder(respond)
        client = httpx.Client(transport=httpx.MockTransport(recorder))
        clients.append(client)
        return SupabaseBlobStore(storage_client(SUPABASE_URL, server_key, client), SUPABASE_URL), (
            recorder
        )

    return make


def assert_service_role(request: httpx.Request) -> None:
    """The key as ``apikey``; as the bearer too only when it is a legacy JWT: an sb_secret_
    key is not a JWT, and the API gateway rejects it in ``Authorization``."""
    key = request.headers["apikey"]
    assert key in (LEGACY_SERVICE_KEY, SECRET_KEY)
    if key.startswith("sb_secret_"):
        assert "authorization" not in request.headers
    else:
        assert request.headers["authorization"] == f"Bearer {key}"


def multipart_parts(request: httpx.Request) -> dict[str, Any]:
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    return {
        part.get_param("name", header="content-disposition"): part for part in message.iter_parts()
    }


def test_an_upload_posts_the_object_with_its_content_type_and_upsert(storage: Any) -> None:
    blobs, mock = storage(answer({"Key": f"evidence/{OBJECT}", "Id": "x"}))
    data = b'{"stage":"input"}'

    blobs.upload("evidence", OBJECT, data, "application/json")

    request = mock.only
    assert request.method == "POST"
    assert request.url.path == f"/storage/v1/object/evidence/{OBJECT}"
    assert request.headers["x-upsert"] == "true"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert_service_role(request)
    parts = multipart_parts(request)
    assert parts["file"].get_content_type() == "application/json"
    assert parts["file"].get_payload(decode=True) == data
    assert parts["cacheControl"].get_payload() == "3600"


def test_a_signed_url_is_requested_for_the_ttl_and_made_absolute_under_supabase_url(
    storage: Any,
) -> None:
    blobs, mock = storage(answer({"signedURL": f"/object/sign/evidence/{OBJECT}?token=t0k"}))
    before = int(time.time())

    signed = blobs.sign("evidence", OBJECT, 600)

    request = mock.only
    assert request.method == "POST"
    assert request.url.path == f"/storage/v1/object/sign/evidence/{OBJECT}"
    # storage3 sends expiresIn as a string; the Storage API accepts either
    assert json.loads(request.content) == {"expiresIn": "600"}
    assert_service_role(request)
    assert signed.url == f"{SUPABASE_URL}/storage/v1/object/sign/evidence/{OBJECT}?token=t0k"
    assert before + 600 <= signed.expires_at <= int(time.time()) + 600


def test_a_download_gets_the_object_bytes(storage: Any) -> None:
    blobs, mock = storage(lambda _r: httpx.Response(200, content=b"\x00evidence"))

    data = blobs.download("evidence", OBJECT)

    assert mock.only.method == "GET"
    assert mock.only.url.path == f"/storage/v1/object/evidence/{OBJECT}"
    assert_service_role(mock.only)
    assert data == b"\x00evidence"


def test_a_delete_removes_the_objects_by_prefix_in_one_request(storage: Any) -> None:
    blobs, mock = storage(answer([]))
    other = f"quote/{QUOTE_ID}/output/{SHA}.json"

    blobs.delete("evidence", [OBJECT, other])

    request = mock.only
    assert request.method == "DELETE"
    assert request.url.path == "/storage/v1/object/evidence"
    assert json.loads(request.content) == {"prefixes": [OBJECT, other]}
    assert_service_role(request)


@pytest.mark.parametrize(
    "respond",
    [
        answer({"statusCode": "500", "error": "internal", "message": "boom"}, 500),
        fail_with(httpx.ConnectError("connection refused")),
    ],
    ids=["500", "connect-error"],
)
def test_storage_failures_are_dependency_unavailable(storage: Any, respond: Responder) -> None:
    blobs, _ = storage(respond)

    with pytest.raises(ApiError) as err:
        blobs.upload("evidence", OBJECT, b"{}", "application/json")

    assert err.value.code == "DEPENDENCY_UNAVAILABLE"
    assert err.value.details[0]["dependency"] == "storage"


# --- PostgrestStore: teams ------------------------------------------------------------------

ORG_ID = "0a000000-0000-4000-8000-000000000001"


def test_the_postgrest_store_is_a_team_and_document_store(api: Any) -> None:
    from functions._shared.usecases.documents import DocumentStore
    from functions._shared.usecases.teams import TeamStore

    store, _ = api(answer([]))
    assert isinstance(store, TeamStore) and isinstance(store, DocumentStore)


def test_team_changes_go_to_the_sql_functions_as_the_server_naming_the_caller(api: Any) -> None:
    review = {
        "quote_id": QUOTE_ID,
        "decision": "approve",
        "reason": "ok",
        "reviewer": ALICE.user_id,
        "at": "2026-11-30T21:00:00.123456+00:00",
    }

    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/rpc/review_quote"):
            return httpx.Response(200, json=review)
        return httpx.Response(200, json=[{**quote_row(), "status": "approved"}])

    store, mock = api(respond)
    row = store.review_quote(ALICE, QUOTE_ID, "approve", "ok")

    assert row == {
        **{k: v for k, v in review.items() if k != "at"},
        "at": "2026-11-30T21:00:00.123456Z",
        "status": "approved",
    }
    rpc, read = mock.requests
    assert rpc.url.path == "/rest/v1/rpc/review_quote"
    assert rpc.headers["content-profile"] == "estimator"
    assert rpc.headers["apikey"] == SERVICE_KEY  # writes as service_role …
    assert json.loads(rpc.content) == {  # … naming the caller, whose role SQL checks
        "quote_id": QUOTE_ID,
        "decision": "approve",
        "reason": "ok",
        "actor": ALICE.user_id,
    }
    assert read.headers["authorization"] == "Bearer alice-jwt"  # the status read as alice


@pytest.mark.parametrize(
    ("sqlstate", "code"),
    [
        ("PT409", "CONFLICT"),
        ("P0002", "NOT_FOUND"),
        ("42501", "FORBIDDEN"),
        ("22023", "VALIDATION_FAILED"),
    ],
)
def test_a_team_function_refusal_is_the_same_error_as_over_psycopg(
    api: Any, sqlstate: str, code: str
) -> None:
    store, _ = api(answer({"code": sqlstate, "message": "LAST_ADMIN: no admin left"}, 400))
    with pytest.raises(ApiError) as err:
        store.remove_member(ALICE, ORG_ID, BOB.user_id)
    assert err.value.code == code
    if code == "CONFLICT":
        assert err.value.message == "LAST_ADMIN: no admin left"


def test_organisations_are_read_through_the_callers_memberships(api: Any) -> None:
    rows = [
        {
            "role": "estimator",
            "organisation": {
                "id": "0b000000-0000-4000-8000-000000000001",
                "name": "BETA",
                "personal_owner": None,
                "created_at": "2026-11-30T10:00:00+00:00",
            },
        },
        {
            "role": "admin",
            "organisation": {
                "id": ORG_ID,
                "name": "alice",
                "personal_owner": ALICE.user_id,
                "created_at": "2026-11-29T10:00:00+00:00",
            },
        },
    ]
    store, mock = api(answer(rows))
    assert store.organisations(ALICE) == [
        {"id": ORG_ID, "name": "alice", "role": "admin", "personal": True},
        {
            "id": "0b000000-0000-4000-8000-000000000001",
            "name": "BETA",
            "role": "estimator",
            "personal": False,
        },
    ]
    (sent,) = mock.requests
    assert sent.url.params["user_id"] == f"eq.{ALICE.user_id}"
    assert sent.headers["authorization"] == "Bearer alice-jwt"


def test_members_of_an_organisation_the_caller_cannot_see_are_none(api: Any) -> None:
    store, mock = api(answer([]))
    assert store.members(ALICE, ORG_ID) is None
    assert len(mock.requests) == 1  # the memberships are not read


def test_the_revisions_of_a_quote_are_read_by_its_number(api: Any) -> None:
    revision = {
        "quote_id": QUOTE_ID,
        "quote_number": "Q-2026-000001",
        "revision": 1,
        "status": "issued",
        "created_by": ALICE.user_id,
        "previous_quote_id": VERSION_ID,
        "grand_total": 1000,
        "catalog_label": "v1.1.0",
        "evidence_root": SHA,
        "created_at": "2026-11-30T10:00:00+00:00",
    }

    def respond(request: httpx.Request) -> httpx.Response:
        if "quote_number" in request.url.params:
            return httpx.Response(200, json=[revision])
        return httpx.Response(200, json=[{"quote_number": "Q-2026-000001"}])

    store, mock = api(respond)
    (row,) = store.quote_revisions(ALICE, QUOTE_ID)
    assert row["label"] == "R1" and row["created_at"] == "2026-11-30T10:00:00.000000Z"
    assert mock.requests[1].url.params["quote_number"] == "eq.Q-2026-000001"
