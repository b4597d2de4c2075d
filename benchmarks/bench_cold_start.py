"""Cold start of each deployment target's entry point, on the embedded local stack.

- **Lambda** (``functions.lambda_handler``, as in the image: ``AWS_LAMBDA_FUNCTION_NAME``
  set, so the app is built at import): a fresh interpreter per run; *init* = import + app
  and adapters built (what Lambda's init phase runs), then the first invocation (an HTTP
  API event for healthz) and the first estimate (catalog load, pipeline, storage, database).
- **Container** (the Dockerfile's ``python -m functions serve``, port from ``$PORT``):
  process start → first healthz 200 → first estimate 201, over HTTP.

Goal (issue 14): Lambda init under 600 ms on this machine.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_http import DB_SH, _port, _sh
from benchmarks.bench_pipeline import panel
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions._shared.auth import mint_token
from functions.dev import ensure_user, seed_catalog

ROOT = Path(__file__).resolve().parents[1]
DB = "kis_it_bench_cold"
RUNS = 7

# Runs in a fresh interpreter: times are taken inside it, from its first line.
LAMBDA_PROBE = r"""
import time
t0, c0 = time.perf_counter(), time.process_time()
import json, sys
import functions.lambda_handler as h          # builds the app: AWS_LAMBDA_FUNCTION_NAME is set
t1, c1 = time.perf_counter(), time.process_time()
def event(method, path, headers, body=None):
    return {"version": "2.0", "routeKey": "ANY /{proxy+}", "rawPath": path, "rawQueryString": "",
            "headers": {"host": "x.execute-api.eu-central-1.amazonaws.com", **headers},
            "requestContext": {"http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                        "sourceIp": "203.0.113.7", "userAgent": "bench"},
                               "stage": "$default", "requestId": "r"},
            "body": body, "isBase64Encoded": False}
first = h.handler(event("GET", "/functions/v1/healthz", {}), None)
t2 = time.perf_counter()
est = h.handler(event("POST", "/functions/v1/estimate",
                      {"authorization": "Bearer " + sys.argv[1], "content-type": "application/json",
                       "idempotency-key": sys.argv[2]}, sys.argv[3]), None)
t3 = time.perf_counter()
assert first["statusCode"] == 200 and est["statusCode"] == 201, (first, est["body"][:300])
print(json.dumps({"init": (t1 - t0) * 1000, "init_cpu": (c1 - c0) * 1000,
                  "first": (t2 - t1) * 1000,
                  "estimate": (t3 - t2) * 1000}))
"""


def _lambda_run(env: dict[str, str], token: str, body: str) -> dict[str, float]:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", LAMBDA_PROBE, token, f"cold-{uuid.uuid4()}", body],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    wall = (time.perf_counter() - t0) * 1000
    times: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    times["process"] = wall
    return times


def _container_run(env: dict[str, str], token: str, body: dict[str, Any]) -> dict[str, float]:
    port = _port()
    run_env = {**env, "PORT": str(port), "PUBLIC_URL": f"http://127.0.0.1:{port}"}
    base = f"http://127.0.0.1:{port}/functions/v1"
    # the Dockerfile's CMD, bound to loopback here
    cmd = [sys.executable, "-m", "functions", "serve", "--host", "127.0.0.1"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=run_env, stdin=subprocess.DEVNULL)
    try:
        with httpx.Client(timeout=30) as client:
            while True:
                try:
                    if client.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - t0 > 60:
                    raise RuntimeError("the container start command did not answer in 60 s")
                time.sleep(0.005)
            t1 = time.perf_counter()
            res = client.post(
                f"{base}/estimate",
                json=body,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
            )
            t2 = time.perf_counter()
            if res.status_code != 201:
                raise RuntimeError(f"estimate answered {res.status_code}: {res.text[:200]}")
    finally:
        proc.terminate()
        proc.wait(10)
    return {"first": (t1 - t0) * 1000, "estimate": (t2 - t1) * 1000}


def _row(label: str, values: list[float], goal: str = "-") -> str:
    return (
        f"| {label} | {statistics.median(values):.0f} ms | {min(values):.0f} / "
        f"{max(values):.0f} ms | {goal} |"
    )


def run(runs: int = RUNS) -> str:
    subprocess.run([str(DB_SH), "up"], check=True, capture_output=True)
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    url = _sh("create-db", DB)
    load_before = os.getloadavg()[0]
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    ensure_user(url, "bench")
    secret = secrets.token_hex(32)
    token = mint_token(secret, "bench")
    body = panel(12, 0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("SUPABASE")},
                "DATABASE_URL": url,
                "JWT_SECRET": secret,
                "STORAGE_DIR": tmp,
            }
            lam = [
                _lambda_run({**env, "AWS_LAMBDA_FUNCTION_NAME": "bench"}, token, json.dumps(body))
                for _ in range(runs)
            ]
            box = [_container_run(env, token, body) for _ in range(runs)]
    finally:
        subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    rows = [
        _row("Lambda init: import + app and adapters built", [r["init"] for r in lam], "< 600 ms"),
        _row(
            "Lambda init, CPU time of the process (less sensitive to load)",
            [r["init_cpu"] for r in lam],
            "-",
        ),
        _row("Lambda first invocation (healthz event)", [r["first"] for r in lam]),
        _row("Lambda first estimate (12 circuits, stored)", [r["estimate"] for r in lam]),
        _row("Lambda whole process: interpreter → estimate done", [r["process"] for r in lam]),
        _row("container: process start → first healthz 200", [r["first"] for r in box]),
        _row("container: then first estimate 201", [r["estimate"] for r in box]),
    ]
    head = (
        "## Cold start of the deployment targets (Lambda handler, container CMD)\n\n"
        f"{runs} fresh processes per target against the embedded stack; bytecode compiled "
        "(as in the package and the image). Median, then min / max. The machine is shared: "
        f"1-minute load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
        f"({os.cpu_count()} cores).\n\n"
        "| measure | median | min / max | goal |\n|---|---|---|---|\n"
    )
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run())
