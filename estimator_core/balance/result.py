"""What goes in and comes out of ``balance_phases``: circuits and the typed result."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from estimator_core.balance.problem import System


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
