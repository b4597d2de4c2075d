"""The quote documents, read back: workbook cells and formulas, PDF pages, SVG and DXF."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
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
    QuoteDocument,
    approved_document,
    document_from_result,
    parse_company_profile,
)
from estimator_core.documents.drawing import (
    LAYERS,
    accessory_units,
    breaker_lines,
    layout_drawing,
)
from estimator_core.documents.dxf import render_dxf
from estimator_core.documents.korean import korean_amount
from estimator_core.documents.model import MAX_LOGO_BYTES, business_number_ok
from estimator_core.documents.pdf import render_pdf
from estimator_core.documents.svg import render_svg
from estimator_core.documents.xlsx import COLUMNS, HEADER_ROW, lines_layout, render_xlsx
from estimator_core.errors import InvalidCompanyProfile
from estimator_core.lines import SECTION_ORDER
from estimator_core.pipeline import estimate
from tests.conftest import ISSUED_AT
from tests.unit.test_evidence_and_cli import cli

SVG = "{http://www.w3.org/2000/svg}"
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def profile_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE_PROFILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def profile() -> CompanyProfile:
    return parse_company_profile(profile_data())


@pytest.fixture
def office_doc(office: dict[str, Any], catalog: Catalog, profile: CompanyProfile) -> QuoteDocument:
    q = estimate(office, catalog, issued_at=ISSUED_AT)
    return document_from_result(q, catalog, profile=profile, quote_number="Q-2026-000123")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "영"),
        (10, "일십"),
        (11, "일십일"),
        (1_000, "일천"),
        (10_000, "일만"),
        (10_001, "일만일"),
        (110_010, "일십일만일십"),
        (100_000_000, "일억"),
        (1_855_700, "일백팔십오만오천칠백"),
        (1_830_664, "일백팔십삼만육백육십사"),
        (1_200_000_345, "일십이억삼백사십오"),
    ],
)
def test_amounts_read_in_korean_with_every_il(amount: int, words: str) -> None:
    assert korean_amount(amount) == words


def test_negative_amount_has_no_words() -> None:
    with pytest.raises(ValueError):
        korean_amount(-1)


def test_the_sample_profile_is_valid_and_says_it_is_a_sample(profile: CompanyProfile) -> None:
    assert "SAMPLE" in profile.name
    assert business_number_ok(profile.business_number)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("business_number", "1234567891"),
        ("business_number", "123-45-67890"),  # check digit wrong
        ("business_number", "12-345-67891"),
        ("email", "not an address"),
        ("phone", "call me"),
        ("logo", base64.b64encode(b"GIF89a" + b"\0" * 10).decode()),
        ("logo", base64.b64encode(PNG_1PX + b"\0" * MAX_LOGO_BYTES).decode()),
        ("validity_days", 0),
    ],
)
def test_a_bad_profile_is_a_coded_error_naming_the_field(field: str, value: Any) -> None:
    data = {**profile_data(), field: value}
    with pytest.raises(InvalidCompanyProfile) as err:
        parse_company_profile(data)
    assert err.value.code == "INVALID_COMPANY_PROFILE"
    assert [d["loc"] for d in err.value.details] == [field]
    assert err.value.to_dict()["details"][0]["msg"]


def test_an_unknown_profile_field_is_rejected() -> None:
    with pytest.raises(InvalidCompanyProfile) as err:
        parse_company_profile({**profile_data(), "ceo": "x"})
    assert err.value.details[0]["loc"] == "ceo"


def test_a_small_png_logo_is_accepted_and_shown(office: dict[str, Any], catalog: Catalog) -> None:
    data = {**profile_data(), "logo": base64.b64encode(PNG_1PX).decode()}
    profile = parse_company_profile(data)
    assert profile.logo == PNG_1PX
    q = estimate(office, catalog, issued_at=ISSUED_AT)
    doc = document_from_result(q, catalog, profile=profile, quote_number="Q-1")
    book = openpyxl.load_workbook(BytesIO(render_xlsx(doc)))
    assert len(book["표지"]._images) == 1
    assert len(PdfReader(BytesIO(render_pdf(doc, font=DEFAULT_FONT.read_bytes()))).pages) >= 4


def test_the_document_keeps_the_sections_order_and_the_engine_totals(
    office_doc: QuoteDocument, office: dict[str, Any], catalog: Catalog
) -> None:
    result = estimate(office, catalog, issued_at=ISSUED_AT).result.model_dump(mode="json")
    keys = [s.key for s in office_doc.sections]
    assert keys == [k for k in SECTION_ORDER if k in keys]
    assert office_doc.totals.model_dump(exclude={"round_down_to"}) == result["totals"]
    assert len(office_doc.lines) == len(result["lines"])
    assert office_doc.amount_in_words == "일금 일백팔십삼만육백육십사원정 (VAT 포함)"
    assert str(office_doc.issue_date) == "2026-01-01"
    assert str(office_doc.valid_until) == "2026-01-31"
    assert office_doc.status == "needs_review"


def test_every_line_cell_is_in_place_with_formulas(office_doc: QuoteDocument) -> None:
    data = render_xlsx(office_doc)
    formulas = openpyxl.load_workbook(BytesIO(data))
    values = openpyxl.load_workbook(BytesIO(data), data_only=True)
    assert formulas.sheetnames == ["표지", "내역", "상평형"]
    ws, cached = formulas["내역"], values["내역"]
    assert [c.value for c in ws[HEADER_ROW + 1]] == list(COLUMNS)
    assert ws.freeze_panes == f"A{HEADER_ROW + 2}"
    assert ws.print_title_rows == f"${HEADER_ROW + 1}:${HEADER_ROW + 1}"
    assert ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # fit to one page wide (the default)
    assert ws.page_setup.fitToHeight == 0  # …and as many pages down as needed
    assert "&P" in ws.oddFooter.center.text

    layout = lines_layout(office_doc)
    for row, line in zip(layout.line_rows, office_doc.lines, strict=True):
        r = row + 1
        assert ws[f"B{r}"].value == line.item
        assert ws[f"C{r}"].value == line.spec
        assert ws[f"D{r}"].value == line.unit
        qty = ws[f"E{r}"].value
        assert (Decimal(str(qty)) if isinstance(line.qty, Decimal) else qty) == line.qty
        assert ws[f"F{r}"].value == line.unit_price
        assert ws[f"G{r}"].value == f"=ROUND(E{r}*F{r},0)"
        assert cached[f"G{r}"].value == line.amount
        assert ws[f"F{r}"].number_format == '"₩"#,##0'
    for row, section in zip(layout.subtotal_rows, office_doc.sections, strict=True):
        assert str(ws[f"G{row + 1}"].value).startswith("=SUM(")
        assert cached[f"G{row + 1}"].value == section.subtotal
    t = office_doc.totals
    assert cached[f"G{layout.total_row + 1}"].value == t.subtotal
    assert ws[f"G{layout.vat_row + 1}"].value == f"=ROUND(G{layout.total_row + 1}*1/10,0)"
    assert cached[f"G{layout.vat_row + 1}"].value == t.vat
    assert cached[f"G{layout.grand_total_row + 1}"].value == t.grand_total


def test_the_cover_shows_the_total_in_words_and_the_review_state(
    office_doc: QuoteDocument,
) -> None:
    book = openpyxl.load_workbook(BytesIO(render_xlsx(office_doc)), data_only=True)
    texts = [str(c.value) for row in book["표지"].iter_rows() for c in row if c.value is not None]
    assert office_doc.amount_in_words in texts
    assert office_doc.totals.grand_total in [
        c.value for row in book["표지"].iter_rows() for c in row
    ]
    assert any("needs_review" in t for t in texts)
    assert any("BAL_TARGET" in t for t in texts)
    assert any("ENC_FIT" in t for t in texts)
    for needle in ("Q-2026-000123", "R0", "2026-01-31 (30일)", "123-45-67891", "KIS Estimator"):
        assert any(needle in t for t in texts), needle
    phase = [str(c.value) for row in book["상평형"].iter_rows() for c in row if c.value]
    assert "3P4W" in phase
    assert any("KIS 목표 3 % 초과" in t for t in phase)


def test_the_pdf_is_a4_with_the_drawing_last(office_doc: QuoteDocument) -> None:
    reader = PdfReader(BytesIO(render_pdf(office_doc, font=DEFAULT_FONT.read_bytes())))
    assert len(reader.pages) == 4
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    info = reader.metadata
    assert info is not None and info["/CreationDate"].startswith("D:20260101000000")
    assert "/ModDate" not in info


def test_the_svg_is_in_millimetres_with_every_breaker_and_accessory(
    office_doc: QuoteDocument,
) -> None:
    root = ET.fromstring(render_svg(office_doc))
    width, height = root.get("width", ""), root.get("height", "")
    assert width.endswith("mm") and height.endswith("mm")
    _, _, vw, vh = (float(x) for x in root.get("viewBox", "").split())
    scale = layout_drawing(office_doc).scale
    assert float(width[:-2]) == pytest.approx(vw / scale, abs=0.01)
    assert float(height[:-2]) == pytest.approx(vh / scale, abs=0.01)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    breakers = [b for row in office_doc.rows for b in (row.left, row.right) if b]
    assert len(breakers) == 28
    joined = "\n".join(texts)
    for b in breakers:
        who, what = breaker_lines(b)
        assert f"{who}\n{what}" in joined or f"{who} {what}" in texts, b.id
    assert any(t.startswith(f"MAIN {office_doc.main.model}") for t in texts)
    for acc in office_doc.accessories:
        for label in set(accessory_units(acc)):
            assert texts.count(label) == accessory_units(acc).count(label), label
    assert {a.kind for a in office_doc.accessories} == {"magnet", "timer_24h", "pbl"}
    for needle in ("W 800", "H 1400", "D 250", "A 225", "C 605", "E 250", "Q-2026-000123  Rev. R0"):
        assert needle in texts, needle
    assert f"root {office_doc.evidence_root[:12]}" in texts
    assert {g.get("id") for g in root.iter(f"{SVG}g")} == set(LAYERS)


def test_the_dxf_has_the_layers_and_an_outline_of_the_box(office_doc: QuoteDocument) -> None:
    dxf = ezdxf.read(StringIO(render_dxf(office_doc).decode("utf-8")))  # type: ignore[attr-defined]
    assert set(LAYERS) <= {layer.dxf.name for layer in dxf.layers}
    msp = dxf.modelspace()
    outlines = [e for e in msp.query("LWPOLYLINE") if e.dxf.layer == "OUTLINE"]
    boxes = []
    for e in outlines:
        pts = [(round(x, 3), round(y, 3)) for x, y, *_ in e.get_points()]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        boxes.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    assert (0.0, 0.0, 800.0, 1400.0) in boxes
    texts = [e.dxf.text for e in msp.query("TEXT")]
    breakers = [b for row in office_doc.rows for b in (row.left, row.right) if b]
    for b in breakers:
        who, what = breaker_lines(b)
        assert who in texts or f"{who} {what}" in texts, b.id
    assert {e.dxf.layer for e in msp} <= set(LAYERS)
    assert dxf.header["$INSUNITS"] == 4
    assert not dxf.audit().has_errors
    assert {e.dxf.style for e in msp.query("TEXT")} == {"KIS"}
    assert dxf.styles.get("KIS").dxf.font == "malgun.ttf"


def test_single_phase_panel_documents_say_balance_does_not_apply(
    catalog: Catalog, profile: CompanyProfile
) -> None:
    body = {
        "brand": "SANGDO",
        "main": {"af": 50, "at": 30, "poles": "2P"},
        "branches": [{"at": 20, "poles": "2P", "qty": 4}],
    }
    q = estimate(body, catalog, issued_at=ISSUED_AT)
    doc = document_from_result(q, catalog, profile=profile, quote_number="Q-2")
    assert not doc.phase.applicable
    book = openpyxl.load_workbook(BytesIO(render_xlsx(doc)))
    assert any("해당 없음" in str(c.value) for row in book["상평형"].iter_rows() for c in row)
    assert len(PdfReader(BytesIO(render_pdf(doc, font=DEFAULT_FONT.read_bytes()))).pages) >= 3


def test_the_workbook_is_dated_by_the_issue_time_only(office_doc: QuoteDocument) -> None:
    with zipfile.ZipFile(BytesIO(render_xlsx(office_doc))) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z' in core


def test_rendering_twice_gives_the_same_bytes(office_doc: QuoteDocument) -> None:
    font = DEFAULT_FONT.read_bytes()
    assert render_xlsx(office_doc) == render_xlsx(office_doc)
    assert render_pdf(office_doc, font=font) == render_pdf(office_doc, font=font)
    assert render_svg(office_doc) == render_svg(office_doc)
    assert render_dxf(office_doc) == render_dxf(office_doc)


def test_an_approved_quote_shows_who_approved_it_and_when_on_every_document(
    office_doc: QuoteDocument,
) -> None:
    approval = Approval(by="rita@acme.test", at="2026-01-02T03:04:05.000000Z")
    doc = approved_document(office_doc, approval)
    assert (doc.status, office_doc.status) == ("approved", "needs_review")
    shown = "rita@acme.test 2026-01-02 12:04 KST"  # the time in Seoul
    book = openpyxl.load_workbook(BytesIO(render_xlsx(doc)), data_only=True)
    texts = [str(c.value) for row in book["표지"].iter_rows() for c in row if c.value is not None]
    assert f"승인 (approved) · {shown}" in texts
    assert not any("needs_review" in t for t in texts if t.startswith("검토"))
    font = DEFAULT_FONT.read_bytes()
    page = PdfReader(BytesIO(render_pdf(doc, font=font))).pages[0].extract_text()
    assert "승인" in page and "rita@acme.test" in page
    svg_texts = [t.text for t in ET.fromstring(render_svg(doc)).iter(f"{SVG}text")]
    assert {"승인 APPROVED", shown} <= set(svg_texts)
    dxf = ezdxf.read(StringIO(render_dxf(doc).decode("utf-8")))  # type: ignore[attr-defined]
    assert shown in [e.dxf.text for e in dxf.modelspace().query("TEXT")]
    # every file differs from the unapproved one, and renders the same twice
    for render in (render_xlsx, render_svg, render_dxf):
        assert render(doc) != render(office_doc) and render(doc) == render(doc)
    assert render_pdf(doc, font=font) != render_pdf(office_doc, font=font)


def test_an_approval_names_a_time() -> None:
    with pytest.raises(ValueError):
        Approval(by="rita", at="yesterday")


def test_a_later_issue_time_changes_the_pdf_and_workbook_dates(
    office: dict[str, Any], catalog: Catalog, profile: CompanyProfile
) -> None:
    later = estimate(office, catalog, issued_at="2026-03-05T06:07:08Z")
    doc = document_from_result(later, catalog, profile=profile, quote_number="Q-2026-000123")
    info = PdfReader(BytesIO(render_pdf(doc, font=DEFAULT_FONT.read_bytes()))).metadata
    assert info is not None and info["/CreationDate"].startswith("D:20260305060708")
    with zipfile.ZipFile(BytesIO(render_xlsx(doc))) as z:
        assert "2026-03-05T06:07:08Z" in z.read("docProps/core.xml").decode("utf-8")
    assert str(doc.issue_date) == "2026-03-05"


def test_the_issue_date_is_the_date_in_seoul(
    office: dict[str, Any], catalog: Catalog, profile: CompanyProfile
) -> None:
    late = estimate(office, catalog, issued_at="2026-12-31T16:00:00Z")  # 01:00 on 1 Jan in Seoul
    doc = document_from_result(late, catalog, profile=profile, quote_number="Q-2027-000001")
    assert (str(doc.issue_date), str(doc.valid_until)) == ("2027-01-01", "2027-01-31")


def test_cli_writes_the_four_documents(tmp_path: Path) -> None:
    run = cli(
        "estimate",
        "examples/apartment_sangdo.json",
        "--issued-at",
        ISSUED_AT,
        "--out",
        str(tmp_path),
    )
    assert run.returncode == 0, run.stderr
    for name in ("quote.xlsx", "quote.pdf", "drawing.svg", "drawing.dxf"):
        assert (tmp_path / name).stat().st_size > 1000, name
    assert (tmp_path / "quote.pdf").read_bytes().startswith(b"%PDF-")
    assert "DRAFT-" in (tmp_path / "drawing.svg").read_text(encoding="utf-8")


def test_cli_with_a_bad_profile_is_a_coded_error(tmp_path: Path) -> None:
    bad = tmp_path / "profile.json"
    bad.write_text(json.dumps({**profile_data(), "business_number": "123-45-67890"}))
    run = cli(
        "estimate",
        "examples/apartment_sangdo.json",
        "--json",
        "--profile",
        str(bad),
        "--out",
        str(tmp_path / "out"),
    )
    assert run.returncode == 2
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "INVALID_COMPANY_PROFILE"
    assert error["details"][0]["loc"] == "business_number"
    assert not (tmp_path / "out").exists()


def test_cli_without_the_font_says_how_to_get_it(tmp_path: Path) -> None:
    run = cli(
        "estimate",
        "examples/apartment_sangdo.json",
        "--font",
        str(tmp_path / "none.ttf"),
        "--out",
        str(tmp_path / "out"),
    )
    assert run.returncode == 2
    assert "fonts-nanum" in run.stderr
    assert not (tmp_path / "out").exists()
    without_out = cli("estimate", "examples/apartment_sangdo.json", "--font", str(tmp_path / "x"))
    assert without_out.returncode == 0, without_out.stderr
