"""The quote as a PDF (A4): cover, lines, phase table, and the drawing on its own page.

fpdf2 embeds the TrueType font the caller passes as bytes (a subset, with a ToUnicode
map, so the Korean text is selectable and searchable); the font is never read from a
file here. Deterministic: CreationDate is the quote's issue time, the /ID is fpdf2's
digest of the content and that date, and no ModDate or XMP packet is written.
Pure: writes to memory only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from typing import Any, cast

from fpdf import FPDF
from fpdf.fonts import TTFFont

from estimator_core.documents.drawing import Drawing, Line, Rect, Text, layout_drawing
from estimator_core.documents.model import STATUS_TITLES, QuoteDocument, percent
from estimator_core.documents.xlsx import phase_verdict

FONT = "kfont"
PT_PER_MM = 72 / 25.4
MARGIN = 15.0
PAGE_W = 210.0
PAGE_H = 297.0
TEXT_W = PAGE_W - 2 * MARGIN


def won(x: int) -> str:
    return f"₩{x:,}"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


class _QuotePDF(FPDF):
    def __init__(self, doc: QuoteDocument) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc = doc

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(
            0,
            5,
            f"{self.doc.company.name}   {self.doc.quote_number} {self.doc.revision}   "
            f"{self.page_no()} / {{nb}}",
            align="C",
        )
        self.set_text_color(0, 0, 0)


def _add_font(pdf: FPDF, font: bytes) -> None:
    """Register a TrueType font from bytes (``FPDF.add_font`` only takes a path)."""
    key = FONT
    pdf.fonts[key] = TTFFont(pdf, cast(Any, BytesIO(font)), key, "")


def _kv_table(pdf: FPDF, rows: list[tuple[str, str]], x: float, w_key: float, w_val: float) -> None:
    for key, value in rows:
        pdf.set_x(x)
        pdf.set_fill_color(242, 242, 242)
        pdf.cell(w_key, 7, key, border=1, fill=True)
        pdf.cell(w_val, 7, value, border=1, new_x="LMARGIN", new_y="NEXT")


def _cover(pdf: _QuotePDF, doc: QuoteDocument) -> None:
    pdf.add_page()
    c = doc.company
    if c.logo is not None:
        pdf.image(BytesIO(c.logo), x=PAGE_W - MARGIN - 40, y=10, w=40, h=14, keep_aspect_ratio=True)
    pdf.set_font(FONT, size=24)
    pdf.cell(0, 16, "견   적   서", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, size=9)
    y = pdf.get_y()
    left = [
        ("수신", f"{doc.client or '-'} 귀중"),
        ("공사명", doc.project or "-"),
        ("공사번호", doc.project_number or "-"),
        ("견적번호", doc.quote_number),
        ("개정", doc.revision),
        ("발행일", doc.issue_date.isoformat()),
        ("유효기한", f"{doc.valid_until.isoformat()} ({c.validity_days}일)"),
        ("견적자", doc.estimator),
    ]
    right = [
        ("상호", c.name),
        ("대표자", c.representative),
        ("사업자번호", c.business_number),
        ("주소", c.address),
        ("전화", c.phone),
        ("E-mail", c.email),
        ("입금계좌", c.bank_account or "-"),
        ("", ""),
    ]
    half = TEXT_W / 2
    _kv_table(pdf, left, MARGIN, 22, half - 24)
    pdf.set_y(y)
    for key, value in right:
        pdf.set_x(MARGIN + half)
        size = 9.0
        while pdf.get_string_width(value) > half - 22 - 2 and size > 5:
            size -= 0.5
            pdf.set_font(FONT, size=size)
        pdf.set_fill_color(242, 242, 242)
        pdf.cell(20, 7, key, border=1 if key else 0, fill=bool(key))
        pdf.cell(half - 20, 7, value, border=1 if key else 0, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=9)
    pdf.ln(6)

    pdf.cell(0, 6, "아래와 같이 견적합니다.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=13)
    pdf.set_line_width(0.5)
    pdf.cell(TEXT_W * 0.68, 12, f" {doc.amount_in_words}", border=1)
    pdf.cell(TEXT_W * 0.32, 12, won(doc.totals.grand_total) + " ", border=1, align="R")
    pdf.set_line_width(0.2)
    pdf.ln(16)
    pdf.set_font(FONT, size=9)
    t = doc.totals
    for label, amount in (
        ("재료비", t.materials),
        ("인건비", t.labour),
        ("공급가액", t.subtotal),
        (f"부가가치세 ({percent(doc.vat_rate)} %)", t.vat),
        ("총 합계 (VAT 포함)", t.grand_total),
    ):
        pdf.set_x(MARGIN + TEXT_W - 100)
        pdf.cell(50, 6, label, border=1, fill=True)
        pdf.cell(50, 6, won(amount), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    terms = [
        ("결제조건", c.payment_terms or "-"),
        ("납기/인도", c.delivery_terms or "-"),
    ]
    _kv_table(pdf, terms, MARGIN, 22, TEXT_W - 22)
    pdf.ln(4)

    status = f"상태: {STATUS_TITLES.get(doc.status, doc.status)} ({doc.status})"
    if doc.status == "issued":
        pdf.set_fill_color(198, 239, 206)
    else:
        pdf.set_fill_color(255, 199, 206)
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 8, status, border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8.5)
    for f in doc.findings:
        if f.level == "note":
            continue
        pdf.set_text_color(156, 0, 6)
        label = "오류" if f.level == "error" else "경고"
        pdf.multi_cell(
            0, 5, f"{label} [{f.rule}] {f.message}", border=1, new_x="LMARGIN", new_y="NEXT"
        )
    pdf.set_text_color(85, 85, 85)
    for f in doc.findings:
        if f.level == "note":
            pdf.multi_cell(0, 4.5, f"참고 [{f.rule}] {f.message}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_font(FONT, size=7.5)
    pdf.multi_cell(
        0,
        4,
        f"카탈로그 {doc.catalog_label} ({doc.catalog_sha256[:12]})   증거 루트 {doc.evidence_root}",
        new_x="LMARGIN",
        new_y="NEXT",
    )


_COLS = (
    ("No.", 9),
    ("품명", 33),
    ("규격", 50),
    ("단위", 10),
    ("수량", 14),
    ("단가", 22),
    ("금액", 25),
    ("비고", 17),
)


def _lines_header(pdf: FPDF) -> None:
    pdf.set_font(FONT, size=8.5)
    pdf.set_fill_color(221, 228, 238)
    for name, w in _COLS:
        pdf.cell(w, 7, name, border=1, align="C", fill=True)
    pdf.ln(7)


def _fit(pdf: FPDF, text: str, width: float, size: float) -> None:
    pdf.set_font(FONT, size=size)
    while pdf.get_string_width(text) > width - 1.5 and size > 4.5:
        size -= 0.5
        pdf.set_font(FONT, size=size)


def _lines(pdf: _QuotePDF, doc: QuoteDocument) -> None:
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.cell(0, 10, "견 적 내 역", align="C", new_x="LMARGIN", new_y="NEXT")
    _lines_header(pdf)
    number = 0
    limit = PAGE_H - 22
    row_h = 6.0

    def room() -> None:
        if pdf.get_y() + row_h > limit:
            pdf.add_page()
            _lines_header(pdf)

    for section in doc.sections:
        room()
        pdf.set_font(FONT, size=8.5)
        pdf.set_fill_color(242, 242, 242)
        pdf.cell(0, row_h, f" {section.title}", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
        for line in section.lines:
            room()
            number += 1
            qty = f"{line.qty:,}" if isinstance(line.qty, int) else f"{line.qty:,.2f}"
            cells = (
                (str(number), "C"),
                (line.item, "L"),
                (line.spec, "L"),
                (line.unit, "C"),
                (qty, "R"),
                (won(line.unit_price), "R"),
                (won(line.amount), "R"),
                (line.note or "", "L"),
            )
            for (text, align), (_, w) in zip(cells, _COLS, strict=True):
                _fit(pdf, text, w, 8.5)
                pdf.cell(w, row_h, text, border=1, align=align)
            pdf.ln(row_h)
        room()
        pdf.set_font(FONT, size=8.5)
        width = sum(w for _, w in _COLS[:6])
        pdf.cell(width, row_h, f"소계 ({section.title}) ", border=1, align="R", fill=True)
        pdf.cell(_COLS[6][1], row_h, won(section.subtotal), border=1, align="R", fill=True)
        pdf.cell(_COLS[7][1], row_h, "", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    t = doc.totals
    pdf.set_fill_color(221, 228, 238)
    width = sum(w for _, w in _COLS[:6])
    for label, value in (
        ("합계 (공급가액) ", t.subtotal),
        (f"부가가치세 ({percent(doc.vat_rate)} %) ", t.vat),
        ("총 합계 (VAT 포함) ", t.grand_total),
    ):
        room()
        pdf.cell(width, row_h + 1, label, border=1, align="R", fill=True)
        pdf.cell(_COLS[6][1], row_h + 1, won(value), border=1, align="R", fill=True)
        pdf.cell(_COLS[7][1], row_h + 1, "", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")


def _phase(pdf: _QuotePDF, doc: QuoteDocument) -> None:
    p = doc.phase
    if pdf.get_y() > PAGE_H - 110:
        pdf.add_page()
    else:
        pdf.ln(10)
    pdf.set_font(FONT, size=14)
    pdf.cell(0, 9, "상평형 (설비불평형률)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    if not p.applicable:
        pdf.cell(0, 7, "단상 분전반: 상평형 해당 없음 (1P2W)", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.cell(0, 6, f"계통 {p.system}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(221, 228, 238)
    for name in ("상 (군)", "전류 합계 (A)", "단상 부하 (A)"):
        pdf.cell(40, 7, name, border=1, align="C", fill=True)
    pdf.ln(7)
    for group, amps in p.totals_a.items():
        pdf.cell(40, 6, group, border=1, align="C")
        pdf.cell(40, 6, f"{amps:,.2f}", border=1, align="R")
        pdf.cell(40, 6, f"{p.single_phase_totals_a.get(group, 0.0):,.2f}", border=1, align="R")
        pdf.ln(6)
    pdf.ln(3)

    def pct(x: float | None) -> str:
        return "해당 없음" if x is None else f"{x * 100:.2f} %"

    rows = [
        ("불평형률", pct(p.imbalance)),
        ("불평형률 (단상 부하만)", pct(p.imbalance_single_phase)),
        ("최적 편차 / 하한 (A)", f"{p.optimum_a} / {p.lower_bound_a}"),
        ("최적성", "증명된 최적 (proven optimal)" if p.proven_optimal else "최적 미증명"),
        ("KIS 목표", f"{percent(p.target)} %"),
        ("KEC 한도", f"{percent(p.kec_limit)} %"),
        ("판정", phase_verdict(doc)),
    ]
    _kv_table(pdf, rows, MARGIN, 50, 90)


def _drawing_page(pdf: _QuotePDF, drawing: Drawing) -> None:
    pdf.add_page()
    x0, y0, w, h = drawing.extent
    area_w, area_h = TEXT_W, PAGE_H - 2 * MARGIN - 16
    k = min(area_w / w, area_h / h)  # page mm per model mm
    ox = MARGIN + (area_w - w * k) / 2
    oy = MARGIN

    def px(x: float) -> float:
        return ox + (x - x0) * k

    def py(y: float) -> float:
        return oy + (y - y0) * k

    paper = drawing.scale * k  # line widths are in paper mm at the drawing's scale
    for s in drawing.shapes:
        if isinstance(s, Line):
            pdf.set_draw_color(*_rgb(s.colour))
            pdf.set_line_width(max(s.width * paper, 0.1))
            pdf.line(px(s.x1), py(s.y1), px(s.x2), py(s.y2))
        elif isinstance(s, Rect):
            pdf.set_draw_color(*_rgb(s.colour))
            pdf.set_line_width(max(s.width * paper, 0.1))
            if s.fill:
                pdf.set_fill_color(*_rgb(s.fill))
            pdf.rect(px(s.x), py(s.y), s.w * k, s.h * k, style="DF" if s.fill else "D")
    for s in drawing.shapes:
        if isinstance(s, Text):
            size_pt = s.size * k / 0.72 * PT_PER_MM
            pdf.set_font(FONT, size=max(size_pt, 2.0))
            pdf.set_text_color(*_rgb(s.colour))
            x = px(s.x)
            width = pdf.get_string_width(s.text)
            if s.anchor == "middle":
                x -= width / 2
            elif s.anchor == "end":
                x -= width
            pdf.text(x, py(s.y), s.text)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    # The drawing is shrunk to the page here; the SVG and DXF keep the stated scale.
    pdf.set_font(FONT, size=8)
    pdf.set_xy(MARGIN, PAGE_H - 27)  # above the automatic page break (20 mm)
    pdf.cell(
        0,
        5,
        f"이 페이지의 축척 약 1:{1 / k:.0f} (A4에 맞춤) · 도면 축척 1:{drawing.scale}은 "
        "drawing.svg / drawing.dxf 기준",
        align="C",
    )


def render_pdf(doc: QuoteDocument, *, font: bytes) -> bytes:
    """The quote as PDF bytes; ``font`` is a TrueType font with Hangul (e.g. NanumGothic)."""
    pdf = _QuotePDF(doc)
    pdf.set_creation_date(
        datetime.fromisoformat(doc.issued_at.replace("Z", "+00:00")).astimezone(UTC)
    )
    pdf.set_title(f"견적서 {doc.quote_number} {doc.revision}")
    pdf.set_author(doc.company.name)
    pdf.set_subject(doc.project or "")
    pdf.set_creator("KIS Estimator")
    pdf.set_producer("KIS Estimator (fpdf2)")
    pdf.set_lang("ko-KR")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=20)
    _add_font(pdf, font)
    pdf.alias_nb_pages()
    _cover(pdf, doc)
    _lines(pdf, doc)
    _phase(pdf, doc)
    _drawing_page(pdf, layout_drawing(doc))
    return bytes(pdf.output())
