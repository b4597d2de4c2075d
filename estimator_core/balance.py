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
5. ``cp-sat``: OR-Tools CP-SAT on the count model, hinted with the best split so far; if
   its time limit ends first, the best found, its bound and ``proven_optimal: False``.

This module must never do I/O, read the environment or read the clock (CP-SAT's own
reported wall time is the one nondeterministic figure it returns).
"""

from __future__ import annotations

import heapq
import itertools
import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from estimator_core.errors import ValidationFailed

System = Literal["3P4W", "3P3W"]
GROUPS: dict[System, tuple[str, str, str]] = {"3P4W": ("R", "S", "T"), "3P3W": ("RS", "ST", "TR")}

MAX_DECIMAL_PLACES = 4
MAX_CIRCUITS = 5000
SMALL_EXACT_MAX_CIRCUITS = 12
# Beyond this many search states CP-SAT is faster (loads spanning many magnitudes).
SMALL_EXACT_NODE_LIMIT = 1000
# Subset-sum search: target totals tried, and the bits its bitset tables may hold (25 MB).
SUBSET_SUM_MAX_TARGETS = 6
SUBSET_SUM_ORDERS = 12
SUBSET_SUM_MAX_BITS = 200_000_000
# Exchange moves after the greedy start; each strictly lowers the sum of squared totals.
_MAX_EXCHANGE_MOVES = 200
# Keeps every CP-SAT coefficient and sum far inside int64 (5000 × 10^9 × 10^4 < 2^63).
MAX_LOAD_A = 10**9
_PHASE_ALIASES = {"L1": "R", "L2": "S", "L3": "T"}
_PINS: dict[str, frozenset[str]] = {
    "3P4W": frozenset({"R", "S", "T", *_PHASE_ALIASES}),
    "3P3W": frozenset(GROUPS["3P3W"]),
}
_ANY_PIN = _PINS["3P4W"] | _PINS["3P3W"]

Totals = tuple[int, int, int]
Counts = dict[int, Totals]


@dataclass(frozen=True)
class Circuit:
    """One breaker's load; a 2P circuit is balanced, a 3P/4P one is a three-phase load."""

    id: str
    load_a: Decimal
    poles: int
    pin: str | None = None


@dataclass(frozen=True)
class ExactFigures:
    """The integer figures behind the float ones, all in units of 1/scale A."""

    scale: int
    spread: int
    single_phase_total: int
    three_phase_total: int


