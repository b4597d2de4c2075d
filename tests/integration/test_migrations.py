"""db/migrations applied by the real Supabase CLI: complete, idempotent, reversible.

The destructive checks (fresh build, rollback) run in scratch databases, never in the
local database a developer works with.
"""

from __future__ import annotations

from collections.abc import Callable

from .support import (
    DB_SH,
    MIGRATIONS,
    ROLLBACK_SH,
    cli_url,
    migration_versions,
    psql,
    run,
    schema_dump,
    supabase,
)

OUR_POLICIES_ON_STORAGE = (
    "select count(*) from pg_policies"
    r" where schemaname = 'storage' and policyname like 'estimator\_%'"
)


def applied_versions(db: str) -> list[str]:
    out = psql(db, "select version from supabase_migrations.schema_migrations order by version")
    return out.split() if out else []


def test_supabase_migrations_points_at_db_migrations() -> None:
    link = MIGRATIONS.parent.parent / "supabase" / "migrations"
    assert link.resolve() == MIGRATIONS.resolve()
    assert migration_versions(), "no migrations found"


def test_push_applies_every_migration_to_a_fresh_database(
    scratch_db: Callable[..., str],
) -> None:
    db = scratch_db("fresh_push")
    assert applied_versions(db) == migration_versions()
    for schema in ("estimator", "shared"):
        assert psql(db, f"select count(*) from pg_namespace where nspname = '{schema}'") == "1"


def test_pushing_again_changes_nothing(scratch_db: Callable[..., str]) -> None:
    db = scratch_db("push_twice")
    before = schema_dump(db)
    second = supabase("db", "push", f"--remote={cli_url(db)}", "--include-all", "--yes")
    assert "Applying migration" not in second.stdout + second.stderr, second.report()
    assert "up to date" in (second.stdout + second.stderr), second.report()
    assert schema_dump(db) == before
    assert applied_versions(db) == migration_versions()


def test_local_database_is_migrated_and_up_is_idempotent(stack: str) -> None:
    again = run([DB_SH, "up"])
    assert "Applying migration" not in again.stderr, again.report()
    assert applied_versions("postgres") == migration_versions()


def test_rollback_removes_everything_and_migrations_apply_again(
    scratch_db: Callable[..., str],
) -> None:
    bare = scratch_db("bare", bare=True)
    db = scratch_db("rollback")
    migrated = schema_dump(db)
    assert migrated != schema_dump(bare)

    run([ROLLBACK_SH, "--db-url", cli_url(db), "--yes"])

    # Exactly the bootstrap's schema is left: nothing the migrations created survives.
    assert schema_dump(db) == schema_dump(bare)
    assert applied_versions(db) == [], "rollback.sql must delete every migration's history row"
    assert (
        psql(db, "select count(*) from storage.buckets where id in ('evidence', 'documents')")
        == "0"
    )
    assert psql(db, OUR_POLICIES_ON_STORAGE) == "0"

    again = supabase("db", "push", f"--remote={cli_url(db)}", "--include-all", "--yes")
    for version in migration_versions():
        assert f"Applying migration {version}" in again.stdout + again.stderr, again.report()
    assert schema_dump(db) == migrated
    assert applied_versions(db) == migration_versions()
    assert (
        psql(db, "select count(*) from storage.buckets where id in ('evidence', 'documents')")
        == "2"
    )


def test_rollback_refuses_a_remote_database_without_yes(stack: str) -> None:
    result = run([ROLLBACK_SH, "--db-url", cli_url("kis_it_never")], check=False)
    assert result.returncode != 0
    assert "--yes" in result.stderr
