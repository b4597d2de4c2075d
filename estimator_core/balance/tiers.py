"""The tiered solve: the cheapest tier that proves its answer optimal decides.

The time limit is one budget for all tiers. With the caller's clock it is a hard cap on
wall time: subset sums, re-splits, complete differencing and CP-SAT each stop at the
deadline, and CP-SAT is given only what is left. The heuristics, the bound and the small
exact search do a fixed amount of work first (about 0.1 s at 5,000 distinct loads, far
less on real panels), so a limit shorter than that is exceeded by it. Without a clock
each tier stops after a fixed amount of work, so the answer repeats exactly; CP-SAT's
own timer is then the only clock.
"""

from __future__ import annotations

from dataclasses import replace

from estimator_core.balance.bounds import lower_bound
from estimator_core.balance.ckk import CKK_NODES_PER_S, solve_ckk
from estimator_core.balance.cp_sat import solve_cp_sat
from estimator_core.balance.deadline import Clock, Deadline
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
from estimator_core.balance.repair import repair_to_bound, repair_worthwhile
from estimator_core.balance.subset_sum import solve_subset_sums

# Share of the time limit complete differencing may use before CP-SAT gets the rest.
# Differencing works circuit by circuit, CP-SAT on counts per load value. When every free
# load is distinct the count model gains nothing and differencing proves what CP-SAT
# cannot (benchmarks/RESULTS.md), so it takes the whole limit; when loads repeat a lot
# (fewer distinct values than half the circuits: 20 A and 30 A breakers) differencing
# wanders through equivalent orders while CP-SAT proves in milliseconds, so it is skipped.
CKK_SHARE_DISTINCT = 1.0
CKK_SHARE_MIXED = 0.5
CKK_MIN_DISTINCT_RATIO = 0.5


def differencing_share(problem: BalanceProblem) -> float:
    """The share of the time limit complete differencing gets (0: not tried)."""
    distinct = len(problem.loads)
    if distinct == problem.free_count:
        return CKK_SHARE_DISTINCT
    if distinct >= CKK_MIN_DISTINCT_RATIO * problem.free_count:
        return CKK_SHARE_MIXED
    return 0.0


def solve_counts(
    problem: BalanceProblem,
    *,
    time_limit_s: float = 2.0,
    clock: Clock | None = None,
    legacy: bool = False,
) -> CountSolution:
    """The tiered exact solve (see the package docstring for the tiers).

    ``clock`` makes ``time_limit_s`` a hard cap on wall time (see the module docstring)
    and the solution's ``wall_time_s`` the whole solve's on it, whichever tier decided
    (without a clock only CP-SAT's own timer is reported; the other tiers report 0).
    ``legacy=True`` leaves out the re-split and complete differencing tiers: the solver
    as it was before them, kept so the benchmark can compare old and new in one run.
    """
    deadline = Deadline.after(time_limit_s, clock)
    solution = _solve(problem, deadline, time_limit_s=time_limit_s, legacy=legacy)
    if clock is None:
        return solution
    return replace(solution, wall_time_s=max(0.0, clock() - deadline.start))


def _solve(
    problem: BalanceProblem, deadline: Deadline, *, time_limit_s: float, legacy: bool
) -> CountSolution:
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
    aimed = solve_subset_sums(problem, bound, deadline=deadline)
    if aimed is not None:
        return CountSolution(
            aimed, totals_spread(group_totals(problem, aimed)), bound, True, "subset-sum-bound"
        )
    if not legacy and repair_worthwhile(problem):
        repaired = repair_to_bound(problem, start, bound, deadline=deadline)
        if repaired is not None:
            return CountSolution(repaired, bound, bound, True, "repair-bound")
    share = 0.0 if legacy else differencing_share(problem)
    if share == 0:
        return solve_cp_sat(problem, deadline=deadline, hint=start)
    # Without a clock the differencing budget is a node count and CP-SAT gets the rest
    # of the limit on its own timer.
    nodes = None if deadline.measured else int(CKK_NODES_PER_S * share * time_limit_s)
    differencing = solve_ckk(problem, deadline.portion(share), start=start, node_limit=nodes)
    if differencing.solution.proven_optimal or share >= 1:
        return differencing.solution
    rest = deadline if deadline.measured else Deadline.after((1 - share) * time_limit_s)
    return solve_cp_sat(problem, deadline=rest, hint=differencing.solution.counts)
