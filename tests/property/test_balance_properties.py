"""Properties of phase balancing, checked against brute force and between solver tiers."""

from __future__ import annotations

from decimal import Decimal, getcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator_core.balance import (
    GROUPS,
    BalanceProblem,
    Circuit,
    Deadline,
    System,
    balance_phases,
    greedy_lpt,
    group_totals,
    heuristic_counts,
    karmarkar_karp,
    lower_bound,
    repair_to_bound,
    solve_ckk,
    solve_counts,
    solve_cp_sat,
    solve_exact_small,
    solve_subset_sums,
)

FAST = settings(max_examples=80, deadline=None)
SYSTEMS: tuple[System, ...] = ("3P4W", "3P3W")


@st.composite
def panels(draw: st.DrawFn, max_free: int = 10) -> tuple[System, list[Circuit]]:
    """A system and its circuits: hundredth-amp loads, some pinned, some three-phase."""
    system = draw(st.sampled_from(SYSTEMS))
    groups = GROUPS[system]
    places = draw(st.sampled_from([0, 1, 2]))
    load = st.integers(0, 6000).map(lambda n: Decimal(n) / 10**places)
    free = draw(st.lists(load, max_size=max_free))
    pinned = draw(st.lists(st.tuples(load, st.sampled_from(groups)), max_size=4))
    three = draw(st.lists(st.tuples(load, st.sampled_from([3, 4])), max_size=3))
    circuits = [Circuit(f"f{i}", x, 2) for i, x in enumerate(free)]
    circuits += [Circuit(f"p{i}", x, 2, pin=g) for i, (x, g) in enumerate(pinned)]
    circuits += [Circuit(f"m{i}", x, poles) for i, (x, poles) in enumerate(three)]
    order = draw(st.permutations(range(len(circuits))))
    return system, [circuits[i] for i in order]


def brute_force_spread(circuits: list[Circuit], groups: tuple[str, str, str]) -> Fraction:
    """Minimum spread over all 3^n placements of the free circuits (equal totals merged)."""
    units = {c.id: int(c.load_a * 10**4) for c in circuits}
    base = [0, 0, 0]
    for c in circuits:
        if c.poles == 2 and c.pin is not None:
            base[groups.index(c.pin)] += units[c.id]
    states = {(base[0], base[1], base[2])}
    for c in circuits:
        if c.poles == 2 and c.pin is None:
            u = units[c.id]
            states = {
                (a + u * (g == 0), b + u * (g == 1), d + u * (g == 2))
                for a, b, d in states
                for g in range(3)
            }
    return Fraction(min(max(t) - min(t) for t in states), 10**4)


@st.composite
def problems(draw: st.DrawFn, max_items: int = 12) -> BalanceProblem:
    """Integer problems: loads from one of several magnitudes, random pinned bases."""
    top = draw(st.sampled_from([10, 60, 600, 10**6]))
    values = draw(st.lists(st.integers(1, top), max_size=max_items))
    base = draw(st.lists(st.sampled_from([0, 0, 7, 37, 100, 5000]), min_size=3, max_size=3))
    return BalanceProblem.of(base, values)


def brute_force_problem(problem: BalanceProblem) -> int:
    states = {problem.base}
    for value, count in problem.loads:
        for _ in range(count):
            states = {
                (a + value * (g == 0), b + value * (g == 1), c + value * (g == 2))
                for a, b, c in states
                for g in range(3)
            }
    return min(max(t) - min(t) for t in states)


def spread_of(problem: BalanceProblem, counts: dict[int, tuple[int, int, int]]) -> int:
    t = group_totals(problem, counts)
    return max(t) - min(t)


def is_complete(problem: BalanceProblem, counts: dict[int, tuple[int, int, int]]) -> bool:
    """Every free circuit is placed exactly once."""
    placed = {v: sum(split) for v, split in counts.items() if sum(split)}
    return placed == dict(problem.loads) and all(n >= 0 for s in counts.values() for n in s)


@FAST
@given(panels())
def test_optimum_equals_brute_force(panel: tuple[System, list[Circuit]]) -> None:
    system, circuits = panel
    result = balance_phases(circuits, system=system)
    assert result.exact is not None
    expected = brute_force_spread(circuits, GROUPS[system])
    assert Fraction(result.exact.spread, result.exact.scale) == expected
    assert result.proven_optimal


