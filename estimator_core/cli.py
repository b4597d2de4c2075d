"""Command line: ``python -m estimator_core estimate|balance …``.

``estimate`` takes a panel request or a project (``{"project": …, "panels": […]}``).

This is the core's only I/O edge: it reads the request and catalog files, reads the
clock for ``--issued-at`` when none is given, for stage timings and for the balance's
time limit, and writes evidence files and the documents (quote.xlsx, quote.pdf,
drawing.svg, drawing.dxf; for a project one drawing-<panel>.svg/.dxf per panel); it
reads the company profile (a shipped sample unless ``--profile``) and the PDF's font
file and hands the renderers their bytes. Everything it calls is pure. Errors print the
one error shape and exit 2; a produced quote exits 0 whatever its status.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from estimator_core.catalog import Catalog
from estimator_core.catalogs import (
    CATALOGS,
    DEFAULT_CATALOG,
    SAMPLE_PROFILE,
    load_catalog,
    shipped_catalog_labels,
)
from estimator_core.errors import EstimatorError, ValidationFailed
from estimator_core.lines import SECTION_TITLES
from estimator_core.pipeline import Quote, estimate
from estimator_core.quote import LayoutBreaker, QuoteResult, TimedPhaseBalance

__all__ = [
    "CATALOGS",
    "DEFAULT_CATALOG",
    "DEFAULT_FONT",
    "SAMPLE_PROFILE",
    "load_catalog",
    "main",
    "project_summary",
    "shipped_catalog_labels",
    "summary",
]

if TYPE_CHECKING:  # the renderers (xlsx, PDF, DXF libraries) load only for --out
    from estimator_core.documents import CompanyProfile, RenderedDocument

    # a project's models are built only for a project (cold start of a panel estimate)
    from estimator_core.project import ProjectQuote, ProjectResult

# NanumGothic from the Debian package fonts-nanum (ops/supabase/install.sh installs it).
DEFAULT_FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def _read_json(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise ValidationFailed(f"cannot read {path}: {err.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ValidationFailed(
            f"{path} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}",
            [{"loc": "", "msg": err.msg, "line": err.lineno, "column": err.colno}],
        ) from None


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _result_json(result: QuoteResult | ProjectResult) -> str:
    return _dump(result.model_dump(mode="json"))


def _won(x: int) -> str:
    return f"₩{x:,}"


def summary(r: QuoteResult) -> str:
    """A readable quote: box, rows, phases, lines, totals, lint, status."""
    enc = r.enclosure
    box = enc.box
    req = enc.required
    main = r.layout.main
    out = [
        f"Status: {r.status}    catalog {r.catalog.label} ({r.catalog.sha256[:12]})",
        f"Enclosure: {box.model} {box.w}×{box.h}×{box.d} {_won(box.price)}"
        f"{' (custom)' if box.custom else ''}   required {req.w}×{req.h}×{req.d}"
        f"   fit {enc.fit_score:.3f}",
        "  H parts: " + ", ".join(f"{k}={v}" for k, v in enc.height_parts.items()),
        "",
        f"Main: {main.model} {main.at}A",
        "Rows (left | right):",
    ]

    def cell(b: LayoutBreaker | None) -> str:
        if b is None:
            return "-"
        return f"{b.id} {b.model} {b.poles}P {b.at}A [{b.phase}]" + (
            f" {b.label}" if b.label else ""
        )

    for row in r.layout.rows:
        out.append(f"  {row.row:>3}  {cell(row.left):<40} | {cell(row.right)}")
    pb = r.phase_balance
    out.append("")
    if isinstance(pb, TimedPhaseBalance):
        totals = "  ".join(f"{k} {v:g} A" for k, v in pb.totals_a.items())
        imb = pb.imbalance
        out.append(
            f"Phase balance ({pb.system}): {totals}   imbalance "
            f"{'n/a' if imb is None else f'{imb * 100:.2f} %'}   "
            f"{'proven optimal' if pb.proven_optimal else 'not proven optimal'} "
            f"(optimum {pb.optimum_a} A, lower bound {pb.lower_bound} A, "
            f"{pb.solve_ms:.1f} ms)"
        )
    else:
        out.append("Phase balance: not applicable (single-phase panel)")
    out.append("")
    section = None
    for line in r.lines:
        if line.section != section:
            section = line.section
            out.append(f"[{SECTION_TITLES[section]}]")
        out.append(
            f"  {line.item:<16} {line.spec:<28} {line.unit:<3} {line.qty:>7} "
            f"{line.unit_price:>10,} {line.amount:>12,}" + (f"  ({line.note})" if line.note else "")
        )
    t = r.totals
    out += [
        "",
        f"Subtotal {_won(t.subtotal)}   VAT {_won(t.vat)}   Grand total {_won(t.grand_total)}",
        "",
    ]
    lint = r.lint
    for level, findings in (
        ("ERROR", lint.errors),
        ("WARNING", lint.warnings),
        ("NOTE", lint.notes),
    ):
        for f in findings:
            out.append(f"{level:<7} {f.rule}: {f.message}")
    out.append(f"Evidence root {r.evidence_root}")
    return "\n".join(out)


def project_summary(r: ProjectResult) -> str:
    """A readable project: panels × qty, totals, status."""
    out = [
        f"Project: {r.project.name}  ({r.project.customer.name})    "
        f"status: {r.status}    catalog {r.catalog.label} "
        f"({r.catalog.sha256[:12]})" + (f"    pricing {r.pricing}" if r.pricing else ""),
        "",
        f"  {'panel':<20} {'qty':>5} {'unit total':>14} {'amount':>16}  status",
    ]
    for p in r.panels:
        out.append(f"  {p.name:<20} {p.qty:>5} {p.unit_total:>14,} {p.amount:>16,}  {p.status}")
    t = r.totals
    out.append("")
    if t.discount or t.rounding:
        out.append(
            f"List total {_won(t.list_total)}   discount {_won(t.discount)}   "
            f"rounding {t.rounding:,}"
        )
    out += [
        f"Subtotal {_won(t.subtotal)}   VAT {_won(t.vat)}   Grand total {_won(t.grand_total)}",
        f"Evidence root {r.evidence_root}",
    ]
    return "\n".join(out)


def _fail(err: EstimatorError, as_json: bool) -> NoReturn:
    if as_json:
        print(_dump({"error": err.to_dict()}))
    else:
        print(f"error {err.code}: {err.message}", file=sys.stderr)
        for d in err.details:
            print(f"  - {json.dumps(d, ensure_ascii=False)}", file=sys.stderr)
    raise SystemExit(2)


def _estimate(args: argparse.Namespace) -> None:
    catalog = load_catalog(Path(args.catalog))
    issued_at = args.issued_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = _read_json(args.request)
    if _is_project(body):
        _estimate_project(args, body, catalog, issued_at)
        return
    quote = estimate(
        body, catalog, issued_at=issued_at, estimator=args.estimator, clock=time.perf_counter
    )
    if args.out:
        out = Path(args.out)
        # Documents are rendered before anything is written: a bad profile or a missing
        # font leaves the directory untouched.
        from estimator_core.documents import parse_company_profile

        profile = parse_company_profile(_read_json(args.profile))
        documents = _render_documents(args, quote, catalog, profile, _read_font(Path(args.font)))
        for rec in quote.evidence:
            path = out / rec.filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rec.content)
        (out / "result.json").write_text(_result_json(quote.result) + "\n", encoding="utf-8")
        for rendered in documents:
            (out / rendered.filename).write_bytes(rendered.content)
    print(_result_json(quote.result) if args.json else summary(quote.result))


def _is_project(body: Any) -> bool:
    """``estimator_core.project.is_project`` without importing the project's models."""
    if not (isinstance(body, dict) and "panels" in body):
        return False
    from estimator_core.project import is_project

    return is_project(body)


