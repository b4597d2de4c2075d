"""db/migrations applied by the real Supabase CLI: complete, idempotent, reversible.

The destructive checks (fresh build, rollback) run in scratch databases, never in the
local database a developer works with.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .support import (
    DB_SH,
    MIGRATIONS,
    PG_BIN,
    ROLLBACK_SH,
    cli_url,
    db_url,
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


# Teams (20261130000600): quotes stored before organisations existed move into a personal
# organisation of their owner; nothing is lost and nobody sees more than before.
TEAMS_VERSION = "20261130000600"
U1 = "11111111-0000-4000-8000-000000000001"
U2 = "22222222-0000-4000-8000-000000000002"
U3 = "33333333-0000-4000-8000-000000000003"  # no quotes
BEFORE_TEAMS_DATA = f"""
insert into auth.users (id, email, role, aud, created_at) values
  ('{U1}', 'one@x.test', 'authenticated', 'authenticated', now()),
  ('{U2}', 'two@x.test', 'authenticated', 'authenticated', now()),
  ('{U3}', 'three@x.test', 'authenticated', 'authenticated', now());
insert into shared.catalog_versions (id, label, status, content, content_sha256, activated_at)
values ('c0000000-0000-4000-8000-000000000001', 'm-v1', 'active', '{{}}', repeat('c', 64), now());
insert into estimator.quotes (id, owner, idempotency_key, status, request, request_sha256,
  catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total,
  evidence_root_sha256)
select q.id::uuid, q.owner::uuid, q.key, 'issued', jsonb_build_object('n', q.key), repeat('a', 64),
       'c0000000-0000-4000-8000-000000000001', 'm-v1', repeat('c', 64), 100, 10, 110,
       repeat('e', 64)
  from (values ('a0000000-0000-4000-8000-000000000001', '{U1}', 'k1'),
               ('a0000000-0000-4000-8000-000000000002', '{U1}', 'k2'),
               ('b0000000-0000-4000-8000-000000000001', '{U2}', 'k1')) as q(id, owner, key);
insert into estimator.quote_items (owner, quote_id, position, section, item, unit, qty,
  unit_price, amount)
select owner, id, 0, 'MAIN', 'SBE-104', 'EA', 1, 100, 100 from estimator.quotes;
insert into estimator.panels (owner, quote_id, enclosure_model, enclosure_w_mm, enclosure_h_mm,
  enclosure_d_mm, required_w_mm, required_h_mm, required_d_mm, fit_score)
select owner, id, 'HDS', 600, 700, 150, 600, 700, 150, 1 from estimator.quotes;
insert into estimator.breakers (owner, panel_id, row_no, model, af, at, poles, role)
select owner, id, 0, 'SBE-104', 100, 75, 4, 'main' from estimator.panels;
insert into estimator.documents (owner, quote_id, kind, storage_path, sha256, content_type)
select owner, id, 'quote_pdf', 'quote/' || id || '/q.pdf', repeat('d', 64), 'application/pdf'
  from estimator.quotes;
insert into estimator.evidence_blobs (owner, quote_id, stage, storage_path, sha256, size_bytes)
select owner, id, 'input', 'quote/' || id || '/input/x.json', repeat('1', 64), 1
  from estimator.quotes;
"""
EVERY_ROW = """
select string_agg(t || ':' || r, ' ' order by t, r) from (
  select 'quotes' as t, format('%s/%s/%s/%s', id, owner, quote_number, grand_total) as r
    from estimator.quotes
  union all select 'quote_items', format('%s/%s/%s', id, owner, quote_id) from estimator.quote_items
  union all select 'panels', format('%s/%s/%s', id, owner, quote_id) from estimator.panels
  union all select 'breakers', format('%s/%s/%s', id, owner, panel_id) from estimator.breakers
  union all select 'documents', format('%s/%s/%s', id, owner, quote_id) from estimator.documents
  union all select 'evidence_blobs', format('%s/%s/%s', id, owner, quote_id)
    from estimator.evidence_blobs
) as rows
"""


def _apply(db: str, versions_from: str | None, versions_to: str | None) -> None:
    """Apply the migration files in [versions_from, versions_to) with psql, in order."""
    for path in sorted(MIGRATIONS.glob("*.sql")):
        version = path.name.split("_", 1)[0]
        if versions_from is not None and version < versions_from:
            continue
        if versions_to is not None and version >= versions_to:
            continue
        args: list[str | Path] = [PG_BIN / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        run([*args, "-d", db_url(db), "-f", path])


def _as_user(db: str, user: str, sql: str) -> str:
    claims = f'{{"sub": "{user}", "role": "authenticated"}}'
    setup = f"set role authenticated; select set_config('request.jwt.claims', '{claims}', false)"
    out = psql(db, f"{setup}; {sql}")
    return out.splitlines()[-1]  # the answer to `sql`, after set_config's


def test_existing_quotes_move_into_personal_organisations(
    scratch_db: Callable[..., str],
) -> None:
    db = scratch_db("teams_data", bare=True)
    _apply(db, None, TEAMS_VERSION)
    psql(db, BEFORE_TEAMS_DATA)
    rows_before = psql(db, EVERY_ROW)
    seen_before = {
        u: _as_user(db, u, "select count(*) from estimator.quote_items") for u in (U1, U2)
    }
    assert seen_before == {U1: "2", U2: "1"}

    _apply(db, TEAMS_VERSION, None)

    assert psql(db, EVERY_ROW) == rows_before, "no row lost or changed"
    # One personal organisation per owner (admin), none for a user without quotes.
    assert (
        psql(
            db,
            "select string_agg(format('%s:%s:%s', o.personal_owner, m.role, "
            "(select count(*) from estimator.quotes q where q.organisation_id = o.id)), ' ' "
            "order by o.personal_owner) from estimator.organisations o "
            "join estimator.memberships m on m.organisation_id = o.id",
        )
        == f"{U1}:admin:2 {U2}:admin:1"
    )
    assert psql(db, "select count(*) from estimator.quotes where organisation_id is null") == "0"
    # Each user sees exactly what they saw before, in every table.
    for table in ("quotes", "quote_items", "panels", "breakers", "documents", "evidence_blobs"):
        mine = _as_user(db, U1, f"select string_agg(owner::text, ',') from estimator.{table}")
        assert mine == f"{U1},{U1}", table
        theirs = _as_user(db, U2, f"select string_agg(owner::text, ',') from estimator.{table}")
        assert theirs == U2, table
        assert _as_user(db, U3, f"select count(*) from estimator.{table}") == "0", table
    assert _as_user(db, U2, "select count(*) from estimator.organisations") == "1"
    assert (
        _as_user(
            db,
            U2,
            "select count(*) from estimator.calculate_quote_totals("
            "'a0000000-0000-4000-8000-000000000001')",
        )
        == "0"
    )
