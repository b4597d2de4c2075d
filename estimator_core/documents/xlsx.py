"""The Excel 견적서: sheets 표지 (cover), 내역 (lines) and 상평형 (phase balance).

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

from estimator_core.documents.model import STATUS_TITLES, QuoteDocument, logo_type, percent

WON = '"₩"#,##0'
HEADER_ROW = 3  # 0-based row of the lines sheet's column headers (Excel row 4)
COLUMNS = ("No.", "품명", "규격", "단위", "수량", "단가", "금액", "비고")
WIDTHS = (5, 22, 32, 6, 8, 12, 14, 30)


@dataclass(frozen=True)
class LinesLayout:
    """Where the lines sheet put its figures (0-based rows), for the cover and the tests."""

    line_rows: tuple[int, ...]
    subtotal_rows: tuple[int, ...]
    total_row: int
    vat_row: int
    grand_total_row: int


def _issued(doc: QuoteDocument) -> datetime:
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


def _print_setup(ws: Worksheet, doc: QuoteDocument, sheet: str) -> None:
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)  # fit to width, as many pages as needed
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    ws.set_header(f"&L&8{doc.company.name}&R&8{doc.quote_number} {doc.revision}")
    ws.set_footer(f"&L&8{sheet}&C&8&P / &N")


def _lines_sheet(wb: xlsxwriter.Workbook, fm: _Formats, doc: QuoteDocument) -> LinesLayout:
    ws = wb.add_worksheet("내역")
    _print_setup(ws, doc, "내역")
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, 7, "견 적 내 역", fm.title)
    ws.merge_range(
        1,
        0,
        1,
        7,
        f"견적번호 {doc.quote_number}   Rev. {doc.revision}   "
        f"공사명 {doc.project or '-'}   발행일 {doc.issue_date.isoformat()}",
        fm.subtitle,
    )
    for col, name in enumerate(COLUMNS):
        ws.write_string(HEADER_ROW, col, name, fm.header)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.repeat_rows(HEADER_ROW)

    row = HEADER_ROW + 1
    number = 0
    line_rows: list[int] = []
    subtotal_rows: list[int] = []
    for section in doc.sections:
        ws.write_string(row, 0, "", fm.section)
        ws.merge_range(row, 1, row, 7, section.title, fm.section)
        row += 1
        first = row
        for line in section.lines:
            number += 1
            e = xl_rowcol_to_cell(row, 4)
            f = xl_rowcol_to_cell(row, 5)
            ws.write_number(row, 0, number, fm.center)
            ws.write_string(row, 1, line.item, fm.text)
            ws.write_string(row, 2, line.spec, fm.text)
            ws.write_string(row, 3, line.unit, fm.center)
            ws.write_number(row, 4, _qty(line.qty), fm.qty)
            ws.write_number(row, 5, line.unit_price, fm.won)
            # Money is rounded half-up to ₩1; for amounts ROUND does the same.
            ws.write_formula(row, 6, f"=ROUND({e}*{f},0)", fm.won, line.amount)
            ws.write_string(row, 7, line.note or "", fm.note)
            line_rows.append(row)
            row += 1
        last = row - 1
        ws.write_string(row, 0, "", fm.subtotal_label)
        ws.merge_range(row, 1, row, 5, f"소계 ({section.title})", fm.subtotal_label)
        g_range = f"{xl_rowcol_to_cell(first, 6)}:{xl_rowcol_to_cell(last, 6)}"
        ws.write_formula(row, 6, f"=SUM({g_range})", fm.subtotal, section.subtotal)
        ws.write_string(row, 7, "", fm.subtotal_label)
        subtotal_rows.append(row)
        row += 1

    t = doc.totals
    total_row = row
    ws.merge_range(row, 0, row, 5, "합계 (공급가액)", fm.total_label)
    cells = ",".join(xl_rowcol_to_cell(r, 6) for r in subtotal_rows)
    unit = t.round_down_to  # 끝자리 절사 of the pricing policy: down, never up
    total = f"=SUM({cells})" if unit == 1 else f"=INT(SUM({cells})/{unit})*{unit}"
    ws.write_formula(row, 6, total, fm.total, t.subtotal)
    ws.write_string(row, 7, "", fm.total_label)
    row += 1

    # VAT: the catalog's rate as an exact fraction p/q, so that N*p/q lands exactly on
    # .5 where the engine's exact arithmetic does, and ROUND rounds it up like the engine.
    vat_row = row
    rate = Fraction(doc.vat_rate)
    ws.merge_range(row, 0, row, 4, "부가가치세", fm.total_label)
    ws.write_number(row, 5, float(doc.vat_rate), fm.rate)
    ws.write_formula(
        row,
        6,
        f"=ROUND({xl_rowcol_to_cell(total_row, 6)}*{rate.numerator}/{rate.denominator},0)",
        fm.total,
        t.vat,
    )
    ws.write_string(row, 7, "", fm.total_label)
    row += 1
    grand_row = row
    ws.merge_range(row, 0, row, 5, "총 합계 (VAT 포함)", fm.total_label)
    ws.write_formula(
        row,
        6,
        f"={xl_rowcol_to_cell(total_row, 6)}+{xl_rowcol_to_cell(vat_row, 6)}",
        fm.total,
        t.grand_total,
    )
    ws.write_string(row, 7, "", fm.total_label)
    ws.print_area(0, 0, row, 7)
    return LinesLayout(
        line_rows=tuple(line_rows),
        subtotal_rows=tuple(subtotal_rows),
        total_row=total_row,
        vat_row=vat_row,
        grand_total_row=grand_row,
    )


def _cover_sheet(ws: Worksheet, fm: _Formats, doc: QuoteDocument, layout: LinesLayout) -> None:
    _print_setup(ws, doc, "표지")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 34)
    ws.merge_range(0, 0, 1, 3, "견   적   서", fm.title)
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
    grand = f"'내역'!{xl_rowcol_to_cell(layout.grand_total_row, 6)}"
    ws.write_string(row, 0, "합계금액", fm.label)
    ws.merge_range(row, 1, row, 2, doc.amount_in_words, fm.words)
    ws.write_formula(row, 3, f"={grand}", fm.big_won, doc.totals.grand_total)
    ws.set_row(row, 30)
    row += 2
    t = doc.totals
    figures = [
        ("재료비", None, t.materials),
        ("인건비", None, t.labour),
        ("공급가액", f"='내역'!{xl_rowcol_to_cell(layout.total_row, 6)}", t.subtotal),
        ("부가가치세", f"='내역'!{xl_rowcol_to_cell(layout.vat_row, 6)}", t.vat),
        ("총 합계 (VAT 포함)", f"={grand}", t.grand_total),
    ]
    for label, formula, value in figures:
        ws.write_string(row, 2, label, fm.label)
        if formula:
            ws.write_formula(row, 3, formula, fm.won, value)
        else:
            ws.write_number(row, 3, value, fm.won)
        row += 1
    row += 1

    ws.write_string(row, 0, "상태", fm.label)
    status = f"{STATUS_TITLES.get(doc.status, doc.status)} ({doc.status})"
    ws.merge_range(row, 1, row, 3, status, fm.ok if doc.status == "issued" else fm.warn)
    row += 1
    for f in doc.findings:
        if f.level == "note":
            continue
        ws.write_string(row, 0, "오류" if f.level == "error" else "경고", fm.warn)
        ws.merge_range(row, 1, row, 3, f"[{f.rule}] {f.message}", fm.warn)
        ws.set_row(row, 30)
        row += 1
    notes = [f for f in doc.findings if f.level == "note"]
    if notes:
        ws.write_string(row, 0, "참고", fm.label)
        ws.merge_range(row, 1, row, 3, "\n".join(f"[{f.rule}] {f.message}" for f in notes), fm.note)
        ws.set_row(row, min(15 * len(notes), 400))
        row += 1
    row += 1
    ws.write_string(row, 0, "카탈로그", fm.label)
    ws.merge_range(row, 1, row, 3, f"{doc.catalog_label} ({doc.catalog_sha256[:12]})", fm.value)
    row += 1
    ws.write_string(row, 0, "증거 루트", fm.label)
    ws.merge_range(row, 1, row, 3, doc.evidence_root, fm.value)
    ws.print_area(0, 0, row, 3)


def _phase_sheet(wb: xlsxwriter.Workbook, fm: _Formats, doc: QuoteDocument) -> None:
    ws = wb.add_worksheet("상평형")
    _print_setup(ws, doc, "상평형")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 3, 16)
    ws.merge_range(0, 0, 0, 3, "상 평 형 (설비불평형률)", fm.title)
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
            "title": f"견적서 {doc.quote_number} {doc.revision}",
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
    _cover_sheet(cover, fm, doc, layout)
    _phase_sheet(wb, fm, doc)
    cover.activate()
    wb.close()
    return buffer.getvalue()


def lines_layout(doc: QuoteDocument) -> LinesLayout:
    """Where ``render_xlsx`` puts each line and total, without rendering (for checks)."""
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
    return LinesLayout(tuple(line_rows), tuple(subtotal_rows), row, row + 1, row + 2)
