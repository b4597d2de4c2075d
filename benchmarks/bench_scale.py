"""Throughput across processes: quotes/s at 1, 4, 8 and 16 clients, one server process
against the production launch (``python -m functions serve --workers 0``: one process per
CPU) and against the naive multi-process launch of the old code (``uvicorn --factory
--workers N`` from ``benchmarks.baseline``: Nagle's algorithm left on, see
``functions.serve``), started one after the other against the same scratch database.

Each client is a thread with its own kept-alive ``httpx.Client`` posting 40-circuit panels
(each stored with its quote and blobs). Goal (issue 15): at 8 clients the production launch
gives ≥ 1.6× the quotes/s of one process on this 2-core machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks.baseline import base_commit, old_tree
from benchmarks.bench_http import DB_SH, Server, _estimate, _sh
from benchmarks.bench_pipeline import panel
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions._shared.auth import mint_token
from functions.dev import ensure_user, seed_catalog

DB = "kis_it_bench_scale"
CLIENTS = (1, 4, 8, 16)
SECONDS = 4.0


def _wait_ready(server: Server, token: str) -> None:
    t0 = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        while True:
            try:
                _estimate(client, server.base, token, panel(12, 0))
                return
            except (httpx.TransportError, RuntimeError):
                if time.perf_counter() - t0 > 60:
                    raise
                time.sleep(0.05)


def _throughput(server: Server, token: str, clients: int) -> tuple[float, float]:
    """Quotes/s over SECONDS and the median latency, ``clients`` kept-alive connections."""
    body = panel(40, 1)
    stop = time.perf_counter() + SECONDS

    def client_loop(_: int) -> list[float]:
        times: list[float] = []
        with httpx.Client(timeout=30) as c:
            _estimate(c, server.base, token, body)  # connect and warm this worker
            while time.perf_counter() < stop:
                times.append(_estimate(c, server.base, token, body))
        return times

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        per_client = list(pool.map(client_loop, range(clients)))
    elapsed = time.perf_counter() - t0
    times = [t for ts in per_client for t in ts]
    return len(times) / elapsed, statistics.median(times) if times else float("nan")


def run() -> str:
    subprocess.run([str(DB_SH), "up"], check=True, capture_output=True)
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    url = _sh("create-db", DB)
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    ensure_user(url, "bench")
    cpus = os.cpu_count() or 1
    load_before = os.getloadavg()
    naive = [sys.executable, "-m", "uvicorn", "functions.app:create_app", "--factory"]
    naive += ["--workers", str(cpus), "--log-level", "warning"]
    launches = {
        "one": {"workers": 1},
        "prod": {"workers": 0},
        "naive": {"workers": cpus, "command": naive, "cwd": old_tree()},
    }
    results: dict[str, dict[int, tuple[float, float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, launch in launches.items():
                server = Server(url, Path(tmp), **launch)  # type: ignore[arg-type]
                token = mint_token(server.secret, "bench")
                server.start()
                try:
                    _wait_ready(server, token)
                    results[name] = {n: _throughput(server, token, n) for n in CLIENTS}
                finally:
                    server.stop()
    finally:
        subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    load_after = os.getloadavg()
    one, prod, old = results["one"], results["prod"], results["naive"]
    rows = [
        f"| {n} | {one[n][0]:.1f} | {prod[n][0]:.1f} | {prod[n][0] / one[n][0]:.2f}× | "
        f"{old[n][0]:.1f} | {one[n][1]:.1f} | {prod[n][1]:.1f} | {old[n][1]:.1f} |"
        for n in CLIENTS
    ]
    head = (
        "## Throughput across processes (`POST /functions/v1/estimate`, 40 circuits)\n\n"
        f"One server process against `python -m functions serve --workers 0` ({cpus} "
        f"processes, one per CPU) in the same run, same scratch database; {SECONDS:.0f} s "
        "per cell, every client a thread with its own kept-alive connection. The database, "
        "the server processes and the client threads share the machine's "
        f"{cpus} cores. Load average before {load_before[0]:.1f}, after {load_after[0]:.1f}.\n\n"
        f"Old: `uvicorn --factory --workers {cpus}` on commit {base_commit()}.\n\n"
        f"| clients | 1 process quotes/s | {cpus} processes quotes/s | ratio | old {cpus} "
        f"processes quotes/s | 1 process p50 ms | {cpus} processes p50 ms | old {cpus} "
        "processes p50 ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run())
