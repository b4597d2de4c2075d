"""All documents of a quote or a project at once, each with its file name and content
type. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from estimator_core.canonical import sha256_bytes
from estimator_core.documents.dxf import render_dxf
from estimator_core.documents.model import ProjectDocument, QuoteDocument
from estimator_core.documents.pdf import render_pdf, render_project_pdf
from estimator_core.documents.svg import render_svg
from estimator_core.documents.xlsx import render_project_xlsx, render_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RenderedDocument:
    kind: str  # xlsx, pdf, svg, dxf
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        """The hex digest a document is stored and verified under, as evidence blobs are."""
        return sha256_bytes(self.content)


def render_documents(doc: QuoteDocument, *, font: bytes) -> tuple[RenderedDocument, ...]:
    """quote.xlsx, quote.pdf, drawing.svg and drawing.dxf, in that order."""
    return (
        RenderedDocument("xlsx", "quote.xlsx", XLSX_TYPE, render_xlsx(doc)),
        RenderedDocument("pdf", "quote.pdf", "application/pdf", render_pdf(doc, font=font)),
        RenderedDocument("svg", "drawing.svg", "image/svg+xml", render_svg(doc)),
        RenderedDocument("dxf", "drawing.dxf", "image/vnd.dxf", render_dxf(doc)),
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
        stem = f"drawing-{safe}" if safe else f"drawing-{i}"
        if stem.casefold() in taken:
            stem = f"{stem}-{i}"
        taken.add(stem.casefold())
        out.append(stem)
    return out


def render_project_documents(doc: ProjectDocument, *, font: bytes) -> tuple[RenderedDocument, ...]:
    """quote.xlsx and quote.pdf of the whole project, then each panel's drawing as SVG and
    DXF (``drawing-LP-1.svg``, ``drawing-LP-1.dxf``), in the project's order."""
    out = [
        RenderedDocument("xlsx", "quote.xlsx", XLSX_TYPE, render_project_xlsx(doc)),
        RenderedDocument("pdf", "quote.pdf", "application/pdf", render_project_pdf(doc, font=font)),
    ]
    stems = drawing_stems([p.panel_name or "" for p in doc.panels])
    for panel, stem in zip(doc.panels, stems, strict=True):
        out.append(RenderedDocument("svg", f"{stem}.svg", "image/svg+xml", render_svg(panel)))
        out.append(RenderedDocument("dxf", f"{stem}.dxf", "image/vnd.dxf", render_dxf(panel)))
    return tuple(out)
