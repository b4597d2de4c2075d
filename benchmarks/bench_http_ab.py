"""POST /estimate, old code against new, in one run on one database (issue 15).

    python -m benchmarks.bench_http_ab OLD_CHECKOUT [runs]

Starts two functions servers side by side — this checkout and ``OLD_CHECKOUT`` (e.g. a
``git archive`` of the base commit) — on the same scratch database and interleaves
their requests (A, B, A, B …) so a shared machine's load hits both alike. Reports, per
server: client-side p50/p95 at one client (12 and 40 circuits), throughput with 8
clients (alternating rounds), and server CPU per quote (user + system time of the
server process from /proc, the measure least sensitive to other load).
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

from benchmarks.bench_http import DB, DB_SH, Server, _estimate, _sh
from benchmarks.bench_pipeline import panel, percentile
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions._shared.auth import mint_token
from functions.dev import ensure_user, seed_catalog

ROOT = Path(__file__).resolve().parents[1]


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Side:
    def __init__(self, name: str, root: Path, url: str, storage: Path) -> None:
        self.name = name
        self.server = Server(url, storage)
        self.root = root
        self.token = mint_token(self.server.secret, "bench")
        self.times: dict[int, list[float]] = {12: [], 40: []}
        self.rates: list[float] = []
        self.cpu_per_quote: list[float] = []

    def start(self) -> None:
        self.server.proc = subprocess.Popen(
            [sys.executable, "-m", "functions", "serve", "--port", str(self.server.port)],
            cwd=self.root,
            env={**self.server.env, "PYTHONPATH": str(self.root)},
        )
        with httpx.Client(timeout=30) as client:
            t0 = time.perf_counter()
            while True:
                try:
                    _estimate(client, self.server.base, self.token, panel(12, 0))
                    return
                except (httpx.TransportError, RuntimeError):
                    if time.perf_counter() - t0 > 60:
                        raise
                    time.sleep(0.05)

    def burst(self, total: int, seed: int) -> None:
        def one(i: int) -> float:
            with httpx.Client(timeout=30) as c:
                return _estimate(c, self.server.base, self.token, panel(40, seed + i))

        assert self.server.proc is not None
        cpu0 = _cpu_s(self.server.proc.pid)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, range(total)))
        self.rates.append(total / (time.perf_counter() - t0))
        self.cpu_per_quote.append((_cpu_s(self.server.proc.pid) - cpu0) * 1000 / total)


def run(old: Path, runs: int = 60) -> str:
    subprocess.run([str(DB_SH), "up"], check=True, capture_output=True)
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    url = _sh("create-db", DB)
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    ensure_user(url, "bench")
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        sides = [
            Side("old", old, url, Path(tmp) / "old"),
            Side("new", ROOT, url, Path(tmp) / "new"),
        ]
        for side in sides:
            side.start()
        clients = [httpx.Client(timeout=30) for _ in sides]
        for size in (12, 40):
            for i in range(runs):
                for side, client in zip(sides, clients, strict=True):
                    body = panel(size, i)
                    side.times[size].append(_estimate(client, side.server.base, side.token, body))
        for r in range(4):
            for side in sides if r % 2 == 0 else sides[::-1]:
                side.burst(80, 1000 * r)
        for client in clients:
            client.close()
        for side in sides:
            side.server.stop()
    subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    load1 = os.getloadavg()[0]
    rows = []
    for side in sides:
        t12, t40 = side.times[12], side.times[40]
        rows.append(
            f"| {side.name} | {statistics.median(t12):.1f} / {percentile(t12, 95):.1f} ms | "
            f"{statistics.median(t40):.1f} / {percentile(t40, 95):.1f} ms | "
            f"{statistics.median(side.rates):.1f} quotes/s | "
            f"{statistics.median(side.cpu_per_quote):.1f} ms |"
        )
    return (
        "| code | 12 circuits p50 / p95 | 40 circuits p50 / p95 | 8 clients, 40 circuits "
        "| server CPU per quote |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\n1-minute load average {load0:.1f} before, {load1:.1f} after; {runs} "
        f"interleaved requests per size and server, 4 alternating bursts of 80.\n"
    )


if __name__ == "__main__":
    print(run(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 60))
