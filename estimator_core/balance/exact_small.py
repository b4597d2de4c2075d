"""Exact depth-first search over count splits, for panels with few free circuits."""

from __future__ import annotations

from estimator_core.balance.bounds import lower_bound
from estimator_core.balance.heuristics import heuristic_counts
from estimator_core.balance.problem import (
    BalanceProblem,
    Counts,
    CountSolution,
    Totals,
    group_totals,
    totals_spread,
)

SMALL_EXACT_MAX_CIRCUITS = 12
# Beyond this many search states CP-SAT is faster (loads spanning many magnitudes).
SMALL_EXACT_NODE_LIMIT = 1000


def _splits(count: int) -> list[Totals]:
    return [(a, b, count - a - b) for a in range(count + 1) for b in range(count - a + 1)]


def solve_exact_small(
    problem: BalanceProblem, start: Counts | None = None, *, node_limit: int | None = None
) -> CountSolution:
    """Exact depth-first search over the count splits of each load, largest first.

    States reached with the same totals up to order and shift have the same best
    completion, so each is expanded once; a branch is cut when its bound cannot beat the
    incumbent, and the search stops when the incumbent meets the global lower bound.
    After ``node_limit`` expanded states it gives up: the incumbent, unproven.
    """
    values = [v for v, _ in problem.loads]
    counts_of = [c for _, c in problem.loads]
    remaining = [0] * (len(values) + 1)
    for i in range(len(values) - 1, -1, -1):
        remaining[i] = remaining[i + 1] + values[i] * counts_of[i]
    global_lb = lower_bound(problem)
    incumbent = dict(start) if start is not None else heuristic_counts(problem)
    best_spread = totals_spread(group_totals(problem, incumbent))
    best_counts = incumbent
    chosen: list[Totals] = [(0, 0, 0)] * len(values)
    seen: set[tuple[int, int, int]] = set()

    def search(i: int, t: Totals) -> None:
        nonlocal best_spread, best_counts
        if best_spread <= global_lb:
            return
        if i == len(values):
            s = totals_spread(t)
            if s < best_spread:
                best_spread = s
                best_counts = dict(zip(values, chosen, strict=True))
            return
        total = t[0] + t[1] + t[2] + remaining[i]
        max_lb = max(max(t), -(-total // 3))
        if max_lb - min(total // 3, (total - max_lb) // 2) >= best_spread:
            return
        low, mid, high = sorted(t)
        key = (i, mid - low, high - low)
        if key in seen or (node_limit is not None and len(seen) >= node_limit):
            return
        seen.add(key)
        value = values[i]
        options = []
        for split in _splits(counts_of[i]):
            # Groups with equal totals are interchangeable from here on.
            if any(t[g] == t[h] and split[g] < split[h] for g, h in ((0, 1), (0, 2), (1, 2))):
                continue
            nxt = (t[0] + value * split[0], t[1] + value * split[1], t[2] + value * split[2])
            options.append((totals_spread(nxt), split, nxt))
        options.sort()
        for _, split, nxt in options:
            chosen[i] = split
            search(i + 1, nxt)

    search(0, problem.base)
    complete = node_limit is None or len(seen) < node_limit
    bound = best_spread if complete else global_lb
    return CountSolution(
        counts=best_counts,
        spread=best_spread,
        lower_bound=bound,
        proven_optimal=best_spread <= bound,
        method="exact-small",
    )
