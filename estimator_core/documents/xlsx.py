"""The Excel 견적서: sheets 표지 (cover), 내역 (lines) and 상평형 (phase balance); for a
project 표지, 총괄표 (summary) and a lines and a phase sheet per panel.

XlsxWriter rather than openpyxl: every amount and total is a formula (``=ROUND(E*F,0)``,
``=SUM(…)``, VAT from the catalog's rate) that must also carry the engine's value, so the
file shows numbers in a viewer that does not calculate; XlsxWriter writes a formula's
cached value, openpyxl cannot. The lines sheet follows the panel maker's column map
(``mapping_rules.json``: B 품명, C 규격, D 단위, E 수량, F 단가, G 금액).

Deterministic: built in memory (XlsxWriter then dates every zip entry 1980-01-01) with
the workbook's ``created`` property set to the quote's issue time, never the clock.
Pure: writes to a bytes buffer only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from io import BytesIO
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from estimator_core.documents.model import (
    GOOD_STATUSES,
    STATUS_TITLES,
    ProjectDocument,
    QuoteDocument,
    cover_notes,
    cover_warnings,
    discount_label,
    document_title,
    logo_type,
    metadata_title,
    percent,
    status_text,
)

WON = '"₩"#,##0'
HEADER_ROW = 3  # 0-based row of the lines sheet's column headers (Excel row 4)
# B–G are the panel maker's column map (mapping_rules.json); a priced quote adds the list
# price (정가) and the rate (적용률) after the amount, so that map never moves.
COLUMNS = ("No.", "품명", "규격", "단위", "수량", "단가", "금액", "비고")
WIDTHS = (5, 22, 32, 6, 8, 12, 14, 30)
PRICED_COLUMNS = ("No.", "품명", "규격", "단위", "수량", "단가", "금액", "정가", "적용률", "비고")
PRICED_WIDTHS = (5, 22, 32, 6, 8, 12, 14, 12, 8, 24)
SUMMARY_COLUMNS = ("No.", "분전반", "수량(면)", "1면 금액", "금액", "상태", "비고")
SUMMARY_WIDTHS = (5, 24, 9, 16, 18, 14, 28)
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})
PHASE_SUFFIX = " 상평형"


@dataclass(frozen=True)
class LinesLayout:
    """Where the lines sheet put its figures (0-based rows), for the cover and the tests.

    ``net_row`` holds Σ section subtotals; without a 끝자리 절사 it is ``total_row``,
    with one the rows are net, rounding (the cut, ≤ 0) and total (the cut subtotal).
    """

    line_rows: tuple[int, ...]
    subtotal_rows: tuple[int, ...]
    total_row: int
    vat_row: int
    grand_total_row: int
    net_row: int
    rounding_row: int | None = None


@dataclass(frozen=True)
class SummaryLayout:
    """Where the 총괄표 put its figures (0-based rows; amounts in column E)."""

    panel_rows: tuple[int, ...]
    list_row: int | None
    discount_row: int | None
    net_row: int
    rounding_row: int | None
    total_row: int
    vat_row: int
    grand_total_row: int


def sheet_ref(sheet: str, row: int, col: int) -> str:
    """An absolute-enough reference to a cell of another sheet, the name quoted."""
    return f"'{sheet.replace(chr(39), chr(39) * 2)}'!{xl_rowcol_to_cell(row, col)}"


def sheet_names(panel_names: list[str]) -> list[tuple[str, str]]:
    """Excel-safe, unique (case-insensitively, beside 표지 and 총괄표) sheet names of
    ≤ 31 characters for each panel's lines and phase sheets, in order."""
    taken = {"표지", "총괄표"}
    out = []
    for name in panel_names:
        base = name.translate(_BAD_SHEET_CHARS).strip().strip("'") or "panel"
        room = MAX_SHEET_NAME - len(PHASE_SUFFIX)
        candidate = base[:room]
        n = 1
        while candidate.casefold() in taken or (candidate + PHASE_SUFFIX).casefold() in taken:
            n += 1
            tail = f"~{n}"
            candidate = base[: room - len(tail)] + tail
        lines, phase = candidate, candidate + PHASE_SUFFIX
        taken |= {lines.casefold(), phase.casefold()}
        out.append((lines, phase))
    return out


