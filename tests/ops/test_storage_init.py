"""ops/supabase/storage_init.sh: the private buckets, idempotently, by SQL locally and by
the Storage API when SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.support import db_url, psql

from .conftest import FakeStorage, script_env, sh

MIB = 1024 * 1024
WANT = {
    "documents": (
        False,
        50 * MIB,
        [
            "application/json",
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "image/svg+xml",
            "image/vnd.dxf",
        ],
    ),
    "evidence": (False, 10 * MIB, ["application/json", "image/svg+xml"]),
}
ROWS = (
    "select id, name, public, file_size_limit, allowed_mime_types, created_at, updated_at "
    "from storage.buckets order by id"
)


def test_sql_creates_the_buckets_and_a_second_run_changes_nothing(
    scratch_db: Callable[..., str], tmp_path: Path
) -> None:
    db = scratch_db("storage_init", bare=True)  # storage.buckets exists, no bucket yet
    storage = tmp_path / "storage"
    env = script_env(DATABASE_URL=db_url(db), STORAGE_DIR=storage)

    first = sh("storage_init.sh", env=env)
    assert first.returncode == 0, first.report()
    assert "bucket evidence: created" in first.stdout
    assert "bucket documents: created" in first.stdout
    rows = psql(db, "select id, public, file_size_limit, allowed_mime_types from storage.buckets")
    assert sorted(rows.splitlines()) == [
        "documents|f|52428800|{application/json,application/pdf,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,image/svg+xml,image/vnd.dxf}",
        "evidence|f|10485760|{application/json,image/svg+xml}",
    ]
    for bucket in WANT:
        assert (storage / bucket).is_dir()
        assert stat.S_IMODE((storage / bucket).stat().st_mode) == 0o700
    before = psql(db, ROWS)

    second = sh("storage_init.sh", env=env)
    assert second.returncode == 0, second.report()
    assert second.stdout.count(": unchanged") == 2, second.stdout
    assert "created" not in second.stdout.replace("directory", "")
    assert psql(db, ROWS) == before  # not even updated_at moved

    # Someone made evidence public and tiny: the next run puts it back, and only it.
    psql(db, "update storage.buckets set public = true, file_size_limit = 1 where id = 'evidence'")
    third = sh("storage_init.sh", env=env)
    assert third.returncode == 0, third.report()
    assert "bucket evidence: updated" in third.stdout
    assert "bucket documents: unchanged" in third.stdout
    assert psql(
        db, "select public, file_size_limit from storage.buckets where id = 'evidence'"
    ) == ("f|10485760")


def test_sql_reports_an_unreachable_database(tmp_path: Path) -> None:
    env = script_env(
        DATABASE_URL="postgresql://postgres:postgres@127.0.0.1:1/none", STORAGE_DIR=tmp_path
    )
    result = sh("storage_init.sh", env=env)
    assert result.returncode != 0
    assert "cannot connect to postgresql://postgres:***@127.0.0.1:1/none" in result.stdout


@pytest.mark.parametrize("key_var", ["SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_SECRET_KEY"])
def test_api_creates_then_leaves_alone_then_updates(
    fake_storage: FakeStorage, key_var: str
) -> None:
    if key_var == "SUPABASE_SECRET_KEY":
        fake_storage.key = f"sb_secret_{fake_storage.key}"  # apikey only, never a bearer
    env = script_env(
        SUPABASE_URL=fake_storage.url,
        **{key_var: fake_storage.key},
        # the API wins over a database URL, and no SQL or directory is touched
        DATABASE_URL="postgresql://postgres:postgres@127.0.0.1:1/none",
    )
    first = sh("storage_init.sh", env=env)
    assert first.returncode == 0, first.report()
    assert sorted(fake_storage.calls("POST")) == ["bucket", "bucket"]
    for bucket, (public, size, mimes) in WANT.items():
        doc = fake_storage.buckets[bucket]
        assert (doc["public"], doc["file_size_limit"], doc["allowed_mime_types"]) == (
            public,
            size,
            mimes,
        )

    fake_storage.requests.clear()
    second = sh("storage_init.sh", env=env)
    assert second.returncode == 0, second.report()
    assert second.stdout.count(": unchanged") == 2, second.stdout
    assert [m for m, _ in fake_storage.requests] == ["GET", "GET"]

    fake_storage.buckets["documents"]["allowed_mime_types"] = ["text/plain"]
    fake_storage.requests.clear()
    third = sh("storage_init.sh", env=env)
    assert third.returncode == 0, third.report()
    assert fake_storage.calls("PUT") == ["bucket/documents"]
    assert fake_storage.buckets["documents"]["allowed_mime_types"] == WANT["documents"][2]


def test_api_rejects_a_wrong_key_with_the_answer(fake_storage: FakeStorage) -> None:
    env = script_env(SUPABASE_URL=fake_storage.url, SUPABASE_SERVICE_ROLE_KEY="wrong")
    result = sh("storage_init.sh", env=env)
    assert result.returncode != 0
    assert "answered 403" in result.stdout, result.stdout
    assert not fake_storage.buckets
