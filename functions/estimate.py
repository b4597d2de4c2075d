"""POST /functions/v1/estimate: price a panel request, store it with its evidence, answer 201.

Verify → Idempotency-Key → validate → active catalog → pipeline → upload evidence →
one transaction (``estimator.create_quote``) → 201 with signed evidence URLs.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from estimator_core.canonical import sha256_hex
from estimator_core.pipeline import estimate
from functions._shared.auth import Principal
from functions._shared.errors import ApiError
from functions._shared.http import principal
from functions._shared.models import EstimateResponse, error_responses
from functions._shared.persist import (
    quote_payload,
    signed_evidence,
    upload_document,
    upload_evidence,
)
from functions._shared.services import Services, services
from functions._shared.store import EvidenceRow

router = APIRouter()


def idempotency_key(
    key: str | None = Header(default=None, alias="Idempotency-Key", max_length=255),
) -> str:
    if not key or not key.strip():
        raise ApiError("IDEMPOTENCY_KEY_REQUIRED", "the Idempotency-Key header is required")
    return key.strip()


async def raw_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise ApiError("VALIDATION_FAILED", "the body is not valid JSON") from None


def replay(svc: Services, stored_response: dict[str, Any]) -> dict[str, Any]:
    """A stored response with fresh signed URLs for its evidence objects."""
    rows = [EvidenceRow(**e) for e in stored_response.get("evidence_objects", [])]
    body = {k: v for k, v in stored_response.items() if k != "evidence_objects"}
    body["evidence"] = signed_evidence(svc, rows)
    return body


@router.post(
    "/estimate",
    status_code=201,
    response_model=EstimateResponse,
    responses=error_responses(400, 401, 409, 422, 503),
    summary="Estimate a panel and store the quote",
    # The body is read after authentication (a malformed body from an anonymous caller is
    # 401, not 422) and validated by the engine; the schema is documented here.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RequestIn"}}},
        }
    },
)
def create_estimate(
    who: Principal = Depends(principal),
    key: str = Depends(idempotency_key),
    raw: Any = Depends(raw_body),
    svc: Services = Depends(services),
) -> JSONResponse:
    request_sha = sha256_hex(raw)
    with svc.store.idempotency_guard(who, key):
        existing = svc.store.quote_by_key(who, key)
        if existing is not None:
            if existing.request_sha256 != request_sha:
                raise ApiError(
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used with a different request body",
                )
            return JSONResponse(
                replay(svc, existing.response),
                status_code=201,
                headers={"Idempotent-Replayed": "true"},
            )
        ref, catalog = svc.active_catalog(who)
        issued_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        estimator = str(who.claims.get("email") or who.user_id)
        quote = estimate(
            raw, catalog, issued_at=issued_at, estimator=estimator, clock=time.perf_counter
        )
        quote_id = str(uuid.uuid4())
        evidence = upload_evidence(svc.blobs, svc.settings.evidence_bucket, quote_id, quote)
        stored = {
            **quote.result,
            "quote_id": quote_id,
            "evidence_objects": [asdict(e) for e in evidence],
        }
        stored.pop("evidence", None)
        document = upload_document(svc, quote_id, stored)
        stored_id = svc.store.create_quote(
            who,
            quote_payload(
                quote_id=quote_id,
                key=key,
                raw=raw,
                quote=quote,
                ref=ref,
                evidence=evidence,
                document=document,
                response=stored,
                issued_at=issued_at,
            ),
        )
        if stored_id != quote_id:
            # another request with this key won the race (possible over PostgREST, which
            # has no in-flight lock): answer with the quote that was stored
            winner = svc.store.get_quote(who, stored_id)
            if winner is not None:
                return JSONResponse(
                    replay(svc, winner.response),
                    status_code=201,
                    headers={"Idempotent-Replayed": "true"},
                )
    return JSONResponse(replay(svc, stored), status_code=201)
