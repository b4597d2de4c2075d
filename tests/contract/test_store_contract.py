"""One contract for every ``Store`` adapter: the fake, psycopg and PostgREST.

The same assertions run against ``FakeStore`` (in memory), ``PostgresStore`` (a migrated
scratch database on the embedded stack, as tests/e2e) and ``PostgrestStore`` (a hosted
Supabase project, when SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY,
SUPABASE_JWT_SECRET and SUPABASE_DB_URL are set; skipped with the reason otherwise), so
the fake the use-case tests rely on cannot drift from the adapters that run in
production. The catalog lifecycle part runs where the adapter is a ``CatalogStore``.
"""

from __future__ import annotations

import copy
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import psycopg
import pytest

from estimator_core.canonical import canonical_json
from estimator_core.catalog import Catalog
from estimator_core.cli import CATALOGS, DEFAULT_CATALOG, load_catalog
from estimator_core.evidence import json_record
from estimator_core.pipeline import estimate
from functions._shared.auth import Principal, user_id_for
from functions._shared.catalog_rows import catalog_rows
from functions._shared.errors import ApiError
from functions._shared.fakes import FakeStore
from functions._shared.models import QUOTE_NUMBER_PATTERN
from functions._shared.persist import evidence_row, quote_payload
from functions._shared.ports import (
    CatalogRef,
    CatalogStore,
    NewCatalogVersion,
    QuoteFilter,
    Store,
)
from functions._shared.usecases.reviews import ReviewHistoryStore
from functions._shared.usecases.teams import TeamStore
from functions.dev import ensure_user, seed_catalog
from tests.conftest import ISSUED_AT, example
from tests.integration.support import DB_SH, db_url, run

CONTRACT_DB = f"kis_it_contract_{os.getpid()}"
HOSTED = (
    "SUPABASE_URL",
    "SUPABASE_ANON_KEY",
    "SUPABASE_SERVICE_ROLE_KEY",
    "SUPABASE_JWT_SECRET",
    "SUPABASE_DB_URL",
)
RUN = uuid.uuid4().hex[:8]  # names unique to this run (a hosted project is shared)


def principal(name: str, secret: str = "x" * 32, app_role: str | None = None) -> Principal:
    uid = user_id_for(f"{name}-{RUN}")
    claims: dict[str, Any] = {
        "sub": uid,
        "aud": "authenticated",
        "role": "authenticated",
        "email": f"{name}-{RUN}@local.test",
        "app_metadata": {"provider": "local", **({"role": app_role} if app_role else {})},
        "exp": 4102444800,
    }
    return Principal(uid, "authenticated", claims, jwt.encode(claims, secret, algorithm="HS256"))


class Adapter:
    def __init__(self, name: str, store: Store, secret: str, db: str | None = None) -> None:
        self.name = name
        self.store = store
        self.db = db  # the database behind the adapter, for a test's own SQL (not the fake)
        self.alice = principal("alice", secret)
        self.bob = principal("bob", secret)
        self.ghost = principal("ghost", secret)
        self.admin = principal("admin", secret, "catalog_admin")


def _fake() -> Adapter:
    store = FakeStore()
    current = load_catalog(DEFAULT_CATALOG)
    store.add_version(current.document(), current.sha256, status="active")
    adapter = Adapter("fake", store, "x" * 32)
    store.users |= {adapter.alice.user_id, adapter.bob.user_id, adapter.admin.user_id}
    return adapter


def _users(url: str, adapter: Adapter) -> None:
    for who in (adapter.alice, adapter.bob, adapter.admin):
        ensure_user(url, who.claims["email"].split("@")[0])
        assert user_id_for(who.claims["email"].split("@")[0]) == who.user_id


