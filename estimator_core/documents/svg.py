"""The panel drawing as SVG in millimetres: ``width``/``height`` in mm at the drawing's
scale, the ``viewBox`` in model mm, so it prints to scale. Deterministic text. Pure."""

from __future__ import annotations

from xml.sax.saxutils import escape

from estimator_core.documents.drawing import Drawing, Line, Rect, Text, layout_drawing
from estimator_core.documents.model import QuoteDocument


def _n(x: float) -> str:
    return f"{round(x, 2):g}"


def drawing_svg(drawing: Drawing, *, title: str) -> bytes:
    x0, y0, w, h = drawing.extent
    s = drawing.scale
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(w / s)}mm" height="{_n(h / s)}mm" '
        f'viewBox="{_n(x0)} {_n(y0)} {_n(w)} {_n(h)}" '
        "font-family=\"'NanumGothic', 'Noto Sans CJK KR', 'Malgun Gothic', sans-serif\">\n",
        f"<title>{escape(title)}</title>\n",
        f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(w)}" height="{_n(h)}" fill="#ffffff"/>\n',
    ]
    for layer in ("OUTLINE", "BREAKERS", "DIMENSIONS", "TEXT"):
        out.append(f'<g id="{layer}" data-layer="{layer}">\n')
        for shape in drawing.shapes:
            if shape.layer != layer:
                continue
            if isinstance(shape, Line):
                out.append(
                    f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" '
                    f'y2="{_n(shape.y2)}" stroke="{shape.colour}" '
                    f'stroke-width="{_n(shape.width * s)}"/>\n'
                )
            elif isinstance(shape, Rect):
                out.append(
                    f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" '
                    f'height="{_n(shape.h)}" fill="{shape.fill or "none"}" '
                    f'stroke="{shape.colour}" stroke-width="{_n(shape.width * s)}"/>\n'
                )
            elif isinstance(shape, Text):
                # SVG font-size is the em; the shapes give a cap height (about 0.72 em).
                out.append(
                    f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" '
                    f'font-size="{_n(shape.size / 0.72)}" text-anchor="{shape.anchor}" '
                    f'fill="{shape.colour}">{escape(shape.text)}</text>\n'
                )
        out.append("</g>\n")
    out.append("</svg>\n")
    return "".join(out).encode("utf-8")


def render_svg(doc: QuoteDocument) -> bytes:
    """The dimensioned drawing of the quote's panel as SVG bytes."""
    title = f"{doc.quote_number} {doc.revision} {doc.enclosure.model}"
    return drawing_svg(layout_drawing(doc), title=title)
