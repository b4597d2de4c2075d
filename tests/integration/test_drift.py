"""Drift: the running local database is exactly what db/migrations builds.

`supabase db diff --from URL --to URL` (pg-delta) compares a fresh database built from
the migrations with the local one. (Without --from/--to the CLI builds its shadow
database in Docker; with two URLs it needs none.)
"""

from __future__ import annotations

from collections.abc import Callable

from .support import cli_url, supabase


def diff(source: str, target: str) -> str:
    result = supabase("db", "diff", "--from", cli_url(source), "--to", cli_url(target))
    return result.stdout.strip()


def test_local_database_has_no_drift_from_the_migrations(
    stack: str, scratch_db: Callable[..., str]
) -> None:
    fresh = scratch_db("drift_fresh")
    assert diff(fresh, "postgres") == ""
    assert diff("postgres", fresh) == ""


def test_diff_sees_a_change(scratch_db: Callable[..., str]) -> None:
    """The drift check is not vacuous: bootstrap-only vs migrated shows our objects."""
    bare = scratch_db("drift_bare", bare=True)
    fresh = scratch_db("drift_fresh2")
    out = diff(bare, fresh)
    for needle in ("estimator", "quotes", "POLICY", "storage"):
        assert needle in out, out
