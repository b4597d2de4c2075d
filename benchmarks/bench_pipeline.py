"""Pipeline latency: p50/p95 of ``estimate`` for panels of 12, 40, 100 and 200 circuits.

Run with ``python -m benchmarks`` (all) or ``python -m benchmarks.bench_pipeline``.
Targets (RULES/issue 2): p95 ≤ 50 ms at 40 circuits and ≤ 300 ms at 200.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.baseline import ROOT, base_commit, old_tree

SIZES = (12, 40, 100, 200, 500, 1000)
# the pipeline's stages, as its ``timings_ms`` names them
STAGES = ("validation", "enclosure", "breaker", "format", "cover", "lint", "evidence")
RUNS = 30
# old and new alternate this many times per size, each a fresh process measuring RUNS panels
ROUNDS = 2


def panel(circuits: int, seed: int, max_qty: int | None = None) -> dict[str, Any]:
    """A realistic panel: mostly 2P 20/30 A circuits with measured loads, some 4P.

    Entries hold 1–6 circuits, up to 12 above 500 circuits (the catalog's bound on
    branch entries is 200)."""
    max_qty = max_qty or (12 if circuits > 500 else 6)
    rng = random.Random(seed)
    four_pole = max(1, circuits // 10)
    two_pole = circuits - four_pole
    branches: list[dict[str, Any]] = []
    while two_pole > 0:
        qty = min(two_pole, rng.randint(1, max_qty))
        at = rng.choice([20, 30])
        load = round(rng.uniform(5, at), 1)
        branches.append({"at": at, "poles": "2P", "qty": qty, "load_a": load})
        two_pole -= qty
    branches.append({"at": 50, "poles": "4P", "qty": four_pole})
    main_at = 400 if circuits > 60 else 225
    return {
        "brand": "SANGDO",
        "device": {"type": "ELB"},
        "main": {
            "af": 400 if main_at == 400 else 250,
            "at": main_at,
            "poles": "4P",
            "type": "MCCB",
        },
        "branches": branches,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[k]


def measure(size: int, runs: int = RUNS) -> dict[str, Any]:
    """Milliseconds of ``estimate`` on ``runs`` seeded panels of ``size`` circuits (warmed
    on one first), in this process, with whatever ``estimator_core`` it imports."""
    from estimator_core.cli import DEFAULT_CATALOG, load_catalog
    from estimator_core.pipeline import estimate

    v1 = load_catalog(DEFAULT_CATALOG)
    rules = v1.rules.model_copy(update={"custom_enclosure_price_per_90000mm2": 30000})
    catalog = v1.model_copy(update={"rules": rules})
    estimate(panel(size, runs), catalog, issued_at="2026-01-01T00:00:00Z")
    times: list[float] = []
    cpu: list[float] = []
    methods: set[str] = set()
    roots: list[str] = []
    stages: dict[str, list[float]] = {}
    for seed in range(runs):
        body = panel(size, seed)
        c0, t0 = time.process_time(), time.perf_counter()
        # the clock the CLI and the server pass: stage timings, the balance's deadline
        q = estimate(body, catalog, issued_at="2026-01-01T00:00:00Z", clock=time.perf_counter)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        # the old tree's result is a dict, the new one's a QuoteResult: compare their JSON
        r = q.result if isinstance(q.result, dict) else q.result.model_dump(mode="json")
        methods.add(r["phase_balance"].get("method", "-"))
        roots.append(r["evidence_root"])
        for stage, ms in r.get("timings_ms", {}).items():
            stages.setdefault(stage, []).append(ms)
    return {
        "times": times,
        "cpu": cpu,
        "methods": sorted(methods),
        "roots": roots,
        "stages": stages,
    }


def mean_cpu(size: int, runs: int) -> float:
    """Mean CPU milliseconds of ``estimate`` over panels 0 … ``runs`` − 1 of ``size``
    circuits on the v1 catalog, in this process, after one pass over them (imports,
    OR-Tools for a panel CP-SAT balances): what the engine costs a server per quote."""
    from estimator_core.cli import DEFAULT_CATALOG, load_catalog
    from estimator_core.pipeline import estimate

    catalog = load_catalog(DEFAULT_CATALOG)
    bodies = [panel(size, seed) for seed in range(runs)]
    for body in bodies:
        estimate(body, catalog, issued_at="2026-01-01T00:00:00Z")
    c0 = time.process_time()
    for body in bodies:
        estimate(body, catalog, issued_at="2026-01-01T00:00:00Z")
    return (time.process_time() - c0) * 1000 / runs


def _call_in(cwd: Any, call: str) -> Any:
    """``call`` (a function of this module, with its arguments) in a fresh process whose
    ``estimator_core`` is the one under ``cwd``; its result, through JSON."""
    code = (
        f"import json; from benchmarks.bench_pipeline import {call.split('(')[0]}; "
        f"print(json.dumps({call}))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure_in(cwd: Any, size: int) -> dict[str, Any]:
    """``measure`` in a fresh process whose ``estimator_core`` is the one under ``cwd``."""
    result: dict[str, Any] = _call_in(cwd, f"measure({size})")
    return result


def engine_cpu_in(cwd: Any, size: int, runs: int) -> float:
    """``mean_cpu`` in a fresh process whose ``estimator_core`` is the one under ``cwd``."""
    return float(_call_in(cwd, f"mean_cpu({size}, {runs})"))


def run_old_new() -> str:
    """Old (``benchmarks.baseline``) against new, alternating fresh processes per size; the
    evidence roots must be equal (the change may not alter any output)."""
    old = old_tree()
    load = os.getloadavg()[0]
    rows = [
        "| circuits | old p50 ms | new p50 ms | new / old | old p95 ms | new p95 ms "
        "| old CPU p50 ms | new CPU p50 ms | same evidence |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    per_circuit = [
        "| circuits | code | " + " | ".join(STAGES) + " | whole estimate |",
        "|---:|---|" + "---:|" * (len(STAGES) + 1),
    ]
    for size in SIZES:
        samples: dict[str, list[float]] = {"old": [], "new": []}
        cpu: dict[str, list[float]] = {"old": [], "new": []}
        roots: dict[str, list[str]] = {}
        stages: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
        for _ in range(ROUNDS):
            for label, cwd in (("old", old), ("new", ROOT)):
                got = _measure_in(cwd, size)
                samples[label] += got["times"]
                cpu[label] += got["cpu"]
                roots[label] = got["roots"]
                for stage, ms in got["stages"].items():
                    stages[label].setdefault(stage, []).extend(ms)
        if size >= 200:
            for label in ("old", "new"):
                cells = [
                    f"{statistics.median(stages[label].get(st, [0.0])) * 1000 / size:.1f}"
                    for st in STAGES
                ]
                whole = statistics.median(samples[label]) * 1000 / size
                per_circuit.append(
                    f"| {size} | {label} | " + " | ".join(cells) + f" | {whole:.1f} |"
                )
        o, n = statistics.median(samples["old"]), statistics.median(samples["new"])
        rows.append(
            f"| {size} | {o:.1f} | {n:.1f} | {n / o:.2f} | {percentile(samples['old'], 95):.1f} "
            f"| {percentile(samples['new'], 95):.1f} | {statistics.median(cpu['old']):.1f} "
            f"| {statistics.median(cpu['new']):.1f} "
            f"| {'yes' if roots['old'] == roots['new'] else 'NO'} |"
        )
    head = (
        "## Pipeline latency, old vs new (`estimate`, in process, warm)\n\n"
        f"Old = commit {base_commit()}; {ROUNDS} alternating fresh processes per code and "
        f"size, {RUNS} panels each (the panels below). Load average {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} cores); CPU = the process's CPU "
        "time per estimate, less stretched by other work. Goal: 1,000 circuits p50 ≤ 30 ms."
        "\n\n"
    )
    stages_head = (
        "\n\nPer-circuit cost by stage, same runs (µs per circuit: the median of the stage's "
        "own wall timing, `timings_ms`, over the panels, divided by the circuits; validation "
        "= parsing and resolving the request, breaker = phase balance and placement, "
        "evidence = hashing every stage's canonical JSON, the result model and the "
        "drawing):\n\n"
    )
    return head + "\n".join(rows) + stages_head + "\n".join(per_circuit) + "\n"


def run() -> str:
    from estimator_core import DEFAULT_CATALOG, estimate, load_catalog
    from estimator_core.quote import TimedPhaseBalance

    v1 = load_catalog(DEFAULT_CATALOG)
    # Panels of 100+ circuits are taller than any v1 standard box; price a custom box so the
    # benchmark measures the pipeline rather than stopping at NEED_KNOWLEDGE_UPDATE.
    rules = v1.rules.model_copy(update={"custom_enclosure_price_per_90000mm2": 30000})
    catalog = v1.model_copy(update={"rules": rules})
    rows = ["| circuits | p50 ms | p95 ms | max ms | balance method |", "|---|---|---|---|---|"]
    for size in SIZES:
        times: list[float] = []
        methods: set[str] = set()
        for seed in range(RUNS):
            body = panel(size, seed)
            t0 = time.perf_counter()
            try:
                q = estimate(body, catalog, issued_at="2026-01-01T00:00:00Z")
            except Exception as err:  # a benchmark reports, it does not stop
                rows.append(f"| {size} | failed: {err} | | | |")
                break
            times.append((time.perf_counter() - t0) * 1000)
            pb = q.result.phase_balance
            methods.add(pb.method if isinstance(pb, TimedPhaseBalance) else "-")
        if times:
            rows.append(
                f"| {size} | {statistics.median(times):.1f} | {percentile(times, 95):.1f} "
                f"| {max(times):.1f} | {', '.join(sorted(methods))} |"
            )
    head = (
        "## Pipeline latency (`estimate`, in process, warm)\n\n"
        f"{RUNS} seeded panels per size (2P 20/30 A with measured loads, 10 % 4P); the v1 "
        "catalog plus a custom-box price for panels taller than any standard box.\n\n"
    )
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run())
    print(run_old_new())
