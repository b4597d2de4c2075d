"""Phase balancing on instances whose optimum is known by arithmetic (RULES.md §3)."""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import random
import time
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from estimator_core.balance import (
    BalanceProblem,
    BalanceResult,
    Circuit,
    Deadline,
    System,
    balance_phases,
    balance_request,
    greedy_lpt,
    group_totals,
    heuristic_counts,
    karmarkar_karp,
    lower_bound,
    solve_ckk,
    solve_counts,
    solve_cp_sat,
    solve_exact_small,
    solve_subset_sums,
)
from estimator_core.catalog import Catalog
from estimator_core.errors import ValidationFailed
from estimator_core.pipeline import estimate
from tests.conftest import ISSUED_AT, ROOT


def twop(cid: str, load: str | int, pin: str | None = None) -> Circuit:
    return Circuit(id=cid, load_a=Decimal(load), poles=2, pin=pin)


def many(prefix: str, count: int, load: str | int) -> list[Circuit]:
    return [twop(f"{prefix}{i}", load) for i in range(count)]


# --- Known optima ----------------------------------------------------------------------


def test_twelve_20a_circuits_split_80_80_80_with_zero_imbalance() -> None:
    result = balance_phases(many("c", 12, 20), system="3P4W")
    assert result.totals_a == {"R": 80.0, "S": 80.0, "T": 80.0}
    assert result.imbalance == 0.0
    assert result.proven_optimal


def test_pinned_40s_with_twenty_20s_and_six_30s_reach_spread_10() -> None:
    # 2×40 on R + 18×20 + 6×30 = 620 A; totals are ≡ 0 mod 10 and 620/3 is not whole,
    # so spread ≥ 10, and R 80+5×20+30, S 9×20+30, T 4×20+4×30 = 210/210/200 reach it.
    circuits = [twop("p1", 40, "R"), twop("p2", 40, "R"), *many("a", 18, 20), *many("b", 6, 30)]
    result = balance_phases(circuits, system="3P4W")
    assert sorted(result.totals_a.values()) == [200.0, 210.0, 210.0]
    assert result.spread_a == 10.0
    assert result.lower_bound_a == 10.0
    assert result.imbalance == pytest.approx(10 / (620 / 3))
    assert result.proven_optimal


def test_three_10a_and_one_5a_cannot_do_better_than_spread_5() -> None:
    # Every total is a multiple of 5 and 35 is not divisible by 3: 15/10/10 is optimal.
    result = balance_phases([*many("a", 3, 10), twop("x", 5)], system="3P4W")
    assert sorted(result.totals_a.values()) == [10.0, 10.0, 15.0]
    assert result.spread_a == 5.0
    assert result.imbalance == pytest.approx(5 / (35 / 3))
    assert result.proven_optimal


def test_3p3w_imbalance_counts_three_phase_load_times_root_3() -> None:
    # Pairs 10+4 / 10 / 10: spread 4 over (34 + √3·20)/3.
    circuits = [*many("a", 3, 10), twop("x", 4), Circuit("m", Decimal(20), 3)]
    result = balance_phases(circuits, system="3P3W")
    assert sorted(result.totals_a.values()) == [10.0, 10.0, 14.0]
    assert result.imbalance == pytest.approx(4 / ((34 + math.sqrt(3) * 20) / 3), rel=1e-12)
    assert result.imbalance_single_phase == pytest.approx(4 / (34 / 3))
    assert set(result.totals_a) == {"RS", "ST", "TR"}


def test_3p4w_three_phase_loads_add_to_every_phase_total() -> None:
    circuits = [*many("a", 3, 10), twop("x", 4), Circuit("m", Decimal(20), 4)]
    result = balance_phases(circuits, system="3P4W")
    assert sorted(result.totals_a.values()) == [30.0, 30.0, 34.0]
    assert sorted(result.single_phase_totals_a.values()) == [10.0, 10.0, 14.0]
    assert result.imbalance == pytest.approx(4 / (94 / 3))
    assert result.imbalance_single_phase == pytest.approx(4 / (34 / 3))


