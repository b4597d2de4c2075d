"""The functions' error tree: every class carries a code the one status table knows, and
one table classifies driver errors for both database adapters."""

from __future__ import annotations

import psycopg
import pytest

from functions._shared import errors
from functions._shared.driver_errors import classify, psycopg_errors
from functions._shared.errors import STATUS, ApiError


def _classes(base: type[ApiError]) -> list[type[ApiError]]:
    out = []
    for sub in base.__subclasses__():
        out += [sub, *_classes(sub)]
    return out


def test_every_error_class_has_a_code_with_a_status() -> None:
    coded = [c for c in _classes(ApiError) if "CODE" in vars(c)]
    assert len(coded) >= 10
    for cls in coded:
        assert cls.CODE in STATUS, cls
    assert errors.NotFound("x").status == 404
    assert errors.IdempotencyInFlight().status == 409
    assert errors.DependencyUnavailable("database", "down").status == 503
    assert errors.DependencyUnavailable.because("why").message == "why"


@pytest.mark.parametrize(
    ("code", "table", "anonymous", "expected"),
    [
        ("PT422", False, False, "IDEMPOTENCY_KEY_REUSED"),
        ("23505", False, False, "CONFLICT"),
        ("23503", False, False, "UNKNOWN_USER"),
        ("42501", True, False, "FORBIDDEN"),
        ("42501", True, True, "UNAUTHORIZED"),
        ("PGRST301", True, False, "UNAUTHORIZED"),
        ("28000", False, False, "FORBIDDEN"),
        ("42P01", True, False, "NOT_FOUND"),
        ("42P01", False, False, None),
        ("XX000", False, False, None),
    ],
)
def test_one_table_classifies_database_codes(
    code: str, table: bool, anonymous: bool, expected: str | None
) -> None:
    mapped = classify(code, table=table, anonymous=anonymous)
    assert (mapped.code if mapped else None) == expected


def test_psycopg_errors_are_classified_by_their_sqlstate_with_call_site_overrides() -> None:
    with pytest.raises(ApiError) as err, psycopg_errors():
        raise psycopg.errors.UniqueViolation("duplicate")
    assert err.value.code == "CONFLICT"
    taken = {"23505": lambda: errors.Conflict("label taken")}
    with pytest.raises(ApiError) as err, psycopg_errors(overrides=taken):
        raise psycopg.errors.UniqueViolation("duplicate")
    assert err.value.message == "label taken"
    with pytest.raises(ApiError) as err, psycopg_errors():
        raise psycopg.OperationalError("connection refused")
    assert err.value.code == "DEPENDENCY_UNAVAILABLE"
    with pytest.raises(psycopg.errors.DivisionByZero), psycopg_errors():
        raise psycopg.errors.DivisionByZero("a bug stays a bug")