@FAST
@given(panels(max_free=30))
def test_pins_are_respected_and_every_2p_circuit_is_assigned_once(
    panel: tuple[System, list[Circuit]],
) -> None:
    system, circuits = panel
    result = balance_phases(circuits, system=system)
    two_pole = [c for c in circuits if c.poles == 2]
    assert list(result.assignment) == [c.id for c in two_pole]
    assert set(result.assignment.values()) <= set(GROUPS[system])
    for c in two_pole:
        if c.pin is not None:
            assert result.assignment[c.id] == c.pin


@FAST
@given(panels(max_free=30))
def test_totals_are_the_sums_of_the_assigned_loads(panel: tuple[System, list[Circuit]]) -> None:
    system, circuits = panel
    result = balance_phases(circuits, system=system)
    three_phase = sum((c.load_a for c in circuits if c.poles != 2), Decimal(0))
    for group in GROUPS[system]:
        single = sum(
            (c.load_a for c in circuits if result.assignment.get(c.id) == group), Decimal(0)
        )
        shown = single + three_phase if system == "3P4W" else single
        assert result.single_phase_totals_a[group] == float(single)
        assert result.totals_a[group] == float(shown)


@FAST
@given(panels(max_free=30))
def test_spread_is_max_minus_min_and_never_below_the_bound(
    panel: tuple[System, list[Circuit]],
) -> None:
    system, circuits = panel
    result = balance_phases(circuits, system=system)
    sums = [
        sum((c.load_a for c in circuits if result.assignment.get(c.id) == g), Decimal(0))
        for g in GROUPS[system]
    ]
    assert result.spread_a == float(max(sums) - min(sums))
    assert result.lower_bound_a <= result.spread_a


@FAST
@given(panels(max_free=20), st.fractions(min_value=0, max_value=2, max_denominator=10**6))
def test_exceeds_agrees_with_a_high_precision_imbalance(
    panel: tuple[System, list[Circuit]], threshold: Fraction
) -> None:
    system, circuits = panel
    result = balance_phases(circuits, system=system)
    if result.imbalance is None:
        assert not result.exceeds(threshold)
        return
    assert result.exact is not None
    spread, single = result.exact.spread, result.exact.single_phase_total
    three = result.exact.three_phase_total
    getcontext().prec = 60
    if system == "3P4W":
        exact = Fraction(3 * spread, single + 3 * three)
        assert result.exceeds(threshold) == (exact > threshold)
    else:
        value = Decimal(3 * spread) / (single + Decimal(3).sqrt() * three)
        gap = value - Decimal(threshold.numerator) / threshold.denominator
        if abs(gap) > Decimal(10) ** -40:
            assert result.exceeds(threshold) == (gap > 0)


@FAST
@given(panels(max_free=12))
def test_same_input_gives_the_same_assignment(panel: tuple[System, list[Circuit]]) -> None:
    system, circuits = panel
    first = balance_phases(circuits, system=system).to_dict()
    second = balance_phases(circuits, system=system).to_dict()
    first.pop("solve_ms")
    second.pop("solve_ms")
    assert first == second


@FAST
@given(problems(max_items=9))
def test_lower_bound_never_exceeds_the_brute_force_optimum(problem: BalanceProblem) -> None:
    assert lower_bound(problem) <= brute_force_problem(problem)


@FAST
@given(problems(max_items=60))
def test_never_worse_than_greedy_lpt(problem: BalanceProblem) -> None:
    solution = solve_counts(problem)
    assert solution.spread <= spread_of(problem, greedy_lpt(problem))
    assert solution.spread == spread_of(problem, solution.counts)
    assert is_complete(problem, solution.counts)


@FAST
@given(problems(max_items=60))
def test_heuristics_place_every_circuit_once(problem: BalanceProblem) -> None:
    for counts in (greedy_lpt(problem), karmarkar_karp(problem), heuristic_counts(problem)):
        assert is_complete(problem, counts)