@pytest.fixture(scope="module", params=["fake", "postgres", "postgrest"])
def adapter(request: pytest.FixtureRequest) -> Iterator[Adapter]:
    if request.param == "fake":
        yield _fake()
        return
    if request.param == "postgres":
        from functions._shared.store import PostgresStore

        run([DB_SH, "up"])
        run([DB_SH, "drop-db", CONTRACT_DB], check=False)
        run([DB_SH, "create-db", CONTRACT_DB])
        url = db_url(CONTRACT_DB)
        seed_catalog(url, load_catalog(DEFAULT_CATALOG))
        pg = PostgresStore(url, pool_size=4)
        pg.open()
        adapter = Adapter("postgres", pg, "x" * 32, url)
        _users(url, adapter)
        try:
            yield adapter
        finally:
            pg.close()
            run([DB_SH, "drop-db", CONTRACT_DB], check=False)
        return
    missing = [v for v in HOSTED if not os.environ.get(v)]
    if missing:
        pytest.skip(f"no Supabase project configured (set {', '.join(missing)})")
    from functions._shared.postgrest import PostgrestStore

    rest = PostgrestStore(
        os.environ["SUPABASE_URL"],
        os.environ["SUPABASE_ANON_KEY"],
        service_role_key=os.environ["SUPABASE_SERVICE_ROLE_KEY"],
    )
    adapter = Adapter(
        "postgrest", rest, os.environ["SUPABASE_JWT_SECRET"], os.environ["SUPABASE_DB_URL"]
    )
    seed_catalog(os.environ["SUPABASE_DB_URL"], load_catalog(DEFAULT_CATALOG))
    _users(os.environ["SUPABASE_DB_URL"], adapter)
    try:
        yield adapter
    finally:
        rest.close()