def _issued(doc: QuoteDocument | ProjectDocument) -> datetime:
    return datetime.fromisoformat(doc.issued_at.replace("Z", "+00:00")).astimezone(UTC)


def _qty(value: int | Any) -> float | int:
    return value if isinstance(value, int) else float(value)


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": "맑은 고딕", "font_size": 10, "valign": "vcenter"}

        def f(**kw: Any) -> Any:
            return wb.add_format({**base, **kw})

        self.text = f(border=1)
        self.wrap = f(border=1, text_wrap=True)
        self.center = f(border=1, align="center")
        self.header = f(border=1, bold=True, align="center", bg_color="#DDE4EE")
        self.section = f(border=1, bold=True, bg_color="#F2F2F2")
        self.qty = f(border=1, num_format="#,##0.##")
        self.won = f(border=1, num_format=WON)
        self.subtotal_label = f(border=1, bold=True, align="right", bg_color="#F2F2F2")
        self.subtotal = f(border=1, bold=True, num_format=WON, bg_color="#F2F2F2")
        self.total_label = f(border=2, bold=True, align="right", bg_color="#DDE4EE")
        self.total = f(border=2, bold=True, num_format=WON, bg_color="#DDE4EE")
        self.rate = f(border=1, num_format="0.##%")
        self.title = f(bold=True, font_size=20, align="center")
        self.subtitle = f(font_size=10, align="left")
        self.label = f(border=1, bold=True, bg_color="#F2F2F2")
        self.value = f(border=1, text_wrap=True)
        self.big_won = f(border=2, bold=True, font_size=14, num_format=WON, align="right")
        self.words = f(border=2, bold=True, font_size=13, align="left", text_wrap=True)
        self.warn = f(border=1, bold=True, font_color="#9C0006", bg_color="#FFC7CE", text_wrap=True)
        self.ok = f(border=1, bold=True, font_color="#006100", bg_color="#C6EFCE")
        self.note = f(border=1, font_color="#555555", text_wrap=True)
        self.pct = f(border=1, num_format="0.00%")
        self.amps = f(border=1, num_format="#,##0.0#")
        self.factor = f(border=1, num_format="0.0##", align="center")
        self.custom = f(border=1, bold=True, font_color="#7F3F00", bg_color="#FFEB9C")
        self.int = f(border=1, num_format="#,##0", align="center")


def _print_setup(ws: Worksheet, doc: QuoteDocument | ProjectDocument, sheet: str) -> None:
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)  # fit to width, as many pages as needed
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    # & starts a header code in Excel: a literal one is written &&.
    company, sheet = doc.company.name.replace("&", "&&"), sheet.replace("&", "&&")
    ws.set_header(f"&L&8{company}&R&8{doc.quote_number} {doc.revision}")
    ws.set_footer(f"&L&8{sheet}&C&8&P / &N")


