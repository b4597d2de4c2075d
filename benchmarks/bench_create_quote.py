"""Database time of ``estimator.create_quote``, before and after 20261130001300 and
20261130001400 (issue 15).

    python -m benchmarks create_quote [runs]

Stores one 40-circuit quote through the functions (a real payload: 1 panel, its breakers,
items, 1 document, 10 evidence rows, the ~14 KB response), reads the payload back from its
rows, then calls ``estimator.create_quote`` with it (new id, key and storage paths each
time, one transaction per call, as the functions do) in alternating blocks with the old
definitions (20261130000200's AFTER INSERT numbering, 20261130000800's create_quote) and
the new ones (20261130001300) installed, and the new ones with the large JSON values
compressed by pglz (before 20261130001400) instead of lz4, on one scratch database, so
load hits all alike.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from benchmarks.bench_http import DB_SH, Server, _estimate, _sh
from benchmarks.bench_pipeline import panel, percentile
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions._shared.auth import mint_token
from functions.dev import ensure_user, seed_catalog

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "db" / "migrations"
DB = "kis_it_bench_create_quote"
BLOCK = 20

PAYLOAD_SQL = """
select jsonb_build_object(
  'owner', q.owner, 'status', q.status, 'request', q.request,
  'request_sha256', q.request_sha256, 'response', q.response - 'quote_number',
  'catalog_version_id', q.catalog_version_id, 'catalog_label', q.catalog_label,
  'catalog_sha256', q.catalog_sha256, 'subtotal', q.subtotal, 'vat', q.vat,
  'grand_total', q.grand_total, 'evidence_root_sha256', q.evidence_root_sha256,
  'items', (select jsonb_agg(jsonb_build_object('section', i.section, 'item', i.item,
              'spec', i.spec, 'unit', i.unit, 'qty', i.qty, 'unit_price', i.unit_price,
              'amount', i.amount) order by i.position)
              from estimator.quote_items as i where i.quote_id = q.id),
  'panels', (select jsonb_agg(jsonb_build_object('label', p.label,
              'enclosure_model', p.enclosure_model, 'enclosure_w_mm', p.enclosure_w_mm,
              'enclosure_h_mm', p.enclosure_h_mm, 'enclosure_d_mm', p.enclosure_d_mm,
              'required_w_mm', p.required_w_mm, 'required_h_mm', p.required_h_mm,
              'required_d_mm', p.required_d_mm, 'fit_score', p.fit_score, 'layout', p.layout,
              'phase_balance', p.phase_balance,
              'breakers', (select jsonb_agg(jsonb_build_object('row', b.row_no, 'side', b.side,
                             'phase', b.phase, 'model', b.model, 'af', b.af, 'at', b.at,
                             'poles', b.poles, 'load_a', b.load_a, 'role', b.role))
                             from estimator.breakers as b where b.panel_id = p.id))
              order by p.position)
              from estimator.panels as p where p.quote_id = q.id),
  'documents', (select jsonb_agg(jsonb_build_object('kind', d.kind,
              'storage_path', d.storage_path, 'sha256', d.sha256,
              'content_type', d.content_type, 'size_bytes', d.size_bytes))
              from estimator.documents as d where d.quote_id = q.id),
  'evidence', (select jsonb_agg(jsonb_build_object('stage', e.stage,
              'storage_path', e.storage_path, 'sha256', e.sha256,
              'size_bytes', e.size_bytes, 'content_type', e.content_type))
              from estimator.evidence_blobs as e where e.quote_id = q.id)),
  q.id
  from estimator.quotes as q limit 1
