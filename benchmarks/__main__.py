"""``python -m benchmarks [NAME …]``: run every benchmark (or the named ones: pipeline,
pipeline_old_new, cli, balance, documents, http, http_ab, create_quote, scale, cold_start, web,
project)
and write benchmarks/RESULTS.md; a partial run replaces only its own sections."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    bench_balance,
    bench_cli,
    bench_cold_start,
    bench_create_quote,
    bench_documents,
    bench_http,
    bench_http_ab,
    bench_pipeline,
    bench_project,
    bench_scale,
    bench_web,
)

BENCHES: dict[str, Callable[[], str]] = {
    "pipeline": bench_pipeline.run,
    "pipeline_old_new": bench_pipeline.run_old_new,
    "cli": bench_cli.run,
    "balance": bench_balance.run,
    "documents": bench_documents.run,
    "http": bench_http.run,
    "http_ab": bench_http_ab.run,
    "create_quote": bench_create_quote.run,
    "scale": bench_scale.run,
    "cold_start": bench_cold_start.run,
    "web": bench_web.run,
    "project": bench_project.run,
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit or 'unknown'}\n"
        f"- machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )


def _sections(text: str) -> dict[str, str]:
    """The ``## `` sections of a RESULTS.md, keyed by their heading line."""
    parts = text.split("\n## ")
    return {("## " + p).split("\n", 1)[0]: "## " + p for p in parts[1:]}


def main(argv: list[str] | None = None) -> None:
    names = argv if argv is not None else sys.argv[1:]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        raise SystemExit(f"unknown benchmark {unknown}; choose from {sorted(BENCHES)}")
    out = Path(__file__).parent / "RESULTS.md"
    fresh = [BENCHES[n]() for n in (names or list(BENCHES))]
    if names and out.exists():
        sections = _sections(out.read_text(encoding="utf-8"))
        for chunk in fresh:
            # a benchmark may answer several sections (balance: two): replace each
            for heading, section in _sections("\n" + chunk).items():
                sections[heading] = section
        body = [s.rstrip("\n") + "\n" for s in sections.values()]
    else:
        body = fresh
    text = "# Benchmark results\n\n" + machine() + "\n" + "\n".join(body)
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
