"""POST /functions/v1/estimate: price a panel request, store it with its evidence, answer 201.

Verify → Idempotency-Key → read the body → ``usecases.quotes.create_quote`` → 201 with
signed evidence URLs (``Idempotent-Replayed: true`` when the key's quote is replayed).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, Response

from functions._shared.auth import Principal
from functions._shared.errors import IdempotencyKeyInvalid, IdempotencyKeyRequired
from functions._shared.http import principal, raw_body
from functions._shared.models import QuoteResponse, error_responses
from functions._shared.openapi import ESTIMATE_BODY, IDEMPOTENCY_KEY_PATTERN
from functions._shared.services import Services, services
from functions._shared.usecases import quotes, teams

router = APIRouter()


_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


async def idempotency_key(
    key: str | None = Header(default=None, alias="Idempotency-Key"),
) -> str:
    if key is None or not key.strip():
        raise IdempotencyKeyRequired("the Idempotency-Key header is required")
    if not _KEY.match(key):
        raise IdempotencyKeyInvalid(
            "the Idempotency-Key must be 1 to 255 printable ASCII characters "
            "without leading or trailing spaces"
        )
    return key


@router.post(
    "/estimate",
    status_code=201,
    response_model=QuoteResponse,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    summary="Estimate a panel and store the quote",
    # The body is read after authentication (a malformed body from an anonymous caller is
    # 401, not 422) and validated by the engine; the schema is documented here.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ESTIMATE_BODY}},
        }
    },
)
def create_estimate(
    who: Principal = Depends(principal),
    key: str = Depends(idempotency_key),
    raw: Any = Depends(raw_body),
    svc: Services = Depends(services),
    x_organisation: str | None = Header(
        None,
        max_length=100,
        description="The organisation to file the quote under (an id from GET "
        "/organisations); default: the caller's only or personal organisation",
    ),
) -> Response:
    organisation = teams.named_organisation(x_organisation)
    answer = quotes.create_quote(svc, who, key, raw, organisation)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    if answer.content is not None:  # already JSON: returned as it is, never re-validated
        return Response(answer.content, 201, headers, media_type="application/json")
    return JSONResponse(answer.body, status_code=201, headers=headers)
