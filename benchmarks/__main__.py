"""``python -m benchmarks``: run every benchmark and write benchmarks/RESULTS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import bench_balance, bench_documents, bench_http, bench_pipeline, bench_web


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


def main() -> None:
    sections = [
        bench_pipeline.run(),
        bench_balance.run(),
        bench_documents.run(),
        bench_http.run(),
        bench_web.run(),
    ]
    text = "# Benchmark results\n\n" + machine() + "\n" + "\n".join(sections)
    out = Path(__file__).parent / "RESULTS.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
