"""All documents of a quote or a project at once, each with its file name and content
type. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from estimator_core.canonical import sha256_bytes
from estimator_core.documents.drawing import drawing_stems
from estimator_core.documents.dxf import render_dxf
from estimator_core.documents.model import ProjectDocument, QuoteDocument
from estimator_core.documents.pdf import ParsedFont, render_pdf, render_project_pdf
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


def render_documents(
    doc: QuoteDocument, *, font: bytes | ParsedFont
) -> tuple[RenderedDocument, ...]:
    """quote.xlsx, quote.pdf, drawing.svg and drawing.dxf, in that order."""
    return (
        RenderedDocument("xlsx", "quote.xlsx", XLSX_TYPE, render_xlsx(doc)),
        RenderedDocument("pdf", "quote.pdf", "application/pdf", render_pdf(doc, font=font)),
        RenderedDocument("svg", "drawing.svg", "image/svg+xml", render_svg(doc)),
        RenderedDocument("dxf", "drawing.dxf", "image/vnd.dxf", render_dxf(doc)),
    )


def render_project_documents(
    doc: ProjectDocument, *, font: bytes | ParsedFont
) -> tuple[RenderedDocument, ...]:
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
