"""The use cases (functions._shared.usecases) over the fakes: no database, no server.

Creating a quote (replay, key reuse, in flight, the race winner, unknown user, storage
failure before the write), reading, listing, evidence with verify; the catalog lifecycle
and its one transition table.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from estimator_core.canonical import sha256_hex
from estimator_core.catalog import Catalog
from estimator_core.cli import CATALOGS, DEFAULT_CATALOG, load_catalog
from estimator_core.errors import ValidationFailed
from functions._shared.auth import Principal, TokenVerifier, user_id_for
from functions._shared.errors import ApiError
from functions._shared.fakes import FakeBlobStore, FakeStore
from functions._shared.models import CatalogActivateIn, CatalogImportIn, CatalogRollbackIn
from functions._shared.services import Services
from functions._shared.settings import Settings
from functions._shared.usecases import catalog as lifecycle
from functions._shared.usecases import quotes
from tests.conftest import example


def principal(name: str, app_role: str | None = None) -> Principal:
    uid = user_id_for(name)
    app = {"provider": "local", **({"role": app_role} if app_role else {})}
    claims = {"sub": uid, "role": "authenticated", "email": f"{name}@local.test"}
    return Principal(uid, "authenticated", {**claims, "app_metadata": app}, token="t")


ALICE = principal("alice")
BOB = principal("bob")
ADMIN = principal("admin", "catalog_admin")


def fake_services(*users: Principal) -> Services:
    """The use cases' services over the in-memory fakes: ``users`` exist, the shipped
    catalog is active (the unit tests of every use case start here)."""
    store = FakeStore(users={u.user_id for u in users})
    current = load_catalog(DEFAULT_CATALOG)
    store.add_version(current.document(), current.sha256, status="active")
    settings = Settings(jwt_secret="x" * 32)
    return Services(settings, TokenVerifier(settings), store, FakeBlobStore())


@pytest.fixture
def svc() -> Services:
    return fake_services(ALICE, BOB, ADMIN)


def fakes(svc: Services) -> tuple[FakeStore, FakeBlobStore]:
    assert isinstance(svc.store, FakeStore) and isinstance(svc.blobs, FakeBlobStore)
    return svc.store, svc.blobs


@pytest.fixture
def body() -> dict[str, Any]:
    return copy.deepcopy(example("apartment_sangdo"))


# --- creating a quote ----------------------------------------------------------------


def test_a_new_quote_is_stored_numbered_and_answered_with_signed_evidence(
    svc: Services, body: dict[str, Any]
) -> None:
    store, blobs = fakes(svc)
    answer = quotes.create_quote(svc, ALICE, "key-1", body)
    assert not answer.replayed
    assert answer.body["quote_number"].startswith("Q-")
    assert [q.payload["id"] for q in store.quotes.values()] == [answer.body["quote_id"]]
    stages = [e["stage"] for e in answer.body["evidence"]]
    assert "drawing" in stages and "evidence_objects" not in answer.body
    # 10 evidence blobs + the result document, uploaded before the write
    assert len(blobs.objects) == len(stages) + 1


def test_the_same_key_and_body_replays_the_quote_with_fresh_urls_and_writes_nothing(
    svc: Services, body: dict[str, Any]
) -> None:
    store, blobs = fakes(svc)
    first = quotes.create_quote(svc, ALICE, "key-1", body)
    objects = dict(blobs.objects)
    again = quotes.create_quote(svc, ALICE, "key-1", copy.deepcopy(body))
    assert again.replayed
    assert again.body["quote_id"] == first.body["quote_id"]
    assert again.body["quote_number"] == first.body["quote_number"]
    assert [e["url"] for e in again.body["evidence"]] != [e["url"] for e in first.body["evidence"]]
    assert len(store.quotes) == 1 and blobs.objects == objects


def test_the_same_key_with_another_body_is_key_reused(svc: Services, body: dict[str, Any]) -> None:
    store, _ = fakes(svc)
    quotes.create_quote(svc, ALICE, "key-1", body)
    body["customer"] = {"name": "someone else"}
    with pytest.raises(ApiError) as err:
        quotes.create_quote(svc, ALICE, "key-1", body)
    assert err.value.code == "IDEMPOTENCY_KEY_REUSED" and err.value.status == 422
    assert len(store.quotes) == 1


def test_keys_are_per_user(svc: Services, body: dict[str, Any]) -> None:
    a = quotes.create_quote(svc, ALICE, "key-1", body)
    b = quotes.create_quote(svc, BOB, "key-1", body)
    assert not b.replayed and a.body["quote_id"] != b.body["quote_id"]


def test_a_key_in_flight_is_409(svc: Services, body: dict[str, Any]) -> None:
    store, blobs = fakes(svc)
    with store.idempotency_guard(ALICE, "key-1"), pytest.raises(ApiError) as err:
        quotes.create_quote(svc, ALICE, "key-1", body)
    assert err.value.code == "IDEMPOTENCY_IN_FLIGHT" and err.value.status == 409
    assert not store.quotes and not blobs.objects
    assert not quotes.create_quote(svc, ALICE, "key-1", body).replayed  # the lock is gone


def test_the_race_winner_is_answered(svc: Services, body: dict[str, Any]) -> None:
    """Over PostgREST there is no in-flight lock: a concurrent request with the key may
    write first; the loser answers with the winner's quote."""
    store, _ = fakes(svc)
    winner: list[str] = []

    def concurrent(who: Principal, payload: dict[str, Any]) -> None:
        other = {**payload, "id": "00000000-0000-4000-8000-000000000001"}
        winner.append(store.write_quote(who, other).id)

    store.before_write = concurrent
    answer = quotes.create_quote(svc, ALICE, "key-1", body)
    assert answer.replayed and answer.body["quote_id"] == winner[0]
    assert list(store.quotes) == winner


