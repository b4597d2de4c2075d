"""Throughput across processes: quotes/s at 1, 4, 8 and 16 clients, one server process
against the production launch (``python -m functions serve --workers 0``: one process per
CPU) and against the naive multi-process launch of the old code (``uvicorn --factory
--workers N`` from ``benchmarks.baseline``: Nagle's algorithm left on, see
``functions.serve``), all three running at once against the same scratch database and
measured cell by cell in rotating order, so a shared machine's load hits them alike.

Each client is a thread with its own kept-alive connection (``benchmarks.rawhttp``: raw
request bytes, far cheaper than an ``httpx`` client on the same cores) posting 40-circuit
panels, a different one each time (each stored with its quote and blobs). Goal (issue 15):
at 8 clients the production launch gives ≥ 1.6× the quotes/s of one process on this 2-core
machine.

Every cell also measures what a quote costs each party in CPU time: the server processes
(S, from /proc), PostgreSQL (D: every ``postgres`` process, the backends and the
background writers) and the client threads (C). The machine's cores then bound any launch:
quotes/s ≤ cores × 1000 / (S + D + C), and one process at most 1000 / S (one interpreter,
one core). The report prints that ceiling over one process's measured quotes/s beside the
ratio measured: the most any launch could gain here.
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.baseline import base_commit, old_tree
from benchmarks.bench_http import DB_SH, Server, _sh
from benchmarks.bench_http_ab import SETTLE_S, TICK, proc_stat
from benchmarks.bench_pipeline import panel
from benchmarks.rawhttp import KeepAlive
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions._shared.auth import mint_token
from functions.dev import ensure_user, seed_catalog

DB = "kis_it_bench_scale"
CLIENTS = (1, 4, 8, 16)
SECONDS = 4.0
ROUNDS = 3  # each cell measured this many times, apart (a median of each)


def _wait_ready(server: Server, token: str) -> None:
    t0 = time.perf_counter()
    while True:
        try:
            with KeepAlive(server.port, token) as client:
                client.estimate(panel(12, 0))
            return
        except (OSError, RuntimeError):
            if time.perf_counter() - t0 > 60:
                raise
            time.sleep(0.05)


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live children."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    stats = [fields for p in pids if (fields := proc_stat(p)) is not None]
    return sum(int(f[11]) + int(f[12]) for f in stats) / TICK


def _postgres_cpu_s() -> float:
    """CPU seconds used so far by PostgreSQL: every live ``postgres`` process (postmaster,
    backends, background writers) plus what the postmaster's exited children used."""
    stats: dict[str, list[str]] = {}
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or (entry / "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue
        if (fields := proc_stat(int(entry.name))) is not None:
            stats[entry.name] = fields
    ticks = sum(int(f[11]) + int(f[12]) for f in stats.values())
    # the postmaster (whose parent is not postgres) also holds its exited children's time
    ticks += sum(int(f[13]) + int(f[14]) for f in stats.values() if f[1] not in stats)
    return ticks / TICK


def _healthz_p50(server: Server, token: str, runs: int = 60) -> float:
    """Median healthz on one kept-alive connection: the per-request cost of the launch."""
    with KeepAlive(server.port, token) as client:
        request = client.get_request("/functions/v1/healthz")
        client.send(request)
        return statistics.median(client.send(request)[2] for _ in range(runs))


# Every request a different panel (one body again and again would let the engine's caches
# answer for it); a 40-circuit panel is made in about 0.03 ms, in the client's CPU.
SEEDS = itertools.count(1_000_000)

# the bench process's CPU per request, over every throughput cell (what the clients cost)
CLIENT_CPU_MS: list[float] = []


def _throughput(server: Server, token: str, clients: int) -> tuple[float, float, float]:
    """Quotes/s over SECONDS, the median latency and the client threads' CPU seconds,
    ``clients`` kept-alive connections (``benchmarks.rawhttp``: threads of this process,
    each making its next panel's request bytes itself)."""

    def client_loop(conn: KeepAlive) -> list[float]:
        times: list[float] = []
        while time.perf_counter() < stop:
            times.append(conn.estimate(panel(40, next(SEEDS))))
        return times

    conns = [KeepAlive(server.port, token) for _ in range(clients)]
    for conn in conns:
        conn.estimate(panel(40, next(SEEDS)))  # connect and warm this worker
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    stop = t0 + SECONDS
    with ThreadPoolExecutor(max_workers=clients) as pool:
        per_client = list(pool.map(client_loop, conns))
    elapsed = time.perf_counter() - t0
    for conn in conns:
        conn.close()
    client_s = time.process_time() - cpu0
    times = [t for ts in per_client for t in ts]
    if times:
        CLIENT_CPU_MS.append(client_s * 1000 / len(times))
    return len(times) / elapsed, statistics.median(times) if times else float("nan"), client_s


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
    cells: dict[str, dict[int, list[tuple[float, float]]]] = {name: {} for name in launches}
    health: dict[str, float] = {}
    cpu_s = dict.fromkeys(launches, 0.0)
    db_s = dict.fromkeys(launches, 0.0)
    client_s = dict.fromkeys(launches, 0.0)
    quotes = dict.fromkeys(launches, 0.0)
    servers: dict[str, tuple[Server, str]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                # all three launches up at once; each cell runs them in turn (rotating
                # order), so a shared machine's load hits them alike
                for name, launch in launches.items():
                    server = Server(url, Path(tmp) / name, **launch)  # type: ignore[arg-type]
                    servers[name] = (server, mint_token(server.secret, "bench"))
                    server.start()
                for server, token in servers.values():
                    _wait_ready(server, token)
                for name, (server, token) in servers.items():
                    health[name] = _healthz_p50(server, token)
                time.sleep(SETTLE_S)  # the set-up's deleted files age out (bench_http_ab)
                names = list(launches)
                for cell, n in enumerate(CLIENTS * ROUNDS):
                    turn = cell % len(names)
                    for name in names[turn:] + names[:turn]:
                        server, token = servers[name]
                        assert server.proc is not None
                        cpu0, db0 = _tree_cpu_s(server.proc.pid), _postgres_cpu_s()
                        rate, p50, client = _throughput(server, token, n)
                        cpu_s[name] += _tree_cpu_s(server.proc.pid) - cpu0
                        db_s[name] += _postgres_cpu_s() - db0
                        client_s[name] += client
                        cells[name].setdefault(n, []).append((rate, p50))
                        quotes[name] += rate * SECONDS
            finally:
                for server, _ in servers.values():
                    server.stop()
    finally:
        subprocess.run([str(DB_SH), "drop-db", DB], capture_output=True, check=False)
    cpu_ms = {name: cpu_s[name] * 1000 / quotes[name] for name in launches}
    db_ms = {name: db_s[name] * 1000 / quotes[name] for name in launches}
    client_ms = {name: client_s[name] * 1000 / quotes[name] for name in launches}
    load_after = os.getloadavg()
    # each cell: the median of its rounds' quotes/s and of their median latencies
    results = {
        name: {
            n: (statistics.median(r for r, _ in runs), statistics.median(t for _, t in runs))
            for n, runs in by_clients.items()
        }
        for name, by_clients in cells.items()
    }
    one, prod, old = results["one"], results["prod"], results["naive"]
    rows = [
        f"| {n} | {one[n][0]:.1f} | {prod[n][0]:.1f} | {prod[n][0] / one[n][0]:.2f}× | "
        f"{old[n][0]:.1f} | {one[n][1]:.1f} | {prod[n][1]:.1f} | {old[n][1]:.1f} |"
        for n in CLIENTS
    ]
    head = (
        "## Throughput across processes (`POST /functions/v1/estimate`, 40 circuits)\n\n"
        f"One server process against `python -m functions serve --workers 0` ({cpus} "
        f"processes, one per CPU) and the old launch, all three running at once on the same "
        f"scratch database, each cell run for each launch in turn (rotating order); "
        f"{SECONDS:.0f} s per cell, {ROUNDS} rounds of all the cells (each cell the median of "
        "its rounds), every client a thread with its own kept-alive connection "
        "(`benchmarks.rawhttp`). The database, the server processes and the client threads "
        f"share the machine's {cpus} cores; the clients cost "
        f"{statistics.mean(CLIENT_CPU_MS):.2f} ms CPU per request (mean over the cells). "
        f"Load average before {load_before[0]:.1f}, after {load_after[0]:.1f}.\n\n"
        f"Old: `uvicorn --factory --workers {cpus}` on commit {base_commit()}.\n\n"
        f"| clients | 1 process quotes/s | {cpus} processes quotes/s | ratio | old {cpus} "
        f"processes quotes/s | 1 process p50 ms | {cpus} processes p50 ms | old {cpus} "
        "processes p50 ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    best_one = max(rate for rate, _ in one.values())
    ratio8 = prod[8][0] / one[8][0]
    # the cores' bound on the production launch's gain over one process (module docstring)
    s_one, s_prod = cpu_ms["one"], cpu_ms["prod"]
    total_prod = s_prod + db_ms["prod"] + client_ms["prod"]
    ceiling = cpus * 1000 / total_prod
    bound = min(cpus, ceiling / one[8][0])  # against one process as measured
    saturated = min(cpus, ceiling * s_one / 1000)  # against one process using its whole core
    tail = (
        "\nhealthz p50 on one kept-alive connection: 1 process "
        f"{health['one']:.1f} ms, {cpus} processes {health['prod']:.1f} ms, old {cpus} processes "
        f"{health['naive']:.1f} ms. Server CPU per quote (server processes only, from /proc): "
        f"1 process {cpu_ms['one']:.1f} ms, {cpus} processes {cpu_ms['prod']:.1f} ms, old "
        f"{cpus} processes {cpu_ms['naive']:.1f} ms.\n\n"
        "CPU per quote by party (ms, all cells; S server processes, D PostgreSQL, C client "
        "threads):\n\n| launch | S | D | C | S + D + C |\n|---|---:|---:|---:|---:|\n"
        + "".join(
            f"| {label} | {cpu_ms[name]:.2f} | {db_ms[name]:.2f} | {client_ms[name]:.2f} | "
            f"{cpu_ms[name] + db_ms[name] + client_ms[name]:.2f} |\n"
            for name, label in (
                ("one", "1 process"),
                ("prod", f"{cpus} processes"),
                ("naive", f"old {cpus} processes"),
            )
        )
        + "\n"
        f"The cores' bound: {cpus} cores give at most {cpus} × 1000 / {total_prod:.2f} = "
        f"{ceiling:.1f} quotes/s to the production launch. At 8 clients one process gave "
        f"{one[8][0]:.1f}, so the production launch can give at most {bound:.2f}× that "
        f"here; 1.6× means reaching {1.6 * one[8][0] / ceiling:.0%} of the cores' ceiling "
        f"(it gave {ratio8:.2f}×, {prod[8][0] / ceiling:.0%}). The better one process uses "
        f"its core, the lower the bound: against 1000 / S = {1000 / s_one:.1f} quotes/s, "
        f"one process's most, it is {saturated:.2f}×.\n\n"
        "Scaling law: a server process is one interpreter and uses at most one core, so one "
        f"process tops out near 1000 / S quotes/s (here {best_one:.1f} quotes/s at best); N "
        "processes multiply that only while cores are free: quotes/s ≈ min(N × 1000 / S, "
        "cores × 1000 / (S + D + C)), where the database shares the cores (as here) or, on "
        "its own cores, until they or its connections (N × DB_POOL_SIZE) saturate. At 8 "
        f"clients {cpus} processes gave {ratio8:.2f}× one process (goal ≥ 1.6×: "
        f"{'met' if ratio8 >= 1.6 else 'not met'}).\n"
    )
    return head + "\n".join(rows) + "\n" + tail


if __name__ == "__main__":
    print(run())
