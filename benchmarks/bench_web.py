"""Web client benchmarks: first-load JavaScript (gzip) and time to interactive.

Runs the browser tests (tests/web/test_browser.py: Chromium against a local stack
serving web/dist), which record both in .local/test-output/web/metrics.json, and formats
them. Targets (issue 13): first load < 300 KB of JS gzip, time to interactive < 1 s.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
METRICS = ROOT / ".local" / "test-output" / "web" / "metrics.json"


def measure() -> dict[str, Any]:
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/web"],
        cwd=ROOT,
        check=True,
    )
    data: dict[str, Any] = json.loads(METRICS.read_text(encoding="utf-8"))
    return data


def section(data: dict[str, Any]) -> str:
    js = data["first_load_js"]
    runs = data["time_to_interactive"]

    def stats(key: str) -> str:
        values = [r[key] for r in runs if r.get(key) is not None]
        return f"{statistics.median(values):.0f} / {max(values):.0f} ms"

    files = ", ".join(f"`{f['file']}` {f['gzip'] / 1024:.1f} KB" for f in js["files"])
    return (
        "## Web client (`web/dist` served by the functions server, Chromium headless)\n\n"
        "First load = the scripts `index.html` loads (gzip level 9); supabase-js is a "
        "separate chunk loaded only when a Supabase project is configured. Time to "
        "interactive = navigation start → the sign-in form is usable (its client-config "
        f"call answered), {len(runs)} cold loads, each in a fresh browser context.\n\n"
        "| measure | result | target |\n|---|---|---|\n"
        f"| first-load JS, gzip | {js['gzip_bytes'] / 1024:.1f} KB ({files}; "
        f"{js['raw_bytes'] / 1024:.0f} KB raw) | < 300 KB |\n"
        f"| DOMContentLoaded: median / max | {stats('dom_content_loaded_ms')} | - |\n"
        f"| app mounted: median / max | {stats('app_mounted_ms')} | - |\n"
        f"| time to interactive (sign-in usable): median / max | {stats('signin_ready_ms')} "
        "| < 1000 ms |\n"
    )


def run() -> str:
    return section(measure())


if __name__ == "__main__":
    print(section(json.loads(METRICS.read_text(encoding="utf-8"))))