def _lines_sheet(
    wb: xlsxwriter.Workbook,
    fm: _Formats,
    doc: QuoteDocument,
    *,
    name: str = "내역",
    in_project: bool = False,
) -> LinesLayout:
    """The lines; a quote's own sheet ends with its totals and VAT, a project panel's with
    one panel's Σ amounts (the project's 총괄표 multiplies, cuts and adds VAT)."""
    layout = lines_layout(doc, in_project=in_project)
    priced = doc.priced
    columns, widths = (PRICED_COLUMNS, PRICED_WIDTHS) if priced else (COLUMNS, WIDTHS)
    last_col = len(columns) - 1
    note_col = last_col
    ws = wb.add_worksheet(name)
    _print_setup(ws, doc, name)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    title = "견 적 내 역" if doc.panel_name is None else f"견 적 내 역 — {doc.panel_name}"
    ws.merge_range(0, 0, 0, last_col, title, fm.title)
    panel = f"분전반 {doc.panel_name} × {doc.panel_qty}면   " if doc.panel_name else ""
    ws.merge_range(
        1,
        0,
        1,
        last_col,
        f"견적번호 {doc.quote_number}   Rev. {doc.revision}   {panel}"
        f"공사명 {doc.project or '-'}   발행일 {doc.issue_date.isoformat()}",
        fm.subtitle,
    )
    for col, heading in enumerate(columns):
        ws.write_string(HEADER_ROW, col, heading, fm.header)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.repeat_rows(HEADER_ROW)

    rows = iter(enumerate(layout.line_rows, start=1))
    for section, sub_row in zip(doc.sections, layout.subtotal_rows, strict=True):
        head = sub_row - len(section.lines) - 1
        ws.write_string(head, 0, "", fm.section)
        ws.merge_range(head, 1, head, last_col, section.title, fm.section)
        for line in section.lines:
            number, row = next(rows)
            e = xl_rowcol_to_cell(row, 4)
            f = xl_rowcol_to_cell(row, 5)
            ws.write_number(row, 0, number, fm.center)
            ws.write_string(row, 1, line.item, fm.text)
            ws.write_string(row, 2, line.spec, fm.text)
            ws.write_string(row, 3, line.unit, fm.center)
            ws.write_number(row, 4, _qty(line.qty), fm.qty)
            if line.list_price is not None and line.rate is not None:
                # The unit price follows from list × rate, half-up to ₩1; the rate as an
                # exact fraction p/q so ROUND meets .5 exactly where the engine does.
                h = xl_rowcol_to_cell(row, 7)
                rate = Fraction(line.rate)
                price = (
                    f"={h}" if rate == 1 else f"=ROUND({h}*{rate.numerator}/{rate.denominator},0)"
                )
                ws.write_formula(row, 5, price, fm.won, line.unit_price)
                ws.write_number(row, 7, line.list_price, fm.won)
                ws.write_number(row, 8, float(rate), fm.factor)
            else:
                ws.write_number(row, 5, line.unit_price, fm.won)
                if priced:
                    ws.write_string(row, 7, "", fm.won)
                    ws.write_string(row, 8, "", fm.factor)
            # Money is rounded half-up to ₩1; for amounts ROUND does the same.
            ws.write_formula(row, 6, f"=ROUND({e}*{f},0)", fm.won, line.amount)
            ws.write_string(row, note_col, line.remark, fm.custom if line.custom else fm.note)
        first, last = sub_row - len(section.lines), sub_row - 1
        ws.write_string(sub_row, 0, "", fm.subtotal_label)
        ws.merge_range(sub_row, 1, sub_row, 5, f"소계 ({section.title})", fm.subtotal_label)
        g_range = f"{xl_rowcol_to_cell(first, 6)}:{xl_rowcol_to_cell(last, 6)}"
        ws.write_formula(sub_row, 6, f"=SUM({g_range})", fm.subtotal, section.subtotal)
        for col in range(7, last_col + 1):
            ws.write_string(sub_row, col, "", fm.subtotal_label)

    def total(row: int, label: str, formula: str, value: int) -> None:
        ws.merge_range(row, 0, row, 5, label, fm.total_label)
        ws.write_formula(row, 6, formula, fm.total, value)
        for col in range(7, last_col + 1):
            ws.write_string(row, col, "", fm.total_label)

    t = doc.totals
    cells = ",".join(xl_rowcol_to_cell(r, 6) for r in layout.subtotal_rows)
    if in_project:
        total(layout.net_row, f"1면 합계 ({doc.panel_name})", f"=SUM({cells})", doc.net)
        ws.print_area(0, 0, layout.net_row, last_col)
        return layout
    net = xl_rowcol_to_cell(layout.net_row, 6)
    subtotal = xl_rowcol_to_cell(layout.total_row, 6)
    unit = t.round_down_to  # 끝자리 절사 of the pricing policy: down, never up
    if layout.rounding_row is None:
        total(layout.total_row, "합계 (공급가액)", f"=SUM({cells})", t.subtotal)
    else:
        total(layout.net_row, "계", f"=SUM({cells})", doc.net)
        total(
            layout.rounding_row,
            f"끝자리 절사 (₩{unit:,} 미만)",
            f"={subtotal}-{net}",
            t.rounding,
        )
        total(layout.total_row, "합계 (공급가액)", f"=INT({net}/{unit})*{unit}", t.subtotal)

    # VAT: the catalog's rate as an exact fraction p/q, so that N*p/q lands exactly on
    # .5 where the engine's exact arithmetic does, and ROUND rounds it up like the engine.
    rate = Fraction(doc.vat_rate)
    row = layout.vat_row
    ws.merge_range(row, 0, row, 4, "부가가치세", fm.total_label)
    ws.write_number(row, 5, float(doc.vat_rate), fm.rate)
    ws.write_formula(
        row, 6, f"=ROUND({subtotal}*{rate.numerator}/{rate.denominator},0)", fm.total, t.vat
    )
    for col in range(7, last_col + 1):
        ws.write_string(row, col, "", fm.total_label)
    vat = xl_rowcol_to_cell(layout.vat_row, 6)
    total(layout.grand_total_row, "총 합계 (VAT 포함)", f"={subtotal}+{vat}", t.grand_total)
    ws.print_area(0, 0, layout.grand_total_row, last_col)
    return layout


