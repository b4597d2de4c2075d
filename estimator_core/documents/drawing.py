"""The dimensioned panel drawing as a list of shapes in millimetres, shared by SVG, DXF and PDF.

``layout_drawing`` lays out, once, the front view of the chosen box (main breaker, every
face-to-face row with model, poles, rating, label and phase, the R/S/T/N busbar, the
accessories in their band), its W × H dimensions and the A/B/C/D/E height chain, a side
view with D, a phase legend and a title block. The renderers only translate shapes, so the
three files always show the same drawing. Coordinates: model millimetres, origin at the
box's top-left corner, y downwards. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from estimator_core.documents.model import DrawnAccessory, DrawnBreaker, QuoteDocument

Layer = Literal["OUTLINE", "BREAKERS", "DIMENSIONS", "TEXT"]
LAYERS: tuple[Layer, ...] = ("OUTLINE", "BREAKERS", "DIMENSIONS", "TEXT")
Anchor = Literal["start", "middle", "end"]

# KEC 2021 conductor colours: L1 brown, L2 black, L3 grey, N blue.
PHASE_COLOURS = {"R": "#8b4513", "S": "#000000", "T": "#808080", "N": "#1f4e9c"}
THREE_PHASE_COLOUR = "#6a1b9a"
INK = "#000000"
SCALES = (5, 10, 15, 20, 25, 30, 40, 50, 75, 100)
SHEET_MM = (277.0, 400.0)  # the printable part of A3 portrait


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    layer: Layer
    colour: str = INK
    width: float = 0.25  # paper mm


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    layer: Layer
    colour: str = INK
    fill: str | None = None
    width: float = 0.25


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float  # cap height in model mm
    layer: Layer
    anchor: Anchor = "start"
    colour: str = INK


Shape = Line | Rect | Text


@dataclass(frozen=True)
class Drawing:
    """Shapes in model mm, the sheet's extent (min x, min y, width, height) and its scale."""

    shapes: tuple[Shape, ...]
    extent: tuple[float, float, float, float]
    scale: int
    box_w: int
    box_h: int


def text_width(text: str, size: float) -> float:
    """A text's advance, estimated from its cap height: CJK glyphs one em, others 0.62 em."""
    em = size / 0.72
    return sum(em if unicodedata.east_asian_width(c) in "WF" else 0.62 * em for c in text)


def fit_size(text: str, size: float, width: float) -> float:
    """``size`` shrunk until the text fits ``width``."""
    need = text_width(text, size)
    return size if need <= width else size * width / need


def _phase_colour(phase: str) -> str:
    return PHASE_COLOURS.get(phase, THREE_PHASE_COLOUR)


def breaker_lines(b: DrawnBreaker) -> tuple[str, str]:
    """What a breaker's box says, in two parts: id, phase and label; model, poles, rating."""
    who = f"{b.id} [{b.phase}]" + (f" {b.label}" if b.label else "")
    what = f"{b.model} {b.poles}P {b.at}A" + (" (SPD용)" if b.role == "spd" else "")
    return who, what


MAX_UNITS_DRAWN = 12  # per accessory line; more are drawn as one box saying how many


def accessory_units(acc: DrawnAccessory) -> list[str]:
    """The label of each accessory unit drawn (magnets by model, others by name)."""
    name = acc.model if acc.kind == "magnet" and acc.model else acc.name
    if acc.qty > MAX_UNITS_DRAWN:
        return [f"{name} ×{acc.qty}"]
    return [name] * acc.qty


def choose_scale(width: float, height: float) -> int:
    for s in SCALES:
        if width / s <= SHEET_MM[0] and height / s <= SHEET_MM[1]:
            return s
    return SCALES[-1]


class _Sheet:
    def __init__(self, scale: int) -> None:
        self.u = float(scale)  # model mm per paper mm
        self.shapes: list[Shape] = []

    def line(self, x1: float, y1: float, x2: float, y2: float, layer: Layer) -> None:
        self.shapes.append(Line(x1, y1, x2, y2, layer))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        layer: Layer = "TEXT",
        *,
        anchor: Anchor = "start",
        colour: str = INK,
    ) -> None:
        self.shapes.append(Text(x, y, text, size, layer, anchor, colour))

    def hdim(self, x1: float, x2: float, y: float, label: str) -> None:
        """A horizontal dimension line at ``y`` with ticks and its figure above."""
        t = 1.5 * self.u
        self.line(x1, y, x2, y, "DIMENSIONS")
        for x in (x1, x2):
            self.line(x, y - t, x, y + t, "DIMENSIONS")
            self.line(x - t / 2, y + t / 2, x + t / 2, y - t / 2, "DIMENSIONS")
        self.text(
            (x1 + x2) / 2, y - 1.0 * self.u, label, 2.5 * self.u, "DIMENSIONS", anchor="middle"
        )

    def vdim(self, x: float, y1: float, y2: float, label: str, size: float | None = None) -> None:
        """A vertical dimension line at ``x``; its figure to the left, at mid-height."""
        t = 1.5 * self.u
        self.line(x, y1, x, y2, "DIMENSIONS")
        for y in (y1, y2):
            self.line(x - t, y, x + t, y, "DIMENSIONS")
            self.line(x - t / 2, y + t / 2, x + t / 2, y - t / 2, "DIMENSIONS")
        s = min(size or 2.5 * self.u, max(abs(y2 - y1) * 0.8, 0.8 * self.u))
        self.text(x - 1.0 * self.u, (y1 + y2) / 2 + s / 2, label, s, "DIMENSIONS", anchor="end")


