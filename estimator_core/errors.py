"""Errors the estimator raises, each carrying a stable code.

Every error the engine raises on purpose is an ``EstimatorError``; the HTTP layer and
the CLI map ``code`` to a status in one table and never show a traceback.

    EstimatorError
    ├── ValidationFailed        VALIDATION_FAILED      malformed input, sizes out of bounds
    ├── ReqMoreInfo             REQ_MORE_INFO          a required field is absent
    ├── BrandConflict           BRAND_CONFLICT         brands mixed without permission
    ├── PolesMismatch           POLES_MISMATCH         poles not 2P/3P/4P, or contradicting a model
    ├── DeviceTypeMismatch      DEVICE_TYPE_MISMATCH   a model contradicts its entry's explicit type
    ├── InvalidModelCombo       INVALID_MODEL_COMBO    a model contradicts af; at not rated
    ├── AccessoryConflict       ACCESSORY_CONFLICT     items while disabled, pbl alone …
    ├── NeedKnowledgeUpdate     NEED_KNOWLEDGE_UPDATE  the catalog lacks a needed row
    └── InvalidCompanyProfile   INVALID_COMPANY_PROFILE a company profile field is malformed

This module must never import anything that performs I/O.
"""

from __future__ import annotations

from typing import Any, ClassVar


class EstimatorError(Exception):
    """Base of every deliberate estimator error; ``code`` is stable, ``details`` say what to fix."""

    code: ClassVar[str] = "ESTIMATOR_ERROR"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[dict[str, Any]] = details or []

    def to_dict(self) -> dict[str, Any]:
        """The error body shared by the CLI and the HTTP API (without the trace id)."""
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationFailed(EstimatorError):
    """Raised for wrong types, unknown fields, out-of-range values and oversize requests."""

    code = "VALIDATION_FAILED"


class ReqMoreInfo(EstimatorError):
    """Raised when a required field is absent (no main, no branches, a branch without ``at`` …)."""

    code = "REQ_MORE_INFO"


class BrandConflict(EstimatorError):
    """Raised when a breaker's brand differs from the panel's and mixing is not allowed."""

    code = "BRAND_CONFLICT"


class PolesMismatch(EstimatorError):
    """Raised for poles other than 2P/3P/4P or poles that contradict the named model."""

    code = "POLES_MISMATCH"


class DeviceTypeMismatch(EstimatorError):
    """Raised when a model's family (MCCB/ELB) contradicts the explicit ``type`` of its entry."""

    code = "DEVICE_TYPE_MISMATCH"


class InvalidModelCombo(EstimatorError):
    """Raised when a model contradicts the given frame, or ``at`` is outside its ratings."""

    code = "INVALID_MODEL_COMBO"


class AccessoryConflict(EstimatorError):
    """Raised for contradictory accessories: items while disabled, a PBL without a magnet …"""

    code = "ACCESSORY_CONFLICT"


class NeedKnowledgeUpdate(EstimatorError):
    """Raised when the catalog lacks a breaker, enclosure or price; ``details`` name each row."""

    code = "NEED_KNOWLEDGE_UPDATE"


class InvalidCompanyProfile(EstimatorError):
    """Raised for a malformed company profile (business number, e-mail, oversized logo …).

    ``details`` name each field (``loc``) and what is wrong with it (``msg``).
    """

    code = "INVALID_COMPANY_PROFILE"


ERROR_CLASSES: tuple[type[EstimatorError], ...] = (
    ValidationFailed,
    ReqMoreInfo,
    BrandConflict,
    PolesMismatch,
    DeviceTypeMismatch,
    InvalidModelCombo,
    AccessoryConflict,
    NeedKnowledgeUpdate,
    InvalidCompanyProfile,
)