Figure = tuple[str, str | None, int]  # label, formula (None: a value), the engine's figure


def _quote_figures(doc: QuoteDocument, layout: LinesLayout) -> list[Figure]:
    """The cover's money of one quote, each total a formula on the lines sheet."""

    def ref(row: int) -> str:
        return f"={sheet_ref('내역', row, 6)}"

    t = doc.totals
    out: list[Figure] = []
    if doc.priced:
        out += [
            ("정가 합계", None, t.list_total),
            (discount_label(t.discount), f"{ref(layout.net_row)}-{t.list_total}", -t.discount),
        ]
    out += [("재료비", None, t.materials), ("인건비", None, t.labour)]
    if layout.rounding_row is not None:
        out.append(("끝자리 절사", ref(layout.rounding_row), t.rounding))
    out += [
        ("공급가액", ref(layout.total_row), t.subtotal),
        ("부가가치세", ref(layout.vat_row), t.vat),
        ("총 합계 (VAT 포함)", ref(layout.grand_total_row), t.grand_total),
    ]
    return out


def _cover_sheet(
    ws: Worksheet,
    fm: _Formats,
    doc: QuoteDocument | ProjectDocument,
    *,
    grand: str,
    figures: list[Figure],
    warnings: list[tuple[str, str]],
    notes: list[str],
) -> None:
    """The 표지: header, the grand total in words and figures, the money, the status with
    every error and warning (never hidden), the catalog and the evidence root.
    ``grand`` is a reference to the grand total's cell; ``warnings`` (level, text)."""
    _print_setup(ws, doc, "표지")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 34)
    ws.merge_range(0, 0, 1, 3, document_title(doc), fm.title)
    c = doc.company
    row = 3
    left = [
        ("수신", f"{doc.client or '-'} 귀중"),
        ("공사명", doc.project or "-"),
        ("공사번호", doc.project_number or "-"),
        ("담당", doc.contact or "-"),
        ("견적번호", doc.quote_number),
        ("개정", doc.revision),
        ("발행일", doc.issue_date.isoformat()),
        ("유효기한", f"{doc.valid_until.isoformat()} ({c.validity_days}일)"),
        ("견적자", doc.estimator),
    ]
    right = [
        ("상호", c.name),
        ("대표자", c.representative),
        ("사업자등록번호", c.business_number),
        ("주소", c.address),
        ("전화", c.phone),
        ("E-mail", c.email),
        ("입금계좌", c.bank_account or "-"),
        ("결제조건", c.payment_terms or "-"),
        ("납기/인도조건", c.delivery_terms or "-"),
    ]
    for i, ((lk, lv), (rk, rv)) in enumerate(zip(left, right, strict=True)):
        ws.write_string(row + i, 0, lk, fm.label)
        ws.write_string(row + i, 1, lv, fm.value)
        ws.write_string(row + i, 2, rk, fm.label)
        ws.write_string(row + i, 3, rv, fm.value)
        ws.set_row(row + i, 20)
    row += len(left) + 1
    if c.logo is not None:
        kind = logo_type(c.logo)
        ws.insert_image(
            0,
            3,
            f"logo.{'png' if kind == 'png' else 'jpg'}",
            {"image_data": BytesIO(c.logo), "x_scale": 0.5, "y_scale": 0.5, "object_position": 3},
        )

    ws.merge_range(row, 0, row, 3, "아래와 같이 견적합니다.", fm.subtitle)
    row += 1
    ws.write_string(row, 0, "합계금액", fm.label)
    ws.merge_range(row, 1, row, 2, doc.amount_in_words, fm.words)
    ws.write_formula(row, 3, f"={grand}", fm.big_won, doc.totals.grand_total)
    ws.set_row(row, 30)
    row += 2
    for label, formula, value in figures:
        ws.write_string(row, 2, label, fm.label)
        if formula:
            ws.write_formula(row, 3, formula, fm.won, value)
        else:
            ws.write_number(row, 3, value, fm.won)
        row += 1
    row += 1

    ws.write_string(row, 0, "상태", fm.label)
    ws.merge_range(
        row, 1, row, 3, status_text(doc), fm.ok if doc.status in GOOD_STATUSES else fm.warn
    )
    row += 1
    for level, text in warnings:
        ws.write_string(row, 0, "오류" if level == "error" else "경고", fm.warn)
        ws.merge_range(row, 1, row, 3, text, fm.warn)
        ws.set_row(row, 30)
        row += 1
    if notes:
        ws.write_string(row, 0, "참고", fm.label)
        ws.merge_range(row, 1, row, 3, "\n".join(notes), fm.note)
        ws.set_row(row, min(15 * len(notes), 400))
        row += 1
    row += 1
    ws.write_string(row, 0, "카탈로그", fm.label)
    ws.merge_range(row, 1, row, 3, f"{doc.catalog_label} ({doc.catalog_sha256[:12]})", fm.value)
    row += 1
    ws.write_string(row, 0, "증거 루트", fm.label)
    ws.merge_range(row, 1, row, 3, doc.evidence_root, fm.value)
    ws.print_area(0, 0, row, 3)


