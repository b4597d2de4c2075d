"""The code before the performance work of issue 15, for old-vs-new in one run.

``old_tree()`` extracts ``estimator_core`` and ``functions`` at ``BASE`` (override with
``$KIS_BENCH_BASE``) into ``.local/bench-old/<commit>`` with ``git archive`` (no worktree
is registered) and compiles their bytecode, as ``make compile`` does for the new code. A
process started with that directory as its working directory imports the old packages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# main before issue 15's engine and process work
BASE = "250afef"


def base_commit() -> str:
    ref = os.environ.get("KIS_BENCH_BASE") or BASE
    out = subprocess.run(
        ["git", "rev-parse", "--short", f"{ref}^{{commit}}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def old_tree() -> Path:
    commit = base_commit()
    target = ROOT / ".local" / "bench-old" / commit
    if not (target / ".done").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", commit, "estimator_core", "functions", "examples"],
            cwd=ROOT, capture_output=True, check=True,
        )  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "estimator_core", "functions"],
            cwd=target, check=True,
        )  # fmt: skip
        (target / ".done").write_text(commit)
    return target