def test_all_spare_circuits_have_no_imbalance() -> None:
    result = balance_phases(many("s", 4, 0), system="3P4W")
    assert result.imbalance is None
    assert result.imbalance_single_phase is None
    assert result.spread_a == 0.0
    assert result.proven_optimal


def test_only_three_phase_loads_are_balanced_with_no_single_phase_figure() -> None:
    result = balance_phases([Circuit("m", Decimal(30), 3)], system="3P4W")
    assert result.totals_a == {"R": 30.0, "S": 30.0, "T": 30.0}
    assert result.imbalance == 0.0
    assert result.imbalance_single_phase is None
    assert result.assignment == {}


def test_no_circuits_is_trivially_balanced() -> None:
    result = balance_phases([], system="3P3W")
    assert result.method == "trivial"
    assert result.imbalance is None


def test_hundredth_amp_loads_are_balanced_exactly() -> None:
    # Rounded to 0.1 A every load is 1.0 A and any pairing looks perfect; exactly, only
    # 1.05+0.96 / 1.04+0.96 / 1.04+0.96 reaches the bound (601 hundredths is not ≡ 0 mod 3).
    loads = ["1.05", "1.04", "1.04", "0.96", "0.96", "0.96"]
    result = balance_phases([twop(f"c{i}", x) for i, x in enumerate(loads)], system="3P4W")
    assert sorted(result.totals_a.values()) == [2.0, 2.0, 2.01]
    assert result.spread_a == 0.01
    assert result.lower_bound_a == 0.01


def test_trailing_zeros_do_not_count_as_decimal_places() -> None:
    result = balance_phases([twop("a", "10.000000"), twop("b", "10")], system="3P4W")
    assert result.spread_a == 10.0


# --- Pins and the assignment ------------------------------------------------------------


def test_pinned_circuits_stay_on_their_phase() -> None:
    circuits = [twop("p", 50, "T"), twop("q", 5, "T"), *many("a", 6, 10)]
    result = balance_phases(circuits, system="3P4W")
    assert result.assignment["p"] == "T"
    assert result.assignment["q"] == "T"
    assert result.totals_a["T"] == 55.0


def test_pins_under_3p3w_are_pairs() -> None:
    circuits = [twop("p", 30, "ST"), *many("a", 3, 10)]
    result = balance_phases(circuits, system="3P3W")
    assert result.assignment["p"] == "ST"
    assert result.totals_a == {"RS": 20.0, "ST": 30.0, "TR": 10.0}


def test_assignment_lists_every_2p_circuit_in_input_order_and_no_three_phase_one() -> None:
    circuits = [twop("z", 10), Circuit("m", Decimal(20), 4), twop("a", 10), twop("k", 3, "S")]
    result = balance_phases(circuits, system="3P4W")
    assert list(result.assignment) == ["z", "a", "k"]


def test_equal_loads_take_their_groups_in_group_order() -> None:
    result = balance_phases(many("c", 3, 10), system="3P4W")
    assert list(result.assignment.values()) == ["R", "S", "T"]


def test_same_input_gives_the_same_result() -> None:
    rng = random.Random(5)
    circuits = [twop(f"c{i}", rng.randint(50, 600)) for i in range(40)]
    first = balance_phases(circuits, system="3P4W")
    second = balance_phases(circuits, system="3P4W")
    assert dataclasses.replace(first, solve_ms=0.0) == dataclasses.replace(second, solve_ms=0.0)


# --- Input errors --------------------------------------------------------------------


def test_a_pin_on_a_three_phase_circuit_is_rejected() -> None:
    with pytest.raises(ValidationFailed) as err:
        balance_phases([Circuit("m", Decimal(20), 3, pin="R")], system="3P4W")
    assert err.value.details[0]["loc"] == ["circuits", 0, "pin"]


