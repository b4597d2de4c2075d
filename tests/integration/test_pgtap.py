"""The pgTAP suite in supabase/tests, run with pg_prove against the local database.

Every pgTAP file works inside a transaction that rolls back, so the suite runs twice in
a row on the same database and leaves nothing behind.
"""

from __future__ import annotations

from .support import PGTAP_DIR, psql, run


def pg_prove() -> str:
    files = sorted(PGTAP_DIR.glob("*.test.sql"))
    assert files, f"no pgTAP files in {PGTAP_DIR}"
    result = run(["pg_prove", "--dbname", "postgres", "--failures", *files], check=False)
    assert result.returncode == 0, result.report()
    assert "Result: PASS" in result.stdout, result.report()
    return result.stdout


def test_pgtap_suite_passes_twice_in_a_row_and_leaves_nothing(stack: str) -> None:
    first = pg_prove()
    second = pg_prove()
    assert first.splitlines()[-1] == second.splitlines()[-1] == "Result: PASS"
    assert psql("postgres", "select count(*) from pg_namespace where nspname = 'tests'") == "0"
    assert psql("postgres", "select count(*) from auth.users where email like '%@kis.test'") == "0"
    assert (
        psql("postgres", "select count(*) from shared.catalog_versions where label like 'test-%'")
        == "0"
    )