def test_an_unknown_user_is_refused_before_anything_is_uploaded(
    svc: Services, body: dict[str, Any]
) -> None:
    store, blobs = fakes(svc)
    with pytest.raises(ApiError) as err:
        quotes.create_quote(svc, principal("ghost"), "key-1", body)
    assert err.value.code == "UNKNOWN_USER" and err.value.status == 401
    assert not store.quotes and not blobs.objects


def test_a_storage_failure_before_the_write_stores_nothing(
    svc: Services, body: dict[str, Any]
) -> None:
    store, blobs = fakes(svc)
    blobs.fail_uploads = True
    with pytest.raises(ApiError) as err:
        quotes.create_quote(svc, ALICE, "key-1", body)
    assert err.value.code == "DEPENDENCY_UNAVAILABLE" and err.value.status == 503
    assert not store.quotes
    blobs.fail_uploads = False
    assert not quotes.create_quote(svc, ALICE, "key-1", body).replayed  # the key is free


def test_no_active_catalog_is_503(svc: Services, body: dict[str, Any]) -> None:
    store, _ = fakes(svc)
    store.versions.clear()
    with pytest.raises(ApiError) as err:
        quotes.create_quote(svc, ALICE, "key-1", body)
    assert err.value.code == "DEPENDENCY_UNAVAILABLE"
    assert not store.quotes


def test_the_quote_records_the_current_company_profile(svc: Services, body: dict[str, Any]) -> None:
    store, _ = fakes(svc)
    saved = store.save_company_profile(ADMIN, {"name": "KIS"}, sha256_hex({"name": "KIS"}))
    answer = quotes.create_quote(svc, ALICE, "key-1", body)
    assert answer.body["company_profile"] == {"id": saved.id, "sha256": saved.sha256}


# --- reading ---------------------------------------------------------------------------


def test_a_quote_is_read_by_id_or_number_by_its_owner_only(
    svc: Services, body: dict[str, Any]
) -> None:
    created = quotes.create_quote(svc, ALICE, "key-1", body).body
    by_id = quotes.read_quote(svc, ALICE, created["quote_id"].upper())
    by_number = quotes.read_quote(svc, ALICE, created["quote_number"])
    assert by_id["quote_id"] == by_number["quote_id"] == created["quote_id"]
    for who, ref in ((BOB, created["quote_id"]), (ALICE, "not-a-quote"), (ALICE, "Q-2026-999999")):
        with pytest.raises(ApiError) as err:
            quotes.read_quote(svc, who, ref)
        assert err.value.code == "NOT_FOUND"


