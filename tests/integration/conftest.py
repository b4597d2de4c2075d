"""Integration tests against the embedded local Supabase stack.

They use what operators use: a real PostgreSQL 15 cluster started by
``ops/supabase/db.sh up`` (bootstrapped like hosted Supabase, migrations pushed by the
pinned Supabase CLI), ``supabase db lint/advisors/diff`` and ``pg_prove`` over the pgTAP
files in ``supabase/tests``. The session fixture starts the stack itself, so
``pytest tests/integration`` works on a fresh checkout after ``ops/supabase/install.sh``.

The local database is only read and migrated here; anything destructive (rollback,
scratch copies) happens in scratch databases ``kis_it_*`` that are dropped at the end.
Every test is marked ``integration`` (deselect with ``-m "not integration"``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .support import DB_SH, PG_BIN, SCRATCH_PREFIX, SUPABASE, db_url, psql, run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: needs the local stack (ops/supabase/install.sh, db.sh up)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack() -> str:
    """The local stack, started (idempotently) for the session; returns the database URL."""
    missing = [
        p for p in (SUPABASE, PG_BIN / "pg_ctl", Path("/usr/bin/pg_prove")) if not p.exists()
    ]
    assert not missing, f"missing {missing}: run ops/supabase/install.sh first"
    run([DB_SH, "up"])
    return db_url()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def scratch_db(stack: str) -> Iterator[Callable[..., str]]:
    """Factory for scratch databases ``kis_it_<pid>_<name>`` (migrated, or ``bare``:
    bootstrap only). The pid keeps concurrent sessions apart; this session's databases
    are dropped at its end, and those left by sessions that died are dropped first."""
    names = psql("postgres", "select datname from pg_database where datname like 'kis\\_it\\_%'")
    for db in names.split():
        match = re.fullmatch(SCRATCH_PREFIX + r"(\d+)_\w+", db)
        if match and not _alive(int(match.group(1))):
            run([DB_SH, "drop-db", db], check=False)

    created: list[str] = []

    def make(name: str, *, bare: bool = False) -> str:
        db = f"{SCRATCH_PREFIX}{os.getpid()}_{name}"
        run([DB_SH, "create-db", db, *(["--bare"] if bare else [])])
        created.append(db)
        return db

    yield make
    for db in created:
        run([DB_SH, "drop-db", db], check=False)