@pytest.mark.parametrize(("system", "pin"), [("3P4W", "RS"), ("3P3W", "R"), ("3P4W", "X")])
def test_a_pin_outside_the_systems_groups_is_rejected(system: Any, pin: str) -> None:
    with pytest.raises(ValidationFailed):
        balance_phases([twop("a", 10, pin)], system=system)


def test_a_negative_load_is_rejected() -> None:
    with pytest.raises(ValidationFailed, match="invalid circuits") as err:
        balance_phases([twop("a", "-1")], system="3P4W")
    assert err.value.details == [
        {"loc": ["circuits", 0, "load_a"], "msg": "load_a must not be negative"}
    ]


def test_a_load_with_five_decimal_places_is_rejected() -> None:
    with pytest.raises(ValidationFailed) as err:
        balance_phases([twop("a", "1.00001")], system="3P4W")
    assert err.value.details[0]["msg"] == "load_a has more than 4 decimal places"


def test_more_decimal_places_than_the_context_precision_are_not_rounded_away() -> None:
    with pytest.raises(ValidationFailed):
        balance_phases([twop("a", "1." + "0" * 29 + "1")], system="3P4W")


def test_an_absurdly_large_load_is_rejected() -> None:
    with pytest.raises(ValidationFailed):
        balance_phases([twop("a", "1E+9")], system="3P4W")


def test_duplicate_circuit_ids_are_rejected() -> None:
    with pytest.raises(ValidationFailed):
        balance_phases([twop("a", 1), twop("a", 2)], system="3P4W")


def test_a_non_positive_time_limit_is_rejected() -> None:
    with pytest.raises(ValidationFailed):
        balance_phases([twop("a", 1)], system="3P4W", time_limit_s=0)


# --- Exact gate comparison -------------------------------------------------------------


def test_exactly_30_percent_does_not_exceed_30_percent() -> None:
    # 40/30/30 pinned: spread 10 over a mean of 100/3 is exactly 0.30.
    circuits = [twop("r", 40, "R"), twop("s", 30, "S"), twop("t", 30, "T")]
    result = balance_phases(circuits, system="3P4W")
    assert not result.exceeds(Fraction(30, 100))
    assert result.exceeds(Fraction(29, 100))


def test_free_circuits_at_exactly_30_percent_do_not_exceed_it() -> None:
    # 4/3/3 is optimal: spread 1 over a mean of 10/3 is 0.30.
    result = balance_phases([twop("a", 4), twop("b", 3), twop("c", 3)], system="3P4W")
    assert result.imbalance == 0.3
    assert not result.exceeds(Fraction(3, 10))
    assert result.exceeds(Fraction(2999, 10000))


def test_3p3w_gate_compares_the_root_3_denominator_exactly() -> None:
    # Pairs 4/3/3 and a 1 A three-phase load: imbalance = 3 / (10 + √3) ≈ 0.25570.
    circuits = [twop("a", 4), twop("b", 3), twop("c", 3), Circuit("m", Decimal(1), 3)]
    result = balance_phases(circuits, system="3P3W")
    assert result.exceeds(Fraction(25570, 100000))
    assert not result.exceeds(Fraction(25571, 100000))


def test_no_load_never_exceeds_any_threshold() -> None:
    result = balance_phases(many("s", 3, 0), system="3P4W")
    assert not result.exceeds(Fraction(0))


# --- Solver tiers ----------------------------------------------------------------------


def test_cp_sat_proves_the_optimum_of_three_10s_and_a_5() -> None:
    solution = solve_cp_sat(BalanceProblem.of((0, 0, 0), [10, 10, 10, 5]))
    assert (solution.spread, solution.proven_optimal, solution.method) == (5, True, "cp-sat")


