"""Project quotes over HTTP (issue 11): a 50-panel project of 40 circuits each, priced and
stored by ``POST /functions/v1/estimate`` on the embedded local stack (goal: under 1 s).

The machine is shared: the engine alone (``estimate_project`` in this process, same body)
is timed in the same run, and the HTTP time is reported as a ratio to it, with the load
average before and after. Every panel differs (its own seed), so each is priced; a second
row prices 50 identical panels (the engine prices one and reuses it).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_http import DB_SH, Server, _sh
from benchmarks.bench_pipeline import panel
from estimator_core import estimate_project
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions._shared.auth import mint_token
from functions.dev import ensure_user, seed_catalog

DB = "kis_it_bench_project"
PANELS = 50
CIRCUITS = 40


def project(identical: bool = False) -> dict[str, Any]:
    return {
        "project": {"customer": {"name": "벤치건설"}, "name": "50개 분전반"},
        "panels": [
            {
                "name": f"LP-{i + 1}",
                "qty": 1 + i % 3,
                "request": panel(CIRCUITS, 0 if identical else i),
            }
            for i in range(PANELS)
        ],
    }


def _post(client: httpx.Client, base: str, token: str, body: dict[str, Any]) -> float:
    t0 = time.perf_counter()
    res = client.post(
        f"{base}/estimate",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )
    elapsed = (time.perf_counter() - t0) * 1000
    if res.status_code != 201:
        raise RuntimeError(f"estimate answered {res.status_code}: {res.text[:300]}")
    return elapsed


def _engine(body: dict[str, Any], runs: int) -> list[float]:
    catalog = load_catalog(DEFAULT_CATALOG)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        estimate_project(body, catalog, issued_at="2026-11-30T00:00:00Z", clock=time.perf_counter)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run(runs: int = 7) -> str:
    load_before = os.getloadavg()
    subprocess.run([str(DB_SH), "up"], check=True, capture_output=True)
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    url = _sh("create-db", DB)
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    ensure_user(url, "bench")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(url, Path(tmp))
        token = mint_token(server.secret, "bench")
        server.start()
        try:
            with httpx.Client(timeout=60) as client:
                deadline = time.perf_counter() + 30
                while True:
                    try:
                        if client.get(f"{server.base}/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.perf_counter() > deadline:
                        raise RuntimeError("the server did not start")
                    time.sleep(0.05)
                for label, identical in (("distinct", False), ("identical", True)):
                    body = project(identical)
                    _post(client, server.base, token, body)  # warm: catalog cache, imports
                    # interleaved, so both see the same machine load
                    http, engine = [], []
                    for _ in range(runs):
                        http.append(_post(client, server.base, token, body))
                        engine.extend(_engine(body, 1))
                    h, e = statistics.median(http), statistics.median(engine)
                    rows.append(
                        f"| {PANELS} {label} panels × {CIRCUITS} circuits | "
                        f"{h:.0f} ms (min {min(http):.0f}, max {max(http):.0f}) | "
                        f"{e:.0f} ms | {h / e:.2f} | < 1000 ms |"
                    )
        finally:
            server.stop()
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    load_after = os.getloadavg()
    head = (
        "## Project quotes over HTTP (`POST /functions/v1/estimate`, issue 11)\n\n"
        f"A project of {PANELS} panels of {CIRCUITS} circuits each, priced and stored in one "
        "request (one quote, one `estimator.panels` row per panel with its breakers, "
        f"{2 + 10 * PANELS} evidence blobs + the result); median of {runs} runs after a warm "
        "one, the engine alone (`estimate_project`, same body, this process) timed between "
        "them. Load average (1/5/15 min) before "
        f"{'/'.join(f'{x:.1f}' for x in load_before)}, after "
        f"{'/'.join(f'{x:.1f}' for x in load_after)} on {os.cpu_count()} cores.\n\n"
        "| project | HTTP p50 | engine alone p50 | HTTP / engine | goal |\n"
        "|---|---|---|---|---|\n"
    )
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run())
