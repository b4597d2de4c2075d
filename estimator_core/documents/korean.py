"""Amounts in Korean words, the way a 견적서 writes them: 일금 일백팔십삼만육백육십사원정.

Written here rather than taken from num2words: its ``lang='ko'`` reading drops the 일
before 십/백/천 (백팔십삼만), while money on Korean business papers writes every 일
(일백팔십삼만) so that no digit can be added in front. Pure.
"""

from __future__ import annotations

DIGITS = "영일이삼사오육칠팔구"
SMALL_UNITS = ("", "십", "백", "천")
LARGE_UNITS = ("", "만", "억", "조", "경")


def _group(n: int) -> str:
    """0 < n < 10,000 with every digit read, 일 included."""
    out = []
    for power in range(3, -1, -1):
        digit = n // 10**power % 10
        if digit:
            out.append(DIGITS[digit] + SMALL_UNITS[power])
    return "".join(out)


def korean_amount(n: int) -> str:
    """A whole amount ≥ 0 in Sino-Korean words: 10 → 일십, 1,830,664 → 일백팔십삼만육백육십사."""
    if n < 0:
        raise ValueError("an amount in words must not be negative")
    if n >= 10**20:
        raise ValueError("an amount in words must be below 10^20")
    if n == 0:
        return DIGITS[0]
    groups = []
    for unit in LARGE_UNITS:
        n, g = divmod(n, 10_000)
        if g:
            groups.append(_group(g) + unit)
        if not n:
            break
    return "".join(reversed(groups))
