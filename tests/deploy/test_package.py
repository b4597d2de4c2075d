"""The deployment artefacts: ``make package`` (deploy/package.py) and the Dockerfile.

The zip writer is deterministic (sorted entries, one timestamp, fixed modes). One real
build from uv.lock (Linux x86_64 wheels) is checked against Lambda's unzipped limit, then
run with a bare Python (stdlib only, the packaged tree on the path): the Lambda handler
answers an HTTP API event, and the Dockerfile's own start command and health check serve
and pass. No Docker engine is needed; the image runs these same commands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy import package
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from estimator_core.pipeline import estimate
from tests.conftest import ISSUED_AT
from tests.e2e.conftest import free_port
from tests.integration.support import ROOT

DOCKERFILE = ROOT / "deploy" / "container" / "Dockerfile"


def tree(root: Path, names: list[str]) -> Path:
    for i, name in enumerate(names):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"content of {name}\n")
        os.utime(path, (1_700_000_000 + i * 977, 1_700_000_000 + i * 977))
    return root


def test_the_zip_is_byte_identical_whatever_the_file_times_and_creation_order(
    tmp_path: Path,
) -> None:
    names = ["b/mod.py", "a.py", "b/__init__.py", "c/data.json"]
    first = tree(tmp_path / "one", names)
    second = tree(tmp_path / "two", list(reversed(names)))
    os.utime(second / "a.py", (1_800_000_000, 1_800_000_000))

    package.write_zip(first, tmp_path / "one.zip")
    package.write_zip(second, tmp_path / "two.zip")

    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()


def test_zip_entries_are_sorted_with_one_timestamp_and_plain_modes(tmp_path: Path) -> None:
    site = tree(tmp_path / "site", ["z.py", "a/b.py", "a/c.so"])
    (site / "a" / "c.so").chmod(0o755)

    unzipped = package.write_zip(site, tmp_path / "out.zip")

    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == ["a/b.py", "a/c.so", "z.py"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in infos}
    assert modes == {"a/b.py": 0o644, "a/c.so": 0o755, "z.py": 0o644}
    assert unzipped == sum(len(f"content of {n}\n") for n in ["z.py", "a/b.py", "a/c.so"])


# --- one real build -------------------------------------------------------------------------


class Built:
    def __init__(self, zip_path: Path, site: Path, output: str, python: Path) -> None:
        self.zip = zip_path
        self.site = site
        self.output = output
        self.python = python  # a bare interpreter: the standard library only


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("package")
    out = tmp / "lambda.zip"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "package.py"), "--out", str(out),
         "--work", str(tmp / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = tmp / "unzipped"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(site)
    venv = tmp / "bare"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    return Built(out, site, proc.stdout, venv / "bin" / "python")


def test_the_package_reports_its_size_against_lambdas_limits(built: Built) -> None:
    match = re.search(r"unzipped\s+([\d.]+) MB", built.output)
    assert match, built.output
    unzipped = sum(p.stat().st_size for p in built.site.rglob("*") if p.is_file())

    assert abs(float(match.group(1)) - unzipped / 1e6) < 0.1
    assert unzipped < package.LAMBDA_IMAGE_LIMIT
    fits = unzipped <= package.LAMBDA_UNZIPPED_LIMIT
    assert ("as a zip  fits" in built.output) == fits, built.output


def test_the_package_holds_the_code_and_locked_wheels_and_nothing_local(built: Built) -> None:
    names = set(zipfile.ZipFile(built.zip).namelist())

    assert "functions/lambda_handler.py" in names
    assert "estimator_core/catalogs/v1.1.0/catalog.json" in names
    assert any(n.startswith("functions/__pycache__/lambda_handler.cpython-311") for n in names)
    assert any(n.startswith("awslambdaric/") for n in names)
    assert any(re.match(r"numpy/_core/_multiarray_umath\.cpython-311-x86_64-linux-gnu\.so", n)
               for n in names)  # fmt: skip
    assert not [n for n in names if n.startswith(("tests/", ".env", ".local/", "bin/"))]
    lock = (ROOT / "uv.lock").read_text()
    fastapi = next(m for n in names if (m := re.match(r"fastapi-([\d.]+)\.dist-info/METADATA", n)))
    version = fastapi.group(1)
    assert f'name = "fastapi"\nversion = "{version}"' in lock


HEALTHZ_EVENT = {
    "version": "2.0",
    "routeKey": "ANY /{proxy+}",
    "rawPath": "/functions/v1/healthz",
    "rawQueryString": "",
    "headers": {"host": "abc123.execute-api.eu-central-1.amazonaws.com",
                "x-trace-id": "pkg-trace-1"},
    "requestContext": {
        "http": {"method": "GET", "path": "/functions/v1/healthz", "protocol": "HTTP/1.1",
                 "sourceIp": "203.0.113.7", "userAgent": "t"},
        "stage": "$default",
        "requestId": "r1",
    },
    "isBase64Encoded": False,
}  # fmt: skip


def test_the_packaged_lambda_handler_answers_an_http_api_event(
    built: Built, tmp_path: Path
) -> None:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "import functions.lambda_handler as h; "
        "assert h._built is not None, 'not built at init'; "
        "print(json.dumps(h.handler(json.loads(sys.argv[2]), None)))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_FUNCTION_NAME": "kis-estimator-functions",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none",  # healthz needs no database
        "JWT_SECRET": "x" * 40,
        "STORAGE_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [str(built.python), "-I", "-c", code, str(built.site), json.dumps(HEALTHZ_EVENT)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["statusCode"] == 200
    assert answer["headers"]["x-trace-id"] == "pkg-trace-1"
    assert json.loads(answer["body"])["status"] == "ok"


def test_the_packaged_engine_prices_a_quote_with_the_solver_libraries_it_ships(
    built: Built,
) -> None:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "from ortools.sat.python import cp_model; import numpy, pandas; "
        "cp_model.CpSolver(); "
        "from estimator_core.cli import DEFAULT_CATALOG, load_catalog; "
        "from estimator_core.pipeline import estimate; "
        "q = estimate(json.loads(sys.argv[2]), load_catalog(DEFAULT_CATALOG), "
        "issued_at='2026-01-01T00:00:00Z'); "
        "print(q.result.totals.grand_total, q.evidence_root)"
    )
    request = (ROOT / "examples" / "apartment_sangdo.json").read_text()
    proc = subprocess.run(
        [str(built.python), "-I", "-c", code, str(built.site), request],
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    here = estimate(json.loads(request), load_catalog(DEFAULT_CATALOG), issued_at=ISSUED_AT)

    assert proc.returncode == 0, proc.stderr
    # the same engine: the same evidence, to the byte, from the package as from the checkout
    assert proc.stdout.split() == ["515240", here.evidence_root]


def dockerfile_exec(instruction: str, stage: str) -> list[str]:
    """The exec-form ``instruction`` (CMD, or the health check's CMD) of ``stage``."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    part = text.split(f" AS {stage}\n", 1)[1].split("\nFROM ", 1)[0]
    pattern = (
        r"^HEALTHCHECK .*?CMD (\[.*\])$" if instruction == "HEALTHCHECK" else r"^CMD (\[.*\])$"
    )
    match = re.search(pattern, part, re.M)
    assert match, f"no {instruction} in stage {stage}"
    args: list[str] = json.loads(match.group(1))
    return args


@pytest.fixture
def container(built: Built, tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The service image's start command, as the image runs it: its python with the
    packaged tree on PYTHONPATH, the port from $PORT."""
    cmd = dockerfile_exec("CMD", "service")
    assert cmd[0] == "python"
    port = free_port()
    env = {
        "PATH": f"{built.python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(built.site),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PORT": str(port),
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none",
        "JWT_SECRET": "x" * 40,
        "STORAGE_DIR": str(tmp_path),
    }
    proc = subprocess.Popen(
        [str(built.python), *cmd[1:]], cwd=built.site, env=env, stdin=subprocess.DEVNULL
    )
    try:
        yield port, env
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_service_image_start_command_serves_on_port_and_passes_its_health_check(
    container: tuple[int, dict[str, str]], built: Built
) -> None:
    port, env = container
    url = f"http://127.0.0.1:{port}/functions/v1/healthz"
    deadline = time.monotonic() + 60
    res = None
    while time.monotonic() < deadline:
        try:
            res = httpx.get(url, timeout=5)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    assert res is not None, f"nothing answered on $PORT {port}"
    check = dockerfile_exec("HEALTHCHECK", "service")
    health = subprocess.run(
        [str(built.python), *check[1:]], env=env, capture_output=True, timeout=30, check=False
    )

    assert res.status_code == 200
    assert res.headers["x-trace-id"]
    assert health.returncode == 0, health.stderr


def test_the_lambda_image_runs_the_handler_under_the_runtime_interface_client() -> None:
    text = DOCKERFILE.read_text()
    lam = text.split(" AS lambda\n", 1)[1].split("\nFROM ", 1)[0]

    assert 'ENTRYPOINT ["python", "-m", "awslambdaric"]' in lam
    assert dockerfile_exec("CMD", "lambda") == ["functions.lambda_handler.handler"]


def test_both_images_run_as_a_non_root_user() -> None:
    users = re.findall(r"^USER (\S+)$", DOCKERFILE.read_text(), re.M)

    assert len(users) == 2
    assert all(u.split(":")[0] not in ("0", "root") for u in users)


def test_the_dockerfile_passes_hadolint(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "hadolint"
    clean = subprocess.run([str(exe), "--no-color", str(DOCKERFILE)],
                           capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN apt-get install curl\n")
    dirty = subprocess.run([str(exe), "--no-color", str(bad)],
                           capture_output=True, text=True, timeout=60, check=False)  # fmt: skip

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert dirty.returncode != 0
    assert "DL3006" in dirty.stdout  # an untagged base image is caught: the check is real


def test_start_command_text_is_what_the_readme_documents() -> None:
    cmd = shlex.join(dockerfile_exec("CMD", "service"))

    assert cmd == "python -m functions serve --host 0.0.0.0"
