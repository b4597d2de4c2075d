"""The one error shape of the API, its class tree and the table from codes to statuses.

Mirrors ``estimator_core/errors.py``: every error the functions raise on purpose is an
``ApiError`` whose class carries its code; the HTTP status comes from ``STATUS`` only.

    ApiError                        (any code; the classes below fix theirs)
    ├── BadRequest                  BAD_REQUEST              400
    ├── IdempotencyKeyRequired      IDEMPOTENCY_KEY_REQUIRED 400
    ├── IdempotencyKeyInvalid       IDEMPOTENCY_KEY_INVALID  400
    ├── Unauthorized                UNAUTHORIZED             401
    ├── UnknownUser                 UNKNOWN_USER             401
    ├── Forbidden                   FORBIDDEN                403
    ├── NotFound                    NOT_FOUND                404
    ├── Conflict                    CONFLICT                 409
    ├── IdempotencyInFlight         IDEMPOTENCY_IN_FLIGHT    409
    ├── IdempotencyKeyReused        IDEMPOTENCY_KEY_REUSED   422
    └── DependencyUnavailable       DEPENDENCY_UNAVAILABLE   503
    estimator_core EstimatorError   request errors of the engine (all 422)

Every error answers ``{"error": {"code", "message", "details", "traceId"}}``; nothing
reaches the client as a bare 500. Driver errors (psycopg, PostgREST, httpx) become these
classes in one place: ``functions._shared.driver_errors``.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

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
    "ORGANISATION_REQUIRED": 422,
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


class _Coded(ApiError):
    """An ``ApiError`` whose class fixes the code."""

    CODE: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(self.CODE, message, details)


class BadRequest(_Coded):
    CODE = "BAD_REQUEST"


class IdempotencyKeyRequired(_Coded):
    CODE = "IDEMPOTENCY_KEY_REQUIRED"


class IdempotencyKeyInvalid(_Coded):
    CODE = "IDEMPOTENCY_KEY_INVALID"


class Unauthorized(_Coded):
    CODE = "UNAUTHORIZED"


class UnknownUser(_Coded):
    """The token is valid but names no user (deleted, or the local stack was reset)."""

    CODE = "UNKNOWN_USER"

    def __init__(
        self,
        message: str = "the token's user does not exist: sign in again to get a new token",
        details: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message, details)


class Forbidden(_Coded):
    CODE = "FORBIDDEN"


class NotFound(_Coded):
    CODE = "NOT_FOUND"


class Conflict(_Coded):
    CODE = "CONFLICT"


class OrganisationRequired(_Coded):
    """The caller belongs to several organisations (none personal) and named none in the
    ``X-Organisation`` header (422)."""

    CODE = "ORGANISATION_REQUIRED"

    def __init__(
        self,
        message: str = "the caller belongs to several organisations: name one in the "
        "X-Organisation header",
        details: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message, details)


class IdempotencyInFlight(_Coded):
    CODE = "IDEMPOTENCY_IN_FLIGHT"

    def __init__(
        self,
        message: str = "a request with this Idempotency-Key is still being processed",
        details: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message, details)


class IdempotencyKeyReused(_Coded):
    CODE = "IDEMPOTENCY_KEY_REUSED"

    def __init__(
        self,
        message: str = "this Idempotency-Key was used with a different request body",
        details: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message, details)


class DependencyUnavailable(_Coded):
    """The database or storage could not be reached, or is not set up for this (503).

    ``DependencyUnavailable("database", err)`` logs the library's text (file paths, host
    names, SQL) on the server only; ``DependencyUnavailable.because(message)`` says why.
    """

    CODE = "DEPENDENCY_UNAVAILABLE"

    def __init__(self, what: str, error: BaseException | str):
        log.warning("%s unavailable: %s", what, error)
        super().__init__(f"{what} is unavailable", [{"dependency": what}])

    @classmethod
    def because(cls, message: str) -> DependencyUnavailable:
        err = cls.__new__(cls)
        ApiError.__init__(err, cls.CODE, message)
        return err


def unknown_user() -> UnknownUser:
    """The token is valid but names no user (deleted, or the local stack was reset)."""
    return UnknownUser()


def error_body(
    code: str, message: str, details: list[dict[str, Any]], trace_id: str
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details, "traceId": trace_id}}