def layout_drawing(doc: QuoteDocument) -> Drawing:
    """The drawing of a quote's panel, to scale, with every breaker and accessory."""
    enc = doc.enclosure
    W, H, D = enc.w, enc.h, enc.d
    parts = enc.height_parts
    side_x = W + 60.0 + 0.12 * W
    scale = choose_scale(side_x + D + 0.35 * W + 200, H * 1.45 + 400)
    sh = _Sheet(scale)
    u = sh.u

    # Outline: front view and side view.
    sh.shapes.append(Rect(0, 0, W, H, "OUTLINE", width=0.5))
    sh.shapes.append(Rect(side_x, 0, D, H, "OUTLINE", width=0.5))
    sh.text(W / 2, -14 * u, "정면도 FRONT", 3 * u, anchor="middle")
    sh.text(side_x + D / 2, -14 * u, "측면도 SIDE", 3 * u, anchor="middle")

    # Dimensions: W over the front, D over the side, H and the A–E chain on the left.
    sh.hdim(0, W, -6 * u, f"W {W}")
    sh.hdim(side_x, side_x + D, -6 * u, f"D {D}")
    sh.vdim(-24 * u, 0, H, f"H {H}")
    y = 0.0
    bands: dict[str, tuple[float, float]] = {}
    for key in ("A", "B", "C", "D", "E"):
        value = parts.get(key, 0)
        bands[key] = (y, y + value)
        if value:
            sh.vdim(-8 * u, y, y + value, f"{key} {value}", size=2.2 * u)
        y += value
    if y < H:
        sh.vdim(-8 * u, y, H, f"+{H - y:g}", size=1.8 * u)

    # Busbar: R, S, T, N down the middle from the main to the last row.
    cx = W / 2
    pitch = min(14.0, W / 40)
    bar_w = pitch * 0.6
    bus_half = 2 * pitch
    a0, a1 = bands["A"]
    c0, c1 = bands["C"]
    main_h = min(max(a1 - a0 - 30, 20.0), 110.0)
    main_y = a0 + (a1 - a0 - main_h) / 2
    for i, ph in enumerate(("R", "S", "T", "N")):
        x = cx - bus_half + i * pitch + (pitch - bar_w) / 2
        sh.shapes.append(
            Rect(
                x,
                main_y + main_h,
                bar_w,
                max(c1 - main_y - main_h, 1),
                "BREAKERS",
                colour=PHASE_COLOURS[ph],
                fill=PHASE_COLOURS[ph],
            )
        )

    # Main breaker in band A.
    main_w = W * 0.6
    m = doc.main
    sh.shapes.append(Rect(cx - main_w / 2, main_y, main_w, main_h, "BREAKERS", width=0.5))
    main_text = f"MAIN {m.model} {m.poles}P {m.af}AF {m.at}A"
    size = fit_size(main_text, min(2.5 * u, main_h * 0.4), main_w - 8)
    sh.text(cx, main_y + main_h / 2 + size / 2, main_text, size, anchor="middle")

    # Rows, face to face on both sides of the busbar.
    margin = 20.0
    gap = 6.0
    bw = cx - bus_half - gap - margin
    y = c0
    for row in doc.rows:
        for b, x in ((row.left, margin), (row.right, cx + bus_half + gap)):
            if b is None:
                continue
            colour = _phase_colour(b.phase)
            sh.shapes.append(
                Rect(x, y + 1, bw, row.pitch_mm - 2, "BREAKERS", colour=colour, width=0.35)
            )
            who, what = breaker_lines(b)
            inner = row.pitch_mm - 2
            one = fit_size(f"{who} {what}", min(2.5 * u, inner * 0.6), bw - 6)
            two = min(
                fit_size(who, min(2.5 * u, inner * 0.3), bw - 6),
                fit_size(what, min(2.5 * u, inner * 0.3), bw - 6),
            )
            if two > one * 1.2:  # a tall row reads better on two lines
                sh.text(x + 3, y + 1 + inner / 2 - two * 0.35, who, two, colour=colour)
                sh.text(x + 3, y + 1 + inner / 2 + two * 1.35, what, two, colour=colour)
            else:
                sh.text(x + 3, y + row.pitch_mm / 2 + one / 2, f"{who} {what}", one, colour=colour)
        y += row.pitch_mm

    # Accessories in band E (below D), or in band D when E is zero.
    e0, e1 = bands["E"] if parts.get("E", 0) else bands["D"]
    units = [label for acc in doc.accessories for label in accessory_units(acc)]
    if units:
        cols = max(1, min(len(units), int((W - 2 * margin) // 90)))
        cell_w = (W - 2 * margin) / cols
        nrows = -(-len(units) // cols)
        cell_h = min(max(e1 - e0 - 10, 20.0) / nrows, 100.0)
        for i, label in enumerate(units):
            x = margin + (i % cols) * cell_w
            yy = e0 + 5 + (i // cols) * cell_h
            sh.shapes.append(Rect(x + 3, yy, cell_w - 6, cell_h - 4, "BREAKERS", colour="#2e7d32"))
            size = fit_size(label, min(2.2 * u, cell_h * 0.4), cell_w - 10)
            sh.text(x + cell_w / 2, yy + (cell_h - 4) / 2 + size / 2, label, size, anchor="middle")

    # Phase legend beside the side view.
    lx = side_x + D + 12 * u
    ly = 0.0
    sh.text(lx, ly + 3 * u, "상 색상 PHASES (KEC)", 2.5 * u)
    for i, (ph, name) in enumerate(
        (("R", "R (L1) 갈색"), ("S", "S (L2) 흑색"), ("T", "T (L3) 회색"), ("N", "N 청색"))
    ):
        yy = ly + (8 + 6 * i) * u
        sh.shapes.append(
            Rect(
                lx,
                yy - 3 * u,
                6 * u,
                3 * u,
                "BREAKERS",
                colour=PHASE_COLOURS[ph],
                fill=PHASE_COLOURS[ph],
            )
        )
        sh.text(lx + 8 * u, yy, name, 2.5 * u)
    yy = ly + 8 * u + 24 * u
    sh.shapes.append(Rect(lx, yy - 3 * u, 6 * u, 3 * u, "BREAKERS", colour=THREE_PHASE_COLOUR))
    sh.text(lx + 8 * u, yy, "3상 RST / 선간 RS·ST·TR", 2.5 * u)

    # Title block under the front view.
    tb_y = H + 12 * u
    tb_w = max(W + D + 60 + 0.12 * W, 150 * u)
    title_rows = [
        ("회사 COMPANY", doc.company.name),
        ("공사명 PROJECT", doc.project or "-"),
        ("발주처 CLIENT", doc.client or "-"),
    ]
    if doc.panel_name is not None:
        title_rows.append(("분전반 PANEL", f"{doc.panel_name}  × {doc.panel_qty}면"))
    title_rows.append(
        ("외함 BOX", f"{enc.model if enc.custom else f'{enc.model} {W}×{H}×{D}'} {enc.material}")
    )
    custom = [f"{x.item} {x.spec}".strip() for x in doc.lines if x.custom]
    if custom:
        # Lines priced by hand are in the quote but not drawn: the title block names them.
        listed = ", ".join(custom)
        if len(listed) > 48:
            listed = listed[:47] + "…"
        title_rows.append(("별도 EXTRAS", f"별도 {len(custom)}건: {listed}"))
    title_rows += [
        ("견적번호 QUOTE", f"{doc.quote_number}  Rev. {doc.revision}"),
        ("일자 DATE", f"{doc.issue_date.isoformat()}   축척 SCALE 1:{scale}"),
        ("증거 EVIDENCE", f"root {doc.evidence_root[:12]}"),
    ]
    if doc.approval is not None:
        title_rows.append(("승인 APPROVED", doc.approval.text()))
    row_h = 6 * u
    sh.shapes.append(
        Rect(-30 * u, tb_y, tb_w + 30 * u, row_h * len(title_rows), "OUTLINE", width=0.5)
    )
    for i, (caption, entry) in enumerate(title_rows):
        yy = tb_y + row_h * (i + 1)
        if i < len(title_rows) - 1:
            sh.line(-30 * u, yy, tb_w, yy, "OUTLINE")
        sh.text(-28 * u, yy - 1.8 * u, caption, 2.5 * u)
        sh.text(12 * u, yy - 1.8 * u, entry, 2.5 * u)
    sh.line(10 * u, tb_y, 10 * u, tb_y + row_h * len(title_rows), "OUTLINE")

    min_x = -40 * u
    min_y = -22 * u
    max_x = max(tb_w, lx + 60 * u) + 8 * u
    max_y = tb_y + row_h * len(title_rows) + 8 * u
    return Drawing(
        shapes=tuple(sh.shapes),
        extent=(min_x, min_y, max_x - min_x, max_y - min_y),
        scale=scale,
        box_w=W,
        box_h=H,
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def drawing_stems(panel_names: list[str]) -> list[str]:
    """A file-name stem per panel, ``drawing-LP-1``: ASCII letters, digits, - and _ only
    (other characters become _), unique case-insensitively (the panel's position decides
    when the name alone cannot: ``drawing-3``, ``drawing-LP_1-4``)."""
    taken: set[str] = set()
    out = []
    for i, name in enumerate(panel_names, start=1):
        safe = _UNSAFE.sub("_", name).strip("_")[:60]
        base = f"drawing-{safe}" if safe else f"drawing-{i}"
        stem, n = base, i
        while stem.casefold() in taken:
            stem = f"{base}-{n}"
            n += 1
        taken.add(stem.casefold())
        out.append(stem)
    return out
