"""POST /functions/v1/estimate: price a panel request, store it with its evidence, answer 201.

Verify → Idempotency-Key → validate → active catalog → pipeline → upload evidence →
one transaction (``estimator.create_quote``) → 201 with signed evidence URLs.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from estimator_core import STAGES, estimate, sha256_hex
from functions._shared.auth import Principal
from functions._shared.body import read_json
from functions._shared.errors import ApiError
from functions._shared.http import principal
from functions._shared.models import EstimateResponse, error_responses
from functions._shared.openapi import IDEMPOTENCY_KEY_PATTERN
from functions._shared.persist import (
    quote_payload,
    signed_evidence,
    upload_document,
    upload_evidence,
)
from functions._shared.services import Services, services
from functions._shared.store import EvidenceRow, unknown_user

router = APIRouter()


_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def idempotency_key(
    key: str | None = Header(default=None, alias="Idempotency-Key"),
) -> str:
    if key is None or not key.strip():
        raise ApiError("IDEMPOTENCY_KEY_REQUIRED", "the Idempotency-Key header is required")
    if not _KEY.match(key):
        raise ApiError(
            "IDEMPOTENCY_KEY_INVALID",
            "the Idempotency-Key must be 1 to 255 printable ASCII characters "
            "without leading or trailing spaces",
        )
    return key


async def raw_body(request: Request, _: Principal = Depends(principal)) -> Any:
    return await read_json(request)


def replay(
    svc: Services,
    who: Principal,
    quote_id: str,
    stored_response: dict[str, Any],
    rows: list[EvidenceRow] | None = None,
) -> dict[str, Any]:
    """A stored response with fresh signed URLs for the quote's evidence.

    The URLs come from the quote's evidence rows as the caller reads them (``rows`` when
    the quote was just written by this request), never from the stored JSON.
    """
    if rows is None:
        rows = svc.store.evidence(who, quote_id)
    rows = sorted(rows, key=lambda e: STAGES.index(e.stage) if e.stage in STAGES else len(STAGES))
    body = {k: v for k, v in stored_response.items() if k != "evidence_objects"}
    body["quote_id"] = quote_id
    body["evidence"] = signed_evidence(svc, quote_id, rows)
    return body


@router.post(
    "/estimate",
    status_code=201,
    response_model=EstimateResponse,
    responses=error_responses(400, 401, 403, 409, 413, 415, 422, 503),
    summary="Estimate a panel and store the quote",
    # The body is read after authentication (a malformed body from an anonymous caller is
    # 401, not 422) and validated by the engine; the schema is documented here.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EstimateRequest"}}
            },
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
                replay(svc, who, existing.id, existing.response),
                status_code=201,
                headers={"Idempotent-Replayed": "true"},
            )
        if not svc.store.user_exists(who):
            raise unknown_user()  # before anything is uploaded: such a request writes nothing
        ref, catalog = svc.active_catalog(who)
        issued_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        estimator = str(who.claims.get("email") or who.user_id)
        quote = estimate(
            raw, catalog, issued_at=issued_at, estimator=estimator, clock=time.perf_counter
        )
        quote_id = str(uuid.uuid4())
        evidence = upload_evidence(svc.blobs, svc.settings.evidence_bucket, quote_id, quote)
        profile = svc.store.company_profile(who)
        stored = {
            **quote.result.model_dump(mode="json"),
            "quote_id": quote_id,
            # the profile its documents are rendered with, now or later (identical files)
            "company_profile": {"id": profile.id, "sha256": profile.sha256} if profile else None,
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
                    replay(svc, who, winner.id, winner.response),
                    status_code=201,
                    headers={"Idempotent-Replayed": "true"},
                )
    # The stored response carries what the storing transaction added: the quote number.
    written = svc.store.get_quote(who, quote_id)
    response = written.response if written is not None else stored
    return JSONResponse(replay(svc, who, quote_id, response, evidence), status_code=201)
