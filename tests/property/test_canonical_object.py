"""``CanonicalObject``: members serialised once, joined, are the whole object's canonical
JSON byte for byte (the result blob's hash depends on it), with or without members
dropped or added."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from estimator_core.canonical import canonical_json
from functions._shared.canonical_object import CanonicalObject

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
_OBJECTS = st.dictionaries(st.text(), _JSON, max_size=8)


@given(_OBJECTS)
def test_the_members_joined_are_the_canonical_json(value: dict[str, Any]) -> None:
    assert CanonicalObject(value).encode() == canonical_json(value)


@given(_OBJECTS, st.lists(st.text(), max_size=3), st.dictionaries(st.text(), _JSON, max_size=3))
def test_dropping_and_adding_members_is_the_canonical_json_of_the_changed_object(
    value: dict[str, Any], drop: list[str], extra: dict[str, Any]
) -> None:
    changed = {k: v for k, v in value.items() if k not in drop} | extra
    encoded = CanonicalObject(value).encode(drop=drop, extra=extra)
    assert encoded == canonical_json(changed)


def test_a_quote_response_with_korean_text_and_nested_members() -> None:
    value = {"b": 1.5, "a": {"z": "분전반", "y": [1, {"d": None, "c": True}]}, "가": []}
    assert CanonicalObject(value).encode() == canonical_json(value)
    assert CanonicalObject(value).encode(drop=["a"], extra={"q": "Q-2026-000001"}) == (
        '{"b":1.5,"q":"Q-2026-000001","가":[]}'.encode()
    )
