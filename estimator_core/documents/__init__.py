"""Customer documents of a quote: the Excel 견적서, the PDF, the panel drawing (SVG, DXF).

Each renderer takes a ``QuoteDocument`` (built by ``document_from_result``), or for a
project a ``ProjectDocument`` (``project_document_from_result``), and returns bytes.
Pure and deterministic: no file reads (the PDF's font arrives as bytes), no env, no
clock; every timestamp inside a file (xlsx core properties and zip entries, PDF
CreationDate and /ID, DXF header dates and GUIDs) is fixed from the quote's issue time
or a constant, so the same quote, catalog, profile and issue time give the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from estimator_core.documents.drawing import drawing_stems
from estimator_core.documents.model import (
    Approval,
    CompanyProfile,
    ProjectDocument,
    QuoteDocument,
    approved_document,
    document_from_result,
    parse_company_profile,
    project_document_from_result,
)

if TYPE_CHECKING:
    from estimator_core.documents.render import (
        RenderedDocument,
        render_documents,
        render_project_documents,
    )

_RENDERERS = ("RenderedDocument", "render_documents", "render_project_documents")


def __getattr__(name: str) -> Any:
    """The renderers (XlsxWriter, fpdf2, ezdxf) load on first use: checking a company
    profile or building a document model never pays for them."""
    if name in _RENDERERS:
        from estimator_core.documents import render

        return getattr(render, name)
    raise AttributeError(name)


__all__ = [
    "Approval",
    "CompanyProfile",
    "ProjectDocument",
    "QuoteDocument",
    "RenderedDocument",
    "approved_document",
    "document_from_result",
    "drawing_stems",
    "parse_company_profile",
    "project_document_from_result",
    "render_documents",
    "render_project_documents",
]
