"""Exact re-splits of a few circuits between two groups, aimed at the lower bound.

On panels of many large distinct loads a split at the lower bound usually exists, but
the bitset tables of ``subset_sum`` would be far too wide and complete differencing
rarely reaches one in time. A good split is already close, though: re-splitting a small
pool of circuits drawn from two groups can set the first group's total exactly (meet in
the middle over the pool: 2 × 2^(k/2) subset sums), and a second re-split between the
other two groups finishes the job. Totals at the lower bound prove the split optimal;
failing proves nothing, and the caller moves on.
"""

from __future__ import annotations

import math

from estimator_core.balance.deadline import Deadline
from estimator_core.balance.problem import (
    BalanceProblem,
    Counts,
    Totals,
    group_totals,
    totals_spread,
)
from estimator_core.balance.subset_sum import SUBSET_SUM_MAX_TARGETS, target_totals

# Circuits per re-split, half from each group: 2 × 4096 subset sums, a few milliseconds.
REPAIR_POOL = 24
REPAIR_ATTEMPTS = 16
# Tried only when a split at the bound is expected to exist: the 3^n splits spread over
# about total² pairs of totals, so n·log2 3 must clear 2·log2(total) by this margin.
REPAIR_MARGIN_BITS = 0
# Strides for drawing a pool; the first one coprime to a group's size is used.
_STRIDES = (7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 1)


def repair_worthwhile(problem: BalanceProblem) -> bool:
    """Whether a split at the bound is expected to exist (see ``REPAIR_MARGIN_BITS``)."""
    total = sum(problem.base) + problem.free_total
    if total <= 1:
        return False
    return problem.free_count * math.log2(3) >= 2 * math.log2(total) + REPAIR_MARGIN_BITS


def _subset_sums(values: list[int]) -> dict[int, int]:
    """Every subset sum of ``values`` with the first subset (as a bit mask) that gives it."""
    sums = {0: 0}
    for i, value in enumerate(values):
        for total, mask in list(sums.items()):
            sums.setdefault(total + value, mask | 1 << i)
    return sums


def _subset_to(pool: list[int], need: int) -> list[int] | None:
    """Positions in ``pool`` of some values summing exactly to ``need``, or None."""
    half = len(pool) // 2
    right = _subset_sums(pool[half:])
    for total, mask in _subset_sums(pool[:half]).items():
        other = right.get(need - total)
        if other is not None:
            low = [i for i in range(half) if mask >> i & 1]
            return low + [half + i for i in range(len(pool) - half) if other >> i & 1]
    return None


def _pick(size: int, count: int, attempt: int) -> list[int]:
    """``count`` distinct positions out of ``size``, a different draw for each attempt."""
    stride = next(s for s in _STRIDES if math.gcd(s, size) == 1)
    return [(attempt * 5 + i * stride) % size for i in range(count)]


def _resplit(groups: list[list[int]], g: int, h: int, free_target: int, attempt: int) -> bool:
    """Re-splits a pool from groups g and h so that g's free loads sum to ``free_target``."""
    half = REPAIR_POOL // 2
    picked = {k: set(_pick(len(groups[k]), min(half, len(groups[k])), attempt)) for k in (g, h)}
    pool = [groups[k][i] for k in (g, h) for i in sorted(picked[k])]
    kept = {k: [v for i, v in enumerate(groups[k]) if i not in picked[k]] for k in (g, h)}
    need = free_target - sum(kept[g])
    if not 0 <= need <= sum(pool):
        return False
    chosen = _subset_to(pool, need)
    if chosen is None:
        return False
    taken = set(chosen)
    groups[g] = kept[g] + [pool[i] for i in chosen]
    groups[h] = kept[h] + [v for i, v in enumerate(pool) if i not in taken]
    return True


def repair_to_bound(
    problem: BalanceProblem,
    counts: Counts,
    bound: int,
    *,
    deadline: Deadline,
    attempts: int = REPAIR_ATTEMPTS,
) -> Counts | None:
    """A split with spread exactly ``bound`` made from ``counts`` by two re-splits, or None.

    Targets are the totals at the bound closest to the current ones; each attempt draws
    other pools and pairs other groups. Gives up at the deadline.
    """
    if not problem.loads:
        return {} if totals_spread(problem.base) == bound else None
    current = group_totals(problem, counts)
    targets: list[Totals] = sorted(
        target_totals(problem, bound, SUBSET_SUM_MAX_TARGETS),
        key=lambda t: (sum(abs(t[g] - current[g]) for g in range(3)), t),
    )
    if not targets:
        return None
    loads: list[list[int]] = [[], [], []]
    for value, split in sorted(counts.items(), reverse=True):
        for g in range(3):
            loads[g].extend([value] * split[g])
    for attempt in range(attempts):
        if deadline.expired():
            return None
        target = targets[attempt % len(targets)]
        first, second, third = ((0, 1, 2), (1, 2, 0), (2, 0, 1))[attempt % 3]
        groups = [list(group) for group in loads]
        free = [target[g] - problem.base[g] for g in range(3)]
        if _resplit(groups, first, second, free[first], attempt) and _resplit(
            groups, second, third, free[second], attempt
        ):
            repaired: dict[int, list[int]] = {v: [0, 0, 0] for v, _ in problem.loads}
            for g in range(3):
                for value in groups[g]:
                    repaired[value][g] += 1
            result = {v: (s[0], s[1], s[2]) for v, s in repaired.items()}
            if totals_spread(group_totals(problem, result)) == bound:
                return result
    return None
