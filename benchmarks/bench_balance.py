"""Benchmark of ``balance_phases``: solve time and proven-optimal rate, old vs new.

Random panels (seeded): 2P loads of 5..60 A at 1 A, 0.1 A or 0.01 A resolution,
about one circuit in ten three-phase, three pinned circuits. Then the distinct-large-value
family (issue 15): n = 16…200 distinct loads of 5–600 A at 0.0001 A, 1 s limit.

"new" is the production path: every tier, the limit a deadline on ``time.perf_counter``
(as the pipeline passes it). "old" is the solver before the re-split and complete
differencing tiers and the deadline (``legacy=True``, no clock: CP-SAT's own timer).
Both run in the same process.

``python -m benchmarks.bench_balance`` runs this benchmark alone and rewrites only its
own sections of RESULTS.md; ``run()`` returns the markdown for ``python -m benchmarks``.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from estimator_core.balance import (
    GROUPS,
    BalanceProblem,
    BalanceResult,
    Circuit,
    Deadline,
    System,
    balance_phases,
    greedy_lpt,
    group_totals,
    karmarkar_karp,
    solve_ckk,
    solve_cp_sat,
)

SIZES = (24, 100, 200, 500)
RESOLUTIONS = ("1 A", "0.1 A", "0.01 A")
_STEPS = {"1 A": 1, "0.1 A": 10, "0.01 A": 100}
SEEDS = (0, 1, 2, 3, 4)
SYSTEMS: tuple[System, ...] = ("3P4W", "3P3W")
TIME_LIMIT_S = 2.0
TARGET_S = 1.0


def make_panel(size: int, resolution: str, seed: int, system: System) -> list[Circuit]:
    """A random panel: mostly 2P, ~10 % three-phase, the first three 2P circuits pinned."""
    rng = random.Random(f"{size}/{resolution}/{seed}/{system}")
    pins = ("R", "S", "T") if system == "3P4W" else ("RS", "ST", "TR")
    circuits = []
    pinned = 0
    for i in range(size):
        step = _STEPS[resolution]
        load = Decimal(rng.randint(5 * step, 60 * step)) / step
        poles = rng.choice((3, 4)) if rng.random() < 0.1 else 2
        pin = None
        if poles == 2 and pinned < 3:
            pin = pins[rng.randrange(3)]
            pinned += 1
        circuits.append(Circuit(id=f"c{i}", load_a=load, poles=poles, pin=pin))
    return circuits


def _timed(
    circuits: list[Circuit], system: System, *, old: bool = False, limit_s: float = TIME_LIMIT_S
) -> tuple[float, BalanceResult]:
    """Wall time of one call, new (every tier, on the clock) or old (no CKK, no clock)."""
    start = time.perf_counter()
    if old:
        result = balance_phases(circuits, system=system, time_limit_s=limit_s, legacy=True)
    else:
        result = balance_phases(
            circuits, system=system, time_limit_s=limit_s, clock=time.perf_counter
        )
    return time.perf_counter() - start, result


def integer_problem(circuits: list[Circuit], system: System) -> BalanceProblem:
    """The integer problem ``balance_phases`` builds (loads here have at most two decimals)."""
    scale = next(
        step
        for step in (1, 10, 100)
        if all(c.load_a * step == (c.load_a * step).to_integral_value() for c in circuits)
    )
    groups = GROUPS[system]
    base = [0, 0, 0]
    free = []
    for c in circuits:
        if c.poles != 2:
            continue
        units = int(c.load_a * scale)
        if c.pin is None:
            free.append(units)
        else:
            base[groups.index(c.pin)] += units
    return BalanceProblem.of(base, free)


def _cp_sat_rows() -> list[str]:
    """CP-SAT alone on the same panels (the fallback when the cheaper tiers do not prove)."""
    lines = [
        "",
        "CP-SAT alone on the 3P4W panels' integer problems (model always built and solved,"
        " hinted by greedy plus exchange moves; wall time of build and solve):",
        "",
        "| circuits | resolution | median s | max s | proven optimal |",
        "|---:|---|---:|---:|---:|",
    ]
    for size in SIZES:
        for resolution in RESOLUTIONS:
            times, proven = [], 0
            for seed in SEEDS:
                problem = integer_problem(make_panel(size, resolution, seed, "3P4W"), "3P4W")
                start = time.perf_counter()
                solution = solve_cp_sat(problem, time_limit_s=TIME_LIMIT_S)
                times.append(time.perf_counter() - start)
                proven += solution.proven_optimal
            lines.append(
                f"| {size} | {resolution} | {statistics.median(times):.4f} | {max(times):.4f}"
                f" | {proven}/{len(times)} |"
            )
    return lines


def run() -> str:
    """Runs every instance and returns a markdown table."""
    lines = [
        "## Phase balancing (`balance_phases`)",
        "",
        f"{len(SEEDS)} seeds × {len(SYSTEMS)} systems per row; time limit {TIME_LIMIT_S} s;"
        " wall time of the whole call (validation, heuristics, solve); new and old (no"
        " re-split, no complete differencing, no clock) on the same panels in the same run.",
        "",
        "| circuits | resolution | median s | max s | old max s | proven | old proven | methods |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    misses = []
    for size in SIZES:
        for resolution in RESOLUTIONS:
            times: list[float] = []
            old_times: list[float] = []
            proven = old_proven = 0
            methods: Counter[str] = Counter()
            for system in SYSTEMS:
                for seed in SEEDS:
                    panel = make_panel(size, resolution, seed, system)
                    seconds, result = _timed(panel, system)
                    old_seconds, old_result = _timed(panel, system, old=True)
                    times.append(seconds)
                    old_times.append(old_seconds)
                    proven += result.proven_optimal
                    old_proven += old_result.proven_optimal
                    methods[result.method] += 1
                    judged = resolution == "1 A" and size <= 200
                    if judged and (not result.proven_optimal or seconds > TARGET_S):
                        misses.append(f"{size}/{resolution}/{system}/seed {seed}")
            shown = ", ".join(f"{m} {k}" for m, k in sorted(methods.items()))
            lines.append(
                f"| {size} | {resolution} | {statistics.median(times):.4f} | {max(times):.4f}"
                f" | {max(old_times):.4f} | {proven}/{len(times)} | {old_proven}/{len(times)}"
                f" | {shown} |"
            )
    lines.extend(_cp_sat_rows())
    lines.append("")
    target = f"proven optimal within {TARGET_S:g} s for every 1 A instance up to 200 circuits"
    if misses:
        lines.append(f"Target missed ({target}): {', '.join(misses)}.")
    else:
        lines.append(f"Target met: {target}.")
    return "\n".join(lines) + "\n" + "\n" + run_distinct()


# --- Distinct large loads (issue 15) ---------------------------------------------------

DISTINCT_SIZES = (16, 20, 24, 32, 48, 64, 100, 150, 200)
DISTINCT_SEEDS = (0, 1, 2)
DISTINCT_LIMIT_S = 1.0
WALL_SLACK_S = 0.05
DISTINCT_HEADING = "## Phase balancing on distinct large loads: old vs new"


def distinct_units(n: int, seed: int) -> list[int]:
    """n distinct loads of 5–600 A in units of 0.0001 A (as in tests/unit/test_balance.py)."""
    return random.Random(f"distinct/{n}/{seed}").sample(range(50_000, 6_000_001), n)


def _distinct_panel(units: list[int]) -> list[Circuit]:
    return [Circuit(f"c{i}", Decimal(u) / 10**4, 2) for i, u in enumerate(units)]


def _ckk_alone(units: list[int]) -> tuple[float, bool, int]:
    """Complete KK alone on the integer problem, 1 s on the clock: wall, proven, spread."""
    start = time.perf_counter()
    problem = BalanceProblem.of((0, 0, 0), units)
    result = solve_ckk(problem, Deadline.after(DISTINCT_LIMIT_S, time.perf_counter))
    return time.perf_counter() - start, result.solution.proven_optimal, result.solution.spread


def _best_heuristic(units: list[int]) -> int:
    """The smallest spread of plain greedy (loads in the given order), LPT and KK."""
    problem = BalanceProblem.of((0, 0, 0), units)
    totals = [0, 0, 0]
    for value in units:
        totals[min(range(3), key=lambda k: (totals[k], k))] += value
    spreads = [max(totals) - min(totals)]
    for counts in (greedy_lpt(problem), karmarkar_karp(problem)):
        t = group_totals(problem, counts)
        spreads.append(max(t) - min(t))
    return min(spreads)


def run_distinct() -> str:
    """Old vs new vs complete KK alone on the distinct-large-value family, 1 s limit."""
    load = os.getloadavg()
    lines = [
        DISTINCT_HEADING,
        "",
        f"{len(DISTINCT_SEEDS)} seeds per size; n distinct 2P loads of 5–600 A at 0.0001 A;"
        f" limit {DISTINCT_LIMIT_S:g} s; wall time of the whole call. CKK alone: complete"
        " Karmarkar–Karp on the integer problem with the same 1 s deadline. Spreads in"
        f" 0.0001 A, median. Load average at the start: {load[0]:.2f}, {load[1]:.2f}.",
        "",
        "| n | old max s | new max s | CKK max s | old proven | new proven | CKK proven"
        " | old spread | new spread | new ≤ greedy, LPT, KK | new methods |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    below_heuristics = 0  # panels where new is at least as good as the best heuristic
    short_of_ckk: list[int] = []  # sizes where new proves fewer than CKK alone
    worst = {"old": 0.0, "new": 0.0, "ckk": 0.0}
    proven_total = {"old": 0, "new": 0, "ckk": 0}
    count = 0
    for n in DISTINCT_SIZES:
        walls: dict[str, list[float]] = {"old": [], "new": [], "ckk": []}
        proven = {"old": 0, "new": 0, "ckk": 0}
        spreads: dict[str, list[int]] = {"old": [], "new": []}
        methods: Counter[str] = Counter()
        no_worse = 0
        for seed in DISTINCT_SEEDS:
            units = distinct_units(n, seed)
            circuits = _distinct_panel(units)
            for name in ("old", "new"):
                seconds, result = _timed(
                    circuits, "3P4W", old=name == "old", limit_s=DISTINCT_LIMIT_S
                )
                assert result.exact is not None
                walls[name].append(seconds)
                proven[name] += result.proven_optimal
                spreads[name].append(result.exact.spread)
                if name == "new":
                    methods[result.method] += 1
                    no_worse += result.exact.spread <= _best_heuristic(units)
            seconds, is_proven, _ = _ckk_alone(units)
            walls["ckk"].append(seconds)
            proven["ckk"] += is_proven
            count += 1
        for name in worst:
            worst[name] = max(worst[name], *walls[name])
            proven_total[name] += proven[name]
        runs = len(DISTINCT_SEEDS)
        below_heuristics += no_worse
        if proven["new"] < proven["ckk"]:
            short_of_ckk.append(n)
        shown = ", ".join(f"{m} {k}" for m, k in sorted(methods.items()))
        lines.append(
            f"| {n} | {max(walls['old']):.3f} | {max(walls['new']):.3f}"
            f" | {max(walls['ckk']):.3f} | {proven['old']}/{runs} | {proven['new']}/{runs}"
            f" | {proven['ckk']}/{runs} | {statistics.median(spreads['old']):.0f}"
            f" | {statistics.median(spreads['new']):.0f} | {no_worse}/{runs} | {shown} |"
        )
    cap = DISTINCT_LIMIT_S + WALL_SLACK_S
    met = "met" if proven_total["new"] >= proven_total["ckk"] else "MISSED"
    lines += [
        "",
        f"- wall time, max over all {count} panels: old {worst['old']:.3f} s, new"
        f" {worst['new']:.3f} s, CKK alone {worst['ckk']:.3f} s; cap {cap:.2f} s (limit +"
        f" {WALL_SLACK_S * 1000:.0f} ms): new {'within' if worst['new'] <= cap else 'ABOVE'}.",
        f"- proven optimal within {DISTINCT_LIMIT_S:g} s: old {proven_total['old']}/{count},"
        f" new {proven_total['new']}/{count}, CKK alone {proven_total['ckk']}/{count}"
        f" (target new ≥ CKK alone: {met}; per size:"
        f" {'every n' if not short_of_ckk else 'MISSED at n = ' + str(short_of_ckk)}).",
        f"- never worse than the best of plain greedy, LPT and KK: {below_heuristics}/{count}"
        " panels (every instance: tests/property/test_balance_properties.py).",
    ]
    return "\n".join(lines) + "\n"


def _provenance() -> str:
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"(Run alone by `python -m benchmarks.bench_balance`: {datetime.now(UTC):%Y-%m-%d %H:%M}"
        f" UTC, commit {commit or 'unknown'}, {os.cpu_count()} cores.)\n"
    )


def write_sections(markdown: str, path: Path) -> None:
    """Replaces this benchmark's ``## Phase balancing`` sections in ``path``, keeps the rest.

    Sections are split at ``## `` headings; ours replace the first of ours in place (or
    go at the end), so the pipeline and HTTP sections of another run are left as they are.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    chunks: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("## ") or not chunks:
            chunks.append(line)
        else:
            chunks[-1] += line
    ours = [i for i, c in enumerate(chunks) if c.startswith("## Phase balancing")]
    at = ours[0] if ours else len(chunks)
    kept = [c for i, c in enumerate(chunks) if i not in ours]
    kept.insert(at, markdown.rstrip("\n") + "\n\n")
    path.write_text("".join(kept).rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    section = run()
    out = Path(__file__).parent / "RESULTS.md"
    write_sections(section.replace("\n\n", "\n\n" + _provenance() + "\n", 1), out)
    print(section)
    print(f"sections written to {out}")