def test_the_list_pages_newest_first(svc: Services, body: dict[str, Any]) -> None:
    ids = [quotes.create_quote(svc, ALICE, f"key-{i}", body).body["quote_id"] for i in range(3)]
    first = quotes.list_quotes(svc, ALICE, 2, 0)
    second = quotes.list_quotes(svc, ALICE, 2, 2)
    assert [r["quote_id"] for r in first["items"] + second["items"]] == ids[::-1]
    assert first["next_offset"] == 2 and second["next_offset"] is None
    assert quotes.list_quotes(svc, BOB, 20, 0)["items"] == []


def test_evidence_verifies_and_catches_a_changed_blob(svc: Services, body: dict[str, Any]) -> None:
    _, blobs = fakes(svc)
    created = quotes.create_quote(svc, ALICE, "key-1", body).body
    plain = quotes.quote_evidence(svc, ALICE, created["quote_id"], False)
    assert plain["verified"] is None and plain["evidence_root"] == created["evidence_root"]
    assert quotes.quote_evidence(svc, ALICE, created["quote_id"], True)["verified"] is True
    (bucket, path) = next(k for k in blobs.objects if "/drawing/" in k[1])
    blobs.objects[(bucket, path)] = (b"<svg/>", "image/svg+xml")
    checked = quotes.quote_evidence(svc, ALICE, created["quote_id"], True)
    assert checked["verified"] is False
    assert [i["stage"] for i in checked["items"] if not i["verified"]] == ["drawing"]


def test_a_preview_writes_nothing(svc: Services, body: dict[str, Any]) -> None:
    store, blobs = fakes(svc)
    out = quotes.preview(svc, ALICE, body)
    assert out["drawing_svg"].startswith("<svg") or "<svg" in out["drawing_svg"][:200]
    assert not store.quotes and not blobs.objects


@pytest.mark.parametrize("remote", [False, True])
def test_remote_blobs_are_uploaded_before_the_write_and_local_ones_while_it_runs(
    svc: Services, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch, remote: bool
) -> None:
    """Where the store commits when the request ends (psycopg), local uploads overlap the
    write; remote ones finish before it: the write holds the quote-number lock."""
    store, blobs = fakes(svc)
    monkeypatch.setattr(store, "commits_on_exit", True)
    blobs.remote = remote
    events: list[tuple[str, str]] = []
    upload_many, write_quote = blobs.upload_many, store.write_quote

    def uploading(*args: Any) -> None:
        events.append(("upload", threading.current_thread().name))
        upload_many(*args)

    def writing(*args: Any) -> Any:
        events.append(("write", threading.current_thread().name))
        return write_quote(*args)

    monkeypatch.setattr(blobs, "upload_many", uploading)
    monkeypatch.setattr(store, "write_quote", writing)
    answer = quotes.create_quote(svc, ALICE, "key-1", body)
    assert answer.body["quote_number"].startswith("Q-")
    where = dict(events)
    if remote:
        assert [e for e, _ in events] == ["upload", "write"]
        assert where["upload"] == where["write"]  # in the request's thread, first
    else:
        assert where["upload"].startswith("kis-upload") and where["write"] == "MainThread"


# --- early pricing: the engine runs while the lock and the context are fetched ---------


def _pricing_threads(monkeypatch: pytest.MonkeyPatch, svc: Services) -> list[str]:
    """The names of the threads the engine ran in, call by call; the fake's context read
    takes as long as a database round trip might (the early pricing starts meanwhile)."""
    store, _ = fakes(svc)
    context = store.quote_context

    def slow(who: Principal, key: str) -> Any:
        time.sleep(0.05)
        return context(who, key)

    monkeypatch.setattr(store, "quote_context", slow)
    names: list[str] = []
    real = quotes._price_any

    def spy(*args: Any, **kwargs: Any) -> Any:
        names.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(quotes, "_price_any", spy)
    return names


