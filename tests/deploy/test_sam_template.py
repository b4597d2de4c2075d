"""deploy/aws/template.yaml: valid for cfn-lint (with the SAM transform), and what it
promises: an image function behind an HTTP API (payload 2.0), configuration the functions
actually read, secrets from Secrets Manager, and a role that can only write its own logs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

from tests.integration.support import ROOT

TEMPLATE = ROOT / "deploy" / "aws" / "template.yaml"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def cfn_lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CFN_LINT), "--format", "parseable", str(path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def template() -> dict[str, Any]:
    doc, matches = decode_str(TEMPLATE.read_text())
    assert not matches, matches
    assert doc is not None
    return dict(doc)


def test_the_template_passes_cfn_lint() -> None:
    result = cfn_lint(TEMPLATE)

    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("MemorySize: 1024", "MemorySize: 64"))

    result = cfn_lint(broken)

    assert result.returncode != 0
    assert "MemorySize" in result.stdout or "64" in result.stdout, result.stdout


def test_one_image_function_serves_every_path_of_an_http_api() -> None:
    resources = template()["Resources"]
    fn = resources["Functions"]["Properties"]

    assert fn["PackageType"] == "Image"
    assert resources["Functions"]["Metadata"]["DockerBuildTarget"] == "lambda"
    assert fn["Architectures"] == ["x86_64"]
    assert fn["Timeout"] < 30
    event = fn["Events"]["Api"]
    assert event["Type"] == "HttpApi"
    assert event["Properties"]["Path"] == "/{proxy+}"
    assert event["Properties"]["PayloadFormatVersion"] == "2.0"


def test_every_environment_variable_is_one_the_functions_read() -> None:
    env = template()["Resources"]["Functions"]["Properties"]["Environment"]["Variables"]
    settings = (ROOT / "functions" / "_shared" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()

    for name in env:
        assert f'get("{name}")' in settings, name
        assert re.search(rf"^{name}=", example, re.M), f"{name} is missing from .env.example"


def test_secrets_come_from_secrets_manager_never_from_plain_parameters() -> None:
    doc = template()
    env = doc["Resources"]["Functions"]["Properties"]["Environment"]["Variables"]
    text = json.dumps(env)

    for secret in ("SUPABASE_DB_URL", "SUPABASE_SECRET_KEY", "SUPABASE_JWT_SECRET"):
        assert f"resolve:secretsmanager:${{SecretName}}:SecretString:{secret}" in text
    assert not [p for p in doc["Parameters"] if re.search(r"key|password|db_?url", p, re.I)]


def test_the_role_can_only_write_its_own_log_group() -> None:
    role = template()["Resources"]["FunctionsRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]

    assert "ManagedPolicyArns" not in role
    assert [s["Action"] for s in statements] == [["logs:CreateLogStream", "logs:PutLogEvents"]]
    assert json.dumps(statements[0]["Resource"]) == json.dumps(
        {"Fn::Sub": "${FunctionsLogGroup.Arn}:*"}
    )
    assume = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert assume["Principal"] == {"Service": "lambda.amazonaws.com"}
