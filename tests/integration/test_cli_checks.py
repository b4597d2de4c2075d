"""The checks operators run with the Supabase CLI: lint and advisors."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from typing import Any

from .support import ROOT, Result, cli_url, psql, supabase


def advisors(db: str) -> tuple[Result, list[dict[str, Any]]]:
    result = supabase(
        "db",
        "advisors",
        f"--remote={cli_url(db)}",
        "--type",
        "all",
        "--level",
        "info",
        "--fail-on",
        "warn",
        "--output-format",
        "json",
        check=False,
    )
    try:
        findings = json.loads(result.stdout)["results"]
    except (ValueError, KeyError) as exc:
        raise AssertionError(f"unreadable advisors output ({exc})\n{result.report()}") from exc
    return result, findings


def test_db_lint_finds_no_error(stack: str) -> None:
    """plpgsql_check over every function of every schema the CLI lints."""
    result = supabase(
        "db",
        "lint",
        f"--remote={cli_url()}",
        "--level",
        "warning",
        "--fail-on",
        "error",
        check=False,
    )
    assert result.returncode == 0, result.report()
    for schema in ("estimator", "shared"):
        assert f"Linting schema: {schema}" in result.stderr, result.report()


def test_db_lint_fails_on_a_broken_function(scratch_db: Callable[..., str]) -> None:
    db = scratch_db("lint_broken")
    psql(
        db,
        "create function estimator.broken() returns int language plpgsql set search_path = '' "
        "as $$ begin return estimator.no_such_table.x; end $$",
    )
    result = supabase(
        "db",
        "lint",
        f"--remote={cli_url(db)}",
        "--level",
        "warning",
        "--fail-on",
        "error",
        check=False,
    )
    assert result.returncode != 0, result.report()
    assert "estimator.broken" in result.stdout, result.report()


def test_db_advisors_report_nothing_at_warn_or_above(stack: str) -> None:
    """Security and performance advisors (splinter) over the schemas config.toml exposes."""
    result, findings = advisors("postgres")
    serious = [f for f in findings if f.get("level") in ("WARN", "ERROR")]
    assert serious == [], result.report()
    assert result.returncode == 0, result.report()
    # INFO findings are allowed (an unused index on a database without traffic), but not
    # an uncovered foreign key.
    assert "unindexed_foreign_keys" not in {f["name"] for f in findings}, result.report()


def test_advisors_judge_the_exposed_schemas(scratch_db: Callable[..., str]) -> None:
    """A clean report means something only if the advisors look at estimator and shared:
    the schemas supabase/config.toml exposes. A table without RLS there must be caught."""
    config = tomllib.loads((ROOT / "supabase" / "config.toml").read_text())
    assert sorted(config["api"]["schemas"]) == ["estimator", "shared"]

    db = scratch_db("advisors_bad")
    psql(db, "create table estimator.forgot_rls (id bigint primary key)")
    result, findings = advisors(db)
    assert result.returncode != 0, result.report()
    flagged = {(f["name"], f["metadata"].get("name")) for f in findings}
    assert ("rls_disabled_in_public", "forgot_rls") in flagged, result.report()
