"""The panel drawing: an SVG of the box, the main and the face-to-face rows with phases.

Deterministic text (no ids, no timestamps) so that its hash is evidence. Pure: no I/O.
"""

from __future__ import annotations

from estimator_core.enclosure import EnclosureResult
from estimator_core.placement import PlacementResult


def escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` without its import of urllib (CLI cold start)."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    return text


_SCALE = 0.5
_PHASE_COLOURS = {"R": "#c0392b", "S": "#d4a017", "T": "#2c3e50", "RST": "#555555"}


def render_svg(enc: EnclosureResult, placement: PlacementResult) -> bytes:
    """A to-scale front view (1:2) of the chosen box with every breaker."""
    w, h = enc.box.w, enc.box.h
    sw, sh = w * _SCALE, h * _SCALE
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{sw:g}" height="{sh + 20:g}" '
        f'viewBox="0 0 {sw:g} {sh + 20:g}" font-family="sans-serif" font-size="8">',
        f'<rect x="0" y="0" width="{sw:g}" height="{sh:g}" fill="#f4f4f4" stroke="#000"/>',
        f'<text x="4" y="{sh + 14:g}">{escape(enc.box.model)} {w}×{h}×{enc.box.d}</text>',
    ]
    cx = sw / 2
    parts.append(f'<line x1="{cx:g}" y1="0" x2="{cx:g}" y2="{sh:g}" stroke="#999"/>')
    y = enc.height_parts["A"] * _SCALE * 0.3
    main = next(p for p in placement.placed if p.role == "main")
    parts.append(
        f'<rect x="{cx - 30:g}" y="{y:g}" width="60" height="30" fill="#fff" stroke="#000"/>'
        f'<text x="{cx - 26:g}" y="{y + 18:g}">{escape(main.model)} {main.at}A</text>'
    )
    y = (enc.height_parts["A"] + enc.height_parts["B"]) * _SCALE
    by_id = {p.id: p for p in placement.placed}
    # The numbers of a side and of a row are formatted once, not per breaker (a drawing of
    # 1,000 breakers formats 5,000 of them): the same text.
    x_of = {side: cx - 70 if side == "L" else cx + 4 for side in ("L", "R")}
    rect_x = {side: f'<rect x="{x:g}" y="' for side, x in x_of.items()}
    text_x = {side: f'<text x="{x + 2:g}" y="' for side, x in x_of.items()}
    for row in enc.rows:
        rh = row.pitch_mm * _SCALE
        rect_y = f'{y:g}" width="66" height="{max(rh - 2, 4):g}" fill="#fff" stroke="'
        text_y = f'{y + min(rh - 3, 9):g}">'
        for side, bid in (("L", row.left), ("R", row.right)):
            if bid is None:
                continue
            p = by_id[bid]
            colour = _PHASE_COLOURS.get(p.phase, "#555555")
            parts.append(
                f'{rect_x[side]}{rect_y}{colour}"/>{text_x[side]}{text_y}'
                f"{escape(p.id)} {p.at}A {escape(p.phase)}</text>"
            )
        y += rh
    parts.append("</svg>")
    return "".join(parts).encode("utf-8")
