"""``canonical_json_spliced``: a part encoded once and spliced into its container is the
container's canonical JSON byte for byte (the breaker and output evidence hashes depend on
it), wherever the part sits and whatever text (even the placeholder) the rest holds."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from estimator_core.canonical import _HOLE, canonical_json, canonical_json_spliced

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.just(_HOLE)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
_KEYS = st.text() | st.just(_HOLE)
_OBJECTS = st.dictionaries(_KEYS, _JSON, max_size=6)


def _put(value: dict[str, Any], path: tuple[str, ...], part: Any) -> dict[str, Any]:
    key, rest = path[0], path[1:]
    inner = value.get(key)
    inner = inner if isinstance(inner, dict) else {}
    return {**value, key: _put(inner, rest, part) if rest else part}


@given(_OBJECTS, st.lists(_KEYS, min_size=1, max_size=3), _JSON)
def test_spliced_bytes_are_the_whole_objects_canonical_json(
    value: dict[str, Any], keys: list[str], part: Any
) -> None:
    path = tuple(keys)
    whole = _put(value, path, part)
    spliced = canonical_json_spliced(whole, path, part, canonical_json(part))
    assert spliced == canonical_json(whole)


def test_the_placeholder_in_user_text_falls_back_to_encoding_the_whole() -> None:
    whole = {"a": _HOLE, "rows": [{"label": "x"}]}
    part_json = canonical_json(whole["rows"])
    assert canonical_json_spliced(whole, ("rows",), whole["rows"], part_json) == (
        canonical_json(whole)
    )
    # a wrong part_json is used as given when the splice is made: the function trusts it
    assert canonical_json_spliced({"rows": 1}, ("rows",), 1, b"2") == b'{"rows":2}'
