"""The catalog refuses rule tables the stages could not use (checked at import, not mid-quote)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from estimator_core.catalog import Catalog


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        ("space_below_by_rating", []),
        ("busbar_specs", [{"max": 100, "spec": "3T×15"}]),
        ("busbar_factors", []),
        ("vat_rate", "x"),
        ("imbalance_target", "3"),
        ("magnet_classes", []),
    ],
)
def test_unusable_rule_tables_are_rejected(catalog: Catalog, rule: str, value: Any) -> None:
    data = copy.deepcopy(catalog.model_dump(mode="json"))
    data["rules"][rule] = value
    with pytest.raises(ValidationError, match=rule):
        Catalog.model_validate(data)


def test_the_v1_catalog_round_trips_with_the_same_hash(catalog: Catalog) -> None:
    again = Catalog.model_validate(catalog.model_dump(mode="json"))
    assert again.sha256 == catalog.sha256
    assert len(catalog.sha256) == 64
