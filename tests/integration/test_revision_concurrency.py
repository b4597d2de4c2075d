"""Concurrent revisions of one quote in the real database: exactly one is stored.

Ten connections revise the same (latest) revision at once, each as the functions do it
(service_role with the user's claims, estimator.create_revision). The predecessor's row
lock serialises them: one commits, the other nine fail with PT409 (the API's 409) or,
should one slip past, the unique successor index's 23505 (also 409).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable

import psycopg

from .support import db_url, psql

USER = "44444444-0000-4000-8000-000000000004"
QUOTE = "d0000000-0000-4000-8000-000000000001"
SETUP = f"""
insert into auth.users (id, email, role, aud, created_at)
values ('{USER}', 'rev@x.test', 'authenticated', 'authenticated', now());
insert into shared.catalog_versions (id, label, status, content, content_sha256, activated_at)
values ('c0000000-0000-4000-8000-000000000001', 'r-v1', 'active', '{{}}', repeat('c', 64), now());
insert into estimator.quotes (id, owner, idempotency_key, status, request, request_sha256,
  catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total,
  evidence_root_sha256)
values ('{QUOTE}', '{USER}', 'r0', 'issued', '{{}}', repeat('a', 64),
  'c0000000-0000-4000-8000-000000000001', 'r-v1', repeat('c', 64), 0, 0, 0, repeat('e', 64));
"""


def _payload(n: int) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "idempotency_key": f"rev-{n}",
        "status": "issued",
        "request": {"n": n},
        "request_sha256": "a" * 64,
        "catalog_version_id": "c0000000-0000-4000-8000-000000000001",
        "catalog_label": "r-v1",
        "catalog_sha256": "c" * 64,
        "subtotal": 0,
        "vat": 0,
        "grand_total": 0,
        "evidence_root_sha256": "e" * 64,
    }


def test_ten_concurrent_revisions_store_exactly_one(scratch_db: Callable[..., str]) -> None:
    db = scratch_db("revisions")
    psql(db, SETUP)
    start = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def revise(n: int) -> None:
        with psycopg.connect(db_url(db)) as conn:
            conn.execute("set role service_role")
            conn.execute(
                "select set_config('request.jwt.claims', %s, false)",
                (json.dumps({"sub": USER, "role": "authenticated"}),),
            )
            start.wait()
            try:
                with conn.transaction():
                    conn.execute(
                        "select estimator.create_revision(%s, %s::jsonb)",
                        (QUOTE, json.dumps(_payload(n))),
                    )
                result = "ok"
            except psycopg.Error as err:
                result = err.sqlstate or "?"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=revise, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes).count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"PT409", "23505"}, outcomes
    assert (
        psql(db, f"select count(*) from estimator.quotes where previous_quote_id = '{QUOTE}'")
        == "1"
    )
    assert psql(db, f"select count(*) from estimator.quotes where owner = '{USER}'") == "2"
