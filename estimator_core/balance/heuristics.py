"""Heuristic splits: largest-first greedy, three-way differencing and exchange moves.

They give every tier its starting incumbent; none of them proves anything by itself.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left

from estimator_core.balance.bounds import lower_bound
from estimator_core.balance.problem import BalanceProblem, Counts, group_totals, totals_spread

# Exchange moves after the greedy start; each strictly lowers the sum of squared totals.
_MAX_EXCHANGE_MOVES = 200


def greedy_lpt(problem: BalanceProblem) -> Counts:
    """Largest first, each circuit to the currently lightest group (lowest index on ties)."""
    t = list(problem.base)
    counts: Counts = {}
    for value, count in problem.loads:
        split = [0, 0, 0]
        for _ in range(count):
            g = min(range(3), key=lambda k: (t[k], k))
            split[g] += 1
            t[g] += value
        counts[value] = (split[0], split[1], split[2])
    return counts


def improve_by_exchange(
    problem: BalanceProblem, counts: Counts, target: int, max_moves: int = _MAX_EXCHANGE_MOVES
) -> Counts:
    """Moves or swaps single circuits between two groups while that narrows their gap.

    Each move lowers the sum of squared totals and never widens the spread; stops at
    ``target`` spread, at a local optimum, or after ``max_moves``.
    """
    split = {v: list(s) for v, s in counts.items()}
    t = list(group_totals(problem, counts))
    for _ in range(max_moves):
        if totals_spread(t) <= target:
            break
        present = [sorted(v for v, s in split.items() if s[g] > 0) for g in range(3)]
        best: tuple[int, int, int, int, int] | None = None  # (gain, hi, lo, v, w)
        order = sorted(range(3), key=lambda k: (t[k], k))
        for hi, lo in ((order[2], order[0]), (order[2], order[1]), (order[1], order[0])):
            gap = t[hi] - t[lo]
            if gap <= 1:
                continue
            receivers = [0, *present[lo]]
            for v in present[hi]:
                # Want w with 0 < v − w < gap, v − w as close to gap / 2 as possible.
                i = bisect_left(receivers, v - gap // 2)
                for w in receivers[max(0, i - 1) : i + 1]:
                    delta = v - w
                    if 0 < delta < gap:
                        gain = delta * (gap - delta)
                        if best is None or gain > best[0]:
                            best = (gain, hi, lo, v, w)
        if best is None:
            break
        _, hi, lo, v, w = best
        split[v][hi] -= 1
        split[v][lo] += 1
        t[hi] -= v
        t[lo] += v
        if w:
            split[w][lo] -= 1
            split[w][hi] += 1
            t[lo] -= w
            t[hi] += w
    return {v: (s[0], s[1], s[2]) for v, s in split.items()}


def karmarkar_karp(problem: BalanceProblem) -> Counts:
    """Three-way largest differencing: merge the two widest partial splits, crosswise.

    Each partial split holds three sums with the circuits behind them; the pinned bases
    start as one split whose parts are marked with their group (as ``-1 - g``).
    """
    heap: list[tuple[int, int, list[int], list[list[int]]]] = []
    order = sorted(range(3), key=lambda g: (-problem.base[g], g))
    base_sums = [problem.base[g] for g in order]
    heap.append((-totals_spread(base_sums), 0, base_sums, [[-1 - g] for g in order]))
    tick = 1
    for value, count in problem.loads:
        for _ in range(count):
            heap.append((-value, tick, [value, 0, 0], [[value], [], []]))
            tick += 1
    heapq.heapify(heap)
    while len(heap) > 1:
        _, _, a_sums, a_parts = heapq.heappop(heap)
        _, _, b_sums, b_parts = heapq.heappop(heap)
        merged = sorted(
            ((a_sums[k] + b_sums[2 - k], a_parts[k] + b_parts[2 - k]) for k in range(3)),
            key=lambda part: -part[0],
        )
        sums = [m[0] for m in merged]
        heapq.heappush(heap, (-totals_spread(sums), tick, sums, [m[1] for m in merged]))
        tick += 1
    parts = heap[0][3]
    group_of_part = {next(-1 - x for x in part if x < 0): k for k, part in enumerate(parts)}
    split: dict[int, list[int]] = {v: [0, 0, 0] for v, _ in problem.loads}
    for g in range(3):
        for value in parts[group_of_part[g]]:
            if value > 0:
                split[value][g] += 1
    return {v: (s[0], s[1], s[2]) for v, s in split.items()}


def _rank(problem: BalanceProblem, counts: Counts) -> tuple[int, int]:
    t = group_totals(problem, counts)
    return totals_spread(t), sum(x * x for x in t)


def heuristic_counts(problem: BalanceProblem) -> Counts:
    """The better of greedy LPT and differencing, each improved by exchange moves."""
    bound = lower_bound(problem)
    best = improve_by_exchange(problem, greedy_lpt(problem), bound)
    if totals_spread(group_totals(problem, best)) > bound:
        other = improve_by_exchange(problem, karmarkar_karp(problem), bound)
        if _rank(problem, other) < _rank(problem, best):
            best = other
    return best
