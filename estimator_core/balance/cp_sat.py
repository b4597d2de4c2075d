"""OR-Tools CP-SAT on the count model: the last tier, with a bound when it stops early."""

from __future__ import annotations

import math

from estimator_core.balance.bounds import lower_bound
from estimator_core.balance.deadline import Deadline
from estimator_core.balance.heuristics import heuristic_counts
from estimator_core.balance.problem import (
    BalanceProblem,
    Counts,
    CountSolution,
    Totals,
    group_totals,
    totals_spread,
)

# Kept back from the deadline for CP-SAT's own overshoot and reading the answer.
CP_SAT_MARGIN_S = 0.02


def _symmetric_pairs(base: Totals) -> list[tuple[int, int]]:
    return [(g, h) for g, h in ((0, 1), (1, 2), (0, 2)) if base[g] == base[h]]


def _order_for_symmetry(problem: BalanceProblem, counts: Counts) -> Counts:
    """Permutes the splits of equal-base groups so their totals ascend (the model's order)."""
    t = group_totals(problem, counts)
    perm = [0, 1, 2]
    pairs = _symmetric_pairs(problem.base)
    if len(pairs) == 3:
        perm.sort(key=lambda g: (t[g], g))
    elif len(pairs) == 1:
        g, h = pairs[0]
        if t[g] > t[h]:
            perm[g], perm[h] = h, g
    return {v: (s[perm[0]], s[perm[1]], s[perm[2]]) for v, s in counts.items()}


def solve_cp_sat(
    problem: BalanceProblem,
    *,
    time_limit_s: float = 2.0,
    hint: Counts | None = None,
    deadline: Deadline | None = None,
) -> CountSolution:
    """CP-SAT on the count model; without a proof in time, the best found and the bound.

    ``deadline`` (default: ``time_limit_s`` on CP-SAT's own timer) bounds the whole call:
    with a clock, the solver gets what is left after the import and the model build, and
    is not started at all when too little is left. The one step it cannot cut short is
    the first import of OR-Tools in a process (0.3 s warm, up to ~2 s cold).
    """
    if deadline is None:
        deadline = Deadline.after(time_limit_s)

    # Data.
    values = [v for v, _ in problem.loads]
    count_of = dict(problem.loads)
    total = sum(problem.base) + problem.free_total
    start = hint if hint is not None else heuristic_counts(problem)
    start = _order_for_symmetry(problem, start)
    start_spread = totals_spread(group_totals(problem, start))
    bound = lower_bound(problem)
    if deadline.measured and deadline.remaining_s() <= CP_SAT_MARGIN_S:
        # Not even time to import the solver: the start and the bound, unproven.
        return CountSolution(start, start_spread, bound, start_spread <= bound, "cp-sat")

    # OR-Tools takes ~2 s to import; most panels are proven optimal without it, so a cold
    # serverless worker only pays for it when CP-SAT is really needed.
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()

    # Variables: n[v, g] circuits of load v in group g.
    n = {(v, g): model.new_int_var(0, count_of[v], f"n_{v}_{g}") for v in values for g in range(3)}
    totals = [model.new_int_var(problem.base[g], total, f"total_{g}") for g in range(3)]
    high = model.new_int_var(0, total, "high")
    low = model.new_int_var(0, total, "low")

    # Every circuit goes to exactly one group.
    for v in values:
        model.add(sum(n[v, g] for g in range(3)) == count_of[v])

    # Group totals: pinned base plus the free loads placed there.
    for g in range(3):
        model.add(totals[g] == problem.base[g] + sum(v * n[v, g] for v in values))

    # high ≥ every total ≥ low, so high − low ≥ the spread; minimising makes it equal.
    for g in range(3):
        model.add(high >= totals[g])
        model.add(low <= totals[g])
    model.add(sum(totals) == total)

    # Groups with equal base are interchangeable: order their totals (keeps an optimum).
    for g, h in _symmetric_pairs(problem.base):
        model.add(totals[g] <= totals[h])

    # The proven bound and the starting split bracket the optimum.
    model.add(high - low >= bound)
    model.add(high - low <= start_spread)

    # Objective.
    model.minimize(high - low)

    # Hint: the starting split, complete.
    start_totals = group_totals(problem, start)
    for v in values:
        for g in range(3):
            model.add_hint(n[v, g], start[v][g])
    for g in range(3):
        model.add_hint(totals[g], start_totals[g])
    model.add_hint(high, max(start_totals))
    model.add_hint(low, min(start_totals))

    # Solver parameters: bounded, single worker and a fixed seed for determinism.
    solver = cp_model.CpSolver()
    seconds = deadline.remaining_s() - (CP_SAT_MARGIN_S if deadline.measured else 0.0)
    if seconds <= 0:
        # No time left to search: the start and the proven bound, honestly unproven.
        return CountSolution(start, start_spread, bound, start_spread <= bound, "cp-sat")
    solver.parameters.max_time_in_seconds = seconds
    # Deterministic time (calibrated near seconds, ≥ ~0.5 × wall time here) usually stops
    # the search first, so even an unproven answer repeats; wall time stays the hard cap.
    solver.parameters.max_deterministic_time = deadline.limit_s / 2
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(model)

    best_counts, best_spread = start, start_spread
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = {
            v: (solver.value(n[v, 0]), solver.value(n[v, 1]), solver.value(n[v, 2])) for v in values
        }
        found_spread = totals_spread(group_totals(problem, found))
        if found_spread < best_spread:
            best_counts, best_spread = found, found_spread
    if status == cp_model.OPTIMAL:
        bound = max(bound, best_spread)
    elif status in (cp_model.FEASIBLE, cp_model.UNKNOWN) and math.isfinite(
        solver.best_objective_bound
    ):
        # The objective is integral, so its bound is too; the slack absorbs float noise.
        # The model only admits spreads ≤ the start's, hence the min.
        bound = max(bound, min(best_spread, math.floor(solver.best_objective_bound + 1e-6)))
    return CountSolution(
        counts=best_counts,
        spread=best_spread,
        lower_bound=bound,
        proven_optimal=best_spread <= bound,
        method="cp-sat",
        wall_time_s=solver.wall_time,
    )
