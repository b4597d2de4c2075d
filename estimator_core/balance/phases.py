"""Circuits in, result out: exact integer loads, the tiered solve, groups handed out.

Loads are turned into integers at the finest decimal resolution present (at most 0.0001
A), so the optimisation never touches floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from estimator_core.balance.deadline import Clock
from estimator_core.balance.problem import GROUPS, BalanceProblem, System, group_totals
from estimator_core.balance.result import BalanceResult, Circuit, ExactFigures
from estimator_core.balance.tiers import solve_counts
from estimator_core.errors import ValidationFailed

MAX_DECIMAL_PLACES = 4
MAX_CIRCUITS = 5000
# Keeps every CP-SAT coefficient and sum far inside int64 (5000 × 10^9 × 10^4 < 2^63).
MAX_LOAD_A = 10**9


def _digits(value: Decimal) -> tuple[int, int]:
    """``value`` as (n, e) with value = ±n·10^e exactly (no rounding context involved)."""
    parts = value.as_tuple()
    assert isinstance(parts.exponent, int)
    return int("".join(map(str, parts.digits))), parts.exponent


@lru_cache(maxsize=4096)  # panels repeat a few load values over many circuits
def _decimal_places(value: Decimal) -> int:
    """Decimal places ignoring trailing zeros: 10.500 has one."""
    n, e = _digits(value)
    while n and n % 10 == 0 and e < 0:
        n //= 10
        e += 1
    return 0 if n == 0 else max(0, -e)


@lru_cache(maxsize=4096)
def _units(value: Decimal, places: int) -> int:
    """``value`` · 10^places as an exact integer (``value`` has at most ``places`` places)."""
    n, e = _digits(value)
    shift = e + places
    factor: int = 10 ** abs(shift)
    return n * factor if shift >= 0 else n // factor


def as_decimal(value: object) -> Decimal | None:
    """A finite number as an exact Decimal (floats by their shortest repr), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    return None


def load_problems(value: Decimal | None) -> list[str]:
    """Why a load is not acceptable (empty when it is); shared with the CLI request."""
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
        load = as_decimal(circuit.load_a)
        loads.append(load if load is not None else Decimal(0))
        for msg in load_problems(load):
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
    circuits: Sequence[Circuit],
    *,
    system: System,
    time_limit_s: float = 2.0,
    clock: Clock | None = None,
    legacy: bool = False,
) -> BalanceResult:
    """The spread-minimising split of the 2P circuits into the system's three groups.

    With ``clock`` (the caller's, e.g. ``time.perf_counter``) the time limit caps the
    solve's wall time; without one each tier does a fixed amount of work (``tiers``).
    ``legacy=True`` is the solver before the re-split and differencing tiers, for the
    benchmark only.
    """
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
    solution = solve_counts(problem, time_limit_s=time_limit_s, clock=clock, legacy=legacy)

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
