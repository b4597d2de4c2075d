"""Shared fixtures: the committed v1 catalog and the example requests; the session leaves
the local database as it found it."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from estimator_core.catalog import Catalog
from estimator_core.cli import DEFAULT_CATALOG, load_catalog

ROOT = Path(__file__).resolve().parents[1]
ISSUED_AT = "2026-01-01T00:00:00Z"
DB_SH = ROOT / "ops" / "supabase" / "db.sh"


def _database_running() -> bool:
    return subprocess.run([DB_SH, "status"], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="session", autouse=True)
def _leave_the_database_as_found() -> Iterator[None]:
    """Suites start the local database when they need it (``db.sh up``, idempotent); one
    this session found stopped is stopped again at its end, so the test command leaves no
    process behind. A database the developer had running stays up."""
    was_running = _database_running()
    yield
    if not was_running and _database_running():
        subprocess.run([DB_SH, "down"], capture_output=True, check=False)


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
