"""The panel drawing as DXF (R2013, millimetres) for CAD users, via ezdxf.

Layers OUTLINE, BREAKERS, DIMENSIONS and TEXT; the box outline is a closed polyline of
exactly W × H with its lower-left corner at (0, 0) (DXF's y points up, so model y is
flipped). Deterministic: ezdxf stamps the creation and update dates, two GUIDs and a
"written by" marker from the clock unless its ``write_fixed_meta_data_for_testing``
option is on; it is turned on (under a lock, and restored) while the file is built and
written, so those fields are ezdxf's constants (2000-01-01, a constant GUID). Handles are
sequential, and the CLASSES section is put in a fixed order. The issue date is in the
title block. Pure: writes to a string buffer only.
"""

from __future__ import annotations

import threading
from io import StringIO

from ezdxf import colors
from ezdxf._options import options as ezdxf_options
from ezdxf.enums import TextEntityAlignment
from ezdxf.filemanagement import new as new_dxf
from ezdxf.sections.classes import REQ_R2004, REQUIRED_CLASSES

from estimator_core.documents.drawing import LAYERS, Drawing, Line, Rect, Text, layout_drawing
from estimator_core.documents.model import QuoteDocument

_LOCK = threading.Lock()
TEXT_STYLE = "KIS"
_LAYER_COLOURS = {
    "OUTLINE": colors.WHITE,
    "BREAKERS": colors.CYAN,
    "DIMENSIONS": colors.YELLOW,
    "TEXT": colors.WHITE,
}
_ALIGN = {
    "start": TextEntityAlignment.LEFT,
    "middle": TextEntityAlignment.CENTER,
    "end": TextEntityAlignment.RIGHT,
}


def _rgb(colour: str) -> int:
    return colors.rgb2int((int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)))


def drawing_dxf(drawing: Drawing) -> bytes:
    h = drawing.box_h

    def pt(x: float, y: float) -> tuple[float, float]:
        return (round(x, 3), round(h - y, 3))

    with _LOCK:
        before = ezdxf_options.write_fixed_meta_data_for_testing
        ezdxf_options.write_fixed_meta_data_for_testing = True
        try:
            doc = new_dxf("R2013", setup=False, units=4)  # 4 = millimetres
            for name in LAYERS:
                doc.layers.add(name, color=_LAYER_COLOURS[name])
            # CAD's default SHX text font has no Hangul; Malgun Gothic is on every Korean
            # Windows desk (a CAD program substitutes its own font where it is absent).
            doc.styles.add(TEXT_STYLE, font="malgun.ttf")
            msp = doc.modelspace()
            for s in drawing.shapes:
                attribs = {"layer": s.layer, "true_color": _rgb(s.colour)}
                if isinstance(s, Line):
                    msp.add_line(pt(s.x1, s.y1), pt(s.x2, s.y2), dxfattribs=attribs)
                elif isinstance(s, Rect):
                    corners = [
                        pt(s.x, s.y + s.h),
                        pt(s.x + s.w, s.y + s.h),
                        pt(s.x + s.w, s.y),
                        pt(s.x, s.y),
                    ]
                    msp.add_lwpolyline(corners, close=True, dxfattribs=attribs)
                elif isinstance(s, Text):
                    text = msp.add_text(
                        s.text, height=round(s.size, 3), dxfattribs={**attribs, "style": TEXT_STYLE}
                    )
                    text.set_placement(pt(s.x, s.y), align=_ALIGN[s.anchor])
            # ezdxf registers a CLASS per entity type in use by iterating a set, whose
            # order varies between processes; registering them sorted first fixes it.
            doc.commit_pending_changes()
            for required in REQUIRED_CLASSES.get(doc.dxfversion, REQ_R2004):
                doc.classes.add_class(required)
            for dxftype in sorted(doc.entitydb.dxf_types_in_use()):
                doc.classes.add_class(dxftype)
            stream = StringIO()
            doc.write(stream)
        finally:
            ezdxf_options.write_fixed_meta_data_for_testing = before
    return stream.getvalue().encode("utf-8")


def render_dxf(doc: QuoteDocument) -> bytes:
    """The dimensioned drawing of the quote's panel as DXF bytes."""
    return drawing_dxf(layout_drawing(doc))
