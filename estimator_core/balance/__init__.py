"""Provably optimal phase balancing (RULES.md §3, stage ``breaker``).

Single-phase circuits are split into three groups: phases R/S/T under a 4P main (3φ4W) or
line pairs RS/ST/TR under a 3P main (3φ3W). The split minimises the spread (max group −
min group) exactly, respecting pins, and reports the KEC 설비불평형률 (``imbalance``).

Loads are turned into integers at the finest decimal resolution present (at most 0.0001
A), so the optimisation never touches floats. Free circuits of equal load are
interchangeable, so the model counts how many of each load go to each group. Solving is
tiered; the first tier that proves its answer optimal names ``method``:

1. ``trivial``: nothing free to place.
2. ``greedy-bound``: largest-first greedy or differencing, then exchange moves, reaches
   the proven lower bound of ``lower_bound``.
3. ``exact-small``: depth-first search with memo over group totals (at most 12 free
   circuits, a bounded number of states).
4. ``subset-sum-bound``: exact subset sums find totals at the lower bound.
5. ``repair-bound``: on many large distinct loads, two exact re-splits of a small pool of
   circuits (meet in the middle) bring the heuristic split to totals at the lower bound.
6. ``ckk``: complete Karmarkar–Karp (Korf 1998), three-way: anytime depth-first search
   over differencing merges, exact when it ends; it takes the whole time limit when every
   free load is distinct, half of it when at least half are, and is skipped when loads
   repeat more (``tiers.differencing_share``).
7. ``cp-sat``: OR-Tools CP-SAT on the count model, hinted with the best split so far.

If the time limit ends first, the answer is the best found, the bound and
``proven_optimal: False``. With the caller's clock the limit is a hard cap on wall time
for every tier (``deadline``); without one each tier does a fixed amount of work.

One module per part: ``problem`` (the integer problem and its solution), ``bounds``,
``heuristics``, ``exact_small``, ``subset_sum``, ``repair``, ``ckk``, ``cp_sat``, ``deadline``,
``tiers`` (the order above), ``result`` and ``phases`` (circuits in, result out) and
``cli_request`` (the CLI's JSON).

This package must never do I/O, read the environment or read the clock: time is read only
through a clock the caller passes in (CP-SAT's own reported wall time is the one other
nondeterministic figure it returns).
"""

from typing import TYPE_CHECKING, Any

from estimator_core.balance.bounds import lower_bound
from estimator_core.balance.ckk import CkkSolution, solve_ckk
from estimator_core.balance.cp_sat import solve_cp_sat
from estimator_core.balance.deadline import Clock, Deadline
from estimator_core.balance.exact_small import (
    SMALL_EXACT_MAX_CIRCUITS,
    SMALL_EXACT_NODE_LIMIT,
    solve_exact_small,
)
from estimator_core.balance.heuristics import (
    greedy_lpt,
    heuristic_counts,
    improve_by_exchange,
    karmarkar_karp,
)
from estimator_core.balance.phases import (
    MAX_CIRCUITS,
    MAX_DECIMAL_PLACES,
    MAX_LOAD_A,
    balance_phases,
)
from estimator_core.balance.problem import (
    GROUPS,
    BalanceProblem,
    Counts,
    CountSolution,
    System,
    Totals,
    group_totals,
)
from estimator_core.balance.repair import repair_to_bound
from estimator_core.balance.result import BalanceResult, Circuit, ExactFigures
from estimator_core.balance.subset_sum import (
    SUBSET_SUM_MAX_BITS,
    SUBSET_SUM_MAX_TARGETS,
    SUBSET_SUM_ORDERS,
    solve_subset_sums,
)
from estimator_core.balance.tiers import solve_counts

if TYPE_CHECKING:
    from estimator_core.balance.cli_request import balance_request

__all__ = [
    "GROUPS",
    "MAX_CIRCUITS",
    "MAX_DECIMAL_PLACES",
    "MAX_LOAD_A",
    "SMALL_EXACT_MAX_CIRCUITS",
    "SMALL_EXACT_NODE_LIMIT",
    "SUBSET_SUM_MAX_BITS",
    "SUBSET_SUM_MAX_TARGETS",
    "SUBSET_SUM_ORDERS",
    "BalanceProblem",
    "BalanceResult",
    "Circuit",
    "CkkSolution",
    "Clock",
    "CountSolution",
    "Counts",
    "Deadline",
    "ExactFigures",
    "System",
    "Totals",
    "balance_phases",
    "balance_request",
    "greedy_lpt",
    "group_totals",
    "heuristic_counts",
    "improve_by_exchange",
    "karmarkar_karp",
    "lower_bound",
    "repair_to_bound",
    "solve_ckk",
    "solve_counts",
    "solve_cp_sat",
    "solve_exact_small",
    "solve_subset_sums",
]


def __getattr__(name: str) -> Any:
    # The CLI's pydantic request model is built only when it is used (cold start).
    if name == "balance_request":
        from estimator_core.balance.cli_request import balance_request

        return balance_request
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
