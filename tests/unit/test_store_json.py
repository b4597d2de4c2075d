"""The psycopg adapter's JSON for jsonb parameters: orjson, and ``json`` where orjson
refuses a value, so every payload the engine accepts is still sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions._shared.store import _json


@pytest.mark.parametrize(
    "value",
    [
        {"items": [{"qty": 1.5, "amount": 12_000}], "name": "분전반 LP-1", "ok": None},
        {"big": 2**70, "neg": -(2**64)},  # beyond 64 bits: orjson refuses, json does not
        {"text": "a\ud800b"},  # a lone surrogate: escaped as json always did
        [],
    ],
)
def test_the_payload_json_reads_back_as_the_value(value: Any) -> None:
    assert json.loads(_json(value)) == value


def test_what_neither_encoder_takes_still_raises() -> None:
    with pytest.raises(TypeError):
        _json({"x": object()})
