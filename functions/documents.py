"""GET /functions/v1/quotes/{id}/documents and /quotes/{id}/documents/{kind}.

The quote's customer documents (quote.xlsx, quote.pdf, drawing.svg, drawing.dxf) with
signed URLs (the newest set, or ``?set=N``: an approved quote's documents are a new set,
the older ones kept); the first request renders and stores them
(``functions._shared.usecases.documents``). ``{kind}`` answers a redirect to a fresh
signed URL; it may also be a file name of the set (a project's ``drawing-LP-1.svg``; its
bare ``svg`` is the first panel's drawing). The id may be the quote number. Another
user's quote is 404.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse

from functions._shared.auth import Principal
from functions._shared.errors import ApiError
from functions._shared.http import principal
from functions._shared.models import DocumentList, error_responses
from functions._shared.services import Services, services
from functions._shared.usecases.documents import KINDS, quote_documents, signed_document
from functions._shared.usecases.quotes import find_quote

router = APIRouter(tags=["documents"])

_ERRORS = error_responses(401, 404, 409, 422, 503)
_FILENAME = re.compile(r"^[A-Za-z0-9_-]{1,80}\.(xlsx|pdf|svg|dxf)$")
_SET = Query(
    None,
    alias="set",
    ge=1,
    le=1_000_000,
    description="A set number (1, 2 …): an older set, kept (default: the newest)",
)


@router.get(
    "/quotes/{quote_id}/documents",
    response_model=DocumentList,
    responses=_ERRORS,
    summary="The quote's documents with signed URLs (rendered on the first request)",
)
def list_documents(
    quote_id: str,
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
    set_no: int | None = _SET,
) -> dict[str, Any]:
    stored = find_quote(svc, who, quote_id)
    found = quote_documents(svc, who, stored.id, set_no)
    return {
        "quote_id": found.quote_id,
        "quote_number": found.quote_number,
        "set_no": found.set_no,
        "state": found.state,
        "sets": [{"set_no": n, "state": state} for n, state in found.sets],
        "items": [signed_document(svc, found.quote_id, row) for row in found.rows],
    }


@router.get(
    "/quotes/{quote_id}/documents/{kind}",
    status_code=307,
    response_class=RedirectResponse,
    responses={
        307: {
            "description": "redirect to a fresh signed URL of the document",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        **_ERRORS,
    },
    summary="Redirect to a fresh signed URL of one document (xlsx, pdf, svg, dxf, or a "
    "file name such as drawing-LP-1.svg)",
)
def get_document(
    quote_id: str,
    kind: str,
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
    set_no: int | None = _SET,
) -> RedirectResponse:
    if kind not in KINDS and not _FILENAME.match(kind):
        raise ApiError("NOT_FOUND", f"no document of kind {kind[:20]!r}", [{"kinds": list(KINDS)}])
    stored = find_quote(svc, who, quote_id)
    found = quote_documents(svc, who, stored.id, set_no)
    row = next((r for r in found.rows if kind in (r.kind, r.filename)), None)
    if row is None:
        raise ApiError("NOT_FOUND", f"this quote has no {kind[:80]} document")
    url = signed_document(svc, found.quote_id, row)["url"]
    return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
