"""The integer problem the tiers solve, and the count solution they return.

Loads here are integers (units of 1/scale A) and free circuits of equal load are
interchangeable, so a solution says how many of each load go to each group. Pure data
and arithmetic: no solver, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

System = Literal["3P4W", "3P3W"]
GROUPS: dict[System, tuple[str, str, str]] = {"3P4W": ("R", "S", "T"), "3P3W": ("RS", "ST", "TR")}

Totals = tuple[int, int, int]
Counts = dict[int, Totals]


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


def totals_spread(t: Sequence[int]) -> int:
    """Max group total minus min group total: the figure every tier minimises."""
    return max(t) - min(t)
