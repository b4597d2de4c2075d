"""ops/supabase/deploy_test.sh against the local stack: a scratch database as the target,
the functions server on a free port, a temporary storage directory."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

from tests.e2e.conftest import free_port
from tests.integration.support import db_url, migration_versions, psql

from .conftest import script_env, sh


def deploy_env(db: str, storage: Path, **extra: str) -> dict[str, str]:
    return script_env(
        DATABASE_URL=db_url(db),
        JWT_SECRET=secrets.token_hex(32),
        STORAGE_DIR=storage,
        FUNCTIONS_PORT=str(free_port()),
        **extra,
    )


def steps(output: str) -> list[str]:
    return re.findall(r"^==> \[\d+\] (.*)$", output, flags=re.M)


def applied(db: str) -> list[str]:
    has = psql(db, "select to_regclass('supabase_migrations.schema_migrations') is not null")
    if has != "t":
        return []
    return psql(db, "select version from supabase_migrations.schema_migrations order by 1").split()


def test_names_every_missing_variable() -> None:
    result = sh("deploy_test.sh", env=script_env())
    assert result.returncode == 2, result.report()
    for name in ("DEPLOY_ENV", "DATABASE_URL", "FUNCTIONS_PORT", "JWT_SECRET"):
        assert f"deploy_test: missing {name}" in result.stdout, result.stdout
    assert "FAILED at step 1 (environment)" in result.stdout
    assert steps(result.stdout) == ["environment"]


def test_pushes_when_confirmed_then_catches_drift(
    scratch_db: Callable[..., str], tmp_path: Path
) -> None:
    db = scratch_db("deploy", bare=True)  # a new project: nothing applied yet
    storage = tmp_path / "storage"
    env = deploy_env(db, storage, DEPLOY_ENV="staging", CONFIRM_PUSH="yes")

    first = sh("deploy_test.sh", env=env)
    assert first.returncode == 0, first.report()
    assert steps(first.stdout) == [
        "environment",
        "target and migration plan",
        "supabase db lint",
        "supabase db advisors",
        "drift check (0 applied migrations)",
        "push migrations",
        "supabase db lint (after the push)",
        "supabase db advisors (after the push)",
        "drift check (after the push)",
        "storage",
        "functions server",
        "readyz",
    ]
    assert applied(db) == migration_versions()
    assert '"status":"ok"' in first.stdout
    assert "deploy_test: all checks passed" in first.stdout
    assert (storage / "evidence").is_dir()

    # Production with everything applied gets past the push plan; a change made by hand
    # on the target is drift, and the script stops there.
    psql(db, "create schema kis_hand_made")
    again = sh("deploy_test.sh", env=deploy_env(db, storage, DEPLOY_ENV="production"))
    assert again.returncode == 1, again.report()
    assert "push plan: none" in again.stdout
    assert 'CREATE SCHEMA "kis_hand_made"' in again.stdout
    n = len(migration_versions())
    assert f"FAILED at step 5 (drift check ({n} applied migrations))" in again.stdout
    assert steps(again.stdout)[-1] == f"drift check ({n} applied migrations)"


def test_never_pushes_without_permission(scratch_db: Callable[..., str], tmp_path: Path) -> None:
    db = scratch_db("deploy_noperm", bare=True)
    pending = len(migration_versions())

    prod = sh("deploy_test.sh", env=deploy_env(db, tmp_path, DEPLOY_ENV="production"))
    assert prod.returncode == 1, prod.report()
    assert "DEPLOY_ENV=production never pushes migrations automatically" in prod.stdout
    assert f"{pending} are pending" in prod.stdout

    unconfirmed = sh("deploy_test.sh", env=deploy_env(db, tmp_path, DEPLOY_ENV="staging"))
    assert unconfirmed.returncode == 1, unconfirmed.report()
    assert "set CONFIRM_PUSH=yes to push them, or SKIP_DB_PUSH=1" in unconfirmed.stdout
    for result in (prod, unconfirmed):
        assert "FAILED at step 2 (target and migration plan)" in result.stdout
        assert steps(result.stdout) == ["environment", "target and migration plan"]
    assert applied(db) == []