def test_exact_small_search_proves_an_optimum_above_the_simple_bound() -> None:
    # 5+5+4+4+4 = 22. Group sums come from {0, 4, 5, 8, 9, 10, 12, 13, …}; the closest
    # three that use each load once are 5 / 9 / 8 → spread 4, while the bound says 1.
    problem = BalanceProblem.of((0, 0, 0), [5, 5, 4, 4, 4])
    solution = solve_exact_small(problem)
    assert solution.spread == 4
    assert solution.proven_optimal
    assert lower_bound(problem) == 1


def test_exact_small_search_and_cp_sat_agree_on_a_dominant_load() -> None:
    # 897 alone on T; R and S share 37 + 100 + 688, but 386 is one piece: R 37+386 = 423,
    # S 100 + the other 302 = 402 → spread 897 − 402 = 495.
    problem = BalanceProblem.of((37, 100, 0), [897, 386, 84, 57, 52, 49, 23, 19, 9, 4, 3, 2])
    assert solve_exact_small(problem).spread == solve_cp_sat(problem).spread == 495


def test_subset_sums_hit_the_bound_on_fine_grained_loads() -> None:
    rng = random.Random(11)
    problem = BalanceProblem.of((0, 0, 0), [rng.randint(500, 6000) for _ in range(30)])
    counts = solve_subset_sums(problem, lower_bound(problem))
    assert counts is not None
    assert {v: sum(s) for v, s in counts.items()} == dict(problem.loads)


def test_a_hard_instance_cut_short_reports_its_bound_and_no_proof() -> None:
    # 20 loads at 0.0001 A resolution: no perfect split is likely and none is provable fast.
    rng = random.Random(7)
    problem = BalanceProblem.of((0, 0, 0), [rng.randint(50000, 600000) for _ in range(20)])
    solution = solve_counts(problem, time_limit_s=0.05)
    assert not solution.proven_optimal
    assert solution.lower_bound <= solution.spread
    # Every load is distinct, so complete differencing has the whole (node) budget.
    assert solution.method == "ckk"


def test_a_hard_instance_cut_short_without_differencing_stops_in_cp_sat() -> None:
    rng = random.Random(7)
    problem = BalanceProblem.of((0, 0, 0), [rng.randint(50000, 600000) for _ in range(20)])
    solution = solve_counts(problem, time_limit_s=0.05, legacy=True)
    assert not solution.proven_optimal
    assert solution.lower_bound <= solution.spread
    assert solution.method == "cp-sat"


# --- Distinct large loads and the time limit ---------------------------------------------
#
# Panels whose loads are all distinct at 0.0001 A are where CP-SAT's count model gains
# nothing. No test here asserts a wall time: without a clock every tier's budget is a
# fixed amount of work, and with one only the invariants are checked.


def distinct_units(n: int, seed: int) -> list[int]:
    """n distinct loads of 5–600 A in units of 0.0001 A (benchmarks/bench_balance.py)."""
    return random.Random(f"distinct/{n}/{seed}").sample(range(50_000, 6_000_001), n)


def perfect_units(n: int, seed: int) -> list[int]:
    """n (a multiple of 3) distinct loads in three groups of exactly equal sum: optimum 0.

    The second and third groups are the first one, each load nudged by a few amperes,
    with nudges that cancel out.
    """
    rng = random.Random(f"perfect/{n}/{seed}")
    size = n // 3
    while True:
        first = rng.sample(range(100_000, 5_900_001), size)
        groups = [first]
        for _ in range(2):
            nudges = [rng.randint(-30_000, 30_000) for _ in range(size - 1)]
            nudges.append(-sum(nudges))
            groups.append([u + d for u, d in zip(first, nudges, strict=True)])
        units = [u for group in groups for u in group]
        if len(set(units)) == n and min(units) >= 50_000 and max(units) <= 6_000_000:
            return units


def panel_of(units: list[int], system: System = "3P4W") -> list[Circuit]:
    return [Circuit(f"c{i}", Decimal(u) / 10**4, 2) for i, u in enumerate(units)]


