"""Money and measured quantities: exact arithmetic, half-up rounding. Pure."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction


def round_half_up(x: Fraction) -> int:
    """Money is rounded half-up to ₩1 (RULES.md §4)."""
    return math.floor(x + Fraction(1, 2))


def round_to(x: Fraction, decimals: int) -> Decimal:
    """A quantity rounded half-up to ``decimals`` places (busbar kg to 0.01)."""
    scale: int = 10**decimals
    return Decimal(round_half_up(x * scale)).scaleb(-decimals)
