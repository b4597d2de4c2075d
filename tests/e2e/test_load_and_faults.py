"""Slow tier: mixed load from 16 clients for a bounded time, and a server killed with
SIGKILL in the middle of requests. Both report errors, p95 latency and orphan objects;
neither asserts a time. Each runs its own server (own port and blob store) on the e2e
database, so killing it harms no other test."""

from __future__ import annotations

import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import example
from tests.e2e.conftest import Api, free_port
from tests.integration.support import ROOT

pytestmark = pytest.mark.slow

CLIENTS = 16
LOAD_SECONDS = float(os.environ.get("KIS_LOAD_SECONDS", "60"))


def own_server(shared: Api, storage: Path) -> Api:
    port = free_port()
    secret = secrets.token_hex(32)
    env = {
        **shared.env,
        "JWT_SECRET": secret,
        "STORAGE_DIR": str(storage),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        # a connection per client: each estimate holds one for its idempotency lock
        "DB_POOL_SIZE": str(CLIENTS),
    }
    server = Api("local", f"http://127.0.0.1:{port}", secret, shared.database_url, storage, env)
    server.start()
    return server


@pytest.fixture
def server(api: Api, tmp_path: Path) -> Iterator[Api]:
    if api.mode != "local":
        pytest.skip("a server of its own needs the local stack")
    own = own_server(api, tmp_path / "storage")
    try:
        yield own
    finally:
        own.stop()
        own.client.close()


def orphans(server: Api) -> list[Path]:
    """Objects of this server's blob store that no row refers to."""
    assert server.storage_dir is not None
    referenced = {
        r[0]
        for r in server.sql(
            "select storage_path from estimator.evidence_blobs "
            "union select storage_path from estimator.documents"
        )
    }
    evidence = server.storage_dir / "evidence"
    files = [p for p in evidence.rglob("*") if p.is_file()] if evidence.exists() else []
    # the store's files are named by their objects' names, "/" written "~"
    return [
        p for p in files if p.relative_to(evidence).as_posix().replace("~", "/") not in referenced
    ]


def sweep_now(server: Api) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "functions", "sweep-orphans", "--grace-hours", "0"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else 0.0


def test_sixteen_clients_of_mixed_load_see_no_error_and_leave_no_orphan(
    server: Api, record_property: Any
) -> None:
    users = [f"load-{i}" for i in range(CLIENTS)]
    headers = {u: server.headers(u) for u in users}
    seeded = {}
    for u in users:  # one quote each, so get/verify have something to read from the start
        res = server.client.post(
            server.url("estimate"),
            json=example("apartment_sangdo"),
            headers={**headers[u], "Idempotency-Key": f"seed-{uuid.uuid4()}"},
        )
        assert res.status_code == 201, res.text[:300]
        seeded[u] = res.json()["quote_id"]
    latencies: dict[str, list[float]] = {"estimate": [], "get": [], "list": [], "verify": []}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def client(user: str) -> None:
        quote_id = seeded[user]
        with httpx.Client(timeout=60) as http:
            n = 0
            while time.monotonic() < deadline:
                kind = ("estimate", "get", "list", "verify")[n % 4]
                n += 1
                started = time.perf_counter()
                try:
                    if kind == "estimate":
                        res = http.post(
                            server.url("estimate"),
                            json=example("office_ls_standard"),
                            headers={**headers[user], "Idempotency-Key": f"k-{uuid.uuid4()}"},
                        )
                        ok = res.status_code == 201
                        if ok:
                            quote_id = res.json()["quote_id"]
                    elif kind == "get":
                        res = http.get(server.url(f"quotes/{quote_id}"), headers=headers[user])
                        ok = res.status_code == 200
                    elif kind == "list":
                        res = http.get(server.url("quotes"), headers=headers[user])
                        ok = res.status_code == 200
                    else:
                        res = http.get(
                            server.url(f"quotes/{quote_id}/evidence"),
                            params={"verify": "true"},
                            headers=headers[user],
                        )
                        ok = res.status_code == 200 and res.json()["verified"] is True
                    outcome = None if ok else f"{kind}: HTTP {res.status_code} {res.text[:120]}"
                except httpx.HTTPError as err:
                    outcome = f"{kind}: {type(err).__name__}"
                with lock:
                    latencies[kind].append(time.perf_counter() - started)
                    if outcome:
                        errors.append(outcome)

    threads = [threading.Thread(target=client, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    report = {k: f"{len(v)} calls, p95 {p95(v) * 1000:.0f} ms" for k, v in latencies.items()}
    left = orphans(server)
    record_property("load", report)
    print(f"\nload ({CLIENTS} clients, {LOAD_SECONDS:.0f} s): {report}; orphans {len(left)}")
    assert errors == [], errors[:10]
    assert all(latencies[k] for k in latencies)  # every kind of call ran
    assert left == []
    assert sweep_now(server).endswith("deleted 0")


def test_a_server_killed_mid_request_leaves_orphans_the_sweep_removes(server: Api) -> None:
    assert server.proc is not None and server.storage_dir is not None
    headers = server.headers("crash")
    before = int(server.sql("select count(*) from estimator.quotes")[0][0])
    answered: list[int] = []

    def fire() -> None:
        with httpx.Client(timeout=30) as http:
            for _ in range(20):
                try:
                    res = http.post(
                        server.url("estimate"),
                        json=example("apartment_sangdo"),
                        headers={**headers, "Idempotency-Key": f"k-{uuid.uuid4()}"},
                    )
                    answered.append(res.status_code)
                except httpx.HTTPError:
                    return

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for t in threads:
        t.start()
    # kill when requests are in flight: after some answers, while the rest still run
    while len(answered) < 4 and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(10)
    server.proc = None
    for t in threads:
        t.join()

    server.start()  # the same port, storage and database: what a restart finds
    stored = int(server.sql("select count(*) from estimator.quotes")[0][0]) - before
    assert all(code == 201 for code in answered), answered
    assert stored >= len(answered)  # every answered quote was committed
    found = orphans(server)
    print(f"\nkill -9: {len(answered)} answered, {stored} stored, {len(found)} orphan objects")
    summary = sweep_now(server)
    assert summary.endswith(f"deleted {len(found)}"), summary
    assert orphans(server) == []
    listed = server.client.get(server.url("quotes"), params={"limit": 100}, headers=headers)
    for item in listed.json()["items"]:  # whatever was committed is whole and verifies
        ev = server.client.get(
            server.url(f"quotes/{item['quote_id']}/evidence"),
            params={"verify": "true"},
            headers=headers,
        )
        assert ev.json()["verified"] is True, item["quote_id"]