def _phase_sheet(
    wb: xlsxwriter.Workbook, fm: _Formats, doc: QuoteDocument, *, name: str = "상평형"
) -> None:
    ws = wb.add_worksheet(name)
    _print_setup(ws, doc, name)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 3, 16)
    title = "상 평 형 (설비불평형률)"
    ws.merge_range(0, 0, 0, 3, f"{title} — {doc.panel_name}" if doc.panel_name else title, fm.title)
    p = doc.phase
    if not p.applicable:
        ws.merge_range(2, 0, 2, 3, "단상 분전반: 상평형 해당 없음 (1P2W, not applicable)", fm.value)
        return
    ws.write_string(2, 0, "계통", fm.label)
    ws.write_string(2, 1, p.system, fm.value)
    ws.write_string(4, 0, "상 (군)", fm.header)
    ws.write_string(4, 1, "전류 합계 (A)", fm.header)
    ws.write_string(4, 2, "단상 부하 (A)", fm.header)
    ws.freeze_panes(5, 0)
    row = 5
    for group, amps in p.totals_a.items():
        ws.write_string(row, 0, group, fm.center)
        ws.write_number(row, 1, amps, fm.amps)
        ws.write_number(row, 2, p.single_phase_totals_a.get(group, 0.0), fm.amps)
        row += 1
    row += 1

    def figure(label: str, value: float | None, fmt: Any) -> None:
        nonlocal row
        ws.write_string(row, 0, label, fm.label)
        if value is None:
            ws.write_string(row, 1, "해당 없음 (n/a)", fm.value)
        else:
            ws.write_number(row, 1, value, fmt)
        row += 1

    figure("불평형률", p.imbalance, fm.pct)
    figure("불평형률 (단상 부하만)", p.imbalance_single_phase, fm.pct)
    figure("최적 편차 (A)", p.optimum_a, fm.amps)
    figure("하한 (A)", p.lower_bound_a, fm.amps)
    ws.write_string(row, 0, "최적성", fm.label)
    proof = "증명된 최적 (proven optimal)" if p.proven_optimal else "최적 미증명 (not proven)"
    ws.merge_range(row, 1, row, 3, proof, fm.value)
    row += 1
    figure("KIS 목표", float(p.target), fm.pct)
    figure("KEC 한도 (설비불평형률)", float(p.kec_limit), fm.pct)
    ws.write_string(row, 0, "판정", fm.label)
    verdict = phase_verdict(doc)
    ws.merge_range(row, 1, row, 3, verdict, fm.ok if verdict == VERDICT_OK else fm.warn)