def test_a_request_is_priced_early_on_the_version_last_seen_active(
    svc: Services, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = _pricing_threads(monkeypatch, svc)
    first = quotes.create_quote(svc, ALICE, "key-1", body)  # no version seen yet: priced now
    second = quotes.create_quote(svc, ALICE, "key-2", copy.deepcopy(body))
    assert len(threads) == 2
    assert not threads[0].startswith("kis-price") and threads[1].startswith("kis-price")
    assert second.body["catalog"] == first.body["catalog"]
    assert second.body["lines"] == first.body["lines"]


def test_a_version_activated_meanwhile_prices_the_request_again_on_it(
    svc: Services, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = fakes(svc)
    quotes.create_quote(svc, ALICE, "key-1", body)  # v1.1.0 is now the version last seen
    newer = {**load_catalog(DEFAULT_CATALOG).document(), "label": "v9.9.9-swap"}
    swapped = Catalog.model_validate(newer)
    for vid, version in list(store.versions.items()):
        store.versions[vid] = dataclasses.replace(version, status="retired")
    store.add_version(swapped.document(), swapped.sha256, status="active")
    threads = _pricing_threads(monkeypatch, svc)
    answer = quotes.create_quote(svc, ALICE, "key-2", copy.deepcopy(body))
    assert answer.body["catalog"]["label"] == "v9.9.9-swap"
    assert store.quotes[answer.body["quote_id"]].payload["catalog_label"] == "v9.9.9-swap"
    # priced early on the old version (its thread may still be finishing), and now on
    # the active one in the request's own thread
    deadline = time.monotonic() + 10
    while len(threads) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(t.startswith("kis-price") for t in threads) == [False, True]


def test_a_request_the_engine_refuses_early_is_refused_and_stores_nothing(
    svc: Services, body: dict[str, Any]
) -> None:
    store, blobs = fakes(svc)
    quotes.create_quote(svc, ALICE, "key-1", body)
    objects = dict(blobs.objects)
    body["branches"] = "not a list"
    with pytest.raises(ValidationFailed):
        quotes.create_quote(svc, ALICE, "key-2", body)
    assert len(store.quotes) == 1 and blobs.objects == objects


def test_a_replay_calls_off_the_pricing_it_did_not_need(
    svc: Services, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    quotes.create_quote(svc, ALICE, "key-1", body)  # a version is now last seen active
    pool = ThreadPoolExecutor(max_workers=1)
    busy = threading.Event()
    pool.submit(busy.wait, 10)  # the pricing thread is taken: the replay's pricing waits
    monkeypatch.setattr(quotes, "_PRICING", pool)
    calls: list[Any] = []
    real = quotes._price_any

    def spy(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(quotes, "_price_any", spy)
    answer = quotes.create_quote(svc, ALICE, "key-1", copy.deepcopy(body))
    busy.set()
    pool.shutdown(wait=True)
    assert answer.replayed and calls == []


# --- the catalog lifecycle --------------------------------------------------------------


def _staging(svc: Services, directory: Path, label: str) -> Catalog:
    """A staging version: ``directory``'s catalog under ``label``."""
    store, _ = fakes(svc)
    doc = {**load_catalog(directory).document(), "label": label}
    catalog = Catalog.model_validate(doc)
    store.add_version(catalog.document(), catalog.sha256, status="staging")
    return catalog


def _status(svc: Services) -> dict[str, str]:
    store, _ = fakes(svc)
    return {v.label: v.status for v in store.versions.values()}


def test_the_transition_table_names_every_refusal() -> None:
    states = {"staging", "active", "retired"}
    for action, (allowed, target) in lifecycle.TRANSITIONS.items():
        assert target == "active"
        assert {(action, s) for s in states - allowed} <= set(lifecycle.REFUSED)


def test_staging_to_active_to_retired_and_back(svc: Services) -> None:
    first = next(iter(_status(svc)))
    _staging(svc, CATALOGS / "v1.0.0", "v9.0.0")
    out = lifecycle.activate(
        svc, ADMIN, CatalogActivateIn(label="v9.0.0", force=True, reason="test")
    )
    assert out["active"]["label"] == "v9.0.0" and out["previous"]["label"] == first
    assert _status(svc) == {first: "retired", "v9.0.0": "active"}
    back = lifecycle.rollback(svc, ADMIN, CatalogRollbackIn(label=first, reason="back"))
    assert back["active"]["label"] == first and back["previous"]["label"] == "v9.0.0"
    assert _status(svc) == {first: "active", "v9.0.0": "retired"}
    store, _ = fakes(svc)
    assert [a for a, _, _ in store.audit] == ["catalog.activate.request", "catalog.rollback"]


@pytest.mark.parametrize(
    ("action", "state", "words"),
    [
        ("activate", "active", "already active"),
        ("activate", "retired", "use catalog/rollback"),
        ("rollback", "active", "already active"),
        ("rollback", "staging", "never active"),
    ],
)
def test_refused_transitions_are_409_and_change_nothing(
    svc: Services, action: str, state: str, words: str
) -> None:
    first = next(iter(_status(svc)))
    _staging(svc, CATALOGS / "v1.0.0", "v9.0.0")
    target = {"active": first, "staging": "v9.0.0", "retired": first}[state]
    if state == "retired":
        lifecycle.activate(svc, ADMIN, CatalogActivateIn(label="v9.0.0", force=True, reason="r"))
    assert _status(svc)[target] == state
    before = _status(svc)
    with pytest.raises(ApiError) as err:
        if action == "activate":
            lifecycle.activate(svc, ADMIN, CatalogActivateIn(label=target))
        else:
            lifecycle.rollback(svc, ADMIN, CatalogRollbackIn(label=target, reason="r"))
    assert err.value.code == "CONFLICT" and words in err.value.message
    assert _status(svc) == before


def test_rollback_to_a_label_that_never_existed_is_404(svc: Services) -> None:
    before = _status(svc)
    with pytest.raises(ApiError) as err:
        lifecycle.rollback(svc, ADMIN, CatalogRollbackIn(label="v0.0.1", reason="r"))
    assert err.value.code == "NOT_FOUND" and err.value.details == [{"label": "v0.0.1"}]
    assert _status(svc) == before


def test_force_needs_a_reason(svc: Services) -> None:
    _staging(svc, CATALOGS / "v1.0.0", "v9.0.0")
    with pytest.raises(ValidationFailed) as err:
        lifecycle.activate(svc, ADMIN, CatalogActivateIn(label="v9.0.0", force=True))
    assert err.value.details == [{"loc": "reason"}]
    assert _status(svc)["v9.0.0"] == "staging"


def test_an_import_is_staging_and_a_taken_label_or_same_content_is_409(svc: Services) -> None:
    doc = load_catalog(CATALOGS / "v1.0.0").document()
    out = lifecycle.import_version(
        svc,
        ADMIN,
        CatalogImportIn(label="v9.0.0", format="json", content={**doc, "label": "v9.0.0"}),
    )
    assert out["status"] == "staging" and out["counts"]["breaker"] > 0
    for label in ("v9.0.0", "v9.0.1"):
        with pytest.raises(ApiError) as err:
            lifecycle.import_version(
                svc,
                ADMIN,
                CatalogImportIn(label=label, format="json", content={**doc, "label": label}),
            )
        assert err.value.code == "CONFLICT"
    validated = lifecycle.validate_version(svc, ADMIN, "v9.0.0")
    assert "passed" in validated
    store, _ = fakes(svc)
    assert [a for a, _, _ in store.audit] == ["catalog.import", "catalog.validate"]


def test_a_store_without_catalog_administration_is_503(svc: Services) -> None:
    class Plain:
        pass

    plain = Services(svc.settings, svc.verifier, Plain(), svc.blobs)  # type: ignore[arg-type]
    with pytest.raises(ApiError) as err:
        lifecycle.list_versions(plain, ADMIN)
    assert err.value.code == "DEPENDENCY_UNAVAILABLE"
