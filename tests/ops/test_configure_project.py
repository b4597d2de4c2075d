"""ops/supabase/configure_project.sh: config push, buckets, the functions' secret, and the
manual steps — against stand-ins: a recording Supabase CLI, the fake Storage API and an
aws CLI that keeps one Secrets Manager secret in a file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from .conftest import FakeStorage, script_env, sh

REF = "abcdefghijklmnopqrst"
DB_URL = "postgresql://postgres.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres"
SECRET_NAME = "kis-estimator/functions"

FAKE_SUPABASE = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$CALLS"
"""

# get-secret-value / create-secret / put-secret-value on a JSON file, as the aws CLI answers
FAKE_AWS = r"""#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$*" >> "$AWS_CALLS"
op="$2"; shift 2
file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --secret-string) file="${2#file://}"; shift 2 ;;
    *) shift ;;
  esac
done
case "$op" in
  get-secret-value)
    if [ -f "$SECRET_STORE" ]; then cat "$SECRET_STORE"; else
      echo "An error occurred (ResourceNotFoundException) when calling GetSecretValue" >&2
      exit 254
    fi ;;
  create-secret) cp "$file" "$SECRET_STORE"; echo '{"ARN": "arn"}' ;;
  put-secret-value) cp "$file" "$SECRET_STORE"; echo '{"ARN": "arn"}' ;;
esac
"""


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def tools(tmp_path: Path, fake_storage: FakeStorage) -> dict[str, str]:
    fake_storage.key = f"sb_secret_{fake_storage.key}"
    return {
        "SUPABASE_CLI": str(executable(tmp_path / "supabase", FAKE_SUPABASE)),
        "AWS_CLI": str(executable(tmp_path / "aws", FAKE_AWS)),
        "CALLS": str(tmp_path / "supabase.calls"),
        "AWS_CALLS": str(tmp_path / "aws.calls"),
        "SECRET_STORE": str(tmp_path / "secret.json"),
        "SUPABASE_ACCESS_TOKEN": "sbp_0123456789abcdef",
        "SUPABASE_PROJECT_REF": REF,
        "SUPABASE_URL": fake_storage.url,
        "SUPABASE_SECRET_KEY": fake_storage.key,
        "SUPABASE_DB_URL": DB_URL,
    }


def test_a_project_is_configured_for_aws_and_a_second_run_changes_nothing(
    tools: dict[str, str], fake_storage: FakeStorage
) -> None:
    env = script_env(**tools, FUNCTIONS_TARGET="aws")

    first = sh("configure_project.sh", env=env)

    assert first.returncode == 0, first.report()
    calls = Path(tools["CALLS"]).read_text().splitlines()
    assert calls and calls[0].endswith(f"config push --remote={REF} --yes")
    assert "--workdir" in calls[0]
    assert sorted(fake_storage.buckets) == ["documents", "evidence"]
    stored = json.loads(Path(tools["SECRET_STORE"]).read_text())
    assert stored == {"SUPABASE_DB_URL": DB_URL, "SUPABASE_SECRET_KEY": fake_storage.key}
    assert f"secret {SECRET_NAME}: created" in first.stdout
    assert "Still to do by hand" in first.stdout
    assert f"{fake_storage.url}/auth/v1/.well-known/jwks.json" in first.stdout
    # no secret on a command line, none printed
    aws_calls = Path(tools["AWS_CALLS"]).read_text()
    for secret in (fake_storage.key, "pw@"):
        assert secret not in aws_calls
        assert secret not in first.stdout

    second = sh("configure_project.sh", env=env)

    assert second.returncode == 0, second.report()
    assert f"secret {SECRET_NAME}: unchanged" in second.stdout
    assert second.stdout.count("bucket") >= 2 and "created" not in second.stdout
    assert "put-secret-value" not in Path(tools["AWS_CALLS"]).read_text()


def test_a_changed_key_updates_the_secret(tools: dict[str, str]) -> None:
    env = script_env(**tools, FUNCTIONS_TARGET="aws")
    assert sh("configure_project.sh", env=env).returncode == 0

    env["SUPABASE_JWT_SECRET"] = "legacy-jwt-secret-legacy-jwt-secret-0123"
    result = sh("configure_project.sh", env=env)

    assert result.returncode == 0, result.report()
    assert f"secret {SECRET_NAME}: updated" in result.stdout
    stored = json.loads(Path(tools["SECRET_STORE"]).read_text())
    assert stored["SUPABASE_JWT_SECRET"] == env["SUPABASE_JWT_SECRET"]


def test_a_container_target_lists_the_variables_and_writes_no_secret(
    tools: dict[str, str],
) -> None:
    result = sh("configure_project.sh", env=script_env(**tools, FUNCTIONS_TARGET="container"))

    assert result.returncode == 0, result.report()
    assert "SUPABASE_DB_URL, SUPABASE_SECRET_KEY" in result.stdout
    assert not Path(tools["AWS_CALLS"]).exists()


def test_missing_variables_are_all_named_before_anything_runs(tools: dict[str, str]) -> None:
    env = script_env(
        **{k: v for k, v in tools.items() if k not in ("SUPABASE_ACCESS_TOKEN", "SUPABASE_DB_URL")},
        FUNCTIONS_TARGET="aws",
    )

    result = sh("configure_project.sh", env=env)

    assert result.returncode != 0
    assert "missing: SUPABASE_ACCESS_TOKEN" in result.stdout
    assert "missing: SUPABASE_DB_URL" in result.stdout
    assert not Path(tools["CALLS"]).exists()


def test_an_unknown_target_is_refused(tools: dict[str, str]) -> None:
    result = sh("configure_project.sh", env=script_env(**tools, FUNCTIONS_TARGET="gcp"))

    assert result.returncode != 0
    assert "FUNCTIONS_TARGET must be aws, container or none" in result.stdout
