"""The operator's orphan sweep against the real database and local blob store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import example
from tests.e2e.conftest import Api
from tests.integration.support import ROOT


def sweep_cli(api: Api, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "functions", "sweep-orphans", *args],
        cwd=ROOT,
        env=api.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_sweep_deletes_old_orphans_only_and_is_idempotent(api: Api) -> None:
    if api.storage_dir is None:
        pytest.skip("planting objects needs the local blob store")
    made = api.client.post(
        api.url("estimate"),
        json=example("apartment_sangdo"),
        headers=api.headers("sweeper", f"k-{uuid.uuid4()}"),
    )
    assert made.status_code == 201, made.text[:300]
    quote_id = made.json()["quote_id"]
    evidence = api.storage_dir / "evidence"
    kept = sorted(p for p in (evidence / "quote" / quote_id).rglob("*") if p.is_file())
    assert len(kept) == 11  # ten stages and the result document, all with rows
    for p in kept:  # old, but referenced
        os.utime(p, (time.time() - 3 * 86400,) * 2)
    old = evidence / "quote" / str(uuid.uuid4()) / "input" / f"{'a' * 64}.json"
    young = evidence / "quote" / str(uuid.uuid4()) / "input" / f"{'b' * 64}.json"
    for orphan in (old, young):
        orphan.parent.mkdir(parents=True)
        orphan.write_text("{}")
    os.utime(old, (time.time() - 2 * 86400,) * 2)

    dry = sweep_cli(api, "--dry-run")
    assert f"would delete evidence/{old.relative_to(evidence)}" in dry
    assert old.exists()

    out = sweep_cli(api)
    assert f"deleted evidence/{old.relative_to(evidence)}" in out
    assert "deleted 1" in out.splitlines()[-1]
    assert not old.exists() and young.exists()
    assert all(p.exists() for p in kept)
    got = api.client.get(
        api.url(f"quotes/{quote_id}/evidence"),
        params={"verify": "true"},
        headers=api.headers("sweeper"),
    )
    assert got.json()["verified"] is True

    again = sweep_cli(api)
    assert "deleted 0" in again.splitlines()[-1]
    young.unlink()
