"""Tests of the operator scripts in ops/supabase against the embedded local stack.

They run the scripts as an operator would, against scratch databases ``kis_it_*``
(migrated, or bootstrapped only) and temporary storage directories, never the main
``postgres`` database's data. The Storage API paths run against a small in-process fake
of Supabase Storage on 127.0.0.1 (no hosted service is ever called).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Api, free_port
from tests.integration.conftest import scratch_db, stack
from tests.integration.support import ENV, ROOT, Result

__all__ = ["scratch_db", "stack"]  # the integration fixtures, shared

OPS = ROOT / "ops" / "supabase"
# Variables an operator's shell may carry that would point the scripts elsewhere.
_SCRUB = ("DATABASE_URL", "STORAGE_DIR", "JWT_SECRET", "FUNCTIONS_URL", "FUNCTIONS_PORT",
          "DEPLOY_ENV", "SKIP_DB_PUSH", "CONFIRM_PUSH", "DRIFT_SCHEMAS", "PUBLIC_URL",
          "EVIDENCE_BUCKET", "DOCUMENTS_BUCKET", "KEEP_FUNCTIONS")  # fmt: skip


def script_env(**extra: str | Path) -> dict[str, str]:
    """The test environment without anything that selects a target, plus ``extra``."""
    env = {k: v for k, v in ENV.items() if not k.startswith("SUPABASE_") and k not in _SCRUB}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def sh(script: str, *args: str | Path, env: dict[str, str], timeout: float = 120) -> Result:
    """Run ops/supabase/<script> (stdout and stderr together, in order)."""
    cmd = [str(OPS / script), *map(str, args)]
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(cmd, proc.returncode, proc.stdout, "")


def start_api(database_url: str, storage: Path) -> Api:
    """The real functions server against ``database_url`` with local storage in ``storage``."""
    port = free_port()
    secret = secrets.token_hex(32)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SUPABASE")},
        "DATABASE_URL": database_url,
        "JWT_SECRET": secret,
        "STORAGE_DIR": str(storage),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    api = Api("local", f"http://127.0.0.1:{port}", secret, database_url, storage, env)
    api.start()
    return api


# --- a fake Supabase Storage API -------------------------------------------------------------


@dataclass
class FakeStorage:
    """Enough of Supabase Storage's REST API for the scripts: buckets and objects.

    A missing bucket answers as Storage does: HTTP 400 with ``"statusCode": "404"``.
    """

    key: str
    url: str = ""
    buckets: dict[str, dict[str, Any]] = field(default_factory=dict)
    objects: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def calls(self, method: str) -> list[str]:
        return [path for m, path in self.requests if m == method]


def key_accepted(key: str, apikey: str | None, headers: Any) -> bool:
    """As Supabase's gateway: the key in ``apikey``; a legacy JWT key also as the bearer,
    a new ``sb_`` key never (it is not a JWT)."""
    if apikey != key:
        return False
    if key.startswith("sb_"):
        return headers.get("Authorization") is None
    return bool(headers.get("Authorization") == f"Bearer {key}")


def _handler(fake: FakeStorage) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, code: int, body: bytes | dict[str, Any]) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            path = self.path.removeprefix("/storage/v1/")
            fake.requests.append((self.command, path))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if not key_accepted(fake.key, self.headers.get("apikey"), self.headers):
                return self._send(403, {"statusCode": "403", "error": "Unauthorized"})
            missing = {"statusCode": "404", "error": "Bucket not found", "message": "not found"}
            if path.startswith("bucket"):
                bucket_id = path.removeprefix("bucket").strip("/")
                if self.command == "GET":
                    if bucket_id in fake.buckets:
                        return self._send(200, fake.buckets[bucket_id])
                    return self._send(400, missing)
                doc = json.loads(body)
                if self.command == "POST":
                    fake.buckets[doc["id"]] = doc
                    return self._send(200, {"name": doc["id"]})
                if self.command == "PUT" and bucket_id in fake.buckets:
                    fake.buckets[bucket_id].update(doc)
                    return self._send(200, {"message": "Successfully updated"})
                return self._send(400, missing)
            if path.startswith("object/"):
                name = path.removeprefix("object/")
                if name.split("/", 1)[0] not in fake.buckets:
                    return self._send(400, missing)
                if self.command == "GET":
                    if name in fake.objects:
                        return self._send(200, fake.objects[name])
                    return self._send(400, {"statusCode": "404", "error": "not_found"})
                if self.command == "POST" and self.headers.get("x-upsert") == "true":
                    fake.objects[name] = body
                    return self._send(200, {"Key": name})
            return self._send(400, {"statusCode": "400", "error": "unsupported"})

        do_GET = do_POST = do_PUT = _handle

    return Handler


@pytest.fixture
def fake_storage() -> Iterator[FakeStorage]:
    fake = FakeStorage(key=secrets.token_hex(16))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
