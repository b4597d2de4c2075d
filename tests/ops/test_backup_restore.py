"""ops/supabase/backup.sh and restore.sh: quotes made through the real functions server
survive a backup, the loss of their database and storage, and a restore into a freshly
migrated database: every quote's evidence verifies through a server on the restored data."""

from __future__ import annotations

import json
import shutil
import tarfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from functions.dev import seed_catalog
from tests.conftest import example
from tests.integration.support import DB_SH, db_url, psql, run

from .conftest import FakeStorage, script_env, sh, start_api

ORDERS = [
    ("alice", "apartment_sangdo"),
    ("bob", "office_ls_standard"),
    ("alice", "office_ls_standard"),
]


def make_quotes(database_url: str, storage: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Quotes made through the functions server: id -> (user, response body)."""
    seed_catalog(database_url, load_catalog(DEFAULT_CATALOG))
    api = start_api(database_url, storage)
    made = {}
    try:
        for user, name in ORDERS:
            res = api.client.post(
                api.url("estimate"),
                json=example(name),
                headers=api.headers(user, str(uuid.uuid4())),
            )
            assert res.status_code == 201, res.text
            made[res.json()["quote_id"]] = (user, res.json())
        assert api.client.get(api.url("readyz")).status_code == 200  # leaves no probe behind
    finally:
        api.stop()
        api.client.close()
    return made


def test_backup_wipe_restore_and_every_quote_verifies(
    scratch_db: Callable[..., str], tmp_path: Path
) -> None:
    source = scratch_db("backup_src")
    storage = tmp_path / "storage"
    quotes = make_quotes(db_url(source), storage)

    out = tmp_path / "backup"
    backup = sh("backup.sh", out, env=script_env(DATABASE_URL=db_url(source), STORAGE_DIR=storage))
    assert backup.returncode == 0, backup.report()
    assert "30/30 evidence objects verified" in backup.stdout, backup.stdout
    # the archive holds objects by name, whatever the local store's file layout
    paths = psql(source, "select storage_path from estimator.evidence_blobs").splitlines()
    with tarfile.open(out / "objects.tar") as archive:
        members = {m.name for m in archive.getmembers() if m.isfile()}
    assert {f"evidence/{p}" for p in paths} <= members
    assert not [m for m in members if "~" in m]
    files = sorted(p.name for p in out.iterdir())
    assert files == ["MANIFEST.sha256", "auth_users.jsonl", "backup.json", "db.dump", "objects.tar"]
    meta = json.loads((out / "backup.json").read_text())
    assert meta["counts"]["quotes"] == 3
    assert "postgres:***@" in meta["source"]
    users = [json.loads(line) for line in (out / "auth_users.jsonl").read_text().splitlines()]
    assert sorted(u["email"] for u in users) == ["alice@local.test", "bob@local.test"]

    # Lose everything: the database and the storage directory.
    run([DB_SH, "drop-db", source])
    shutil.rmtree(storage)

    target = scratch_db("backup_dst")
    # as after `make reset`: migrated, and the engine's catalog loaded at start-up
    seed_catalog(db_url(target), load_catalog(DEFAULT_CATALOG))
    env = script_env(DATABASE_URL=db_url(target), STORAGE_DIR=storage)

    # A backup that does not match its manifest is refused before anything is touched.
    tampered = tmp_path / "tampered"
    shutil.copytree(out, tampered)
    with (tampered / "objects.tar").open("r+b") as fh:
        fh.seek(600)
        byte = fh.read(1)
        fh.seek(600)
        fh.write(bytes([byte[0] ^ 0xFF]))
    refused = sh("restore.sh", tampered, env=env)
    assert refused.returncode != 0
    assert (
        "does not match its manifest" in refused.stdout and "objects.tar: FAILED" in refused.stdout
    )
    assert not storage.exists()
    assert psql(target, "select count(*) from auth.users") == "0"

    restored = sh("restore.sh", out, env=env)
    assert restored.returncode == 0, restored.report()
    assert "30/30 evidence objects verified" in restored.stdout
    assert psql(target, "select count(*) from estimator.quotes") == "3"
    assert psql(target, "select count(*) from auth.users") == "2"  # before any token is minted

    api = start_api(db_url(target), storage)
    try:
        for quote_id, (user, original) in quotes.items():
            got = api.client.get(api.url(f"quotes/{quote_id}"), headers=api.headers(user))
            assert got.status_code == 200, got.text
            assert got.json()["totals"] == original["totals"]
            ev = api.client.get(
                api.url(f"quotes/{quote_id}/evidence"),
                params={"verify": "true"},
                headers=api.headers(user),
            )
            assert ev.status_code == 200, ev.text
            body = ev.json()
            assert body["verified"] is True, body
            assert len(body["items"]) == 10 and all(i["verified"] for i in body["items"])
            assert body["evidence_root"] == original["evidence_root"]
        # ownership survived: bob does not see alice's quotes
        listed = api.client.get(api.url("quotes"), headers=api.headers("bob")).json()["items"]
        assert len(listed) == 1
    finally:
        api.stop()
        api.client.close()

    # Restoring again into the now non-empty target is refused.
    again = sh("restore.sh", out, env=env)
    assert again.returncode != 0
    assert "the target is not empty" in again.stdout


def test_supabase_storage_objects_go_through_the_api(
    scratch_db: Callable[..., str], tmp_path: Path, fake_storage: FakeStorage
) -> None:
    """With SUPABASE_URL and the service key, backup downloads the objects that
    storage.objects lists and restore uploads them (against a fake Storage API)."""
    source = scratch_db("backup_api")
    api_env = {"SUPABASE_URL": fake_storage.url, "SUPABASE_SERVICE_ROLE_KEY": fake_storage.key}
    blobs = {
        "evidence/quote/q1/input/aa.json": b'{"a":1}',
        "evidence/quote/q1/drawing/bb.svg": b"<svg/>",
    }
    fake_storage.buckets.update({b: {"id": b} for b in ("evidence", "documents")})
    fake_storage.objects.update(blobs)
    for name in blobs:
        bucket, path = name.split("/", 1)
        psql(source, f"insert into storage.objects (bucket_id, name) values ('{bucket}', '{path}')")

    out = tmp_path / "backup"
    backup = sh("backup.sh", out, env=script_env(DATABASE_URL=db_url(source), **api_env))
    assert backup.returncode == 0, backup.report()
    assert "downloaded 2 objects" in backup.stdout

    fake_storage.objects.clear()
    target = scratch_db("restore_api")
    restored = sh("restore.sh", out, env=script_env(DATABASE_URL=db_url(target), **api_env))
    assert restored.returncode == 0, restored.report()
    assert "2 uploaded to Supabase Storage" in restored.stdout
    assert fake_storage.objects == blobs