VERDICT_OK = "목표 이내"


def phase_verdict(doc: QuoteDocument) -> str:
    """The gates' verdict, read from the lint stage (which compares exact values)."""
    rules = {f.rule for f in doc.findings}
    if doc.phase.imbalance is None:
        return "부하 없음: 판정 없음"
    if "BAL_KEC_LIMIT" in rules:
        return f"KEC 한도 {percent(doc.phase.kec_limit)} % 초과: 제작사 검토 필요"
    if "BAL_TARGET" in rules:
        return f"KIS 목표 {percent(doc.phase.target)} % 초과 (달성 가능한 최적값)"
    return VERDICT_OK


def render_xlsx(doc: QuoteDocument) -> bytes:
    """The workbook's bytes: 표지, 내역, 상평형."""
    buffer = BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties(
        {
            "title": metadata_title(doc),
            "subject": doc.project or "",
            "author": doc.company.name,
            "company": doc.company.name,
            "comments": f"evidence root {doc.evidence_root}",
            "created": _issued(doc).replace(tzinfo=None),
        }
    )
    fm = _Formats(wb)
    cover = wb.add_worksheet("표지")
    layout = _lines_sheet(wb, fm, doc)
    _cover_sheet(
        cover,
        fm,
        doc,
        grand=sheet_ref("내역", layout.grand_total_row, 6),
        figures=_quote_figures(doc, layout),
        warnings=cover_warnings(doc),
        notes=cover_notes(doc),
    )
    _phase_sheet(wb, fm, doc)
    cover.activate()
    wb.close()
    return buffer.getvalue()


def summary_layout(doc: ProjectDocument) -> SummaryLayout:
    """Where ``render_project_xlsx`` puts the 총괄표's rows, without rendering."""
    first = HEADER_ROW + 1
    panel_rows = tuple(range(first, first + len(doc.summary)))
    row = first + len(doc.summary)
    list_row = discount_row = rounding_row = None
    if doc.priced:
        list_row, discount_row, row = row, row + 1, row + 2
    net_row = row
    if doc.totals.round_down_to > 1:
        rounding_row, row = row + 1, row + 2
    return SummaryLayout(
        panel_rows=panel_rows,
        list_row=list_row,
        discount_row=discount_row,
        net_row=net_row,
        rounding_row=rounding_row,
        total_row=row,
        vat_row=row + 1,
        grand_total_row=row + 2,
    )


