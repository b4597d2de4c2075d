"""End-to-end: the real functions server over real HTTP against a real database.

``api`` is parametrised: ``local`` starts a migrated scratch database on the embedded
stack (ops/supabase/db.sh) and the server as a subprocess; ``supabase`` runs the same
server against a hosted Supabase project when SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY,
SUPABASE_JWT_SECRET and SUPABASE_DB_URL are set; ``deployed`` starts nothing and calls the
functions deployed at E2E_FUNCTIONS_URL (AWS Lambda or a container host; tokens minted
with SUPABASE_JWT_SECRET, rows checked in SUPABASE_DB_URL). Each is skipped with the
reason when its variables are missing.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from estimator_core.cli import DEFAULT_CATALOG, SAMPLE_PROFILE, load_catalog
from functions._shared.auth import mint_token
from functions._shared.blobs import LocalBlobStore
from functions.dev import ensure_user, seed_catalog
from tests.integration.support import DB_SH, ROOT, db_url, run

E2E_DB = f"kis_it_e2e_{os.getpid()}"  # per session: two runs never share it
REMOTE_VARS = (
    "SUPABASE_URL",
    "SUPABASE_SERVICE_ROLE_KEY",
    "SUPABASE_JWT_SECRET",
    "SUPABASE_DB_URL",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Api:
    """A running functions server and what a test needs to talk to it."""

    mode: str
    base: str
    secret: str
    database_url: str
    storage_dir: Path | None
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def url(self, path: str) -> str:
        return f"{self.base}/functions/v1/{path.lstrip('/')}"

    def stored_file(self, bucket: str, name: str) -> Path:
        """The local blob store's file of the object ``name`` (to tamper with it)."""
        assert self.storage_dir is not None
        return LocalBlobStore(self.storage_dir, self.secret, self.base).file_of(bucket, name)

    def token(self, user: str, **kw: Any) -> str:
        ensure_user(self.database_url, user)  # quotes.owner references auth.users
        return mint_token(self.secret, user, **kw)

    def headers(self, user: str = "alice", key: str | None = None, **kw: Any) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token(user, **kw)}"}
        if key is not None:
            h["Idempotency-Key"] = key
        return h

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url, prepare_threshold=None) as conn:
            return list(conn.execute(query, args).fetchall())

    def start(self) -> None:
        if self.mode == "deployed":
            self.wait()
            return
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "functions", "serve", "--port", self.base.rsplit(":", 1)[1]],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
        )
        self.wait()

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.client.get(self.url("healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the functions server did not start in 30 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def _local(tmp: Path) -> Api:
    run([DB_SH, "up"])
    run([DB_SH, "drop-db", E2E_DB], check=False)
    run([DB_SH, "create-db", E2E_DB])
    url = db_url(E2E_DB)
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    port = free_port()
    secret = secrets.token_hex(32)
    storage = tmp / "storage"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SUPABASE")},
        "DATABASE_URL": url,
        "JWT_SECRET": secret,
        "STORAGE_DIR": str(storage),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    return Api("local", f"http://127.0.0.1:{port}", secret, url, storage, env)


def _remote() -> Api:
    missing = [v for v in REMOTE_VARS if not os.environ.get(v)]
    if missing:
        pytest.skip(f"no Supabase project configured (set {', '.join(missing)})")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["SUPABASE_DB_URL"],
        "JWT_SECRET": os.environ["SUPABASE_JWT_SECRET"],
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    seed_catalog(env["DATABASE_URL"], load_catalog(DEFAULT_CATALOG))
    return Api(
        "supabase", f"http://127.0.0.1:{port}", env["JWT_SECRET"], env["DATABASE_URL"], None, env
    )


def _deployed() -> Api:
    needed = ("E2E_FUNCTIONS_URL", "SUPABASE_JWT_SECRET", "SUPABASE_DB_URL")
    missing = [v for v in needed if not os.environ.get(v)]
    if missing:
        pytest.skip(f"no deployed functions to test (set {', '.join(missing)})")
    database_url = os.environ["SUPABASE_DB_URL"]
    seed_catalog(database_url, load_catalog(DEFAULT_CATALOG))
    base = os.environ["E2E_FUNCTIONS_URL"].rstrip("/")
    return Api("deployed", base, os.environ["SUPABASE_JWT_SECRET"], database_url, None, {})


@pytest.fixture(scope="session", params=["local", "supabase", "deployed"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if request.param == "local":
        server = _local(tmp_path_factory.mktemp("e2e"))
    elif request.param == "supabase":
        server = _remote()
    else:
        server = _deployed()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.client.close()
        if server.mode == "local":
            run([DB_SH, "drop-db", E2E_DB], check=False)


def set_profile(api: Api, name: str) -> dict[str, Any]:
    """Set the sample company profile under ``name`` (as a catalog admin); documents need one."""
    body = {**json.loads(SAMPLE_PROFILE.read_text("utf-8")), "name": name}
    res = api.client.put(
        api.url("company-profile"), json=body, headers=api.headers("pat", app_role="catalog_admin")
    )
    assert res.status_code == 200, res.text
    saved: dict[str, Any] = res.json()
    return saved
