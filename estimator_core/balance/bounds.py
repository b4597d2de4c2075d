"""A proven lower bound on the optimal spread, cheap enough to compute at every tier."""

from __future__ import annotations

import math

from estimator_core.balance.problem import BalanceProblem, totals_spread


def lower_bound(problem: BalanceProblem) -> int:
    """A proven lower bound on the optimal spread (exact when nothing is free)."""
    base = problem.base
    if not problem.loads:
        return totals_spread(base)
    total = sum(base) + problem.free_total
    b1, b2, b3 = sorted(base, reverse=True)
    items = [v for v, c in problem.loads for _ in range(min(c, 4))][:4]
    # Some group holds the largest item; by pigeonhole some group holds two of the top four.
    max_lb = max(b1, -(-total // 3), b3 + items[0])
    if len(items) >= 4:
        max_lb = max(max_lb, b3 + items[2] + items[3])
    # The smallest total is at most the mean, the mean of the other two, and the third
    # group once the two fullest hold at least their bases.
    min_ub = min(total // 3, (total - max_lb) // 2, total - b1 - b2)
    bound = max(0, max_lb - min_ub)

    # Every free load is a multiple of d, so T_g ≡ base_g (mod d); the spread is the
    # difference of two such totals and covers the arc of the three residues.
    d = 0
    for value, _ in problem.loads:
        d = math.gcd(d, value)
    residues = sorted(b % d for b in base)
    gaps = [residues[1] - residues[0], residues[2] - residues[1], residues[0] + d - residues[2]]
    bound = max(bound, d - max(gaps))
    differences = {(base[g] - base[h]) % d for g in range(3) for h in range(3) if g != h}
    return min(bound + (r - bound) % d for r in differences)
