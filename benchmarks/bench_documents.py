"""Document rendering time per document for panels of 12, 40 and 200 circuits, next to the
engine's own time for the same request.

Run with ``python -m benchmarks`` (all) or ``python -m benchmarks.bench_documents``.
Goal (issue 10): the four documents add less than the engine itself to a 40-circuit request.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from benchmarks.bench_pipeline import panel
from estimator_core.cli import DEFAULT_CATALOG, DEFAULT_FONT, SAMPLE_PROFILE, load_catalog
from estimator_core.documents import document_from_result, parse_company_profile
from estimator_core.documents.dxf import render_dxf
from estimator_core.documents.pdf import ParsedFont, render_pdf
from estimator_core.documents.svg import render_svg
from estimator_core.documents.xlsx import render_xlsx
from estimator_core.pipeline import estimate

SIZES = (12, 40, 200)
RUNS = 10
ISSUED_AT = "2026-01-01T00:00:00Z"
T = TypeVar("T")


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    """The call's result and its wall time in ms."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - t0) * 1000


def run() -> str:
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    v1 = load_catalog(DEFAULT_CATALOG)
    rules = v1.rules.model_copy(update={"custom_enclosure_price_per_90000mm2": 30000})
    catalog = v1.model_copy(update={"rules": rules})
    profile = parse_company_profile(json.loads(SAMPLE_PROFILE.read_text(encoding="utf-8")))
    font = DEFAULT_FONT.read_bytes()
    parsed, parse_ms = timed(ParsedFont, font)
    rows = [
        "| circuits | engine ms | build ms | xlsx ms | pdf ms (old) | pdf ms (new) | svg ms "
        "| dxf ms | documents ms (old) | documents ms (new) | new / engine |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in SIZES:
        timings: dict[str, list[float]] = defaultdict(list)
        for seed in range(RUNS):
            quote, ms = timed(estimate, panel(size, seed), catalog, issued_at=ISSUED_AT)
            timings["engine"].append(ms)
            doc, ms = timed(
                document_from_result, quote, catalog, profile=profile, quote_number="Q-2026-000001"
            )
            timings["build"].append(ms)
            timings["xlsx"].append(timed(render_xlsx, doc)[1])
            # old and new alternate on the same document, so load drifts hit both alike
            timings["pdf"].append(timed(render_pdf, doc, font=font)[1])
            timings["pdf_new"].append(timed(render_pdf, doc, font=parsed)[1])
            timings["svg"].append(timed(render_svg, doc)[1])
            timings["dxf"].append(timed(render_dxf, doc)[1])
        med = {k: statistics.median(v) for k, v in timings.items()}
        docs = sum(med[k] for k in ("build", "xlsx", "pdf", "svg", "dxf"))
        new = docs - med["pdf"] + med["pdf_new"]
        rows.append(
            f"| {size} | {med['engine']:.1f} | {med['build']:.1f} | {med['xlsx']:.1f} "
            f"| {med['pdf']:.1f} | {med['pdf_new']:.1f} | {med['svg']:.1f} | {med['dxf']:.1f} "
            f"| {docs:.1f} | {new:.1f} | {new / med['engine']:.1f}× |"
        )
    head = (
        "## Quote documents (render time per document, in process, warm)\n\n"
        f"Medians of {RUNS} seeded panels per size (the pipeline benchmark's panels and "
        "catalog); the PDF embeds a subset of NanumGothic. `pdf (old)`: the font passed as "
        "bytes, parsed for every document (the CLI); `pdf (new)`: a `ParsedFont` kept by "
        "the warm worker, copied per document (the server), same bytes out; parsing it "
        f"once took {parse_ms:.0f} ms. `build` is `document_from_result`; `documents` is "
        "build plus the four renderers.\n\n"
    )
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run())
