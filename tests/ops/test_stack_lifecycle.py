"""The local stack's own commands: `make up` starts what `make down` stops, completely;
`make up` refuses a port held by a stale server; `make up | cat` returns.

The functions server runs on a port of its own here (KIS_FUNCTIONS_PORT); the database is
this checkout's cluster (KIS_DB_PORT), started again afterwards for the tests that follow.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.support import DB_SH, run
from tests.integration.support import PORT as DB_PORT

ROOT = Path(__file__).resolve().parents[2]
PIDFILE = ROOT / ".local" / "run" / "functions.pid"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for every purpose here
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def servers_on(port: int) -> list[int]:
    """Pids of functions servers started for ``port`` (any parent, any wrapper)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"functions" in cmd and b"serve" in cmd and str(port).encode() in cmd:
            found.append(int(proc.name))
    return [p for p in found if alive(p)]


@pytest.fixture
def port() -> Iterator[int]:
    port = free_port()
    env_file = ROOT / ".env"
    had_env = env_file.exists()  # make up writes one (naming this port) if there is none
    yield port
    make("down", port, check=False)
    if not had_env:
        env_file.unlink(missing_ok=True)
    run([DB_SH, "up"])  # the database back for the tests that follow


def make(
    target: str, port: int, *, pipe: bool = False, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIS_FUNCTIONS_PORT": str(port), "KIS_DB_PORT": str(DB_PORT)}
    cmd = f"make --no-print-directory {target}" + (" 2>&1 | cat" if pipe else "")
    # a pipe that never closes would hang here: the timeout turns that into a failure
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_make_down_stops_everything_make_up_started(port: int) -> None:
    make("up", port, pipe=True)  # returns although its output goes through a pipe
    pid = int(PIDFILE.read_text())
    assert servers_on(port) == [pid]  # the pid file holds the server itself
    assert listening(port) and listening(DB_PORT)

    make("down", port)
    assert not alive(pid)
    assert servers_on(port) == []
    assert not listening(port)
    assert not listening(DB_PORT)
    assert not PIDFILE.exists()


def test_make_up_refuses_a_port_held_by_a_stale_server(port: int) -> None:
    with socket.socket() as stale:
        stale.bind(("127.0.0.1", port))
        stale.listen()
        result = make("up", port, check=False)
    assert result.returncode != 0
    assert f"port {port} is held by another process" in result.stdout + result.stderr
    assert servers_on(port) == []


def test_backups_are_ignored_by_git() -> None:
    # a backup holds user e-mails: it must never be committed by accident
    result = subprocess.run(
        ["git", "check-ignore", "-q", "backups/2026-11-22/auth_users.jsonl"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0


def test_make_reset_restarts_the_server_too(tmp_path: Path) -> None:
    # `make reset` wipes the database: it runs in a copy of this checkout with a cluster and
    # ports of its own, so a developer's local data is never touched.
    copy = tmp_path / "checkout"
    copy.mkdir()
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source, target = ROOT / name.decode(), copy / name.decode()
        if source.is_symlink():  # supabase/migrations → ../db/migrations
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)
    for shared in (".venv", "node_modules", ".tools"):
        if (ROOT / shared).exists():
            (copy / shared).symlink_to(ROOT / shared)
    (copy / ".local").mkdir()
    (copy / ".local" / ".stack-installed").touch()  # installed: the OS packages are shared
    web, db = free_port(), free_port()
    env = {**os.environ, "KIS_FUNCTIONS_PORT": str(web), "KIS_DB_PORT": str(db)}
    stack = copy / "ops" / "supabase" / "stack.sh"

    def sh(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["bash", str(stack), *args], cwd=copy, env=env, capture_output=True, text=True,
            timeout=300, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    pidfile = copy / ".local" / "run" / "functions.pid"
    try:
        sh("up")
        before = int(pidfile.read_text())
        sh("reset")
        after = int(pidfile.read_text())
        assert not alive(before)
        assert after != before and servers_on(web) == [after] and listening(web)
    finally:
        subprocess.run(
            ["bash", str(stack), "down"], cwd=copy, env=env, capture_output=True,
            timeout=120, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        cluster = copy / ".local" / "pg"  # db.sh may keep it where postgres can reach it
        if cluster.is_symlink():
            shutil.rmtree(cluster.resolve(), ignore_errors=True)
    assert servers_on(web) == [] and not listening(web) and not listening(db)