@dataclass(frozen=True)
class BalanceResult:
    """The optimal split, its group totals in A and the KEC imbalance.

    ``solve_ms`` is CP-SAT's own wall time, 0.0 when a cheaper tier proved the optimum
    (this module reads no clock). ``exact`` holds the integers ``exceeds`` compares.
    """

    system: System
    groups: tuple[str, str, str]
    assignment: dict[str, str]
    totals_a: dict[str, float]
    single_phase_totals_a: dict[str, float]
    spread_a: float
    lower_bound_a: float
    imbalance: float | None
    imbalance_single_phase: float | None
    proven_optimal: bool
    method: str
    solve_ms: float
    exact: ExactFigures | None = None

    def exceeds(self, threshold: Fraction) -> bool:
        """Whether ``imbalance`` is strictly above ``threshold``, decided exactly.

        30.00 % does not exceed 0.30. A ``None`` imbalance (no load) never exceeds.
        """
        if self.imbalance is None:
            return False
        if self.exact is None:
            return Fraction(self.imbalance) > threshold
        spread = self.exact.spread
        single = self.exact.single_phase_total
        three = self.exact.three_phase_total
        if self.system == "3P4W":
            # imbalance = 3·spread / (P + 3Q), denominator > 0 here.
            return 3 * spread > threshold * (single + 3 * three)
        # 3P3W: imbalance = 3·spread / (P + √3·Q); compare L = 3·spread − t·P with t·√3·Q.
        lhs = 3 * spread - threshold * single
        if three == 0 or threshold == 0:
            return lhs > 0
        rhs_squared = 3 * threshold * threshold * three * three
        if threshold > 0:
            return lhs > 0 and lhs * lhs > rhs_squared
        return lhs >= 0 or lhs * lhs < rhs_squared

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view of the result."""
        return {
            "system": self.system,
            "totals_a": dict(self.totals_a),
            "imbalance": self.imbalance,
            "imbalance_single_phase": self.imbalance_single_phase,
            "spread_a": self.spread_a,
            "lower_bound_a": self.lower_bound_a,
            "proven_optimal": self.proven_optimal,
            "method": self.method,
            "solve_ms": self.solve_ms,
            "assignment": dict(self.assignment),
        }


# --- The integer problem -------------------------------------------------------------


@dataclass(frozen=True)
class BalanceProblem:
    """Integer form: pinned load per group and the free loads as (value, count), value > 0."""

    base: Totals
    loads: tuple[tuple[int, int], ...]

    @staticmethod
    def of(base: Sequence[int], loads: Mapping[int, int] | Sequence[int]) -> BalanceProblem:
        """Builds a problem from a base and either {value: count} or a list of values."""
        if isinstance(loads, Mapping):
            counted = dict(loads)
        else:
            counted = {}
            for value in loads:
                counted[value] = counted.get(value, 0) + 1
        items = tuple(sorted(((v, c) for v, c in counted.items() if v > 0 and c > 0), reverse=True))
        b = tuple(base)
        if len(b) != 3:
            raise ValueError("base needs three groups")
        return BalanceProblem(base=(b[0], b[1], b[2]), loads=items)

    @property
    def free_total(self) -> int:
        return sum(v * c for v, c in self.loads)

    @property
    def free_count(self) -> int:
        return sum(c for _, c in self.loads)


@dataclass(frozen=True)
class CountSolution:
    """How many circuits of each free load go to each group, with its spread and bound."""

    counts: Counts
    spread: int
    lower_bound: int
    proven_optimal: bool
    method: str
    wall_time_s: float = 0.0


def group_totals(problem: BalanceProblem, counts: Counts) -> Totals:
    """Group totals of a count assignment."""
    t = list(problem.base)
    for value, split in counts.items():
        for g in range(3):
            t[g] += value * split[g]
    return (t[0], t[1], t[2])


def _spread(t: Sequence[int]) -> int:
    return max(t) - min(t)


def lower_bound(problem: BalanceProblem) -> int:
    """A proven lower bound on the optimal spread (exact when nothing is free)."""
    base = problem.base
    if not problem.loads:
        return _spread(base)
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


# --- Greedy start and exchange moves -------------------------------------------------


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
        if _spread(t) <= target:
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
    heap.append((-_spread(base_sums), 0, base_sums, [[-1 - g] for g in order]))
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
        heapq.heappush(heap, (-_spread(sums), tick, sums, [m[1] for m in merged]))
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
    return _spread(t), sum(x * x for x in t)


def heuristic_counts(problem: BalanceProblem) -> Counts:
    """The better of greedy LPT and differencing, each improved by exchange moves."""
    bound = lower_bound(problem)
    best = improve_by_exchange(problem, greedy_lpt(problem), bound)
    if _spread(group_totals(problem, best)) > bound:
        other = improve_by_exchange(problem, karmarkar_karp(problem), bound)
        if _rank(problem, other) < _rank(problem, best):
            best = other
    return best


# --- Exact search for few circuits ---------------------------------------------------


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
    best_spread = _spread(group_totals(problem, incumbent))
    best_counts = incumbent
    chosen: list[Totals] = [(0, 0, 0)] * len(values)
    seen: set[tuple[int, int, int]] = set()

    def search(i: int, t: Totals) -> None:
        nonlocal best_spread, best_counts
        if best_spread <= global_lb:
            return
        if i == len(values):
            s = _spread(t)
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
            options.append((_spread(nxt), split, nxt))
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


# --- Subset sums aimed at the bound --------------------------------------------------


def _subset_with_sum(values: Sequence[int], target: int, max_bits: int) -> list[int] | None:
    """Positions of some values summing exactly to ``target`` (bitset DP), or None.

    None also when the kept bitsets would exceed ``max_bits`` before reaching the target.
    """
    if target == 0:
        return []
    mask = (1 << (target + 1)) - 1
    layers = [1]  # layers[i]: sums reachable with the first i values
    for v in values:
        if len(layers) * (target + 1) > max_bits:
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


def _target_totals(problem: BalanceProblem, spread: int, limit: int) -> list[Totals]:
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
    problem: BalanceProblem, spread: int, *, max_bits: int = SUBSET_SUM_MAX_BITS
) -> Counts | None:
    """Circuits split to totals of exactly ``spread``, found by exact subset sums, or None.

    For a few target totals, picks circuits summing to the smallest group's share, then to
    the next group's share from the rest; the last group takes what is left. Finding one
    proves nothing by itself: the caller compares its spread with a lower bound.
    """
    if not problem.loads:
        return {} if _spread(problem.base) == spread else None
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
    for targets in _target_totals(problem, spread, limit=SUBSET_SUM_MAX_TARGETS):
        shares = [targets[g] - problem.base[g] for g in range(3)]
        first, second, last = sorted(range(3), key=lambda g: (shares[g], g))
        for order in orders:
            picked = _subset_with_sum(order, shares[first], max_bits)
            if picked is None:
                break
            taken = set(picked)
            rest = [v for i, v in enumerate(order) if i not in taken]
            picked_second = _subset_with_sum(rest, shares[second], max_bits)
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


# --- CP-SAT --------------------------------------------------------------------------


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
) -> CountSolution:
    """CP-SAT on the count model; without a proof in time, the best found and the bound."""
    # OR-Tools takes ~2 s to import; most panels are proven optimal without it, so a cold
    # serverless worker only pays for it when CP-SAT is really needed.
    from ortools.sat.python import cp_model

    # Data.
    values = [v for v, _ in problem.loads]
    count_of = dict(problem.loads)
    total = sum(problem.base) + problem.free_total
    start = hint if hint is not None else heuristic_counts(problem)
    start = _order_for_symmetry(problem, start)
    start_spread = _spread(group_totals(problem, start))
    bound = lower_bound(problem)

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
    solver.parameters.max_time_in_seconds = time_limit_s
    # Deterministic time (calibrated near seconds, ≥ ~0.5 × wall time here) usually stops
    # the search first, so even an unproven answer repeats; wall time stays the hard cap.
    solver.parameters.max_deterministic_time = time_limit_s / 2
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(model)

    best_counts, best_spread = start, start_spread
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = {
            v: (solver.value(n[v, 0]), solver.value(n[v, 1]), solver.value(n[v, 2])) for v in values
        }
        found_spread = _spread(group_totals(problem, found))
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


def solve_counts(problem: BalanceProblem, *, time_limit_s: float = 2.0) -> CountSolution:
    """The tiered exact solve (see the module docstring for the tiers)."""
    if not problem.loads:
        spread = _spread(problem.base)
        return CountSolution({}, spread, spread, True, "trivial")
    bound = lower_bound(problem)
    start = heuristic_counts(problem)
    spread = _spread(group_totals(problem, start))
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
            aimed, _spread(group_totals(problem, aimed)), bound, True, "subset-sum-bound"
        )
    return solve_cp_sat(problem, time_limit_s=time_limit_s, hint=start)


# --- Circuits in, result out ---------------------------------------------------------


def _digits(value: Decimal) -> tuple[int, int]:
    """``value`` as (n, e) with value = ±n·10^e exactly (no rounding context involved)."""
    parts = value.as_tuple()
    assert isinstance(parts.exponent, int)
    return int("".join(map(str, parts.digits))), parts.exponent


def _decimal_places(value: Decimal) -> int:
    """Decimal places ignoring trailing zeros: 10.500 has one."""
    n, e = _digits(value)
    while n and n % 10 == 0 and e < 0:
        n //= 10
        e += 1
    return 0 if n == 0 else max(0, -e)


def _units(value: Decimal, places: int) -> int:
    """``value`` · 10^places as an exact integer (``value`` has at most ``places`` places)."""
    n, e = _digits(value)
    shift = e + places
    factor: int = 10 ** abs(shift)
    return n * factor if shift >= 0 else n // factor


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    return None


def _load_problems(value: Decimal | None) -> list[str]:
    if value is None:
        return ["load_a must be a finite number"]
    problems = []
    if value < 0:
        problems.append("load_a must not be negative")
    if value >= MAX_LOAD_A:
        problems.append(f"load_a must be below {MAX_LOAD_A} A")
    elif _decimal_places(value) > MAX_DECIMAL_PLACES:
        problems.append(f"load_a has more than {MAX_DECIMAL_PLACES} decimal places")
    return problems


def _validate_circuits(circuits: Sequence[Circuit], system: System) -> list[Decimal]:
    if system not in GROUPS:
        raise ValidationFailed(
            "unknown system", [{"loc": ["system"], "msg": "system must be 3P4W or 3P3W"}]
        )
    groups = GROUPS[system]
    details: list[dict[str, Any]] = []
    loads: list[Decimal] = []
    seen: set[str] = set()
    if len(circuits) > MAX_CIRCUITS:
        details.append({"loc": ["circuits"], "msg": f"more than {MAX_CIRCUITS} circuits"})
    for i, circuit in enumerate(circuits):
        load = _as_decimal(circuit.load_a)
        loads.append(load if load is not None else Decimal(0))
        for msg in _load_problems(load):
            details.append({"loc": ["circuits", i, "load_a"], "msg": msg})
        if circuit.id in seen:
            details.append({"loc": ["circuits", i, "id"], "msg": f"duplicate id {circuit.id!r}"})
        seen.add(circuit.id)
        if isinstance(circuit.poles, bool) or circuit.poles not in (2, 3, 4):
            details.append({"loc": ["circuits", i, "poles"], "msg": "poles must be 2, 3 or 4"})
        elif circuit.pin is not None and circuit.poles != 2:
            details.append(
                {"loc": ["circuits", i, "pin"], "msg": "a 3P/4P circuit cannot be pinned"}
            )
        elif circuit.pin is not None and circuit.pin not in groups:
            details.append(
                {
                    "loc": ["circuits", i, "pin"],
                    "msg": f"pin must be one of {', '.join(groups)} under {system}",
                }
            )
    if details:
        raise ValidationFailed("invalid circuits", details)
    return loads


def _float_a(units: int, scale: int) -> float:
    return float(Fraction(units, scale))


def balance_phases(
    circuits: Sequence[Circuit], *, system: System, time_limit_s: float = 2.0
) -> BalanceResult:
    """The spread-minimising split of the 2P circuits into the system's three groups."""
    loads = _validate_circuits(circuits, system)
    if not time_limit_s > 0:
        raise ValidationFailed(
            "time limit must be positive", [{"loc": ["time_limit_s"], "msg": "must be > 0"}]
        )
    groups = GROUPS[system]
    places = max((_decimal_places(x) for x in loads), default=0)
    scale = 10**places
    units = [_units(x, places) for x in loads]

    # Data: pinned loads form the base, free 2P loads are counted by value.
    base = [0, 0, 0]
    free: dict[int, int] = {}
    three_phase = 0
    for circuit, u in zip(circuits, units, strict=True):
        if circuit.poles != 2:
            three_phase += u
        elif circuit.pin is not None:
            base[groups.index(circuit.pin)] += u
        else:
            free[u] = free.get(u, 0) + 1
    problem = BalanceProblem.of(base, free)
    solution = solve_counts(problem, time_limit_s=time_limit_s)

    # Hand out groups per load value in group order; spare (0 A) circuits cycle R→S→T.
    queues: dict[int, list[int]] = {
        v: [g for g in range(3) for _ in range(split[g])] for v, split in solution.counts.items()
    }
    handed = dict.fromkeys(queues, 0)
    spare = 0
    assignment: dict[str, str] = {}
    for circuit, u in zip(circuits, units, strict=True):
        if circuit.poles != 2:
            continue
        if circuit.pin is not None:
            assignment[circuit.id] = circuit.pin
        elif u == 0:
            assignment[circuit.id] = groups[spare % 3]
            spare += 1
        else:
            assignment[circuit.id] = groups[queues[u][handed[u]]]
            handed[u] += 1

    single = group_totals(problem, solution.counts)
    single_total = sum(single)
    spread = solution.spread
    if system == "3P4W":
        shown = [s + three_phase for s in single]
        denominator = single_total + 3 * three_phase
        imbalance = float(Fraction(3 * spread, denominator)) if denominator else None
    else:
        shown = list(single)
        root3_denominator = single_total + math.sqrt(3) * three_phase
        imbalance = 3 * spread / root3_denominator if root3_denominator > 0 else None
    single_imbalance = float(Fraction(3 * spread, single_total)) if single_total else None
    return BalanceResult(
        system=system,
        groups=groups,
        assignment=assignment,
        totals_a={g: _float_a(shown[k], scale) for k, g in enumerate(groups)},
        single_phase_totals_a={g: _float_a(single[k], scale) for k, g in enumerate(groups)},
        spread_a=_float_a(spread, scale),
        lower_bound_a=_float_a(solution.lower_bound, scale),
        imbalance=imbalance,
        imbalance_single_phase=single_imbalance,
        proven_optimal=solution.proven_optimal,
        method=solution.method,
        solve_ms=solution.wall_time_s * 1000.0,
        exact=ExactFigures(
            scale=scale,
            spread=spread,
            single_phase_total=single_total,
            three_phase_total=three_phase,
        ),
    )


