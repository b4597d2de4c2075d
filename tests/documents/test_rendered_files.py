"""The documents as a customer's tools see them: LibreOffice recalculates the workbook of
every regression case to the engine's figures, poppler reads the PDF's text and renders
its pages (kept under .local/test-output/documents for people to look at), and two
processes write byte-identical files. Needs the OS packages ops/supabase/install.sh adds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from estimator_core.catalog import Catalog
from estimator_core.cli import DEFAULT_FONT, SAMPLE_PROFILE
from estimator_core.documents import (
    ProjectDocument,
    QuoteDocument,
    document_from_result,
    parse_company_profile,
    project_document_from_result,
)
from estimator_core.documents.pdf import ParsedFont, render_pdf, render_project_pdf
from estimator_core.documents.xlsx import (
    lines_layout,
    render_project_xlsx,
    render_xlsx,
    summary_layout,
)
from estimator_core.pipeline import estimate
from estimator_core.project import estimate_project
from tests.conftest import ISSUED_AT, ROOT, example
from tests.unit.test_pricing import DEALER, with_policies
from tests.unit.test_project import LP1, LP2, PP1, project

pytestmark = pytest.mark.slow

CASES = sorted((ROOT / "tests" / "regression" / "cases").glob("*.json"))
OUTPUT = ROOT / ".local" / "test-output" / "documents"
# Calc keeps an xlsx file's cached values unless told to recalculate on load (0 = always).
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: run ops/supabase/install.sh"
    return path


def case_doc(path: Path, catalog: Catalog) -> QuoteDocument:
    case = json.loads(path.read_text(encoding="utf-8"))
    profile = parse_company_profile(json.loads(SAMPLE_PROFILE.read_text(encoding="utf-8")))
    quote = estimate(case["request"], catalog, issued_at=ISSUED_AT)
    return document_from_result(
        quote, catalog, profile=profile, quote_number=f"Q-2026-{path.stem[:2]}"
    )


def sample_profile() -> Any:
    return parse_company_profile(json.loads(SAMPLE_PROFILE.read_text(encoding="utf-8")))


# A policy whose 0.682 (0.62 × 1.1 margin) makes prices that are not whole, cut to ₩1,000.
MARGIN_DEALER = {**DEALER, "name": "margin", "margin": "0.1"}
SPD = {"section": "ACCESSORIES_OPTIONAL", "item": "SPD", "spec": "타사", "unit": "EA"}


def priced_doc(catalog: Catalog) -> QuoteDocument:
    """The office example under a dealer policy with a margin, plus a custom line."""
    body = {**example("office_ls_standard"), "pricing": "margin"}
    body["extras"] = [{**SPD, "qty": 2, "unit_price": 48_350}]
    quote = estimate(body, catalog, issued_at=ISSUED_AT)
    return document_from_result(quote, catalog, profile=sample_profile(), quote_number="Q-P")


def project_doc(catalog: Catalog, pricing: str | None) -> ProjectDocument:
    # A name with an apostrophe and a slash: its sheet name and the 총괄표's reference to it
    # must still work in Calc.
    body = project(("PP-1", 1, PP1), ("LP-1", 4, LP1), ("LP-2 B'동/3F", 3, LP2))
    if pricing:
        body["pricing"] = pricing
    quote = estimate_project(body, catalog, issued_at=ISSUED_AT)
    return project_document_from_result(
        quote, catalog, profile=sample_profile(), quote_number="Q-2026-000777"
    )


def test_libreoffice_recalculates_every_case_to_the_engine_figures(
    catalog: Catalog, tmp_path: Path
) -> None:
    soffice = tool("soffice")
    src = tmp_path / "in"
    src.mkdir()
    docs: dict[str, QuoteDocument] = {}
    for path in CASES:
        doc = case_doc(path, catalog)
        docs[path.stem] = doc
        (src / f"{path.stem}.xlsx").write_bytes(render_xlsx(doc))
    priced_catalog = with_policies(catalog, MARGIN_DEALER)
    priced = priced_doc(priced_catalog)
    assert priced.priced and priced.totals.rounding < 0 and priced.totals.discount != 0
    docs["priced"] = priced
    (src / "priced.xlsx").write_bytes(render_xlsx(priced))
    projects = {
        "project": project_doc(catalog, None),
        "project_priced": project_doc(priced_catalog, "margin"),
    }
    assert projects["project_priced"].totals.rounding < 0
    for name, pdoc in projects.items():
        (src / f"{name}.xlsx").write_bytes(render_project_xlsx(pdoc))
    # A file whose cached grand total is wrong proves Calc recalculated rather than echoed.
    first = docs[CASES[0].stem]
    wrong = first.totals.model_copy(update={"grand_total": first.totals.grand_total + 1})
    (src / "tampered.xlsx").write_bytes(render_xlsx(first.model_copy(update={"totals": wrong})))
    profile_dir = tmp_path / "lo"
    (profile_dir / "user").mkdir(parents=True)
    (profile_dir / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    out = tmp_path / "out"
    run = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile_dir.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            *sorted(str(p) for p in src.glob("*.xlsx")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr

    def figures(name: str, doc: QuoteDocument) -> dict[str, Any]:
        book = openpyxl.load_workbook(out / f"{name}.xlsx", data_only=True)
        ws = book["내역"]
        layout = lines_layout(doc)
        return {
            "prices": [ws.cell(r + 1, 6).value for r in layout.line_rows],
            "amounts": [ws.cell(r + 1, 7).value for r in layout.line_rows],
            "subtotals": [ws.cell(r + 1, 7).value for r in layout.subtotal_rows],
            "net": ws.cell(layout.net_row + 1, 7).value,
            "subtotal": ws.cell(layout.total_row + 1, 7).value,
            "vat": ws.cell(layout.vat_row + 1, 7).value,
            "grand_total": ws.cell(layout.grand_total_row + 1, 7).value,
        }

    for name, doc in docs.items():
        assert figures(name, doc) == {
            "prices": [x.unit_price for x in doc.lines],
            "amounts": [x.amount for x in doc.lines],
            "subtotals": [s.subtotal for s in doc.sections],
            "net": doc.net,
            "subtotal": doc.totals.subtotal,
            "vat": doc.totals.vat,
            "grand_total": doc.totals.grand_total,
        }, name
    assert figures("tampered", first)["grand_total"] == first.totals.grand_total

    for name, pdoc in projects.items():
        book = openpyxl.load_workbook(out / f"{name}.xlsx", data_only=True)
        ws = book["총괄표"]
        layout = summary_layout(pdoc)
        t = pdoc.totals
        recalculated = {
            "units": [ws.cell(r + 1, 4).value for r in layout.panel_rows],
            "amounts": [ws.cell(r + 1, 5).value for r in layout.panel_rows],
            "net": ws.cell(layout.net_row + 1, 5).value,
            "subtotal": ws.cell(layout.total_row + 1, 5).value,
            "vat": ws.cell(layout.vat_row + 1, 5).value,
            "grand_total": ws.cell(layout.grand_total_row + 1, 5).value,
        }
        assert recalculated == {
            "units": [r.unit_total for r in pdoc.summary],
            "amounts": [r.amount for r in pdoc.summary],
            "net": pdoc.net,
            "subtotal": t.subtotal,
            "vat": t.vat,
            "grand_total": t.grand_total,
        }, name
        if layout.rounding_row is not None and layout.discount_row is not None:
            assert ws.cell(layout.rounding_row + 1, 5).value == t.rounding
            assert ws.cell(layout.discount_row + 1, 5).value == -t.discount


def test_the_pdf_text_is_searchable_and_its_pages_render(
    office: dict[str, Any], catalog: Catalog
) -> None:
    profile = parse_company_profile(json.loads(SAMPLE_PROFILE.read_text(encoding="utf-8")))
    quote = estimate(office, catalog, issued_at=ISSUED_AT)
    doc = document_from_result(quote, catalog, profile=profile, quote_number="Q-2026-000123")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pdf = OUTPUT / "office_quote.pdf"
    pdf.write_bytes(render_pdf(doc, font=DEFAULT_FONT.read_bytes()))
    text = subprocess.run(
        [tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Q-2026-000123" in text
    assert "₩1,830,664" in text
    assert "일금 일백팔십삼만육백육십사원정 (VAT 포함)" in text
    assert "needs_review" in text
    info = subprocess.run(
        [tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "Pages:           4" in info
    assert "(A4)" in info
    fonts = subprocess.run(
        [tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "NanumGothic" in fonts and " yes yes yes " in fonts  # embedded, subset, unicode
    for old in OUTPUT.glob("office_quote-*.png"):
        old.unlink()
    subprocess.run(
        [tool("pdftoppm"), "-r", "60", "-png", str(pdf), str(OUTPUT / "office_quote")], check=True
    )
    assert len(list(OUTPUT.glob("office_quote-*.png"))) == 4
    xlsx = OUTPUT / "office_quote.xlsx"
    xlsx.write_bytes(render_xlsx(doc))
    assert openpyxl.load_workbook(BytesIO(xlsx.read_bytes())).sheetnames == [
        "표지",
        "내역",
        "상평형",
    ]


def test_the_project_pdf_names_every_panel_and_its_pages_render(catalog: Catalog) -> None:
    doc = project_doc(catalog, None)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pdf = OUTPUT / "project_quote.pdf"
    pdf.write_bytes(render_project_pdf(doc, font=DEFAULT_FONT.read_bytes()))
    (OUTPUT / "project_quote.xlsx").write_bytes(render_project_xlsx(doc))
    text = subprocess.run(
        [tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # PP-1 434,300 + LP-1 4 × 342,500 + LP-2 3 × 630,800 = 3,696,700; VAT 369,670.
    assert doc.totals.grand_total == 4_066_370
    assert "₩4,066,370" in text
    assert "일금 사백육만육천삼백칠십원정 (VAT 포함)" in text
    for row in doc.summary:
        assert row.name in text and f"₩{row.amount:,}" in text, row.name
    assert "Q-2026-000777" in text
    info = subprocess.run(
        [tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "(A4)" in info
    pages = int(next(x for x in info.splitlines() if x.startswith("Pages:")).split()[1])
    assert pages >= 2 + 2 * len(doc.panels)  # cover, summary, per panel lines and drawing
    for old in OUTPUT.glob("project_quote-*.png"):
        old.unlink()
    subprocess.run(
        [tool("pdftoppm"), "-r", "60", "-png", str(pdf), str(OUTPUT / "project_quote")],
        check=True,
    )
    assert len(list(OUTPUT.glob("project_quote-*.png"))) == pages


def test_two_processes_write_byte_identical_documents(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "estimator_core",
                "estimate",
                str(ROOT / "examples" / "office_ls_standard.json"),
                "--issued-at",
                ISSUED_AT,
                "--quote-number",
                "Q-2026-000123",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            # Different hash seeds: set iteration order must not reach the bytes.
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert run.returncode == 0, run.stderr
        outputs.append(out)
    for name in ("quote.xlsx", "quote.pdf", "drawing.svg", "drawing.dxf"):
        a, b = (o / name for o in outputs)
        assert a.read_bytes() == b.read_bytes(), name
        assert a.stat().st_size > 1000, name


def test_two_processes_write_byte_identical_project_documents(tmp_path: Path) -> None:
    body = project(("PP-1", 1, PP1), ("LP-1", 4, LP1), ("LP-2", 3, LP2))
    (tmp_path / "project.json").write_text(json.dumps(body), encoding="utf-8")
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "estimator_core",
                "estimate",
                str(tmp_path / "project.json"),
                "--issued-at",
                ISSUED_AT,
                "--quote-number",
                "Q-2026-000777",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert run.returncode == 0, run.stderr
        outputs.append(out)
    names = ["quote.xlsx", "quote.pdf"]
    names += [f"drawing-{p}.{ext}" for p in ("PP-1", "LP-1", "LP-2") for ext in ("svg", "dxf")]
    for name in names:
        a, b = (o / name for o in outputs)
        assert a.read_bytes() == b.read_bytes(), name
        assert a.stat().st_size > 1000, name


def test_a_font_parsed_once_renders_the_same_pdfs_as_a_font_parsed_per_document(
    catalog: Catalog,
) -> None:
    """A warm server worker keeps one ParsedFont; fpdf2 subsets a document's font in place,
    so one document's glyphs must never reach the next one's file."""
    font = DEFAULT_FONT.read_bytes()
    parsed = ParsedFont(font)
    docs = [case_doc(path, catalog) for path in CASES[:3]]
    # in turn, then again: the first documents' subsets must not change the later ones
    for doc in docs + docs:
        assert render_pdf(doc, font=parsed) == render_pdf(doc, font=font)
    project = project_doc(catalog, None)
    assert render_project_pdf(project, font=parsed) == render_project_pdf(project, font=font)
