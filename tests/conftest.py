"""Shared fixtures: the committed v1 catalog and the example requests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from estimator_core.catalog import Catalog
from estimator_core.cli import DEFAULT_CATALOG, load_catalog

ROOT = Path(__file__).resolve().parents[1]
ISSUED_AT = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CATALOG)


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def apartment() -> dict[str, Any]:
    return copy.deepcopy(example("apartment_sangdo"))


@pytest.fixture
def office() -> dict[str, Any]:
    return copy.deepcopy(example("office_ls_standard"))
