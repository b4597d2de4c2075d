"""The one error shape of the API and the table from error codes to HTTP statuses.

    ApiError                       an error the HTTP layer raises itself
    estimator_core EstimatorError  request errors of the engine (all 422)

Every error answers ``{"error": {"code", "message", "details", "traceId"}}``; nothing
reaches the client as a bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("kis.functions")

STATUS: dict[str, int] = {
    "VALIDATION_FAILED": 422,
    "REQ_MORE_INFO": 422,
    "BRAND_CONFLICT": 422,
    "POLES_MISMATCH": 422,
    "DEVICE_TYPE_MISMATCH": 422,
    "INVALID_MODEL_COMBO": 422,
    "ACCESSORY_CONFLICT": 422,
    "NEED_KNOWLEDGE_UPDATE": 422,
    "INVALID_COMPANY_PROFILE": 422,
    "DOCUMENT_RENDER_FAILED": 422,
    "IDEMPOTENCY_KEY_REUSED": 422,
    "IDEMPOTENCY_KEY_REQUIRED": 400,
    "IDEMPOTENCY_KEY_INVALID": 400,
    "BAD_REQUEST": 400,
    "UNAUTHORIZED": 401,
    "UNKNOWN_USER": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "IDEMPOTENCY_IN_FLIGHT": 409,
    "CONFLICT": 409,
    "EVIDENCE_MISMATCH": 409,
    "COMPANY_PROFILE_REQUIRED": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "DEPENDENCY_UNAVAILABLE": 503,
    "INTERNAL": 500,
}


class ApiError(Exception):
    """An error with a stable code; its HTTP status comes from ``STATUS``."""

    def __init__(self, code: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []

    @property
    def status(self) -> int:
        return STATUS[self.code]


class DependencyUnavailable(ApiError):
    """The database or storage could not be reached (503)."""

    def __init__(self, what: str, error: BaseException | str):
        # The library's text (file paths, host names, SQL) goes to the server log only.
        log.warning("%s unavailable: %s", what, error)
        super().__init__("DEPENDENCY_UNAVAILABLE", f"{what} is unavailable", [{"dependency": what}])


def error_body(
    code: str, message: str, details: list[dict[str, Any]], trace_id: str
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details, "traceId": trace_id}}