def check_invariants(result: BalanceResult, circuits: list[Circuit]) -> None:
    """Every circuit placed once, totals that add up, an honest bound and proof flag."""
    assert list(result.assignment) == [c.id for c in circuits if c.poles == 2]
    sums = {
        g: sum((c.load_a for c in circuits if result.assignment.get(c.id) == g), Decimal(0))
        for g in result.groups
    }
    assert result.spread_a == float(max(sums.values()) - min(sums.values()))
    assert result.lower_bound_a <= result.spread_a
    if result.proven_optimal:
        assert result.lower_bound_a == result.spread_a


def spread_units(problem: BalanceProblem, counts: dict[int, tuple[int, int, int]]) -> int:
    t = group_totals(problem, counts)
    return max(t) - min(t)


@pytest.mark.parametrize("seed", [0, 1])
def test_distinct_16_circuit_panels_are_proven_by_differencing_at_cp_sats_optimum(
    seed: int,
) -> None:
    circuits = panel_of(distinct_units(16, seed))
    new = balance_phases(circuits, system="3P4W", time_limit_s=1.0)
    old = balance_phases(circuits, system="3P4W", time_limit_s=30.0, legacy=True)
    assert (new.method, new.proven_optimal) == ("ckk", True)
    assert (old.method, old.proven_optimal) == ("cp-sat", True)
    assert new.spread_a == old.spread_a
    check_invariants(new, circuits)


@pytest.mark.parametrize("n", [40, 64, 100, 150, 200])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_large_distinct_panels_are_resplit_to_their_lower_bound(n: int, seed: int) -> None:
    circuits = panel_of(distinct_units(n, seed))
    result = balance_phases(circuits, system="3P4W", time_limit_s=1.0)
    check_invariants(result, circuits)
    assert (result.method, result.proven_optimal) == ("repair-bound", True)
    assert result.spread_a == result.lower_bound_a <= 0.0001


def test_resplits_are_not_tried_where_a_split_at_the_bound_is_unlikely() -> None:
    result = balance_phases(panel_of(distinct_units(24, 0)), system="3P4W", time_limit_s=0.01)
    assert result.method == "ckk"


@pytest.mark.parametrize("n", [150, 198])
def test_perfectly_divisible_distinct_panels_are_proven_at_zero(n: int) -> None:
    circuits = panel_of(perfect_units(n, 0))
    result = balance_phases(circuits, system="3P4W", time_limit_s=1.0)
    check_invariants(result, circuits)
    assert result.proven_optimal
    assert result.spread_a == 0.0


@pytest.mark.parametrize("n", [16, 24, 32, 48, 64, 100, 150, 200])
def test_distinct_panels_under_a_short_limit_keep_every_invariant(n: int) -> None:
    circuits = panel_of(distinct_units(n, 0))
    result = balance_phases(circuits, system="3P4W", time_limit_s=0.02, clock=time.perf_counter)
    check_invariants(result, circuits)
    problem = BalanceProblem.of((0, 0, 0), distinct_units(n, 0))
    assert result.exact is not None
    assert result.exact.spread <= spread_units(problem, greedy_lpt(problem))
    assert result.exact.spread <= spread_units(problem, karmarkar_karp(problem))


def test_a_completed_search_on_the_callers_clock_repeats_exactly() -> None:
    circuits = panel_of(distinct_units(16, 3))
    first = balance_phases(circuits, system="3P4W", time_limit_s=10.0, clock=time.perf_counter)
    second = balance_phases(circuits, system="3P4W", time_limit_s=10.0, clock=time.perf_counter)
    assert first.proven_optimal and second.proven_optimal
    assert first.assignment == second.assignment