@settings(max_examples=60, deadline=None)
@given(problems(max_items=12))
def test_exact_small_search_equals_cp_sat(problem: BalanceProblem) -> None:
    small = solve_exact_small(problem)
    cp_sat = solve_cp_sat(problem, time_limit_s=10.0)
    assert cp_sat.proven_optimal
    assert small.proven_optimal
    assert small.spread == cp_sat.spread
    assert is_complete(problem, small.counts)
    assert is_complete(problem, cp_sat.counts)


@FAST
@given(problems(max_items=40), st.integers(0, 3))
def test_subset_sums_return_the_requested_spread_or_nothing(
    problem: BalanceProblem, extra: int
) -> None:
    spread = lower_bound(problem) + extra
    counts = solve_subset_sums(problem, spread)
    if counts is not None:
        assert spread_of(problem, counts) == spread
        assert is_complete(problem, counts)


@FAST
@given(problems(max_items=9))
def test_tiered_solve_is_proven_and_equals_brute_force(problem: BalanceProblem) -> None:
    solution = solve_counts(problem)
    assert solution.proven_optimal
    assert solution.spread == solution.lower_bound == brute_force_problem(problem)


# --- Complete differencing and the reference heuristics ---------------------------------


def greedy_in_order(problem: BalanceProblem, values: list[int]) -> int:
    """Spread of plain greedy: each load, in the order given, to the lightest group."""
    t = list(problem.base)
    for value in values:
        g = min(range(3), key=lambda k: (t[k], k))
        t[g] += value
    return max(t) - min(t)


@st.composite
def ordered_problems(draw: st.DrawFn, max_items: int = 40) -> tuple[BalanceProblem, list[int]]:
    """A problem and its free loads in a drawn order (plain greedy depends on it)."""
    top = draw(st.sampled_from([10, 600, 10**6, 6 * 10**6]))
    values = draw(st.lists(st.integers(1, top), max_size=max_items))
    base = draw(st.lists(st.sampled_from([0, 0, 7, 37, 5000]), min_size=3, max_size=3))
    return BalanceProblem.of(base, values), values


@FAST
@given(ordered_problems(), st.sampled_from([0.001, 0.05, 2.0]))
def test_never_worse_than_greedy_lpt_or_differencing(
    drawn: tuple[BalanceProblem, list[int]], time_limit_s: float
) -> None:
    problem, values = drawn
    solution = solve_counts(problem, time_limit_s=time_limit_s)
    assert solution.spread == spread_of(problem, solution.counts)
    assert solution.spread <= greedy_in_order(problem, values)
    assert solution.spread <= spread_of(problem, greedy_lpt(problem))
    assert solution.spread <= spread_of(problem, karmarkar_karp(problem))
    assert is_complete(problem, solution.counts)


@FAST
@given(problems(max_items=10))
def test_complete_differencing_equals_brute_force(problem: BalanceProblem) -> None:
    result = solve_ckk(problem, Deadline.after(60.0))
    assert result.complete
    assert result.solution.proven_optimal
    assert result.solution.spread == result.solution.lower_bound == brute_force_problem(problem)
    assert result.solution.spread == spread_of(problem, result.solution.counts)
    assert is_complete(problem, result.solution.counts)


@FAST
@given(problems(max_items=40), st.integers(0, 300))
def test_complete_differencing_cut_short_is_honest(problem: BalanceProblem, nodes: int) -> None:
    result = solve_ckk(problem, Deadline.after(60.0), node_limit=nodes)
    solution = result.solution
    assert solution.spread == spread_of(problem, solution.counts)
    assert is_complete(problem, solution.counts)
    assert solution.lower_bound <= solution.spread
    assert solution.spread <= spread_of(problem, heuristic_counts(problem))
    if solution.proven_optimal:
        assert solution.spread == solution.lower_bound
    if not result.complete:
        assert solution.lower_bound == lower_bound(problem)