def _summary_sheet(
    wb: xlsxwriter.Workbook,
    fm: _Formats,
    doc: ProjectDocument,
    names: list[tuple[str, str]],
    nets: list[int],
) -> SummaryLayout:
    """The 총괄표: each panel's one-panel amount (a reference to its lines sheet) × qty,
    then Σ, the 끝자리 절사 once, VAT once on the project subtotal, the grand total."""
    layout = summary_layout(doc)
    ws = wb.add_worksheet("총괄표")
    _print_setup(ws, doc, "총괄표")
    for col, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(col, col, width)
    last_col = len(SUMMARY_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last_col, "총   괄   표", fm.title)
    ws.merge_range(
        1,
        0,
        1,
        last_col,
        f"견적번호 {doc.quote_number}   Rev. {doc.revision}   공사명 {doc.project}   "
        f"발행일 {doc.issue_date.isoformat()}",
        fm.subtitle,
    )
    for col, heading in enumerate(SUMMARY_COLUMNS):
        ws.write_string(HEADER_ROW, col, heading, fm.header)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.repeat_rows(HEADER_ROW)
    for i, (row, item, (lines_sheet, _), net_row) in enumerate(
        zip(layout.panel_rows, doc.summary, names, nets, strict=True), start=1
    ):
        c, d = xl_rowcol_to_cell(row, 2), xl_rowcol_to_cell(row, 3)
        ws.write_number(row, 0, i, fm.center)
        ws.write_string(row, 1, item.name, fm.text)
        ws.write_number(row, 2, item.qty, fm.int)
        ws.write_formula(row, 3, f"={sheet_ref(lines_sheet, net_row, 6)}", fm.won, item.unit_total)
        ws.write_formula(row, 4, f"={c}*{d}", fm.won, item.amount)
        status = STATUS_TITLES.get(item.status, item.status)
        ws.write_string(row, 5, status, fm.ok if item.status == "issued" else fm.warn)
        remark = f"정가 ₩{item.unit_list_total:,} / 면" if doc.priced else ""
        ws.write_string(row, 6, remark, fm.note)

    def total(row: int, label: str, formula: str | None, value: int) -> None:
        ws.merge_range(row, 0, row, 3, label, fm.total_label)
        if formula is None:
            ws.write_number(row, 4, value, fm.total)
        else:
            ws.write_formula(row, 4, formula, fm.total, value)
        ws.merge_range(row, 5, row, last_col, "", fm.total_label)

    t = doc.totals
    amounts = f"{xl_rowcol_to_cell(layout.panel_rows[0], 4)}:" + xl_rowcol_to_cell(
        layout.panel_rows[-1], 4
    )
    net = xl_rowcol_to_cell(layout.net_row, 4)
    subtotal = xl_rowcol_to_cell(layout.total_row, 4)
    if layout.list_row is not None and layout.discount_row is not None:
        total(layout.list_row, "정가 합계", None, t.list_total)
        listed = xl_rowcol_to_cell(layout.list_row, 4)
        total(layout.discount_row, discount_label(t.discount), f"={net}-{listed}", -t.discount)
    unit = t.round_down_to
    if layout.rounding_row is None:
        total(layout.total_row, "합계 (공급가액)", f"=SUM({amounts})", t.subtotal)
    else:
        total(layout.net_row, "계", f"=SUM({amounts})", doc.net)
        total(
            layout.rounding_row, f"끝자리 절사 (₩{unit:,} 미만)", f"={subtotal}-{net}", t.rounding
        )
        total(layout.total_row, "합계 (공급가액)", f"=INT({net}/{unit})*{unit}", t.subtotal)
    rate = Fraction(doc.vat_rate)
    total(
        layout.vat_row,
        f"부가가치세 ({percent(doc.vat_rate)} %)",
        f"=ROUND({subtotal}*{rate.numerator}/{rate.denominator},0)",
        t.vat,
    )
    vat = xl_rowcol_to_cell(layout.vat_row, 4)
    total(layout.grand_total_row, "총 합계 (VAT 포함)", f"={subtotal}+{vat}", t.grand_total)
    ws.print_area(0, 0, layout.grand_total_row, last_col)
    return layout