def _estimate_project(
    args: argparse.Namespace, body: Any, catalog: Catalog, issued_at: str
) -> None:
    from estimator_core.project import estimate_project

    project = estimate_project(
        body, catalog, issued_at=issued_at, estimator=args.estimator, clock=time.perf_counter
    )
    if args.out:
        out = Path(args.out)
        from estimator_core.documents import parse_company_profile

        profile = parse_company_profile(_read_json(args.profile))
        font = _read_font(Path(args.font))
        documents = _render_project_documents(args, project, catalog, profile, font)
        # The project's own records, then every panel's (identical panels share theirs).
        records = [*project.evidence, *(r for p in project.panels for r in p.quote.evidence)]
        for rec in records:
            path = out / rec.filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rec.content)
        (out / "result.json").write_text(_result_json(project.result) + "\n", encoding="utf-8")
        for rendered in documents:
            (out / rendered.filename).write_bytes(rendered.content)
    print(_result_json(project.result) if args.json else project_summary(project.result))


def _render_project_documents(
    args: argparse.Namespace,
    project: ProjectQuote,
    catalog: Catalog,
    profile: CompanyProfile,
    font: bytes,
) -> tuple[RenderedDocument, ...]:
    from estimator_core.documents import project_document_from_result, render_project_documents

    sha = project.result.request_sha256
    number = args.quote_number or f"DRAFT-{sha[:8].upper()}"
    doc = project_document_from_result(project, catalog, profile=profile, quote_number=number)
    import logging  # only for the documents

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return render_project_documents(doc, font=font)


