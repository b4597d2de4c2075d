"""Exact subset sums aimed at totals whose spread equals the lower bound."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from estimator_core.balance.deadline import Deadline
from estimator_core.balance.problem import BalanceProblem, Counts, Totals, totals_spread

# Target totals tried, and the bits its bitset tables may hold (25 MB).
SUBSET_SUM_MAX_TARGETS = 6
SUBSET_SUM_ORDERS = 12
SUBSET_SUM_MAX_BITS = 200_000_000


def _subset_with_sum(
    values: Sequence[int], target: int, max_bits: int, deadline: Deadline
) -> list[int] | None:
    """Positions of some values summing exactly to ``target`` (bitset DP), or None.

    None also when the kept bitsets would exceed ``max_bits`` before reaching the target,
    or when the deadline passes (a layer of a wide table can take milliseconds).
    """
    if target == 0:
        return []
    mask = (1 << (target + 1)) - 1
    layers = [1]  # layers[i]: sums reachable with the first i values
    for v in values:
        if len(layers) * (target + 1) > max_bits or deadline.expired():
            return None
        reach = layers[-1]
        layers.append(reach | ((reach << v) & mask))
        if layers[-1] >> target & 1:
            break
    if not layers[-1] >> target & 1:
        return None
    chosen = []
    remaining = target
    for i in range(len(layers) - 1, 0, -1):
        if not layers[i - 1] >> remaining & 1:
            chosen.append(i - 1)
            remaining -= values[i - 1]
    return chosen


def target_totals(problem: BalanceProblem, spread: int, limit: int) -> list[Totals]:
    """Group totals with exactly this spread that the free loads could fill, at most ``limit``."""
    base = problem.base
    total = sum(base) + problem.free_total
    d = 0
    for value, _ in problem.loads:
        d = math.gcd(d, value)
    found: list[Totals] = []
    low = total // 3
    lowest = max((total - 3 * spread + 2) // 3, total // 3 - 4 * limit)
    while low >= lowest and len(found) < limit:
        middle = total - 2 * low - spread
        if low <= middle <= low + spread:
            for t in sorted(set(itertools.permutations((low, middle, low + spread)))):
                fits = all(t[g] >= base[g] and (t[g] - base[g]) % d == 0 for g in range(3))
                if fits:
                    found.append((t[0], t[1], t[2]))
        low -= 1
    return found[:limit]


def solve_subset_sums(
    problem: BalanceProblem,
    spread: int,
    *,
    max_bits: int = SUBSET_SUM_MAX_BITS,
    deadline: Deadline | None = None,
) -> Counts | None:
    """Circuits split to totals of exactly ``spread``, found by exact subset sums, or None.

    For a few target totals, picks circuits summing to the smallest group's share, then to
    the next group's share from the rest; the last group takes what is left. Finding one
    proves nothing by itself: the caller compares its spread with a lower bound. Gives
    up (None) when ``deadline`` passes.
    """
    if deadline is None:
        deadline = Deadline.after(math.inf)
    if not problem.loads:
        return {} if totals_spread(problem.base) == spread else None
    items = [v for v, c in problem.loads for _ in range(c)]
    # Each order makes the DP pick a different subset. Strides coprime to the count give
    # fixed, well-mixed permutations (no random source in the core).
    size = len(items)
    orders = [items, items[::-1]]
    for stride in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43):
        if len(orders) == SUBSET_SUM_ORDERS:
            break
        if math.gcd(stride, size) == 1:
            offset = len(orders)
            orders.append([items[(offset + i * stride) % size] for i in range(size)])
    for targets in target_totals(problem, spread, limit=SUBSET_SUM_MAX_TARGETS):
        shares = [targets[g] - problem.base[g] for g in range(3)]
        first, second, last = sorted(range(3), key=lambda g: (shares[g], g))
        for order in orders:
            if deadline.expired():
                return None
            picked = _subset_with_sum(order, shares[first], max_bits, deadline)
            if picked is None:
                break
            taken = set(picked)
            rest = [v for i, v in enumerate(order) if i not in taken]
            picked_second = _subset_with_sum(rest, shares[second], max_bits, deadline)
            if picked_second is None:
                continue
            split: dict[int, list[int]] = {v: [0, 0, 0] for v, _ in problem.loads}
            for i in picked:
                split[order[i]][first] += 1
            for i in picked_second:
                split[rest[i]][second] += 1
            for value, count in problem.loads:
                split[value][last] = count - split[value][first] - split[value][second]
            return {v: (s[0], s[1], s[2]) for v, s in split.items()}
    return None