# --- The CLI request -----------------------------------------------------------------


def _exact_number(value: object) -> Decimal:
    number = _as_decimal(value)
    if number is None:
        raise PydanticCustomError("number", "load_a must be a finite number")
    problems = _load_problems(number)
    if problems:
        raise PydanticCustomError("load", "; ".join(problems))
    return number


class _CircuitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: Annotated[StrictStr, Field(min_length=1)]
    load_a: Annotated[Decimal, BeforeValidator(_exact_number)]
    poles: StrictInt
    phase: Literal["R", "S", "T", "L1", "L2", "L3", "RS", "ST", "TR"] | None = None

    @field_validator("poles")
    @classmethod
    def _poles_are_2_3_or_4(cls, poles: int) -> int:
        if poles not in (2, 3, 4):
            raise PydanticCustomError("poles", "poles must be 2, 3 or 4")
        return poles


class _RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    circuits: list[_CircuitIn]
    system: System = "3P4W"


def _cross_field_problems(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Duplicate ids and pins that the system or the poles forbid, read from the raw input."""
    raw = data.get("circuits")
    if not isinstance(raw, list):
        return []
    system = data.get("system", "3P4W")
    allowed = _PINS.get(system) if isinstance(system, str) else None
    problems: list[dict[str, Any]] = []
    first_at: dict[str, int] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            continue
        cid, phase, poles = item.get("id"), item.get("phase"), item.get("poles")
        if isinstance(cid, str):
            if cid in first_at:
                msg = f"duplicate id {cid!r} (first at circuits[{first_at[cid]}])"
                problems.append({"loc": ["circuits", i, "id"], "msg": msg})
            else:
                first_at[cid] = i
        if not isinstance(phase, str):
            continue
        if poles in (3, 4) and not isinstance(poles, bool):
            msg = "a 3P/4P circuit cannot be pinned"
            problems.append({"loc": ["circuits", i, "phase"], "msg": msg})
        elif allowed is not None and phase in _ANY_PIN and phase not in allowed:
            msg = f"phase {phase!r} is not a group under {system}; use {', '.join(sorted(allowed))}"
            problems.append({"loc": ["circuits", i, "phase"], "msg": msg})
    return problems


def balance_request(data: Any, *, time_limit_s: float = 2.0) -> dict[str, Any]:
    """Validates a CLI request, balances it and returns the JSON-ready result.

    Input: ``{"circuits": [{"id", "load_a", "poles", "phase"?}], "system"?}``.
    """
    if not isinstance(data, dict):
        raise ValidationFailed(
            "request must be a JSON object", [{"loc": [], "msg": "request must be a JSON object"}]
        )
    raw = data.get("circuits")
    if isinstance(raw, list) and len(raw) > MAX_CIRCUITS:
        raise ValidationFailed(
            "too many circuits",
            [{"loc": ["circuits"], "msg": f"at most {MAX_CIRCUITS} circuits, got {len(raw)}"}],
        )
    details: list[dict[str, Any]] = []
    request: _RequestIn | None = None
    try:
        request = _RequestIn.model_validate(data)
    except ValidationError as error:
        details.extend({"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors())
    details.extend(_cross_field_problems(data))
    if details or request is None:
        raise ValidationFailed("invalid balance request", details)
    circuits = [
        Circuit(
            id=c.id,
            load_a=c.load_a,
            poles=c.poles,
            pin=_PHASE_ALIASES.get(c.phase, c.phase) if c.phase is not None else None,
        )
        for c in request.circuits
    ]
    result = balance_phases(circuits, system=request.system, time_limit_s=time_limit_s)
    out = result.to_dict()
    out["lower_bound"] = result.lower_bound_a
    return out