"""


def _function(path: Path, head: str) -> str:
    text = path.read_text()
    start = text.index(head)
    return text[start : text.index("$$;", start) + 3]


def old_sql() -> str:
    numbering = _function(
        MIGRATIONS / "20261130000200_quote_numbers.sql",
        "create function estimator.assign_quote_number",
    ).replace("create function", "create or replace function", 1)
    create = _function(
        MIGRATIONS / "20261130000800_review_and_revisions.sql",
        "create or replace function estimator.create_quote(payload jsonb)",
    )
    return (
        numbering
        + "\ndrop trigger if exists quotes_take_number on estimator.quotes;"
        + "\ndrop trigger if exists quotes_assign_number on estimator.quotes;"
        + "\ncreate trigger quotes_assign_number after insert on estimator.quotes"
        + " for each row execute function estimator.assign_quote_number();\n"
        + create
    )


def new_sql() -> str:
    text = (MIGRATIONS / "20261130001300_lean_create_quote.sql").read_text()
    return text.replace(
        "drop trigger quotes_assign_number",
        "drop trigger if exists quotes_take_number on estimator.quotes;\n"
        "drop trigger if exists quotes_assign_number",
    )


def compression(method: str) -> str:
    """The large JSON columns compressed with ``method`` (20261130001400: lz4)."""
    return (
        f"alter table estimator.quotes alter column request set compression {method}, "
        f"alter column response set compression {method};"
        f"alter table estimator.panels alter column layout set compression {method}, "
        f"alter column phase_balance set compression {method};"
    )


VARIANTS = ("old", "new, pglz", "new")


def _payload(url: str) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(url, Path(tmp))
        token = mint_token(server.secret, "bench")
        server.start()
        try:
            t0 = time.perf_counter()
            with httpx.Client(timeout=30) as client:
                while True:
                    try:
                        _estimate(client, server.base, token, panel(40, 0))
                        break
                    except (httpx.TransportError, RuntimeError):
                        if time.perf_counter() - t0 > 30:
                            raise
                        time.sleep(0.05)
        finally:
            server.stop()
    with psycopg.connect(url) as conn:
        row = conn.execute(PAYLOAD_SQL).fetchone()
    assert row is not None
    return json.dumps(row[0]), str(row[1])


def _time(conn: psycopg.Connection, template: str, old_id: str) -> float:
    new_id = str(uuid.uuid4())
    body = json.loads(template.replace(old_id, new_id))
    body["id"] = new_id
    body["idempotency_key"] = new_id
    text = json.dumps(body)
    t0 = time.perf_counter()
    conn.execute("select estimator.create_quote(%s::jsonb)", (text,))
    return (time.perf_counter() - t0) * 1000


def run(runs: int = 600) -> str:
    subprocess.run([str(DB_SH), "up"], check=True, capture_output=True)
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    url = _sh("create-db", DB)
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    ensure_user(url, "bench")
    template, old_id = _payload(url)
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    sql = {
        "old": old_sql() + compression("pglz"),
        "new, pglz": new_sql() + compression("pglz"),
        "new": new_sql() + compression("lz4"),
    }
    with psycopg.connect(url, autocommit=True) as conn:
        order = list(VARIANTS)
        done = 0
        while done < runs:
            for name in order:
                conn.execute(sql[name])
                _time(conn, template, old_id)  # warm the plan cache after the swap
                times[name] += [_time(conn, template, old_id) for _ in range(BLOCK)]
            order = order[1:] + order[:1]
            done += BLOCK
        numbers = conn.execute(
            "select count(*), count(distinct quote_number) from estimator.quotes"
        ).fetchone()
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    load = os.getloadavg()
    size = len(template.encode())
    lines = [
        "## create_quote: database time, old vs new (issue 15, 20261130001300 and 1400)",
        "",
        "One 40-circuit quote's payload stored again and again with `estimator.create_quote`,"
        " one transaction per call, timed at the client (psycopg, autocommit); the old"
        " definitions (AFTER INSERT numbering that rewrites the row, panels and breakers"
        " inserted per panel) and the new ones (number assigned BEFORE INSERT, one statement"
        " for panels and breakers) swapped in blocks on one database, the new ones also with"
        " the large JSON values compressed by pglz (`new, pglz`: before 20261130001400) and"
        " by lz4 (`new`).",
        "",
        f"payload {size / 1024:.1f} KB; {runs} calls each, blocks of {BLOCK} alternating; "
        f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; quotes/numbers {numbers}",
        "",
        "| create_quote (client round trip, autocommit) | p50 | p95 | mean |",
        "| --- | --- | --- | --- |",
    ]
    for name in VARIANTS:
        t = times[name]
        lines.append(
            f"| {name} | {statistics.median(t):.2f} ms | {percentile(t, 95):.2f} ms | "
            f"{statistics.fmean(t):.2f} ms |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 600))
