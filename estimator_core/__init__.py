"""KIS Estimator core: a pure library that turns a panel request into an evidenced quote.

The public surface is ``__all__``: what the CLI, the HTTP functions and other callers
import (``from estimator_core import estimate, load_catalog``). Each name is resolved on
first use (module ``__getattr__``), so ``import estimator_core`` loads nothing else and a
caller pays only for the stages it uses.

    quote = estimate(body, load_catalog(DEFAULT_CATALOG), issued_at="2026-01-01T00:00:00Z")
    quote.result.totals.grand_total     # QuoteResult: typed, JSON key for key
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from estimator_core.canonical import canonical_json, sha256_bytes, sha256_hex
    from estimator_core.catalog import Catalog
    from estimator_core.catalog_import import (
        LABEL_PATTERN,
        catalog_changes,
        import_csv,
        import_json,
        validation_report,
    )
    from estimator_core.catalogs import DEFAULT_CATALOG, load_catalog, shipped_catalog_labels
    from estimator_core.documents import (
        Approval,
        CompanyProfile,
        ProjectDocument,
        QuoteDocument,
        RenderedDocument,
        approved_document,
        document_from_result,
        drawing_stems,
        parse_company_profile,
        project_document_from_result,
        render_documents,
        render_project_documents,
    )
    from estimator_core.documents.pdf import ParsedFont
    from estimator_core.errors import (
        AccessoryConflict,
        BrandConflict,
        DeviceTypeMismatch,
        EstimatorError,
        InvalidCompanyProfile,
        InvalidModelCombo,
        NeedKnowledgeUpdate,
        PolesMismatch,
        ReqMoreInfo,
        ValidationFailed,
    )
    from estimator_core.evidence import (
        PREVIOUS_STAGE,
        STAGES,
        EvidenceRecord,
        PreviousRevision,
        blob_record,
        json_record,
        link_problem,
        root_of,
        verify,
    )
    from estimator_core.pipeline import Quote, estimate
    from estimator_core.project import (
        ProjectQuote,
        ProjectResult,
        estimate_project,
        is_project,
        project_root_of,
    )
    from estimator_core.quote import EvidenceSummary, QuoteResult
    from estimator_core.strict_json import JsonRejected

# name -> the module that defines it
_HOME: dict[str, str] = {
    **dict.fromkeys(("canonical_json", "sha256_bytes", "sha256_hex"), "canonical"),
    "Catalog": "catalog",
    **dict.fromkeys(
        ("LABEL_PATTERN", "catalog_changes", "import_csv", "import_json", "validation_report"),
        "catalog_import",
    ),
    **dict.fromkeys(("DEFAULT_CATALOG", "load_catalog", "shipped_catalog_labels"), "catalogs"),
    **dict.fromkeys(
        (
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
        ),
        "documents",
    ),
    "ParsedFont": "documents.pdf",
    **dict.fromkeys(
        (
            "AccessoryConflict",
            "BrandConflict",
            "DeviceTypeMismatch",
            "EstimatorError",
            "InvalidCompanyProfile",
            "InvalidModelCombo",
            "NeedKnowledgeUpdate",
            "PolesMismatch",
            "PreviousRevision",
            "ReqMoreInfo",
            "ValidationFailed",
        ),
        "errors",
    ),
    **dict.fromkeys(
        (
            "PREVIOUS_STAGE",
            "STAGES",
            "EvidenceRecord",
            "PreviousRevision",
            "blob_record",
            "json_record",
            "link_problem",
            "root_of",
            "verify",
        ),
        "evidence",
    ),
    **dict.fromkeys(("Quote", "estimate"), "pipeline"),
    **dict.fromkeys(
        ("ProjectQuote", "ProjectResult", "estimate_project", "is_project", "project_root_of"),
        "project",
    ),
    **dict.fromkeys(("EvidenceSummary", "QuoteResult"), "quote"),
    "JsonRejected": "strict_json",
}

__all__ = [
    "DEFAULT_CATALOG",
    "LABEL_PATTERN",
    "PREVIOUS_STAGE",
    "STAGES",
    "AccessoryConflict",
    "Approval",
    "BrandConflict",
    "Catalog",
    "CompanyProfile",
    "DeviceTypeMismatch",
    "EstimatorError",
    "EvidenceRecord",
    "EvidenceSummary",
    "InvalidCompanyProfile",
    "InvalidModelCombo",
    "JsonRejected",
    "NeedKnowledgeUpdate",
    "ParsedFont",
    "PolesMismatch",
    "PreviousRevision",
    "ProjectDocument",
    "ProjectQuote",
    "ProjectResult",
    "Quote",
    "QuoteDocument",
    "QuoteResult",
    "RenderedDocument",
    "ReqMoreInfo",
    "ValidationFailed",
    "approved_document",
    "blob_record",
    "canonical_json",
    "catalog_changes",
    "document_from_result",
    "drawing_stems",
    "estimate",
    "estimate_project",
    "import_csv",
    "import_json",
    "is_project",
    "json_record",
    "link_problem",
    "load_catalog",
    "parse_company_profile",
    "project_document_from_result",
    "project_root_of",
    "render_documents",
    "render_project_documents",
    "root_of",
    "sha256_bytes",
    "sha256_hex",
    "shipped_catalog_labels",
    "validation_report",
    "verify",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'estimator_core' has no attribute {name!r}")
    value = getattr(import_module(f"estimator_core.{home}"), name)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