def _read_font(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise ValidationFailed(
            f"cannot read the PDF font {path}: {err.strerror} (install fonts-nanum or pass --font)"
        ) from None


def _render_documents(
    args: argparse.Namespace, quote: Quote, catalog: Catalog, profile: CompanyProfile, font: bytes
) -> tuple[RenderedDocument, ...]:
    from estimator_core.documents import document_from_result, render_documents

    sha = quote.result.request_sha256
    number = args.quote_number or f"DRAFT-{sha[:8].upper()}"
    doc = document_from_result(quote, catalog, profile=profile, quote_number=number)
    # fontTools logs every table it drops from the font subset; that is not news here.
    import logging  # only for the documents

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return render_documents(doc, font=font)


def _balance(args: argparse.Namespace) -> None:
    data = _read_json(args.circuits)
    from estimator_core.balance.cli_request import balance_request

    result = balance_request(data, time_limit_s=args.time_limit, clock=time.perf_counter)
    if args.json:
        print(_dump(result))
        return
    totals = "  ".join(f"{k} {v:g} A" for k, v in result["totals_a"].items())
    imb = result["imbalance"]
    print(f"Totals: {totals}")
    print(
        f"Imbalance: {'n/a' if imb is None else f'{imb * 100:.3f} %'}   "
        f"spread {result['spread_a']} A, lower bound {result['lower_bound']} A, "
        f"{'proven optimal' if result['proven_optimal'] else 'NOT proven optimal'}, "
        f"{result['solve_ms']:.1f} ms ({result['method']})"
    )
    for cid, group in result["assignment"].items():
        print(f"  {cid}: {group}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m estimator_core", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    est = sub.add_parser("estimate", help="estimate a panel request or a project")
    est.add_argument("request", help="request or project JSON file, or - for stdin")
    est.add_argument("--catalog", default=str(DEFAULT_CATALOG), help="catalog directory")
    est.add_argument("--issued-at", help="ISO 8601 issue time (default: now, UTC)")
    est.add_argument("--json", action="store_true", help="print the result JSON")
    est.add_argument(
        "--estimator",
        default="KIS Estimator",
        help="the estimator on the cover (the server records the user's e-mail)",
    )
    est.add_argument(
        "--out",
        help="write evidence files (stage/sha256.ext), result.json and the documents "
        "(quote.xlsx, quote.pdf, drawing.svg, drawing.dxf; for a project one "
        "drawing-<panel>.svg/.dxf per panel) to this directory",
    )
    est.add_argument(
        "--profile", default=str(SAMPLE_PROFILE), help="company profile JSON (default: a sample)"
    )
    est.add_argument("--quote-number", help="quote number on the documents (default: DRAFT-…)")
    est.add_argument(
        "--font", default=str(DEFAULT_FONT), help="TrueType font with Hangul, for the PDF"
    )
    bal = sub.add_parser("balance", help="balance circuits over three phases")
    bal.add_argument("circuits", help="circuits JSON file, or - for stdin")
    bal.add_argument("--time-limit", type=float, default=2.0, help="seconds (default 2)")
    bal.add_argument("--json", action="store_true", help="print the result JSON")
    args = parser.parse_args(argv)
    try:
        if args.command == "estimate":
            _estimate(args)
        else:
            if not 0 < args.time_limit <= 600:
                raise ValidationFailed("--time-limit must be in (0, 600] seconds")
            _balance(args)
    except EstimatorError as err:
        _fail(err, args.json)
