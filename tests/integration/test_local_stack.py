"""The embedded local stack itself: where it runs, and that its bootstrap is no kinder
than hosted Supabase."""

from __future__ import annotations

import tomllib
from collections.abc import Callable

from .support import DB_SH, HOST, PORT, ROOT, psql, run


def test_cluster_runs_as_postgres_from_the_repository(stack: str) -> None:
    assert stack == f"postgresql://postgres:postgres@{HOST}:{PORT}/postgres"
    assert run([DB_SH, "url"]).stdout.strip() == stack
    status = run([DB_SH, "status"])
    assert status.stdout.startswith("running:"), status.report()
    data_dir = psql("postgres", "show data_directory")
    assert data_dir == str((ROOT / ".local" / "pg" / "data").resolve()), data_dir
    assert psql("postgres", "select current_setting('server_version_num')::int / 10000") == "15"
    assert psql("postgres", "select current_setting('listen_addresses')") == HOST


def test_bootstrap_grants_new_objects_to_the_api_roles_like_hosted(
    scratch_db: Callable[..., str],
) -> None:
    """Default privileges as on hosted Supabase: what a migration creates is open to
    anon/authenticated until the migration revokes it, so forgetting is caught locally."""
    db = scratch_db("defaults", bare=True)
    psql(
        db,
        "create schema probe; create table probe.t (id int primary key); "
        "create function probe.f() returns int language sql as 'select 1'; "
        "create table public.t (id int primary key)",
    )
    for table in ("probe.t", "public.t"):
        for role in ("anon", "authenticated", "service_role"):
            granted = psql(db, f"select has_table_privilege('{role}', '{table}', 'select, insert')")
            assert granted == "t", f"{role} on {table}"
    assert psql(db, "select has_function_privilege('anon', 'probe.f()', 'execute')") == "t"
    assert psql(db, "select rolbypassrls from pg_roles where rolname = 'service_role'") == "t"
    assert psql(db, "select rolbypassrls from pg_roles where rolname = 'authenticated'") == "f"


def test_auth_functions_read_the_claims_like_postgrest(stack: str) -> None:
    sub = "a11ce000-0000-4000-8000-000000000001"
    claims = f'{{"sub": "{sub}", "role": "authenticated", "app_metadata": {{"role": "x"}}}}'
    out = psql(
        "postgres",
        f"begin; set local request.jwt.claims = '{claims}'; "
        "select auth.uid()::text || ' ' || auth.role() || ' ' "
        "|| (auth.jwt() #>> '{app_metadata,role}'); "
        "rollback;",
    )
    assert out == f"{sub} authenticated x"
    legacy = psql(
        "postgres",
        f"begin; set local request.jwt.claim.sub = '{sub}'; select auth.uid(); rollback;",
    )
    assert legacy == sub


def test_config_declares_the_private_buckets_the_migrations_create(stack: str) -> None:
    config = tomllib.loads((ROOT / "supabase" / "config.toml").read_text())
    buckets = config["storage"]["buckets"]
    assert set(buckets) == {"evidence", "documents"}
    assert all(b["public"] is False for b in buckets.values())
    rows = psql(
        "postgres",
        "select id || ' ' || public || ' ' || file_size_limit from storage.buckets "
        "where id in ('evidence', 'documents') order by id",
    ).splitlines()
    mib = {
        name: int(b["file_size_limit"].removesuffix("MiB")) * 1024 * 1024
        for name, b in buckets.items()
    }
    assert rows == [f"documents false {mib['documents']}", f"evidence false {mib['evidence']}"]