def _project_figures(doc: ProjectDocument, layout: SummaryLayout) -> list[Figure]:
    def ref(row: int) -> str:
        return f"={sheet_ref('총괄표', row, 4)}"

    t = doc.totals
    out: list[Figure] = []
    if layout.list_row is not None and layout.discount_row is not None:
        out += [("정가 합계", ref(layout.list_row), t.list_total)]
        out += [(discount_label(t.discount), ref(layout.discount_row), -t.discount)]
    out += [("재료비", None, t.materials), ("인건비", None, t.labour)]
    if layout.rounding_row is not None:
        out.append(("끝자리 절사", ref(layout.rounding_row), t.rounding))
    out += [
        ("공급가액", ref(layout.total_row), t.subtotal),
        ("부가가치세", ref(layout.vat_row), t.vat),
        ("총 합계 (VAT 포함)", ref(layout.grand_total_row), t.grand_total),
    ]
    return out


def _panel_count(doc: ProjectDocument) -> str:
    qty = sum(r.qty for r in doc.summary)
    return f"분전반 {len(doc.summary)}종 {qty:,}면: 총괄표와 분전반별 내역·상평형 시트"


def render_project_xlsx(doc: ProjectDocument) -> bytes:
    """The project workbook's bytes: 표지, 총괄표, then each panel's lines and phase sheets."""
    buffer = BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties(
        {
            "title": metadata_title(doc),
            "subject": doc.project,
            "author": doc.company.name,
            "company": doc.company.name,
            "comments": f"evidence root {doc.evidence_root}",
            "created": _issued(doc).replace(tzinfo=None),
        }
    )
    fm = _Formats(wb)
    cover = wb.add_worksheet("표지")
    names = sheet_names([p.panel_name or "" for p in doc.panels])
    # The summary refers to the panels' sheets, which come after it: plan their rows first.
    nets = [lines_layout(p, in_project=True).net_row for p in doc.panels]
    layout = _summary_sheet(wb, fm, doc, names, nets)
    for panel, (lines_sheet, phase_sheet) in zip(doc.panels, names, strict=True):
        _lines_sheet(wb, fm, panel, name=lines_sheet, in_project=True)
        _phase_sheet(wb, fm, panel, name=phase_sheet)
    _cover_sheet(
        cover,
        fm,
        doc,
        grand=sheet_ref("총괄표", layout.grand_total_row, 4),
        figures=_project_figures(doc, layout),
        warnings=cover_warnings(doc),
        notes=[_panel_count(doc), *cover_notes(doc)],
    )
    cover.activate()
    wb.close()
    return buffer.getvalue()


def lines_layout(doc: QuoteDocument, *, in_project: bool = False) -> LinesLayout:
    """Where ``render_xlsx`` puts each line and total, without rendering (for checks).

    In a project a panel's sheet ends at ``net_row``; its other rows are past the end."""
    row = HEADER_ROW + 1
    line_rows: list[int] = []
    subtotal_rows: list[int] = []
    for section in doc.sections:
        row += 1
        for _ in section.lines:
            line_rows.append(row)
            row += 1
        subtotal_rows.append(row)
        row += 1
    if in_project or doc.totals.round_down_to == 1:
        return LinesLayout(
            tuple(line_rows), tuple(subtotal_rows), row, row + 1, row + 2, net_row=row
        )
    return LinesLayout(
        tuple(line_rows),
        tuple(subtotal_rows),
        total_row=row + 2,
        vat_row=row + 3,
        grand_total_row=row + 4,
        net_row=row,
        rounding_row=row + 1,
    )
