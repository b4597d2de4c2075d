"""Build the AWS Lambda artefact reproducibly: ``make package`` -> dist/lambda.zip.

From uv.lock only: ``uv export --frozen --no-dev --group lambda`` (pinned, with hashes),
installed with ``uv pip install --target --python-platform x86_64-manylinux_2_28
--python-version 3.11 --only-binary :all: --require-hashes`` (Linux x86_64 wheels whatever
machine builds it), then the project's own ``estimator_core`` and ``functions`` (sources
and the v1 catalog). manylinux_2_28, not 2014: numpy 2.4 and ortools 9.15 publish no
older wheels, so the tree needs glibc >= 2.27 — which is why Lambda runs it as a container
image (Dockerfile target ``lambda``, Debian bookworm) and not on the python3.11 managed
runtime (Amazon Linux 2, glibc 2.26). The Dockerfile builds its tree with this script too.
Bytecode is compiled with unchecked hashes and a fixed hash seed (no mtime inside a .pyc;
Lambda's /var/task is read-only, so an import could never cache it there). The zip lists
files in sorted order with one fixed timestamp and fixed modes, so the same lock file and
sources give the same bytes.

    python deploy/package.py [--out dist/lambda.zip] [--work .local/package]
    python deploy/package.py --site /opt/app --no-zip      # the tree only (Dockerfile)

It prints the zip's SHA-256, its size and the unzipped size against Lambda's 250 MB limit
for a zip (which the tree exceeds since the document renderers' libraries joined it:
another reason Lambda runs the image) and fails only above the 10 GB a container image
may hold.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bytes, function and layers together; conservative: AWS counts 250 MiB (262,144,000)
LAMBDA_UNZIPPED_LIMIT = 250 * 1000 * 1000
# what a Lambda container image may hold, uncompressed: the artefact Lambda runs
LAMBDA_IMAGE_LIMIT = 10 * 1000 * 1000 * 1000
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
SOURCES = ("estimator_core", "functions")
# What the runtime never reads: caches, tests of third-party packages, type stubs.
PRUNE_DIRS = {"__pycache__", "tests", "test"}
PRUNE_SUFFIXES = (".pyc", ".pyi", ".pyx", ".pxd")
# The AWS runtime brings its own boto3; nothing here needs it. Dev CLIs never ship.
PLATFORM = "x86_64-manylinux_2_28"
PYTHON = "3.11"


def uv() -> str:
    local = ROOT / ".tools" / "bin" / "uv"
    found = shutil.which("uv") or (str(local) if local.exists() else None)
    if not found:
        raise SystemExit("uv not found: make install")
    return found


def export_requirements(target: Path) -> None:
    subprocess.run(
        [uv(), "export", "--frozen", "--no-dev", "--group", "lambda", "--no-emit-project",
         "--quiet",
         "--format", "requirements-txt", "--output-file", str(target)],
        cwd=ROOT, check=True,
    )  # fmt: skip


def install(requirements: Path, site: Path) -> None:
    subprocess.run(
        [uv(), "pip", "install", "--quiet", "--no-config", "--require-hashes",
         "--target", str(site), "--python-platform", PLATFORM, "--python-version", PYTHON,
         "--only-binary", ":all:", "--no-deps", "--link-mode", "copy", "-r", str(requirements)],
        cwd=ROOT, check=True, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )  # fmt: skip


def copy_sources(site: Path) -> None:
    for package in SOURCES:
        shutil.copytree(
            ROOT / package,
            site / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )


def prune(site: Path) -> None:
    for path in sorted(site.rglob("*"), reverse=True):
        if path.is_dir() and path.name in PRUNE_DIRS and path.parent != site:
            shutil.rmtree(path)
        elif path.is_file() and path.suffix in PRUNE_SUFFIXES:
            path.unlink()
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts point at this machine


def compile_bytecode(site: Path) -> None:
    """.pyc beside each module (PEP 3147 layout), unchecked-hash: no mtime, reproducible."""
    code = (
        "import compileall, py_compile, sys; "
        "ok = compileall.compile_dir(sys.argv[1], quiet=2, workers=1, "
        "invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH); "
        "sys.exit(0 if ok else 1)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "315532800"}
    # compile errors in files no import reaches (templates, py2 leftovers) are not fatal
    subprocess.run([sys.executable, "-c", code, str(site)], env=env, check=False)


def write_zip(site: Path, out: Path) -> int:
    """Write ``site`` as a deterministic zip; return the unzipped size in bytes."""
    files = sorted(p for p in site.rglob("*") if p.is_file())
    total = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            name = path.relative_to(site).as_posix()
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            executable = os.access(path, os.X_OK) and path.suffix == ".so"
            info.external_attr = ((0o100755 if executable else 0o100644) & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever machine builds it
            data = path.read_bytes()
            total += len(data)
            zf.writestr(info, data, compresslevel=9)
    tmp.replace(out)
    return total


def build_site(site: Path, work: Path) -> None:
    """The deployable tree: locked dependencies for Linux x86_64 and the project's code."""
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    work.mkdir(parents=True, exist_ok=True)
    requirements = work / "requirements.txt"
    export_requirements(requirements)
    install(requirements, site)
    copy_sources(site)
    prune(site)
    compile_bytecode(site)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="deploy/package.py")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "lambda.zip")
    parser.add_argument("--work", type=Path, default=ROOT / ".local" / "package")
    parser.add_argument("--site", type=Path, help="where to build the tree (default: WORK/site)")
    parser.add_argument("--no-zip", action="store_true", help="build the tree only")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    site = (args.site or work / "site").resolve()
    build_site(site, work)
    if args.no_zip:
        print(site)
        return
    out = args.out.resolve()
    unzipped = write_zip(site, out)
    mb = 1000 * 1000
    print(out)
    print(f"sha256    {hashlib.sha256(out.read_bytes()).hexdigest()}")
    print(f"zipped    {out.stat().st_size / mb:.1f} MB")
    print(f"unzipped  {unzipped / mb:.1f} MB of Lambda's {LAMBDA_UNZIPPED_LIMIT // mb} MB")
    fits = "fits" if unzipped <= LAMBDA_UNZIPPED_LIMIT else "does not fit"
    print(f"as a zip  {fits} the managed runtime; Lambda runs the container image")
    if unzipped > LAMBDA_IMAGE_LIMIT:
        raise SystemExit("over the 10 GB a Lambda container image may hold")


if __name__ == "__main__":
    main()
