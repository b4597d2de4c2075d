"""Helpers for the integration tests: run commands from the repository root against the
local stack (ops/supabase/db.sh), the Supabase CLI and the PostgreSQL 15 client tools."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_SH = ROOT / "ops" / "supabase" / "db.sh"
ROLLBACK_SH = ROOT / "ops" / "supabase" / "rollback.sh"
SUPABASE = ROOT / "node_modules" / ".bin" / "supabase"
MIGRATIONS = ROOT / "db" / "migrations"
PGTAP_DIR = ROOT / "supabase" / "tests" / "database"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"
PORT = int(os.environ.get("KIS_DB_PORT", "54322"))  # as ops/supabase/db.sh
SCRATCH_PREFIX = "kis_it_"

ENV = {
    **os.environ,
    "PGHOST": HOST,
    "PGPORT": str(PORT),
    "PGUSER": "postgres",
    "PGPASSWORD": "postgres",
    "PGCONNECT_TIMEOUT": "5",
    "SUPABASE_TELEMETRY_DISABLED": "1",
    "DO_NOT_TRACK": "1",
}


def run(args: list[str | Path], *, check: bool = True, timeout: float = 240) -> Result:
    """Run a command from the repository root; on failure the assertion shows its output."""
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=ROOT,
        env=ENV,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    result = Result([str(a) for a in args], proc.returncode, proc.stdout, proc.stderr)
    if check:
        assert result.returncode == 0, result.report()
    return result


@dataclass(frozen=True)
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def report(self) -> str:
        return (
            f"command: {' '.join(self.args)}\nexit code: {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


def db_url(db: str = "postgres") -> str:
    return f"postgresql://postgres:postgres@{HOST}:{PORT}/{db}"


def cli_url(db: str = "postgres") -> str:
    """The URL for the Supabase CLI (plain TCP: the local cluster has no TLS)."""
    return db_url(db) + "?sslmode=disable"


def supabase(*args: str, check: bool = True) -> Result:
    return run([SUPABASE, "--workdir", ROOT, *args], check=check)


def psql(db: str, sql: str) -> str:
    """Run SQL (as the superuser) and return the unaligned, tuples-only output."""
    args: list[str | Path] = [PG_BIN / "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    return run([*args, "-d", db_url(db), "-c", sql]).stdout.strip()


def schema_dump(db: str) -> str:
    """The database's schema as pg_dump writes it, minus the CLI's history schema and the
    per-dump random restrict keys, so two dumps of equal schemas compare equal."""
    out = run(
        [PG_BIN / "pg_dump", "--schema-only", "--exclude-schema=supabase_migrations", db_url(db)]
    ).stdout
    return "\n".join(line for line in out.splitlines() if not re.match(r"^\\(un)?restrict ", line))


def migration_versions() -> list[str]:
    return sorted(p.name.split("_", 1)[0] for p in MIGRATIONS.glob("*.sql"))
