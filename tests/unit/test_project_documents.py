"""Documents of priced quotes and of project quotes, read back: cells, formulas and cached
values against the engine's figures, the PDF's pages and text, file names, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import ezdxf
import openpyxl
import pytest
from pypdf import PdfReader

from estimator_core.catalog import Catalog
from estimator_core.cli import DEFAULT_FONT, SAMPLE_PROFILE
from estimator_core.documents import (
    Approval,
    CompanyProfile,
    ProjectDocument,
    QuoteDocument,
    approved_document,
    document_from_result,
    parse_company_profile,
    project_document_from_result,
    render_project_documents,
)
from estimator_core.documents.drawing import drawing_stems
from estimator_core.documents.dxf import render_dxf
from estimator_core.documents.model import discount_label
from estimator_core.documents.pdf import render_pdf, render_project_pdf
from estimator_core.documents.svg import render_svg
from estimator_core.documents.xlsx import (
    HEADER_ROW,
    PRICED_COLUMNS,
    lines_layout,
    render_project_xlsx,
    render_xlsx,
    sheet_names,
    summary_layout,
)
from estimator_core.pipeline import estimate
from estimator_core.project import ProjectResult, estimate_project
from tests.conftest import ISSUED_AT, ROOT
from tests.unit.test_evidence_and_cli import cli
from tests.unit.test_pricing import DEALER, with_policies
from tests.unit.test_project import LP1, LP2, PP1, project

SPD = {
    "section": "ACCESSORIES_OPTIONAL",
    "item": "SPD",
    "spec": "타사 20kA",
    "unit": "EA",
    "qty": 1,
    "unit_price": 55000,
}


@pytest.fixture(scope="module")
def profile() -> CompanyProfile:
    return parse_company_profile(json.loads(SAMPLE_PROFILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def priced_catalog(catalog: Catalog) -> Catalog:
    return with_policies(catalog, DEALER)


def values(ws: Any) -> list[Any]:
    return [c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")]


def priced_doc(
    apartment: dict[str, Any], priced_catalog: Catalog, profile: CompanyProfile
) -> QuoteDocument:
    body = {**apartment, "pricing": "dealer", "extras": [SPD]}
    quote = estimate(body, priced_catalog, issued_at=ISSUED_AT)
    return document_from_result(quote, priced_catalog, profile=profile, quote_number="Q-9")


def hanbit(catalog: Catalog, profile: CompanyProfile, **extra: Any) -> ProjectDocument:
    body = project(("PP-1", 1, PP1), ("LP-1", 4, LP1), ("LP-2", 1, LP2), **extra)
    quote = estimate_project(body, catalog, issued_at=ISSUED_AT)
    return project_document_from_result(
        quote, catalog, profile=profile, quote_number="Q-2026-000777"
    )


def test_an_approved_project_says_so_on_its_cover_and_every_panel_drawing(
    catalog: Catalog, profile: CompanyProfile
) -> None:
    doc = hanbit(catalog, profile)
    approved = approved_document(doc, Approval(by="rita@acme.test", at="2026-01-02T03:04:05Z"))
    assert approved.status == "approved"
    assert {p.status for p in approved.panels} == {"approved"}
    font = DEFAULT_FONT.read_bytes()
    before = {d.filename: d.sha256 for d in render_project_documents(doc, font=font)}
    after = {d.filename: d for d in render_project_documents(approved, font=font)}
    assert set(after) == set(before)
    assert all(after[name].sha256 != before[name] for name in before)
    for name, rendered in after.items():
        if name.endswith(".svg"):
            text = rendered.content.decode("utf-8")
            assert "승인 APPROVED" in text and "rita@acme.test 2026-01-02 12:04 KST" in text, name


def test_a_priced_workbook_shows_list_price_rate_and_the_cut(
    apartment: dict[str, Any], priced_catalog: Catalog, profile: CompanyProfile
) -> None:
    doc = priced_doc(apartment, priced_catalog, profile)
    # test_pricing's apartment under the dealer policy (Σ 409,088, list 468,400) plus a
    # ₩55,000 custom SPD: list 523,400, Σ 464,088, discount 59,312; cut to ₩1,000: −88;
    # subtotal 464,000, VAT 46,400, total 510,400.
    t = doc.totals
    assert (t.list_total, t.discount, t.rounding, t.subtotal, t.vat, t.grand_total) == (
        523400,
        59312,
        -88,
        464000,
        46400,
        510400,
    )
    data = render_xlsx(doc)
    ws = openpyxl.load_workbook(BytesIO(data))["내역"]
    cached = openpyxl.load_workbook(BytesIO(data), data_only=True)["내역"]
    assert [c.value for c in ws[HEADER_ROW + 1]] == list(PRICED_COLUMNS)
    layout = lines_layout(doc)
    for row, line in zip(layout.line_rows, doc.lines, strict=True):
        r = row + 1
        assert ws[f"G{r}"].value == f"=ROUND(E{r}*F{r},0)"
        assert cached[f"G{r}"].value == line.amount
        assert cached[f"F{r}"].value == line.unit_price
        if line.custom:
            assert ws[f"F{r}"].value == line.unit_price  # the estimator's own price
            assert ws[f"H{r}"].value in (None, "")
            assert ws[f"J{r}"].value == "별도"
        else:
            assert line.list_price is not None and line.rate is not None
            rate = Fraction(line.rate)
            expected = (
                f"=H{r}" if rate == 1 else f"=ROUND(H{r}*{rate.numerator}/{rate.denominator},0)"
            )
            assert ws[f"F{r}"].value == expected
            assert ws[f"H{r}"].value == line.list_price
            assert ws[f"I{r}"].value == float(rate)
    assert {x.rate for x in doc.lines} >= {"0.62", "0.9", "1"}
    assert [x.item for x in doc.lines if x.custom] == ["SPD"]
    assert layout.rounding_row is not None
    net, cut, total = layout.net_row + 1, layout.rounding_row + 1, layout.total_row + 1
    assert ws[f"G{total}"].value == f"=INT(G{net}/1000)*1000"
    assert ws[f"G{cut}"].value == f"=G{total}-G{net}"
    assert [cached[f"G{r}"].value for r in (net, cut, total)] == [464088, -88, 464000]
    assert cached[f"G{layout.grand_total_row + 1}"].value == 510400

    cover = openpyxl.load_workbook(BytesIO(data), data_only=True)["표지"]
    rows = {r[2]: r[3] for r in cover.iter_rows(values_only=True) if r[2] is not None}
    notes = [str(v) for v in values(cover)]
    assert any(
        n.startswith("단가 기준: dealer 단가 정책") and "₩1,000 미만 절사" in n for n in notes
    )
    assert rows["정가 합계"] == 523400
    assert rows["할인"] == -59312
    assert rows["끝자리 절사"] == -88
    assert (rows["공급가액"], rows["부가가치세"], rows["총 합계 (VAT 포함)"]) == (
        464000,
        46400,
        510400,
    )


def test_a_priced_pdf_shows_list_price_rate_discount_and_rounding(
    apartment: dict[str, Any], priced_catalog: Catalog, profile: CompanyProfile
) -> None:
    doc = priced_doc(apartment, priced_catalog, profile)
    reader = PdfReader(BytesIO(render_pdf(doc, font=DEFAULT_FONT.read_bytes())))
    text = "\n".join(p.extract_text() for p in reader.pages)
    for needle in ("정가 합계", "₩523,400", "할인", "-₩59,312", "끝자리 절사", "-₩88", "₩464,000"):
        assert needle in text, needle
    for needle in ("적용률", "₩85,000", "0.62", "₩76,500", "별도"):  # 외함 85,000 × 0.9
        assert needle in text, needle


def test_a_custom_line_says_byeoldo_even_with_its_own_note(
    apartment: dict[str, Any], catalog: Catalog, profile: CompanyProfile
) -> None:
    body = {**apartment, "extras": [{**SPD, "note": "타사 견적 첨부"}]}
    doc = document_from_result(
        estimate(body, catalog, issued_at=ISSUED_AT), catalog, profile=profile, quote_number="Q"
    )
    assert not doc.priced
    (custom,) = [x for x in doc.lines if x.custom]
    assert custom.remark == "별도 · 타사 견적 첨부"
    assert "별도 · 타사 견적 첨부" in values(
        openpyxl.load_workbook(BytesIO(render_xlsx(doc)))["내역"]
    )
    assert "별도 1건: SPD 타사 20kA" in render_svg(doc).decode("utf-8")
    dxf = ezdxf.read(StringIO(render_dxf(doc).decode("utf-8")))  # type: ignore[attr-defined]
    assert "별도 1건: SPD 타사 20kA" in [e.dxf.text for e in dxf.modelspace().query("TEXT")]


def test_a_policy_that_adds_more_than_it_takes_off_says_so() -> None:
    assert (discount_label(59312), discount_label(0), discount_label(-1)) == (
        "할인",
        "할인",
        "가산 (마진)",
    )


def test_the_project_workbook_summary_is_formulas_caching_the_engine_totals(
    catalog: Catalog, profile: CompanyProfile
) -> None:
    doc = hanbit(catalog, profile)
    data = render_project_xlsx(doc)
    book = openpyxl.load_workbook(BytesIO(data))
    cached = openpyxl.load_workbook(BytesIO(data), data_only=True)
    assert book.sheetnames == [
        "표지",
        "총괄표",
        "PP-1",
        "PP-1 상평형",
        "LP-1",
        "LP-1 상평형",
        "LP-2",
        "LP-2 상평형",
    ]
    ws, cv = book["총괄표"], cached["총괄표"]
    layout = summary_layout(doc)
    assert layout.list_row is None and layout.rounding_row is None  # no policy
    # PP-1 434,300 ×1; LP-1 342,500 ×4 = 1,370,000; LP-2 630,800 ×1 (test_project).
    expected = [("PP-1", 1, 434300, 434300), ("LP-1", 4, 342500, 1370000)]
    expected.append(("LP-2", 1, 630800, 630800))
    for row, (name, qty, unit, amount), panel in zip(
        layout.panel_rows, expected, doc.panels, strict=True
    ):
        r = row + 1
        assert (ws[f"B{r}"].value, ws[f"C{r}"].value) == (name, qty)
        net = lines_layout(panel, in_project=True).net_row + 1
        assert ws[f"D{r}"].value == f"='{name}'!G{net}"
        assert ws[f"E{r}"].value == f"=C{r}*D{r}"
        assert (cv[f"D{r}"].value, cv[f"E{r}"].value) == (unit, amount)
        assert cached[name][f"G{net}"].value == unit
        assert book[name][f"G{net}"].value.startswith("=SUM(")
    first, last = layout.panel_rows[0] + 1, layout.panel_rows[-1] + 1
    total, vat, grand = layout.total_row + 1, layout.vat_row + 1, layout.grand_total_row + 1
    assert ws[f"E{total}"].value == f"=SUM(E{first}:E{last})"
    assert ws[f"E{vat}"].value == f"=ROUND(E{total}*1/10,0)"  # VAT once, on the project
    assert ws[f"E{grand}"].value == f"=E{total}+E{vat}"
    t = doc.totals
    assert [cv[f"E{r}"].value for r in (total, vat, grand)] == [t.subtotal, t.vat, t.grand_total]
    assert (t.subtotal, t.vat, t.grand_total) == (2435100, 243510, 2678610)

    cover = values(cached["표지"])
    assert "일금 이백육십칠만팔천육백일십원정 (VAT 포함)" in cover
    assert 2678610 in cover
    assert any("needs_review" in str(v) for v in cover)
    assert any(str(v).startswith("LP-2 [BAL_") for v in cover)  # the panel's warning, named


def test_a_priced_project_cuts_once_on_the_summary_with_int(
    priced_catalog: Catalog, profile: CompanyProfile
) -> None:
    doc = hanbit(priced_catalog, profile, pricing="dealer")
    data = render_project_xlsx(doc)
    ws = openpyxl.load_workbook(BytesIO(data))["총괄표"]
    cv = openpyxl.load_workbook(BytesIO(data), data_only=True)["총괄표"]
    layout = summary_layout(doc)
    assert layout.list_row is not None and layout.discount_row is not None
    assert layout.rounding_row is not None
    net, total = layout.net_row + 1, layout.total_row + 1
    assert ws[f"E{total}"].value == f"=INT(E{net}/1000)*1000"
    t = doc.totals
    rows = (layout.list_row, layout.discount_row, layout.net_row, layout.rounding_row)
    assert [cv[f"E{r + 1}"].value for r in rows] == [
        t.list_total,
        -t.discount,
        doc.net,
        t.rounding,
    ]
    assert t.rounding < 0 < t.discount  # this project's Σ is not a multiple of ₩1,000
    assert [cv[f"E{r + 1}"].value for r in (layout.total_row, layout.grand_total_row)] == [
        t.subtotal,
        t.grand_total,
    ]
    assert doc.net == sum(r.amount for r in doc.summary)
    cover = [str(v) for v in values(openpyxl.load_workbook(BytesIO(data))["표지"])]
    assert any("분전반 3종 6면" in v and "단가 기준: dealer" in v for v in cover)


def test_sheet_names_are_excel_safe_unique_and_short() -> None:
    names = sheet_names(["LP/1", "lp_1", "총괄표", "A" * 40, "A" * 40, "'x'", "[]"])
    lines = [n for n, _ in names]
    assert lines[0] == "LP_1"
    assert lines[1] == "lp_1~2"  # Excel compares sheet names case-insensitively
    assert lines[2] == "총괄표~2"
    assert lines[3] == "A" * 27 and lines[4] == "A" * 25 + "~2"
    assert lines[5] == "x" and lines[6] == "__"
    every = [n for pair in names for n in pair]
    assert len({n.casefold() for n in every}) == len(every)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in every)
    assert names[0][1] == "LP_1 상평형"


def test_drawing_file_names_are_safe_and_unique() -> None:
    assert drawing_stems(["LP-1", "lp-1", "전등반", "../x y", ""]) == [
        "drawing-LP-1",
        "drawing-lp-1-2",
        "drawing-3",
        "drawing-x_y",
        "drawing-5",
    ]
    assert drawing_stems(["x-3", "x", "x"]) == ["drawing-x-3", "drawing-x", "drawing-x-4"]


def test_the_project_documents_are_one_workbook_one_pdf_and_a_drawing_per_panel(
    catalog: Catalog, profile: CompanyProfile
) -> None:
    doc = hanbit(catalog, profile)
    font = DEFAULT_FONT.read_bytes()
    first = render_project_documents(doc, font=font)
    assert [d.filename for d in first] == [
        "quote.xlsx",
        "quote.pdf",
        "drawing-PP-1.svg",
        "drawing-PP-1.dxf",
        "drawing-LP-1.svg",
        "drawing-LP-1.dxf",
        "drawing-LP-2.svg",
        "drawing-LP-2.dxf",
    ]
    second = render_project_documents(doc, font=font)
    assert [d.content for d in first] == [d.content for d in second]
    svg = first[4].content.decode("utf-8")
    assert "LP-1  × 4면" in svg and "Q-2026-000777" in svg
    assert "한빛 오피스텔" in svg and "한빛건설" in svg  # the project's, not the panel request's

    reader = PdfReader(BytesIO(render_project_pdf(doc, font=font)))
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = "\n".join(p.extract_text() for p in reader.pages)
    for needle in ("총   괄   표", "PP-1", "LP-1 (× 4면)", "LP-2", "₩2,678,610", "₩1,370,000"):
        assert needle in text, needle
    assert "일금 이백육십칠만팔천육백일십원정 (VAT 포함)" in text
    assert "drawing-LP-2.svg" in text  # each drawing page names its own file


def test_a_summary_that_does_not_add_up_is_refused(
    catalog: Catalog, profile: CompanyProfile
) -> None:
    body = project(("PP-1", 1, PP1), ("LP-1", 2, LP1))
    quote = estimate_project(body, catalog, issued_at=ISSUED_AT)
    result = quote.result.model_dump(mode="json")
    result["panels"][1]["amount"] += 1
    tampered = quote.model_copy(update={"result": ProjectResult.model_validate(result)})
    with pytest.raises(ValueError, match="LP-1"):
        project_document_from_result(tampered, catalog, profile=profile, quote_number="Q")


def test_cli_writes_the_project_documents(tmp_path: Path) -> None:
    body = tmp_path / "project.json"
    body.write_text(json.dumps(project(("PP-1", 1, PP1), ("LP-1", 4, LP1))), encoding="utf-8")
    out = tmp_path / "out"
    run = cli("estimate", str(body), "--issued-at", ISSUED_AT, "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "LP-1" in run.stdout and "₩1,984,730" in run.stdout  # (434,300 + 4 × 342,500) × 1.1
    for name in ("quote.xlsx", "quote.pdf", "drawing-PP-1.svg", "drawing-LP-1.dxf"):
        assert (out / name).stat().st_size > 1000, name
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert result["kind"] == "project"
    assert (out / "project").is_dir()


def test_cli_loads_no_renderer_for_a_project_without_out(tmp_path: Path) -> None:
    body = tmp_path / "project.json"
    body.write_text(json.dumps(project(("LP-1", 2, LP1))), encoding="utf-8")
    code = (
        "import sys; from estimator_core.cli import main; "
        f"main(['estimate', {str(body)!r}, '--issued-at', {ISSUED_AT!r}]); "
        "assert 'estimator_core.documents' not in sys.modules, 'documents imported'; "
        "assert 'xlsxwriter' not in sys.modules and 'fpdf' not in sys.modules"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "Grand total ₩753,500" in run.stdout  # 2 × 342,500 = 685,000 + VAT 68,500


def test_an_ampersand_in_a_panel_name_is_no_header_code(
    catalog: Catalog, profile: CompanyProfile
) -> None:
    doc = hanbit(catalog, profile)
    first = doc.panels[0].model_copy(update={"panel_name": "P&B"})
    book = openpyxl.load_workbook(
        BytesIO(render_project_xlsx(doc.model_copy(update={"panels": (first, *doc.panels[1:])})))
    )
    footer = book["P&B"].oddFooter.left.text
    assert footer == "P&&B", footer  # && is Excel's literal &; a lone &B would mean bold
