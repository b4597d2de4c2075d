"""The quote as a PDF (A4): cover, lines, phase table, and the drawing on its own page;
a project's: the project cover, the 총괄표 (summary), then each panel's lines, phase table
and drawing.

fpdf2 embeds the TrueType font the caller passes as bytes (a subset, with a ToUnicode
map, so the Korean text is selectable and searchable); the font is never read from a
file here. Deterministic: CreationDate is the quote's issue time, the /ID is fpdf2's
digest of the content and that date, and no ModDate or XMP packet is written.
Pure: writes to memory only.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from io import BytesIO
from typing import Any, cast

from fontTools import ttLib  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from estimator_core.documents.drawing import (
    Drawing,
    Line,
    Rect,
    Text,
    drawing_stems,
    layout_drawing,
)
from estimator_core.documents.model import (
    GOOD_STATUSES,
    STATUS_TITLES,
    ProjectDocument,
    QuoteDocument,
    cover_notes,
    cover_warnings,
    discount_label,
    document_title,
    metadata_title,
    percent,
    status_text,
)
from estimator_core.documents.xlsx import phase_verdict

FONT = "kfont"
PT_PER_MM = 72 / 25.4
MARGIN = 15.0
PAGE_W = 210.0
PAGE_H = 297.0
TEXT_W = PAGE_W - 2 * MARGIN


def won(x: int) -> str:
    return f"₩{x:,}" if x >= 0 else f"-₩{-x:,}"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


class _QuotePDF(FPDF):
    def __init__(self, doc: QuoteDocument | ProjectDocument) -> None:
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


class ParsedFont:
    """A TrueType font parsed once, for many PDFs (a warm server worker keeps one).

    Parsing NanumGothic (about 11,000 Hangul glyphs) is most of a PDF's render time. fpdf2
    subsets a document's font in place when it writes the file, so each document gets its
    own: the font's tables opened afresh (lazily: only what the subset reads is parsed,
    with the glyph order computed once), the parsed metrics copied, and fresh per-document
    state (used glyphs, missing glyphs, sizes). The bytes written are the same as from a
    font parsed for the document alone.
    """

    def __init__(self, font: bytes) -> None:
        self._font = font
        self._template = TTFFont(FPDF(), cast(Any, BytesIO(font)), FONT, "")
        self._glyph_order = tuple(self._template.ttfont.getGlyphOrder())

    def for_document(self, pdf: FPDF) -> TTFFont:
        font: TTFFont = copy.copy(self._template)
        font.i = len(pdf.fonts) + 1
        tables = ttLib.TTFont(BytesIO(self._font), recalcTimestamp=False, lazy=True)
        tables.setGlyphOrder(list(self._glyph_order))
        font.ttfont = tables
        font.cw = dict(self._template.cw)
        font.glyph_ids = dict(self._template.glyph_ids)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        return font


def _add_font(pdf: FPDF, font: bytes | ParsedFont) -> None:
    """Register a TrueType font from bytes (``FPDF.add_font`` only takes a path), or a
    per-document copy of a font parsed before."""
    key = FONT
    if isinstance(font, ParsedFont):
        pdf.fonts[key] = font.for_document(pdf)
    else:
        pdf.fonts[key] = TTFFont(pdf, cast(Any, BytesIO(font)), key, "")


def _kv_table(pdf: FPDF, rows: list[tuple[str, str]], x: float, w_key: float, w_val: float) -> None:
    for key, value in rows:
        pdf.set_x(x)
        pdf.set_fill_color(242, 242, 242)
        pdf.cell(w_key, 7, key, border=1, fill=True)
        pdf.cell(w_val, 7, value, border=1, new_x="LMARGIN", new_y="NEXT")


def _figures(doc: QuoteDocument | ProjectDocument) -> list[tuple[str, int]]:
    """The money on a cover, the same for a panel and a project (whose VAT is taken once,
    on the project's subtotal)."""
    t = doc.totals
    out = (
        [("정가 합계", t.list_total), (discount_label(t.discount), -t.discount)]
        if doc.priced
        else []
    )
    out += [("재료비", t.materials), ("인건비", t.labour)]
    if t.round_down_to > 1:
        out.append((f"끝자리 절사 (₩{t.round_down_to:,} 미만)", t.rounding))
    once = ", 총괄 1회" if isinstance(doc, ProjectDocument) else ""
    out += [
        ("공급가액", t.subtotal),
        (f"부가가치세 ({percent(doc.vat_rate)} %{once})", t.vat),
        ("총 합계 (VAT 포함)", t.grand_total),
    ]
    return out


def _cover(
    pdf: _QuotePDF,
    doc: QuoteDocument | ProjectDocument,
    *,
    figures: list[tuple[str, int]],
    warnings: list[tuple[str, str]],
    notes: list[str],
) -> None:
    """The cover; ``warnings`` are (level, text) and always shown, never hidden."""
    pdf.add_page()
    c = doc.company
    if c.logo is not None:
        pdf.image(BytesIO(c.logo), x=PAGE_W - MARGIN - 40, y=10, w=40, h=14, keep_aspect_ratio=True)
    pdf.set_font(FONT, size=24)
    pdf.cell(0, 16, document_title(doc), align="C", new_x="LMARGIN", new_y="NEXT")
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
    for label, amount in figures:
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

    status = f"상태: {status_text(doc)}"
    if doc.status in GOOD_STATUSES:
        pdf.set_fill_color(198, 239, 206)
    else:
        pdf.set_fill_color(255, 199, 206)
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 8, status, border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8.5)
    for level, text in warnings:
        pdf.set_text_color(156, 0, 6)
        label = "오류" if level == "error" else "경고"
        pdf.multi_cell(0, 5, f"{label} {text}", border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(85, 85, 85)
    for text in notes:
        pdf.multi_cell(0, 4.5, f"참고 {text}", new_x="LMARGIN", new_y="NEXT")
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
# Under a pricing policy the list price (정가) and the rate (적용률) stand before 단가.
_PRICED_COLS = (
    ("No.", 8),
    ("품명", 28),
    ("규격", 38),
    ("단위", 9),
    ("수량", 13),
    ("정가", 19),
    ("적용률", 11),
    ("단가", 19),
    ("금액", 21),
    ("비고", 14),
)


def _lines_header(pdf: FPDF, cols: tuple[tuple[str, int], ...]) -> None:
    pdf.set_font(FONT, size=8.5)
    pdf.set_fill_color(221, 228, 238)
    for name, w in cols:
        pdf.cell(w, 7, name, border=1, align="C", fill=True)
    pdf.ln(7)


def _fit(pdf: FPDF, text: str, width: float, size: float) -> None:
    pdf.set_font(FONT, size=size)
    while pdf.get_string_width(text) > width - 1.5 and size > 4.5:
        size -= 0.5
        pdf.set_font(FONT, size=size)


def _lines(pdf: _QuotePDF, doc: QuoteDocument, *, in_project: bool = False) -> None:
    """The lines page(s); a project's panel ends with one panel's Σ amounts and × qty."""
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    title = "견 적 내 역"
    if doc.panel_name is not None:
        title += f" — {doc.panel_name} (× {doc.panel_qty}면)"
    pdf.cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    cols = _PRICED_COLS if doc.priced else _COLS
    amount_at = [name for name, _ in cols].index("금액")
    before = sum(w for _, w in cols[:amount_at])
    amount_w = cols[amount_at][1]
    after = sum(w for _, w in cols[amount_at + 1 :])
    _lines_header(pdf, cols)
    number = 0
    limit = PAGE_H - 22
    row_h = 6.0

    def room() -> None:
        if pdf.get_y() + row_h > limit:
            pdf.add_page()
            _lines_header(pdf, cols)

    for section in doc.sections:
        room()
        pdf.set_font(FONT, size=8.5)
        pdf.set_fill_color(242, 242, 242)
        pdf.cell(0, row_h, f" {section.title}", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
        for line in section.lines:
            room()
            number += 1
            qty = f"{line.qty:,}" if isinstance(line.qty, int) else f"{line.qty:,.2f}"
            priced = (
                (
                    (won(line.list_price) if line.list_price is not None else "", "R"),
                    (line.rate or "", "C"),
                )
                if doc.priced
                else ()
            )
            cells = (
                (str(number), "C"),
                (line.item, "L"),
                (line.spec, "L"),
                (line.unit, "C"),
                (qty, "R"),
                *priced,
                (won(line.unit_price), "R"),
                (won(line.amount), "R"),
                (line.remark, "L"),
            )
            for i, ((text, align), (_, w)) in enumerate(zip(cells, cols, strict=True)):
                _fit(pdf, text, w, 8.5)
                custom = line.custom and i == len(cols) - 1
                if custom:
                    pdf.set_fill_color(255, 235, 156)
                pdf.cell(w, row_h, text, border=1, align=align, fill=custom)
            pdf.ln(row_h)
        room()
        pdf.set_font(FONT, size=8.5)
        pdf.set_fill_color(242, 242, 242)
        pdf.cell(before, row_h, f"소계 ({section.title}) ", border=1, align="R", fill=True)
        pdf.cell(amount_w, row_h, won(section.subtotal), border=1, align="R", fill=True)
        pdf.cell(after, row_h, "", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    t = doc.totals
    pdf.set_fill_color(221, 228, 238)
    if in_project:
        rows = [
            (f"1면 합계 ({doc.panel_name}) ", doc.net),
            (f"{doc.panel_qty}면 금액 (총괄표) ", doc.net * doc.panel_qty),
        ]
    else:
        rows = []
        if t.round_down_to > 1:
            rows += [
                ("계 ", doc.net),
                (f"끝자리 절사 (₩{t.round_down_to:,} 미만) ", t.rounding),
            ]
        rows += [
            ("합계 (공급가액) ", t.subtotal),
            (f"부가가치세 ({percent(doc.vat_rate)} %) ", t.vat),
            ("총 합계 (VAT 포함) ", t.grand_total),
        ]
    for label, value in rows:
        room()
        pdf.cell(before, row_h + 1, label, border=1, align="R", fill=True)
        pdf.cell(amount_w, row_h + 1, won(value), border=1, align="R", fill=True)
        pdf.cell(after, row_h + 1, "", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")


def _phase(pdf: _QuotePDF, doc: QuoteDocument) -> None:
    p = doc.phase
    # A single-phase panel's table is one line; a three-phase one needs about 110 mm.
    if pdf.get_y() > PAGE_H - (110 if p.applicable else 40):
        pdf.add_page()
    else:
        pdf.ln(10)
    pdf.set_font(FONT, size=14)
    title = "상평형 (설비불평형률)"
    if doc.panel_name is not None:
        title += f" — {doc.panel_name}"
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
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


def _drawing_page(pdf: _QuotePDF, drawing: Drawing, *, stem: str = "drawing") -> None:
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
        f"{stem}.svg / {stem}.dxf 기준",
        align="C",
    )


def render_pdf(doc: QuoteDocument, *, font: bytes | ParsedFont) -> bytes:
    """The quote as PDF bytes; ``font`` is a TrueType font with Hangul (e.g. NanumGothic)."""
    pdf = _QuotePDF(doc)
    pdf.set_creation_date(
        datetime.fromisoformat(doc.issued_at.replace("Z", "+00:00")).astimezone(UTC)
    )
    pdf.set_title(metadata_title(doc))
    pdf.set_author(doc.company.name)
    pdf.set_subject(doc.project or "")
    pdf.set_creator("KIS Estimator")
    pdf.set_producer("KIS Estimator (fpdf2)")
    pdf.set_lang("ko-KR")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=20)
    _add_font(pdf, font)
    pdf.alias_nb_pages()
    _cover(
        pdf,
        doc,
        figures=_figures(doc),
        warnings=cover_warnings(doc),
        notes=cover_notes(doc),
    )
    _lines(pdf, doc)
    _phase(pdf, doc)
    _drawing_page(pdf, layout_drawing(doc))
    return bytes(pdf.output())


def _summary(pdf: _QuotePDF, doc: ProjectDocument) -> None:
    """The 총괄표: each panel, qty, one panel's amount, the product; then the totals."""
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.cell(0, 10, "총   괄   표", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.cell(
        0,
        6,
        f"견적번호 {doc.quote_number}   Rev. {doc.revision}   공사명 {doc.project}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    cols: tuple[tuple[str, int], ...] = (
        ("No.", 10),
        ("분전반", 44),
        ("수량(면)", 18),
        ("1면 금액", 32),
        ("금액", 36),
        ("상태", 40),
    )
    row_h = 6.5

    def header() -> None:
        pdf.set_font(FONT, size=9)
        pdf.set_fill_color(221, 228, 238)
        for name, w in cols:
            pdf.cell(w, 7, name, border=1, align="C", fill=True)
        pdf.ln(7)

    header()
    for i, row in enumerate(doc.summary, start=1):
        if pdf.get_y() + row_h > PAGE_H - 22:
            pdf.add_page()
            header()
        cells = (
            (str(i), "C"),
            (row.name, "L"),
            (f"{row.qty:,}", "R"),
            (won(row.unit_total), "R"),
            (won(row.amount), "R"),
            (f"{STATUS_TITLES.get(row.status, row.status)} ({row.status})", "C"),
        )
        for (text, align), (_, w) in zip(cells, cols, strict=True):
            _fit(pdf, text, w, 9)
            pdf.cell(w, row_h, text, border=1, align=align)
        pdf.ln(row_h)
    pdf.set_font(FONT, size=9)
    pdf.set_fill_color(221, 228, 238)
    before = sum(w for _, w in cols[:4])
    t = doc.totals
    rows: list[tuple[str, int]] = []
    if doc.priced:
        rows += [("정가 합계 ", t.list_total), (discount_label(t.discount) + " ", -t.discount)]
    if t.round_down_to > 1:
        rows += [("계 ", doc.net), (f"끝자리 절사 (₩{t.round_down_to:,} 미만) ", t.rounding)]
    rows += [
        ("합계 (공급가액) ", t.subtotal),
        (f"부가가치세 ({percent(doc.vat_rate)} %) ", t.vat),
        ("총 합계 (VAT 포함) ", t.grand_total),
    ]
    for label, value in rows:
        if pdf.get_y() + row_h > PAGE_H - 22:
            pdf.add_page()
        pdf.cell(before, row_h + 1, label, border=1, align="R", fill=True)
        pdf.cell(cols[4][1], row_h + 1, won(value), border=1, align="R", fill=True)
        pdf.cell(cols[5][1], row_h + 1, "", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")


def render_project_pdf(doc: ProjectDocument, *, font: bytes | ParsedFont) -> bytes:
    """A project as PDF bytes: cover, 총괄표, then per panel its lines, phases, drawing."""
    pdf = _QuotePDF(doc)
    pdf.set_creation_date(
        datetime.fromisoformat(doc.issued_at.replace("Z", "+00:00")).astimezone(UTC)
    )
    pdf.set_title(metadata_title(doc))
    pdf.set_author(doc.company.name)
    pdf.set_subject(doc.project)
    pdf.set_creator("KIS Estimator")
    pdf.set_producer("KIS Estimator (fpdf2)")
    pdf.set_lang("ko-KR")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=20)
    _add_font(pdf, font)
    pdf.alias_nb_pages()
    qty = sum(r.qty for r in doc.summary)
    _cover(
        pdf,
        doc,
        figures=_figures(doc),
        warnings=cover_warnings(doc),
        notes=[
            f"분전반 {len(doc.summary)}종 {qty:,}면: 내역은 총괄표와 분전반별 페이지",
            *cover_notes(doc),
        ],
    )
    _summary(pdf, doc)
    stems = drawing_stems([p.panel_name or "" for p in doc.panels])
    for panel, stem in zip(doc.panels, stems, strict=True):
        _lines(pdf, panel, in_project=True)
        _phase(pdf, panel)
        _drawing_page(pdf, layout_drawing(panel), stem=stem)
    return bytes(pdf.output())