class StepClock:
    """A fake clock: every read advances it by ``step`` seconds, and reads are counted."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += self.step
        return self.now


def test_an_expired_deadline_stops_differencing_unproven_with_the_simple_bound() -> None:
    problem = BalanceProblem.of((0, 0, 0), distinct_units(24, 0))
    result = solve_ckk(problem, Deadline.after(0.5, StepClock(1.0)))
    assert not result.complete
    assert not result.solution.proven_optimal
    assert result.solution.lower_bound == lower_bound(problem)
    assert result.solution.spread <= spread_units(problem, heuristic_counts(problem))


def test_cp_sat_is_not_started_when_no_time_is_left() -> None:
    # Optimum 4 above the simple bound 1 (see the exact-small test): only a search proves it.
    problem = BalanceProblem.of((0, 0, 0), [5, 5, 4, 4, 4])
    solution = solve_cp_sat(problem, deadline=Deadline.after(0.5, StepClock(1.0)))
    assert (solution.method, solution.wall_time_s) == ("cp-sat", 0.0)
    assert (solution.lower_bound, solution.proven_optimal) == (1, False)
    assert solution.spread >= 4


def test_every_tier_stops_soon_after_the_deadline_on_the_callers_clock() -> None:
    # Each read of the clock advances it 1 ms: a 0.2 s limit is 200 reads. Tiers that kept
    # searching past the deadline would read it far more often.
    clock = StepClock(0.001)
    circuits = panel_of(distinct_units(32, 0))
    result = balance_phases(circuits, system="3P4W", time_limit_s=0.2, clock=clock)
    check_invariants(result, circuits)
    assert not result.proven_optimal
    assert 200 <= clock.reads <= 210


def test_the_pipeline_caps_the_balance_on_its_own_clock(catalog: Catalog) -> None:
    # 24 distinct 0.0001 A loads: complete differencing runs until the deadline. Each read
    # of the fake clock is 10 ms, so the catalog's 2 s limit is 200 reads of it.
    request = json.loads((ROOT / "examples" / "apartment_sangdo.json").read_text("utf-8"))
    request["branches"] = [
        {"at": 20, "poles": "2P", "qty": 1, "load_a": u / 10**4}
        for u in random.Random(3).sample(range(50_000, 200_000), 24)
    ]
    clock = StepClock(0.01)
    quote = estimate(request, catalog, issued_at=ISSUED_AT, clock=clock)
    balance = quote.result.model_dump(mode="json")["phase_balance"]
    assert (balance["method"], balance["proven_optimal"]) == ("ckk", False)
    assert catalog.rules.balance_time_limit_s == 2.0
    assert 200 <= clock.reads <= 230


# --- The CLI request ---------------------------------------------------------------------


def request(*circuits: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"circuits": list(circuits), **extra}


def item(cid: str, load: Any, poles: Any = 2, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "load_a": load, "poles": poles, **extra}


def errors_of(data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationFailed) as err:
        balance_request(data)
    assert err.value.code == "VALIDATION_FAILED"
    return err.value.details


def test_request_returns_the_cli_keys_as_json() -> None:
    out = balance_request(request(item("a", 10), item("b", 12.5), item("c", 10), item("m", 30, 4)))
    assert set(out) >= {
        "assignment",
        "totals_a",
        "imbalance",
        "imbalance_single_phase",
        "proven_optimal",
        "lower_bound",
        "spread_a",
        "solve_ms",
        "method",
        "system",
    }
    assert out["system"] == "3P4W"
    assert out["lower_bound"] == out["spread_a"] == 2.5
    json.dumps(out, allow_nan=False)


def test_request_reads_float_loads_by_their_decimal_text() -> None:
    out = balance_request(request(item("a", 0.1), item("b", 0.2), item("c", 0.3)))
    assert sorted(out["totals_a"].values()) == [0.1, 0.2, 0.3]


def test_request_accepts_l1_l2_l3_as_r_s_t() -> None:
    out = balance_request(request(item("a", 10, phase="L2"), item("b", 10, phase="L3")))
    assert out["assignment"] == {"a": "S", "b": "T"}


def test_request_takes_pairs_as_pins_under_3p3w() -> None:
    out = balance_request(request(item("a", 10, phase="TR"), system="3P3W"))
    assert out["assignment"] == {"a": "TR"}


def test_request_that_is_not_an_object_is_rejected() -> None:
    assert errors_of([1, 2])[0]["loc"] == []


def test_request_missing_fields_are_each_listed() -> None:
    details = errors_of(request({"id": "a"}))
    locs = sorted(tuple(d["loc"]) for d in details)
    assert locs == [("circuits", 0, "load_a"), ("circuits", 0, "poles")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("load_a", "10"),
        ("load_a", True),
        ("load_a", -1),
        ("load_a", 1.00001),
        ("load_a", float("nan")),
        ("poles", "2"),
        ("poles", 2.0),
        ("poles", 1),
        ("poles", True),
        ("id", 7),
        ("id", ""),
        ("phase", "X"),
    ],
)
def test_request_field_errors_name_the_field(field: str, value: Any) -> None:
    details = errors_of(request({**item("a", 10), field: value}))
    assert ["circuits", 0, field] in [d["loc"] for d in details]


def test_request_unknown_fields_are_rejected() -> None:
    assert errors_of(request(item("a", 10, colour="red")))[0]["loc"] == ["circuits", 0, "colour"]
    assert errors_of({**request(item("a", 10)), "extra": 1})[0]["loc"] == ["extra"]


def test_request_unknown_system_is_rejected() -> None:
    assert errors_of(request(item("a", 10), system="1P2W"))[0]["loc"] == ["system"]


def test_request_duplicate_ids_point_at_the_second() -> None:
    details = errors_of(request(item("a", 10), item("a", 20)))
    assert details[0]["loc"] == ["circuits", 1, "id"]


def test_request_pin_from_the_other_system_is_rejected() -> None:
    details = errors_of(request(item("a", 10, phase="R"), system="3P3W"))
    assert details[0]["loc"] == ["circuits", 0, "phase"]


def test_request_pin_on_a_three_phase_circuit_is_rejected() -> None:
    details = errors_of(request(item("m", 10, 3, phase="R")))
    assert details[0]["loc"] == ["circuits", 0, "phase"]


def test_request_lists_every_problem_at_once() -> None:
    details = errors_of(request(item("a", -1), item("a", 10, 5), item("c", 10, phase="RS")))
    locs = {tuple(d["loc"]) for d in details}
    assert locs == {
        ("circuits", 0, "load_a"),
        ("circuits", 1, "poles"),
        ("circuits", 1, "id"),
        ("circuits", 2, "phase"),
    }


def test_request_with_more_than_5000_circuits_is_rejected() -> None:
    details = errors_of(request(*(item(f"c{i}", 1) for i in range(5001))))
    assert details == [{"loc": ["circuits"], "msg": "at most 5000 circuits, got 5001"}]


# --- Purity ------------------------------------------------------------------------------

_IO_MODULES = {"os", "pathlib", "io", "socket", "time", "random", "subprocess", "shutil"}


def test_balance_package_does_no_io_and_reads_no_clock() -> None:
    # The core-wide purity test only looks at estimator_core/*.py; the package is a folder.
    modules = sorted((ROOT / "estimator_core" / "balance").glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            assert not set(names) & _IO_MODULES, f"{path.name} imports {names}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("open", "print", "input"), path.name
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("now", "utcnow", "today"), f"{path.name} reads the clock"


def test_solve_time_is_the_whole_solve_on_the_callers_clock() -> None:
    # Every tier, not only CP-SAT, reports the time it took (greedy proves this one).
    circuits = [Circuit(f"c{i}", Decimal(10), 2) for i in range(6)]
    clock = StepClock(0.001)
    result = balance_phases(circuits, system="3P4W", time_limit_s=1.0, clock=clock)
    assert result.method == "greedy-bound"
    assert result.solve_ms == pytest.approx((clock.reads - 1) * 1.0)
    unclocked = balance_phases(circuits, system="3P4W", time_limit_s=1.0)
    assert unclocked.solve_ms == 0.0  # the core reads no clock of its own
