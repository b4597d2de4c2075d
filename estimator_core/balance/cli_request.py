"""The CLI's balance request: validated with pydantic, then ``balance_phases``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
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

from estimator_core.balance.deadline import Clock
from estimator_core.balance.phases import MAX_CIRCUITS, as_decimal, balance_phases, load_problems
from estimator_core.balance.problem import GROUPS, System
from estimator_core.balance.result import Circuit
from estimator_core.errors import ValidationFailed

_PHASE_ALIASES = {"L1": "R", "L2": "S", "L3": "T"}
_PINS: dict[str, frozenset[str]] = {
    "3P4W": frozenset({"R", "S", "T", *_PHASE_ALIASES}),
    "3P3W": frozenset(GROUPS["3P3W"]),
}
_ANY_PIN = _PINS["3P4W"] | _PINS["3P3W"]


def _exact_number(value: object) -> Decimal:
    number = as_decimal(value)
    if number is None:
        raise PydanticCustomError("number", "load_a must be a finite number")
    problems = load_problems(number)
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


def balance_request(
    data: Any, *, time_limit_s: float = 2.0, clock: Clock | None = None
) -> dict[str, Any]:
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
    result = balance_phases(circuits, system=request.system, time_limit_s=time_limit_s, clock=clock)
    out = result.to_dict()
    out["lower_bound"] = result.lower_bound_a
    return out
