"""The psycopg adapter's pool: a connection that sat idle is checked before it is used
again (the server may have closed it), one just given back is not (a round trip saved
per request); a broken one is replaced either way."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest

from functions._shared import store as store_module
from functions._shared.errors import ApiError
from functions._shared.store import PostgresStore
from tests.integration.support import DB_SH, db_url, run

DB = f"kis_it_pool_{os.getpid()}"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    run([DB_SH, "up"])
    run([DB_SH, "drop-db", DB], check=False)
    run([DB_SH, "create-db", DB])
    try:
        yield db_url(DB)
    finally:
        run([DB_SH, "drop-db", DB], check=False)


def _close_server_side(url: str) -> int:
    """Terminate every other session on the scratch database (as a server restart or an
    idle timeout would); how many."""
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def test_an_idle_connection_closed_by_the_server_is_checked_and_replaced(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "CHECK_AFTER_IDLE_S", 0.0)  # every checkout is "idle"
    pg = PostgresStore(url, pool_size=1)
    pg.open()
    try:
        pg.ping()
        assert _close_server_side(url) == 1
        assert pg.ping()  # the check found it closed: the pool handed out a new one
    finally:
        pg.close()


def test_a_connection_just_given_back_is_not_checked(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not checked: closed behind the pool's back within the window, the next request
    fails (503, as any lost connection) and the one after gets a new connection."""
    monkeypatch.setattr(store_module, "CHECK_AFTER_IDLE_S", 3600.0)
    pg = PostgresStore(url, pool_size=1)
    pg.open()
    try:
        pg.ping()
        assert _close_server_side(url) == 1
        with pytest.raises(ApiError) as err:
            pg.ping()
        assert err.value.code == "DEPENDENCY_UNAVAILABLE"
        assert pg.ping()
    finally:
        pg.close()