@st.composite
def distinct_panels(draw: st.DrawFn) -> tuple[System, list[Circuit]]:
    """Distinct loads at 0.0001 A (the tier order sends these to complete differencing)."""
    system = draw(st.sampled_from(SYSTEMS))
    groups = GROUPS[system]
    units = draw(st.lists(st.integers(50_000, 6_000_000), min_size=13, max_size=40, unique=True))
    pins = draw(st.lists(st.sampled_from([None, None, None, *groups]), min_size=len(units)))
    circuits = [Circuit(f"c{i}", Decimal(u) / 10**4, 2, pin=pins[i]) for i, u in enumerate(units)]
    return system, circuits


@settings(max_examples=30, deadline=None)
@given(distinct_panels(), st.sampled_from([0.001, 0.02]))
def test_distinct_panels_keep_pins_and_repeat_exactly(
    panel: tuple[System, list[Circuit]], time_limit_s: float
) -> None:
    system, circuits = panel
    first = balance_phases(circuits, system=system, time_limit_s=time_limit_s)
    second = balance_phases(circuits, system=system, time_limit_s=time_limit_s)
    assert first.assignment == second.assignment
    assert list(first.assignment) == [c.id for c in circuits]
    for c in circuits:
        if c.pin is not None:
            assert first.assignment[c.id] == c.pin
    assert first.lower_bound_a <= first.spread_a
    if first.proven_optimal:
        assert first.lower_bound_a == first.spread_a


@FAST
@given(problems(max_items=40), st.integers(0, 3))
def test_resplits_return_a_split_at_the_requested_spread_or_nothing(
    problem: BalanceProblem, extra: int
) -> None:
    spread = lower_bound(problem) + extra
    counts = repair_to_bound(
        problem, heuristic_counts(problem), spread, deadline=Deadline.after(60)
    )
    if counts is not None:
        assert spread_of(problem, counts) == spread
        assert is_complete(problem, counts)


class JumpClock:
    """A clock that stands still for ``reads`` readings, then jumps far past any deadline.

    It makes the time limit's cap checkable without timing anything: once the clock says
    the budget is spent, every tier must stop at its next look at the clock, so the solve
    reads it only a few more times (each read is a tier noticing and returning).
    """

    def __init__(self, reads: int) -> None:
        self.reads = reads
        self.count = 0
        self.after_expiry = 0

    def __call__(self) -> float:
        self.count += 1
        if self.count > self.reads:
            self.after_expiry += 1
            return 1e9
        return 0.0


# Reads a solve may take after the clock jumped: one per tier noticing the end (subset
# sums, re-split, complete differencing, CP-SAT) and their final checks.
READS_AFTER_EXPIRY = 6


@FAST
@given(ordered_problems(max_items=60), st.integers(1, 400), st.sampled_from([0.05, 1.0]))
def test_every_tier_stops_once_the_time_limit_is_spent(
    drawn: tuple[BalanceProblem, list[int]], reads: int, time_limit_s: float
) -> None:
    problem, values = drawn
    clock = JumpClock(reads)
    solution = solve_counts(problem, time_limit_s=time_limit_s, clock=clock)
    assert clock.after_expiry <= READS_AFTER_EXPIRY
    # cut short, the answer is still complete, no worse than the heuristics, and honest
    assert is_complete(problem, solution.counts)
    assert solution.spread == spread_of(problem, solution.counts)
    assert solution.spread <= greedy_in_order(problem, values)
    assert solution.spread <= spread_of(problem, greedy_lpt(problem))
    assert solution.spread <= spread_of(problem, karmarkar_karp(problem))
    assert solution.lower_bound <= solution.spread
    if solution.proven_optimal:
        assert solution.spread == solution.lower_bound
        if problem.free_count <= 9:
            assert solution.spread == brute_force_problem(problem)


@settings(max_examples=30, deadline=None)
@given(distinct_panels(), st.integers(1, 200))
def test_distinct_panels_stop_once_the_time_limit_is_spent(
    panel: tuple[System, list[Circuit]], reads: int
) -> None:
    system, circuits = panel
    clock = JumpClock(reads)
    result = balance_phases(circuits, system=system, time_limit_s=1.0, clock=clock)
    assert clock.after_expiry <= READS_AFTER_EXPIRY
    assert list(result.assignment) == [c.id for c in circuits]
    assert result.lower_bound_a <= result.spread_a
    if result.proven_optimal:
        assert result.lower_bound_a == result.spread_a
