"""Stage ``breaker``: balance the phases and place every breaker in its row and side.

The main sits at the top; branches fill the face-to-face rows of the enclosure stage.
Single-phase circuits get the optimal phase (or pair) of ``balance_phases``; among
circuits of equal load the phases are then handed out so that they cycle R→S→T down the
rows, which keeps the optimum and makes the wiring easy to check (RULES.md §3).
Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from estimator_core.balance import BalanceResult, Circuit, Clock, balance_phases
from estimator_core.enclosure import EnclosureResult
from estimator_core.resolve import Panel, Unit


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Placed(_Frozen):
    """A breaker in the layout."""

    id: str
    role: str
    model: str
    poles: int
    af: int
    at: int
    load_a: float
    phase: str
    label: str | None
    row: int
    side: str


_ROW_FIELDS = ("af", "at", "id", "label", "load_a", "model", "phase", "poles", "role")


class PlacementResult(_Frozen):
    # ``place_breakers`` constructs it from values it has just built and typed; its schema
    # (the balance result's dataclasses, a few ms at a cold start) is built only if one
    # is validated.
    model_config = ConfigDict(defer_build=True)

    applicable: bool
    balance: BalanceResult | None
    assignment: dict[str, str]
    placed: tuple[Placed, ...]

    def phase_balance(self, *, include_time: bool) -> dict[str, Any]:
        """The ``phase_balance`` of the result; without solve time for the evidence."""
        if self.balance is None:
            return {
                "applicable": False,
                "system": "1P2W",
                "totals_a": None,
                "imbalance": None,
                "imbalance_single_phase": None,
                "proven_optimal": True,
                "lower_bound": None,
                "optimum_a": None,
                "assignment": {},
            }
        b = self.balance
        out: dict[str, Any] = {
            "applicable": True,
            "system": b.system,
            "totals_a": b.totals_a,
            "single_phase_totals_a": b.single_phase_totals_a,
            "imbalance": b.imbalance,
            "imbalance_single_phase": b.imbalance_single_phase,
            "proven_optimal": b.proven_optimal,
            "optimum_a": b.spread_a,
            "lower_bound": b.lower_bound_a,
            "method": b.method,
            "assignment": self.assignment,
        }
        if include_time:
            out["solve_ms"] = b.solve_ms
        return out

    def layout_rows(self) -> list[dict[str, Any]]:
        """Rows top to bottom with their left and right breaker (plain attribute reads:
        a model_dump per breaker was a tenth of a 1,000-circuit estimate)."""
        rows: dict[int, dict[str, Any]] = {}
        for p in self.placed:
            if p.role == "main":
                continue
            row = rows.setdefault(p.row, {"row": p.row, "left": None, "right": None})
            fields = p.__dict__  # a frozen model's field values
            row["left" if p.side == "L" else "right"] = {k: fields[k] for k in _ROW_FIELDS}
        return [rows[k] for k in sorted(rows)]

    def to_dict(self) -> dict[str, Any]:
        main = next(p for p in self.placed if p.role == "main")
        return {
            "main": main.model_dump(mode="json"),
            "rows": self.layout_rows(),
            "phase_balance": self.phase_balance(include_time=False),
        }


@cache
def _placed_adapter() -> TypeAdapter[tuple[Placed, ...]]:
    return TypeAdapter(tuple[Placed, ...])


def _circuits(panel: Panel) -> list[Circuit]:
    return [
        Circuit(id=u.id, load_a=u.load_a, poles=u.poles, pin=u.pin)
        for u in panel.branches
        if u.role == "branch"
    ]


def tidy_assignment(
    order: list[Unit], optimal: dict[str, str], groups: tuple[str, str, str]
) -> dict[str, str]:
    """Re-hand the optimal groups among equal-load free circuits so they cycle down the rows.

    Swapping groups between circuits of equal load leaves every group total unchanged, so
    the result is exactly as balanced as ``optimal``.
    """
    pool: defaultdict[Any, Counter[str]] = defaultdict(Counter)
    for u in order:
        if u.pin is None and u.id in optimal:
            pool[u.load_a][optimal[u.id]] += 1
    # the groups in cycle order from each one, and the one after each
    cycles = [[groups[(start + k) % 3] for k in range(3)] for start in range(3)]
    after = {g: (i + 1) % 3 for i, g in enumerate(groups)}
    out: dict[str, str] = {}
    expect = 0
    for u in order:
        uid = u.id
        if uid not in optimal:
            continue
        if u.pin is not None:
            group = optimal[uid]
        else:
            left = pool[u.load_a]
            group = next(g for g in cycles[expect] if left[g] > 0)
            left[group] -= 1
        out[uid] = group
        expect = after[group]
    return {k: out[k] for k in optimal}


def place_breakers(
    panel: Panel, enclosure: EnclosureResult, *, time_limit_s: float, clock: Clock | None = None
) -> PlacementResult:
    """The breaker stage: optimal balance, then rows, sides and phases.

    ``clock`` (the pipeline's) makes the balance time limit a hard cap on wall time.
    """
    units = {u.id: u for u in panel.branches}
    order: list[tuple[Unit, int, str]] = []
    for row in enclosure.rows:
        order.append((units[row.left], row.row, "L"))
        if row.right is not None:
            order.append((units[row.right], row.row, "R"))

    balance: BalanceResult | None = None
    assignment: dict[str, str] = {}
    if panel.system != "1P2W":
        balance = balance_phases(
            _circuits(panel), system=panel.system, time_limit_s=time_limit_s, clock=clock
        )
        assignment = tidy_assignment([u for u, _, _ in order], balance.assignment, balance.groups)

    m = panel.main
    three = "RST"
    rows: list[dict[str, Any]] = [
        {
            "id": m.id,
            "role": "main",
            "model": m.breaker.model,
            "poles": m.poles,
            "af": m.breaker.af,
            "at": m.at,
            "load_a": 0.0,
            "phase": three if m.poles > 2 else "L",
            "label": None,
            "row": 0,
            "side": "C",
        }
    ]
    for u, row_no, side in order:
        if u.role == "spd":
            phase = three
        elif u.poles == 2:
            phase = assignment.get(u.id, "L")
        else:
            phase = three
        rows.append(
            {
                "id": u.id,
                "role": u.role,
                "model": u.breaker.model,
                "poles": u.poles,
                "af": u.breaker.af,
                "at": u.at,
                "load_a": float(u.load_a),
                "phase": phase,
                "label": u.label,
                "row": row_no,
                "side": side,
            }
        )
    # one validation call for all breakers: a model per breaker was a sixth of the stage
    placed = _placed_adapter().validate_python(rows)
    return PlacementResult.model_construct(
        applicable=balance is not None,
        balance=balance,
        assignment=assignment,
        placed=tuple(placed),
    )
