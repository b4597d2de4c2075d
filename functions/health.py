"""GET /functions/v1/healthz (no I/O) and /functions/v1/readyz (database and storage)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from functions._shared.errors import ApiError
from functions._shared.http import trace_id
from functions._shared.models import Health
from functions._shared.services import Services, services

router = APIRouter()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@router.get("/healthz", response_model=Health)
def healthz(request: Request) -> dict[str, Any]:
    return {"status": "ok", "ts": _now(), "traceId": trace_id(request)}


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(request: Request, svc: Services = Depends(services)) -> JSONResponse:
    body: dict[str, Any] = {"status": "ok", "db": "ok", "storage": "ok"}
    try:
        body["db_time"] = svc.store.ping()
    except ApiError as err:
        body["db"] = "failing"
        body["db_error"] = err.message
    bucket = svc.settings.evidence_bucket
    # JSON: the bucket accepts only the types the product stores
    probe = f"_probe/{uuid.uuid4().hex}.json"
    try:
        svc.blobs.upload(bucket, probe, b'{"ready":true}', "application/json")
        svc.blobs.sign(bucket, probe, 60)
        svc.blobs.delete(bucket, [probe])
    except ApiError as err:
        body["storage"] = "failing"
        body["storage_error"] = err.message
    ok = body["db"] == "ok" and body["storage"] == "ok"
    body["status"] = "ok" if ok else "degraded"
    body["ts"] = _now()
    body["traceId"] = trace_id(request)
    return JSONResponse(body, status_code=200 if ok else 503)
