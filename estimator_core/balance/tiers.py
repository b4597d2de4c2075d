"""The tiered solve: the cheapest tier that proves its answer optimal decides."""

from __future__ import annotations

from estimator_core.balance.bounds import lower_bound
from estimator_core.balance.cp_sat import solve_cp_sat
from estimator_core.balance.exact_small import (
    SMALL_EXACT_MAX_CIRCUITS,
    SMALL_EXACT_NODE_LIMIT,
    solve_exact_small,
)
from estimator_core.balance.heuristics import heuristic_counts
from estimator_core.balance.problem import (
    BalanceProblem,
    CountSolution,
    group_totals,
    totals_spread,
)
from estimator_core.balance.subset_sum import solve_subset_sums


def solve_counts(problem: BalanceProblem, *, time_limit_s: float = 2.0) -> CountSolution:
    """The tiered exact solve (see the module docstring for the tiers)."""
    if not problem.loads:
        spread = totals_spread(problem.base)
        return CountSolution({}, spread, spread, True, "trivial")
    bound = lower_bound(problem)
    start = heuristic_counts(problem)
    spread = totals_spread(group_totals(problem, start))
    if spread <= bound:
        return CountSolution(start, spread, bound, True, "greedy-bound")
    if problem.free_count <= SMALL_EXACT_MAX_CIRCUITS:
        small = solve_exact_small(problem, start, node_limit=SMALL_EXACT_NODE_LIMIT)
        if small.proven_optimal:
            return small
        start = small.counts
    aimed = solve_subset_sums(problem, bound)
    if aimed is not None:
        return CountSolution(
            aimed, totals_spread(group_totals(problem, aimed)), bound, True, "subset-sum-bound"
        )
    return solve_cp_sat(problem, time_limit_s=time_limit_s, hint=start)
