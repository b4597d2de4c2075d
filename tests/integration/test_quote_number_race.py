"""Two stores of one Idempotency-Key at once, in the real database: one quote, no gap.

The quote number is assigned before the row is inserted (20261130001300), so a store that
loses the key to a concurrent one has taken a number before its insert finds the conflict.
It gives the number back (it still holds the year's counter lock) and answers the winner's
quote, as a replay does: the numbers of a year stay gap-free.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable

import psycopg

from .support import db_url, psql

USER = "55555555-0000-4000-8000-000000000005"
CATALOG = "c0000000-0000-4000-8000-000000000002"
SETUP = f"""
insert into auth.users (id, email, role, aud, created_at)
values ('{USER}', 'race@x.test', 'authenticated', 'authenticated', now());
insert into shared.catalog_versions (id, label, status, content, content_sha256, activated_at)
values ('{CATALOG}', 'race-v1', 'active', '{{}}', repeat('c', 64), now());
"""


def _payload(key: str) -> str:
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "idempotency_key": key,
            "status": "issued",
            "request": {"key": key},
            "request_sha256": "a" * 64,
            "catalog_version_id": CATALOG,
            "catalog_label": "race-v1",
            "catalog_sha256": "c" * 64,
            "subtotal": 0,
            "vat": 0,
            "grand_total": 0,
            "evidence_root_sha256": "e" * 64,
            "issued_at": "2093-05-01T03:00:00Z",
        }
    )


def _connect(db: str) -> psycopg.Connection:
    conn = psycopg.connect(db_url(db))
    conn.execute("set role service_role")
    conn.execute(
        "select set_config('request.jwt.claims', %s, false)",
        (json.dumps({"sub": USER, "role": "authenticated"}),),
    )
    conn.commit()
    return conn


def test_the_loser_of_a_key_race_gives_its_number_back(scratch_db: Callable[..., str]) -> None:
    db = scratch_db("number_race")
    psql(db, SETUP)
    first = _connect(db)
    second = _connect(db)
    answers: dict[str, str] = {}

    def store_again() -> None:
        row = second.execute("select estimator.create_quote(%s::jsonb)", (_payload("k1"),))
        answers["second"] = str(row.fetchone()[0])  # type: ignore[index]
        second.commit()

    try:
        row = first.execute("select estimator.create_quote(%s::jsonb)", (_payload("k1"),))
        answers["first"] = str(row.fetchone()[0])  # type: ignore[index]
        second_pid = second.info.backend_pid
        thread = threading.Thread(target=store_again)
        thread.start()
        # the second store waits for the year's counter, which the first one holds
        deadline = time.monotonic() + 10
        while (
            psql(db, f"select wait_event_type from pg_stat_activity where pid = {second_pid}")
            != "Lock"
        ):
            assert time.monotonic() < deadline, "the second store never waited"
            time.sleep(0.02)
        first.commit()
        thread.join(10)
    finally:
        first.close()
        second.close()

    assert answers["second"] == answers["first"]
    assert (
        psql(db, "select last_number from estimator.quote_number_counters where year = 2093") == "1"
    )
    third = _connect(db)
    try:
        third.execute("select estimator.create_quote(%s::jsonb)", (_payload("k2"),))
        third.commit()
    finally:
        third.close()
    assert (
        psql(db, "select string_agg(quote_number, ',' order by quote_number) from estimator.quotes")
        == "Q-2093-000001,Q-2093-000002"
    )
