"""Strict JSON: what json.loads accepts but a request or catalog must never hold."""

from __future__ import annotations

import pytest

from estimator_core.strict_json import MAX_DEPTH, JsonRejected, check, loads


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": [Infinity]}', "Infinity is not a JSON number"),
        ('{"a": -Infinity}', "-Infinity is not a JSON number"),
        ('{"a": 1e400}', "out of range"),
        ('{"a": ' + "9" * 30 + "}", "out of range"),
        ('{"a": ' + "9" * 5000 + "}", "out of range"),
        ("[" * 1000 + "]" * 1000, "nested"),
        ('{"a": "\\ud800"}', "lone UTF-16 surrogate"),
        ('{"a": "x\\u0000y"}', "NUL"),
        ('{"\\u0000": 1}', "NUL"),
        ("{", "not valid JSON"),
    ],
)
def test_what_json_loads_accepts_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(JsonRejected) as err:
        loads(text)
    assert reason in err.value.reason


def test_the_place_of_a_bad_value_is_named() -> None:
    with pytest.raises(JsonRejected) as err:
        loads('{"customer": {"project": "a\\u0000"}}')
    assert err.value.loc == "customer.project"
    with pytest.raises(JsonRejected) as err:
        loads('{"branches": [{"label": "ok"}, {"label": "\\udfff"}]}')
    assert err.value.loc == "branches.1.label"


def test_ordinary_json_is_read_as_json_loads_reads_it() -> None:
    text = '\ufeff{"a": [1, 2.5, -3e2, "한빛 😀", "\\ud83d\\ude00", null, true], "b": {}}'
    assert loads(text) == {"a": [1, 2.5, -300.0, "한빛 😀", "😀", None, True], "b": {}}
    assert loads(b'{"x": 9223372036854775807}') == {"x": 2**63 - 1}


def test_nesting_up_to_the_limit_is_accepted() -> None:
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads(ok) is not None
    too_deep = "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)
    with pytest.raises(JsonRejected):
        loads(too_deep)


def test_check_walks_values_built_in_python_too() -> None:
    with pytest.raises(JsonRejected):
        check({"a": float("nan")})
    check({"a": [1, "b", {"c": None}]})  # nothing to refuse
