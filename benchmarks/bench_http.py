"""HTTP benchmarks on the embedded local stack: POST /estimate latency, healthz, throughput
with 8 concurrent clients, and cold start (process start to first 201).

Needs the local stack installed (``make install``); it creates and drops its own scratch
database. Targets (issue 4): estimate p95 ≤ 150 ms at 40 circuits, healthz p95 ≤ 10 ms,
cold start ≤ 1.5 s.
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_pipeline import panel, percentile
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions._shared.auth import mint_token
from functions.dev import ensure_user, seed_catalog

ROOT = Path(__file__).resolve().parents[1]
DB_SH = ROOT / "ops" / "supabase" / "db.sh"
DB = "kis_it_bench"


def _sh(*args: str) -> str:
    out = subprocess.run([str(DB_SH), *args], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(
        self,
        database_url: str,
        storage: Path,
        workers: int = 1,
        command: list[str] | None = None,
        cwd: Path = ROOT,
    ) -> None:
        self.workers = workers
        self.command = command  # instead of ``python -m functions serve`` (with --port added)
        self.cwd = cwd
        self.port = _port()
        self.secret = secrets.token_hex(32)
        self.base = f"http://127.0.0.1:{self.port}/functions/v1"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "JWT_SECRET": self.secret,
            "STORAGE_DIR": str(storage),
            "PUBLIC_URL": f"http://127.0.0.1:{self.port}",
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "functions",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=ROOT,
            env=self.env,
        )

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)


def _estimate(client: httpx.Client, base: str, token: str, body: dict[str, Any]) -> float:
    t0 = time.perf_counter()
    res = client.post(
        f"{base}/estimate",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )
    elapsed = (time.perf_counter() - t0) * 1000
    if res.status_code != 201:
        raise RuntimeError(f"estimate answered {res.status_code}: {res.text[:200]}")
    return elapsed


def run(runs: int = 40) -> str:
    subprocess.run([str(DB_SH), "up"], check=True, capture_output=True)
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    url = _sh("create-db", DB)
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    ensure_user(url, "bench")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # cold start: process start → first 201
        server = Server(url, Path(tmp))
        token = mint_token(server.secret, "bench")
        body12 = panel(12, 0)
        t0 = time.perf_counter()
        server.start()
        with httpx.Client(timeout=30) as client:
            while True:
                try:
                    _estimate(client, server.base, token, body12)
                    break
                except (httpx.TransportError, RuntimeError):
                    if time.perf_counter() - t0 > 30:
                        raise
                    time.sleep(0.02)
            cold = (time.perf_counter() - t0) * 1000
            rows.append(f"| cold start (process start → first 201) | {cold:.0f} ms | ≤ 1500 ms |")
            for size, target in ((12, None), (40, 150)):
                times = [_estimate(client, server.base, token, panel(size, s)) for s in range(runs)]
                rows.append(
                    f"| POST estimate, {size} circuits: p50 / p95 | "
                    f"{statistics.median(times):.1f} / {percentile(times, 95):.1f} ms | "
                    f"{f'p95 ≤ {target} ms' if target else '-'} |"
                )
            health = []
            for _ in range(200):
                t = time.perf_counter()
                client.get(f"{server.base}/healthz")
                health.append((time.perf_counter() - t) * 1000)
            rows.append(f"| healthz p95 | {percentile(health, 95):.2f} ms | ≤ 10 ms |")

        def one(i: int) -> float:
            with httpx.Client(timeout=30) as c:
                return _estimate(c, server.base, token, panel(40, i))

        total = 160
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, range(total)))
        rate = total / (time.perf_counter() - t0)
        rows.append(f"| throughput, 8 concurrent clients, 40 circuits | {rate:.1f} quotes/s | - |")
        server.stop()
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    head = (
        "## HTTP on the embedded local stack (`POST /functions/v1/estimate`)\n\n"
        "One uvicorn worker; every estimate stores its quote and 11 objects (10 evidence "
        "blobs + the result) before answering.\n\n| measure | result | target |\n|---|---|---|\n"
    )
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run())