def payload(adapter: Adapter, key: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the create use case writes: a real engine quote under ``key``."""
    ctx = adapter.store.quote_context(adapter.alice, key)
    assert ctx.catalog is not None
    raw = body or copy.deepcopy(example("apartment_sangdo"))
    catalog = Catalog.model_validate(adapter.store.catalog_content(adapter.alice, ctx.catalog.id))
    quote = estimate(raw, catalog, issued_at=ISSUED_AT, estimator="contract")
    quote_id = str(uuid.uuid4())
    evidence = [evidence_row(quote_id, r) for r in quote.evidence]
    stored = {**quote.result.model_dump(mode="json"), "quote_id": quote_id, "company_profile": None}
    stored["evidence_objects"] = [asdict(e) for e in evidence]
    stored.pop("evidence", None)
    document = evidence_row(quote_id, json_record("result", stored))
    return quote_payload(
        quote_id=quote_id,
        key=key,
        raw=raw,
        quote=quote,
        ref=ctx.catalog,
        evidence=evidence,
        document=document,
        response=stored,
        issued_at=ISSUED_AT,
    )


def test_the_context_of_a_new_key(adapter: Adapter) -> None:
    ctx = adapter.store.quote_context(adapter.alice, f"new-{RUN}")
    assert ctx.existing is None and ctx.user_exists is True
    active = adapter.store.active_catalog(adapter.alice)
    assert isinstance(ctx.catalog, CatalogRef) and ctx.catalog == active
    assert adapter.store.user_exists(adapter.ghost) is False
    assert adapter.store.quote_context(adapter.ghost, "k").user_exists is False


def test_a_written_quote_is_numbered_and_read_back_by_its_owner_only(adapter: Adapter) -> None:
    store, alice, bob = adapter.store, adapter.alice, adapter.bob
    key = f"write-{RUN}"
    p = payload(adapter, key)
    written = store.write_quote(alice, p)
    assert written.id == p["id"]
    number = written.response["quote_number"]
    assert re.match(QUOTE_NUMBER_PATTERN, number)
    assert {k: v for k, v in written.response.items() if k != "quote_number"} == p["response"]

    by_key = store.quote_by_key(alice, key)
    by_id = store.get_quote(alice, p["id"])
    by_number = store.get_quote_by_number(alice, number)
    assert by_key is not None and by_id is not None and by_number is not None
    assert by_key == by_id == by_number
    assert (by_id.id, by_id.request_sha256, by_id.status) == (
        p["id"],
        p["request_sha256"],
        p["status"],
    )
    assert by_id.response == written.response
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", by_id.created_at)
    ctx = store.quote_context(alice, key)
    assert ctx.existing == by_id

    assert store.get_quote(bob, p["id"]) is None
    assert store.get_quote_by_number(bob, number) is None
    assert store.quote_by_key(bob, key) is None
    assert store.evidence(bob, p["id"]) == []

    listed = next(r for r in store.list_quotes(alice, 100, 0) if r["quote_id"] == p["id"])
    assert listed == {
        "quote_id": p["id"],
        "quote_number": number,
        "status": p["status"],
        "grand_total": p["grand_total"],
        "catalog_label": p["catalog_label"],
        "evidence_root": p["evidence_root_sha256"],
        "project": p["request"]["customer"]["project"],
        "customer": p["request"]["customer"]["name"],
        "created_at": by_id.created_at,
    }
    rows = store.evidence(alice, p["id"])
    assert sorted((r.stage, r.sha256, r.storage_path) for r in rows) == sorted(
        (e["stage"], e["sha256"], e["storage_path"]) for e in p["evidence"]
    )
    first = rows[0]
    assert store.evidence_valid(alice, p["id"], first.stage, first.sha256) is True
    assert store.evidence_valid(alice, p["id"], first.stage, "0" * 64) is False


def test_the_review_history_is_answered_to_those_who_read_the_quote(adapter: Adapter) -> None:
    store = adapter.store
    assert isinstance(store, ReviewHistoryStore)
    p = payload(adapter, f"reviews-{RUN}")
    store.write_quote(adapter.alice, p)
    assert store.review_history(adapter.alice, p["id"]) == []  # nothing decided yet
    assert store.review_history(adapter.bob, p["id"]) is None  # not a quote bob reads
    assert store.review_history(adapter.alice, str(uuid.uuid4())) is None


def test_a_key_is_written_once(adapter: Adapter) -> None:
    store, alice = adapter.store, adapter.alice
    key = f"once-{RUN}"
    first = payload(adapter, key)
    store.write_quote(alice, first)
    # the same request under the key again (a concurrent loser): the first quote's id
    again = {**payload(adapter, key), "id": str(uuid.uuid4())}
    assert store.write_quote(alice, again).id == first["id"]
    assert store.create_quote(alice, again) == first["id"]
    # another request under the key
    other = payload(
        adapter, key, {**example("apartment_sangdo"), "customer": {"name": "x", "project": "y"}}
    )
    with pytest.raises(ApiError) as err:
        store.write_quote(alice, other)
    assert err.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert store.get_quote(alice, other["id"]) is None


def test_a_quote_is_revised_from_its_latest_revision_only(adapter: Adapter) -> None:
    store, alice, bob = adapter.store, adapter.alice, adapter.bob
    if not hasattr(store, "write_revision"):
        pytest.skip(f"the {adapter.name} adapter does not store revisions")
    r0 = store.write_quote(alice, payload(adapter, f"rev0-{RUN}"))
    p1 = payload(adapter, f"rev1-{RUN}")
    r1 = store.write_revision(alice, r0.id, p1)
    assert r1.id == p1["id"]
    assert (r1.response["quote_number"], r1.response["revision"]) == (
        r0.response["quote_number"],
        1,
    )
    rows = store.quote_revisions(alice, r0.id)
    assert [(r["label"], r["quote_id"], r["previous_quote_id"]) for r in rows] == [
        ("R0", r0.id, None),
        ("R1", r1.id, r0.id),
    ]
    assert rows[1]["evidence_root"] == p1["evidence_root_sha256"]
    assert store.quote_revisions(alice, r1.id) == rows
    # the number names the latest revision
    latest = store.get_quote_by_number(alice, r0.response["quote_number"])
    assert latest is not None and latest.id == r1.id
    assert store.write_revision(alice, r0.id, p1).id == r1.id  # a replay
    with pytest.raises(ApiError) as stale:
        store.write_revision(alice, r0.id, payload(adapter, f"rev2-{RUN}"))
    assert stale.value.code == "CONFLICT"
    read = store.quote_revision(alice, r1.id)
    assert read is not None and (read["revision"], read["request"]) == (1, p1["request"])
    assert store.quote_revisions(bob, r0.id) == []
    assert store.quote_revision(bob, r1.id) is None
    with pytest.raises(ApiError) as foreign:
        store.write_revision(bob, r1.id, payload(adapter, f"rev3-{RUN}"))
    assert foreign.value.code == "NOT_FOUND"


def test_a_response_sent_already_serialised_is_stored_as_the_same_json(
    adapter: Adapter,
) -> None:
    """``write_quote``'s ``response_json`` (the result blob's bytes, serialised once) stores
    what the dict would, and the answer is the stored response read back."""
    store, alice = adapter.store, adapter.alice
    p = payload(adapter, f"serialised-{RUN}")
    written = store.write_quote(alice, p, canonical_json(p["response"]))
    stored = store.get_quote(alice, p["id"])
    assert written.id == p["id"] and stored is not None
    assert written.response == stored.response
    assert {k: v for k, v in stored.response.items() if k != "quote_number"} == p["response"]


def test_a_quote_for_a_user_that_does_not_exist_is_unknown_user(adapter: Adapter) -> None:
    p = payload(adapter, f"ghost-{RUN}")
    with pytest.raises(ApiError) as err:
        adapter.store.write_quote(adapter.ghost, p)
    assert err.value.code == "UNKNOWN_USER"


def test_a_key_in_flight_is_refused(adapter: Adapter) -> None:
    if adapter.name == "postgrest":
        pytest.skip("over PostgREST exactly-once comes from the write (no in-flight lock)")
    store, alice = adapter.store, adapter.alice
    key = f"flight-{RUN}"
    with store.idempotency_guard(alice, key):
        with pytest.raises(ApiError) as err, store.idempotency_guard(alice, key):
            pass
        assert err.value.code == "IDEMPOTENCY_IN_FLIGHT"
        with store.idempotency_guard(adapter.bob, key):  # keys are per user
            pass
    with store.idempotency_guard(alice, key):  # released with its transaction
        pass


def test_a_guarded_write_that_fails_leaves_nothing(adapter: Adapter) -> None:
    if adapter.name == "postgrest":
        pytest.skip("over PostgREST each call is its own transaction")
    store, alice = adapter.store, adapter.alice
    key = f"rollback-{RUN}"
    p = payload(adapter, key)
    with pytest.raises(RuntimeError), store.idempotency_guard(alice, key):
        store.write_quote(alice, p)
        raise RuntimeError("the request failed after the write")
    if adapter.name == "fake":
        pytest.skip("the fake has no transactions: its writes are the use case's last step")
    assert store.quote_by_key(alice, key) is None


def test_the_catalog_lifecycle(adapter: Adapter) -> None:
    store = adapter.store
    if not isinstance(store, CatalogStore):
        pytest.skip(f"{adapter.name} does not administer catalog versions")
    admin = adapter.admin
    label = f"v9.{int(RUN, 16) % 1000}.0"
    doc = {**load_catalog(CATALOGS / "v1.0.0").document(), "label": label}
    catalog = Catalog.model_validate(doc)
    new = NewCatalogVersion(
        label, catalog.document(), catalog.sha256, "contract", catalog_rows(catalog), {"x": 1}
    )
    staged = store.create_catalog_version(admin, new)
    assert (staged.label, staged.status, staged.sha256, staged.notes) == (
        label,
        "staging",
        catalog.sha256,
        "contract",
    )
    assert staged.counts["breaker"] == len(catalog.breakers)
    assert store.catalog_version(admin, label) == staged
    for taken in (new, NewCatalogVersion(label + "x", *list(asdict(new).values())[1:])):
        with pytest.raises(ApiError) as err:
            store.create_catalog_version(admin, taken)
        assert err.value.code == "CONFLICT"

    before = next(v for v in store.catalog_versions(admin) if v.status == "active")
    with pytest.raises(ApiError) as err:
        store.activate_catalog_version(
            admin, staged.id, expected_active_id=staged.id, action="catalog.rollback", detail={}
        )
    assert err.value.code == "CONFLICT"
    active = store.activate_catalog_version(
        admin, staged.id, expected_active_id=before.id, action="catalog.rollback", detail={}
    )
    assert active.status == "active" and active.activated_by == admin.user_id
    states = {v.label: v.status for v in store.catalog_versions(admin)}
    assert states[label] == "active" and states[before.label] == "retired"
    back = store.activate_catalog_version(
        admin, before.id, expected_active_id=staged.id, action="catalog.rollback", detail={}
    )
    assert back.label == before.label and store.active_catalog(admin) == before.ref


def test_the_list_filters_by_text_status_and_korean_day(adapter: Adapter) -> None:
    store, alice = adapter.store, adapter.alice
    body = copy.deepcopy(example("apartment_sangdo"))
    body["customer"]["name"] = f"Filter 고객 {RUN}"
    written = store.write_quote(alice, payload(adapter, f"filter-{RUN}", body))
    number = written.response["quote_number"]

    def ids(**where: Any) -> list[str]:
        rows = store.list_quotes(alice, 100, 0, QuoteFilter(**where))
        return [r["quote_id"] for r in rows]

    assert written.id in ids(q=f"filter 고객 {RUN}".upper())  # any case
    assert written.id in ids(q=number[-6:])
    assert written.id not in ids(q=f"nothing-{RUN}")
    status = written.response["status"]
    assert written.id in ids(q=RUN, status=status)
    assert written.id not in ids(q=RUN, status="rejected" if status != "rejected" else "issued")
    issued = datetime.fromisoformat(ISSUED_AT).astimezone(ZoneInfo("Asia/Seoul")).date()
    assert written.id in ids(q=RUN, issued_from=issued, issued_to=issued)
    assert written.id not in ids(q=RUN, issued_from=issued + timedelta(days=1))
    assert written.id not in ids(q=RUN, issued_to=issued - timedelta(days=1))


# -- teams (functions._shared.usecases.teams.TeamStore) -----------------------------------------
_STAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"


def _teams(adapter: Adapter) -> TeamStore:
    if not isinstance(adapter.store, TeamStore):
        pytest.skip(f"{adapter.name} has no teams (RLS and the SQL functions decide)")
    return adapter.store


def _code(call: Any) -> str:
    with pytest.raises(ApiError) as err:
        call()
    return err.value.code


def test_organisations_and_their_members(adapter: Adapter) -> None:
    teams, alice, bob, ghost = _teams(adapter), adapter.alice, adapter.bob, adapter.ghost
    org = teams.create_organisation(alice, f"Team {RUN}")
    mine = {o["id"]: o for o in teams.organisations(alice)}
    assert mine[org] == {"id": org, "name": f"Team {RUN}", "role": "admin", "personal": False}
    assert org not in {o["id"] for o in teams.organisations(bob)}
    assert teams.members(bob, org) is None  # another organisation is not there
    assert teams.user_id_by_email(alice, bob.claims["email"].upper()) == bob.user_id
    assert teams.user_id_by_email(alice, f"nobody-{RUN}@local.test") is None

    added = teams.set_member(alice, org, bob.user_id, "estimator")
    assert added == {"user_id": bob.user_id, "role": "estimator", "organisation_id": org}
    members = teams.members(bob, org)
    assert members is not None
    assert [(m["user_id"], m["role"]) for m in members] == [
        (alice.user_id, "admin"),
        (bob.user_id, "estimator"),
    ]
    assert all(re.match(_STAMP, m["since"]) for m in members)
    assert {o["id"]: o["role"] for o in teams.organisations(bob)}[org] == "estimator"

    assert _code(lambda: teams.set_member(bob, org, bob.user_id, "admin")) == "FORBIDDEN"
    assert _code(lambda: teams.set_member(alice, org, bob.user_id, "boss")) == "VALIDATION_FAILED"
    assert _code(lambda: teams.set_member(alice, org, ghost.user_id, "estimator")) == "NOT_FOUND"
    assert _code(lambda: teams.remove_member(alice, org, alice.user_id)) == "CONFLICT"  # last admin
    other = str(uuid.uuid4())
    assert _code(lambda: teams.set_member(alice, other, bob.user_id, "estimator")) == "NOT_FOUND"
    assert teams.remove_member(alice, org, bob.user_id) is True
    assert teams.remove_member(alice, org, bob.user_id) is False
    assert teams.members(bob, org) is None  # removed: at once


def test_a_quote_in_review_is_approved_by_a_reviewer_and_revised(adapter: Adapter) -> None:
    teams, store, alice, bob = _teams(adapter), adapter.store, adapter.alice, adapter.bob
    org = teams.create_organisation(alice, f"Review {RUN}")
    teams.set_member(alice, org, bob.user_id, "reviewer")
    p = {**payload(adapter, f"review-{RUN}"), "organisation_id": org}
    q = store.write_quote(alice, p).id
    assert adapter.db is not None
    with psycopg.connect(adapter.db) as conn:
        conn.execute("update estimator.quotes set status = 'needs_review' where id = %s", (q,))

    assert _code(lambda: teams.review_quote(alice, q, "approve", "")) == "FORBIDDEN"  # creator
    assert _code(lambda: teams.review_quote(adapter.admin, q, "approve", "")) == "NOT_FOUND"
    row = teams.review_quote(bob, q, "approve", "fine")
    assert {k: row[k] for k in ("quote_id", "decision", "reason", "reviewer", "status")} == {
        "quote_id": q,
        "decision": "approve",
        "reason": "fine",
        "reviewer": bob.user_id,
        "status": "approved",
    }
    assert re.match(_STAMP, row["at"])
    assert _code(lambda: teams.review_quote(bob, q, "approve", "")) == "CONFLICT"
    assert teams.review_history(alice, q) == [
        {
            "decision": "approve",
            "reason": "fine",
            "reviewer_id": bob.user_id,
            "reviewer_email": bob.claims["email"],
            "created_at": row["at"],
        }
    ]
    assert teams.review_history(adapter.admin, q) is None  # not a quote the admin reads

    revised = teams.write_revision(alice, q, payload(adapter, f"revise-{RUN}"))
    assert revised.response["revision"] == 1
    stale = payload(adapter, f"stale-{RUN}")
    assert _code(lambda: teams.write_revision(alice, q, stale)) == "CONFLICT"
    chain = teams.quote_revisions(bob, revised.id)
    assert [(r["label"], r["quote_id"], r["previous_quote_id"]) for r in chain] == [
        ("R0", q, None),
        ("R1", revised.id, q),
    ]
    assert {r["quote_number"] for r in chain} == {revised.response["quote_number"]}
    assert chain[0]["status"] == "approved" and chain[1]["created_by"] == alice.user_id
    assert all(re.match(_STAMP, r["created_at"]) for r in chain)
    one = teams.quote_revision(bob, revised.id)
    assert one is not None
    assert (one["quote_id"], one["revision"], one["request"]) == (revised.id, 1, stale["request"])
    assert teams.quote_revisions(adapter.admin, q) == []
    assert teams.quote_revision(adapter.admin, q) is None
