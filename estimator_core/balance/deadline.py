"""The solve's time limit as a deadline on the caller's clock, or as fixed work budgets.

The core never reads the clock itself (STYLE.md): a caller that wants the limit to be a
hard cap on wall time passes its clock (the pipeline's ``clock``, ``time.perf_counter``
in the CLI and the functions), and every tier checks it. Without a clock nothing is
read: each tier stops after a fixed amount of work derived from the limit, so the result
is the same on every run, and only CP-SAT keeps its own timer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Deadline:
    """A time budget of ``limit_s`` seconds from ``start``, ending at ``end``.

    With ``clock`` None, ``start`` is 0 and nothing is measured: ``expired`` is always
    False and ``remaining_s`` is the whole budget, for the tiers to turn into work.
    """

    limit_s: float
    clock: Clock | None = None
    start: float = 0.0
    end: float = 0.0

    @staticmethod
    def after(limit_s: float, clock: Clock | None = None) -> Deadline:
        """A deadline ``limit_s`` seconds from now on ``clock`` (now = 0 without one)."""
        start = clock() if clock is not None else 0.0
        return Deadline(limit_s=limit_s, clock=clock, start=start, end=start + limit_s)

    def portion(self, share: float) -> Deadline:
        """The first ``share`` of this budget: same start, an earlier end."""
        limit = self.limit_s * share
        return Deadline(limit_s=limit, clock=self.clock, start=self.start, end=self.start + limit)

    @property
    def measured(self) -> bool:
        """Whether a clock is read, i.e. whether this is a hard cap on wall time."""
        return self.clock is not None

    def expired(self) -> bool:
        """Whether the clock has passed the end (never, without a clock)."""
        return self.clock is not None and self.clock() >= self.end

    def remaining_s(self) -> float:
        """Seconds left on the clock; without one, the whole budget."""
        if self.clock is None:
            return self.limit_s
        return max(0.0, self.end - self.clock())
