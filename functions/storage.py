"""GET /storage/v1/object/sign/{bucket}/{path}?token=… — local signed URLs (embedded mode).

The same path shape as Supabase Storage, so a client follows a signed URL the same way.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from functions._shared.blobs import LocalBlobStore, check_path
from functions._shared.errors import ApiError
from functions._shared.models import error_responses
from functions._shared.services import Services, services

router = APIRouter()

_MEDIA = {
    "json": "application/json",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "dxf": "image/vnd.dxf",
}


@router.get(
    "/object/sign/{bucket}/{path:path}",
    responses={
        200: {"content": {"application/octet-stream": {}}},
        **error_responses(400, 401, 404),
    },
)
def signed_object(
    bucket: str,
    path: str,
    token: str = Query(..., max_length=4096),
    svc: Services = Depends(services),
) -> Response:
    blobs = svc.blobs
    if not isinstance(blobs, LocalBlobStore):
        raise ApiError("NOT_FOUND", "signed URLs are served by Supabase Storage in this mode")
    check_path(bucket)
    check_path(path)
    blobs.verify(bucket, path, token)
    data = blobs.download(bucket, path)
    # Objects are content-addressed with the extension their content type gives them
    # (persist.canonical_path, usecases.documents.document_path): the extension is the
    # stored content type.
    media = _MEDIA.get(path.rsplit(".", 1)[-1], "application/octet-stream")
    return Response(content=data, media_type=media, headers={"Cache-Control": "private, no-store"})
