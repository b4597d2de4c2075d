"""A shipped catalog is read without validating it again; that must change nothing.

``load_catalog`` constructs a catalog whose bytes are pinned in ``VALIDATED`` (a cold
start builds no catalog schema); these tests are what makes that safe: every shipped
catalog.json validates, its pins are right, and the constructed catalog is the validated
one, field for field and type for type. Any other bytes are validated.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from estimator_core.catalog import V1_NAMING, V1_TEXTS, Catalog, LineTexts, v1_naming
from estimator_core.catalogs import CATALOGS, VALIDATED, load_catalog, shipped_catalog_labels
from estimator_core.construct import construct
from estimator_core.errors import ValidationFailed

SHIPPED = shipped_catalog_labels()


def same(a: Any, b: Any, at: str = "catalog") -> None:
    """Equal values of the same types all the way down (``10 == 10.0`` is not enough: the
    catalog's JSON, and so its hash, would differ)."""
    assert type(a) is type(b), f"{at}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set, at
        for name in type(a).model_fields:
            same(getattr(a, name), getattr(b, name), f"{at}.{name}")
    elif isinstance(a, tuple):
        assert len(a) == len(b), at
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{at}[{i}]")
    else:
        assert a == b, at


def validated(label: str) -> Catalog:
    return Catalog.model_validate_json((CATALOGS / label / "catalog.json").read_bytes())


def test_every_shipped_catalog_is_pinned() -> None:
    assert SHIPPED == ["v1.0.0", "v1.1.0"]
    pins = {
        hashlib.sha256((CATALOGS / label / "catalog.json").read_bytes()).hexdigest(): label
        for label in SHIPPED
    }
    assert set(VALIDATED) == set(pins), "a shipped catalog changed or is new: pin it"
    for digest, label in pins.items():
        assert VALIDATED[digest] == validated(label).sha256, label


@pytest.mark.parametrize("label", SHIPPED)
def test_a_pinned_catalog_is_the_validated_catalog(label: str) -> None:
    loaded, checked = load_catalog(CATALOGS / label), validated(label)
    same(loaded, checked)
    assert loaded == checked
    assert loaded.sha256 == checked.sha256
    # its identity is pinned, and it is what the catalog's own JSON hashes to
    loaded.__dict__.pop("sha256")
    assert loaded.sha256 == checked.sha256
    assert json.dumps(loaded.document()) == json.dumps(checked.document())


def test_other_bytes_are_validated(tmp_path: Path) -> None:
    data = json.loads((CATALOGS / "v1.1.0" / "catalog.json").read_bytes())
    (tmp_path / "catalog.json").write_text(json.dumps(data), encoding="utf-8")  # same content
    same(load_catalog(tmp_path), validated("v1.1.0"))
    data["breakers"][0]["price"] = "not a price"
    (tmp_path / "catalog.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="is invalid"):
        load_catalog(tmp_path)
    data["breakers"][0]["price"] = 1
    data["breakers"].append(data["breakers"][0])
    (tmp_path / "catalog.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="duplicate breaker"):  # a model validator
        load_catalog(tmp_path)


def test_construct_converts_as_validation_does() -> None:
    rules = validated("v1.1.0").rules
    doc = rules.model_dump(mode="json")
    doc["balance_time_limit_s"] = 2  # a JSON integer in a float field
    built, checked = construct(type(rules), doc), type(rules).model_validate(doc)
    same(built, checked)
    assert built.balance_time_limit_s == 2.0 and isinstance(built.balance_time_limit_s, float)


class Unsupported(BaseModel):
    table: dict[str, int]


def test_construct_refuses_a_type_it_does_not_know() -> None:
    with pytest.raises(TypeError, match="unsupported field type"):
        construct(Unsupported, {"table": {"a": 1}})


def test_v1_defaults_are_built_on_first_use() -> None:
    assert V1_NAMING is v1_naming() and V1_NAMING.brands == ("SANGDO", "LS")
    assert LineTexts() == V1_TEXTS
    same(load_catalog(CATALOGS / "v1.0.0").names, V1_NAMING)


def test_a_copy_with_changes_has_its_own_identity_and_index() -> None:
    loaded = load_catalog(CATALOGS / "v1.1.0")
    first = loaded.breakers[0]
    assert loaded.breaker(first.model) is first  # the index is built and cached
    cheaper = first.model_copy(update={"price": first.price - 1})
    changed = loaded.model_copy(update={"breakers": (cheaper, *loaded.breakers[1:])})
    assert changed.sha256 != loaded.sha256
    assert changed.sha256 == Catalog.model_validate(changed.document()).sha256
    assert changed.breaker(first.model) is cheaper
    assert loaded.model_copy().sha256 == loaded.sha256
