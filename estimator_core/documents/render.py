"""All four documents of a quote at once, each with its file name and content type. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from estimator_core.canonical import sha256_bytes
from estimator_core.documents.dxf import render_dxf
from estimator_core.documents.model import QuoteDocument
from estimator_core.documents.pdf import render_pdf
from estimator_core.documents.svg import render_svg
from estimator_core.documents.xlsx import render_xlsx

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
