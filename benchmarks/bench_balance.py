"""Benchmark of ``balance_phases``: solve time and proven-optimal rate by panel size.

Random panels (seeded): 2P loads of 5..60 A at 1 A, 0.1 A or 0.01 A resolution,
about one circuit in ten three-phase, three pinned circuits. Run with
``python -m benchmarks.bench_balance``; ``run()`` returns the markdown section.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from decimal import Decimal

from estimator_core.balance import (
    GROUPS,
    BalanceProblem,
    BalanceResult,
    Circuit,
    System,
    balance_phases,
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


def _timed(circuits: list[Circuit], system: System) -> tuple[float, BalanceResult]:
    start = time.perf_counter()
    result = balance_phases(circuits, system=system, time_limit_s=TIME_LIMIT_S)
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
        " wall time of the whole call (validation, heuristics, solve).",
        "",
        "| circuits | resolution | median s | max s | proven optimal | methods |",
        "|---:|---|---:|---:|---:|---|",
    ]
    misses = []
    for size in SIZES:
        for resolution in RESOLUTIONS:
            times: list[float] = []
            proven = 0
            methods: Counter[str] = Counter()
            for system in SYSTEMS:
                for seed in SEEDS:
                    seconds, result = _timed(make_panel(size, resolution, seed, system), system)
                    times.append(seconds)
                    proven += result.proven_optimal
                    methods[result.method] += 1
                    judged = resolution == "1 A" and size <= 200
                    if judged and (not result.proven_optimal or seconds > TARGET_S):
                        misses.append(f"{size}/{resolution}/{system}/seed {seed}")
            shown = ", ".join(f"{m} {k}" for m, k in sorted(methods.items()))
            lines.append(
                f"| {size} | {resolution} | {statistics.median(times):.4f} | {max(times):.4f}"
                f" | {proven}/{len(times)} | {shown} |"
            )
    lines.extend(_cp_sat_rows())
    lines.append("")
    target = f"proven optimal within {TARGET_S:g} s for every 1 A instance up to 200 circuits"
    if misses:
        lines.append(f"Target missed ({target}): {', '.join(misses)}.")
    else:
        lines.append(f"Target met: {target}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
