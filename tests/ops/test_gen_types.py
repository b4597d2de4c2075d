"""supabase/types/database.ts is what `supabase gen types` gives for a database freshly
migrated from db/migrations (ops/supabase/gen_types.sh --check), and the check does fail
when the schema moves."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.support import ROOT, db_url, psql

from .conftest import script_env, sh

TYPES = ROOT / "supabase" / "types" / "database.ts"


def test_the_committed_types_match_the_migrations(scratch_db: Callable[..., str]) -> None:
    db = scratch_db("types_fresh")

    result = sh("gen_types.sh", "--check", env=script_env(DATABASE_URL=db_url(db)))

    assert result.returncode == 0, result.report()
    assert "types up to date" in result.stdout
    text = TYPES.read_text()
    assert '"estimator": {' in text and '"shared": {' in text
    assert '"quotes": {' in text


def test_a_schema_change_is_reported_as_drift(scratch_db: Callable[..., str]) -> None:
    db = scratch_db("types_drift")
    psql(db, "alter table estimator.quotes add column drift_probe integer")
    before = TYPES.read_bytes()

    result = sh("gen_types.sh", "--check", env=script_env(DATABASE_URL=db_url(db)))

    assert result.returncode != 0
    assert "+" in result.stdout and "drift_probe" in result.stdout
    assert "is stale" in result.stdout
    assert TYPES.read_bytes() == before  # --check never writes
