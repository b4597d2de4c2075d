"""Reading a JSON request body with bounded work: media type, size, then a strict parse.

Order: 415 unless ``Content-Type`` is ``application/json``; 413 when ``Content-Length``
(or the bytes actually sent) exceed ``MAX_BODY_BYTES`` — the body is never buffered
beyond the limit nor parsed; then the strict parse (``estimator_core.strict_json``), in a
worker thread for a large document so it never stalls the event loop. Handlers call
this after authentication, so an anonymous caller learns only that it is unauthenticated.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from estimator_core import JsonRejected, strict_json
from functions._shared.errors import ApiError
from functions._shared.services import services_of

# A body this small is parsed on the event loop (well under a millisecond): the trip
# through the thread pool would cost more than the parse.
INLINE_PARSE_BYTES = 64 * 1024


def _too_large(limit: int) -> ApiError:
    return ApiError(
        "PAYLOAD_TOO_LARGE",
        f"the request body is larger than {limit} bytes",
        [{"limit_bytes": limit}],
    )


async def read_json(request: Request) -> Any:
    """The body as JSON, or an ``ApiError`` (415, 413 or 422 ``VALIDATION_FAILED``)."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise ApiError(
            "UNSUPPORTED_MEDIA_TYPE",
            "the request body must be JSON (Content-Type: application/json)",
        )
    limit = services_of(request).settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        request.state.body_unread = True
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            request.state.body_unread = True
            raise _too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        if len(body) <= INLINE_PARSE_BYTES:
            return strict_json.loads(body)
        return await run_in_threadpool(strict_json.loads, body)
    except JsonRejected as err:
        raise ApiError(
            "VALIDATION_FAILED",
            "the body is not acceptable JSON",
            [{"loc": err.loc or "body", "msg": err.reason}],
        ) from None
