"""/functions/v1/catalog/…: the catalog lifecycle — import, validate, activate, roll back.

Only catalog admins (``app_metadata.role = catalog_admin``) and the service role may call
these; anyone else gets 403 FORBIDDEN (RLS refuses the writes as well).

    POST catalog/import      {label, format: csv|json, content, base_label?, notes?}
                             → 201 a new *staging* version (CSV rows applied on the base,
                             default the active version; see estimator_core.catalog_import)
    POST catalog/validate    {label} → the sample requests run under that version and the
                             active one, per case what changed; stored in the audit log
    POST catalog/activate    {label, force?, reason?} → a staging version becomes active
    POST catalog/rollback    {label, reason} → a retired version becomes active again
    GET  catalog/versions    every version with its row counts, newest first
    GET  catalog/versions/active

Activation re-runs validation against the version active at that moment (the audit log is
not readable by admins, and a stored report may be stale) and refuses with 409 CONFLICT
when it fails, unless ``force`` comes with a ``reason``. The switch is atomic
(``shared.activate_catalog_version``) and refused with 409 if another activation happened
since validation. Every import, validation, activation and rollback writes an audit entry
(``catalog.import``, ``catalog.validate``, ``catalog.activate.request`` or
``catalog.rollback``, next to the ``catalog.activate`` entry the SQL function writes).

The lifecycle (one transition table) is ``functions._shared.usecases.catalog``.
A running estimate keeps the version it resolved (``Services.active_catalog``); the next
request sees the new one. The sample requests are package data
(``estimator_core/catalogs/samples``); the product never reads tests/.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError

from functions._shared.auth import Principal
from functions._shared.body import read_json
from functions._shared.errors import ApiError, Forbidden
from functions._shared.http import principal
from functions._shared.models import (
    CatalogActivateIn,
    CatalogActivationOut,
    CatalogImportIn,
    CatalogImportOut,
    CatalogLabelIn,
    CatalogRollbackIn,
    CatalogValidationOut,
    CatalogVersionList,
    CatalogVersionOut,
    error_responses,
)
from functions._shared.services import Services, services
from functions._shared.usecases import catalog

router = APIRouter(prefix="/catalog", tags=["catalog"])
Body = TypeVar("Body", bound=BaseModel)


def admin(who: Principal = Depends(principal)) -> Principal:
    """The caller, when a catalog admin or the service role (403 otherwise)."""
    if not who.is_catalog_admin:
        raise Forbidden(
            "catalog administration needs app_metadata.role = catalog_admin or the service role"
        )
    return who


def json_body(model: type[Body]) -> Callable[..., Awaitable[Body]]:
    """A dependency reading the body as ``model`` *after* the caller is authorised.

    FastAPI parses a declared body before any dependency runs, so an anonymous caller
    sending garbage would learn 400/422 instead of 401; reading it here keeps the order
    authenticate → authorise → validate.
    """

    async def parse(request: Request, _: Principal = Depends(admin)) -> Body:
        data = await read_json(request)
        try:
            return model.model_validate(data)
        except ValidationError as err:
            details = [
                {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]} for e in err.errors()
            ]
            raise ApiError("VALIDATION_FAILED", "the request is not valid", details) from None

    return parse


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting a body read by ``json_body``."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


import_body = json_body(CatalogImportIn)
label_body = json_body(CatalogLabelIn)
activate_body = json_body(CatalogActivateIn)
rollback_body = json_body(CatalogRollbackIn)


@router.post(
    "/import",
    status_code=201,
    response_model=CatalogImportOut,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    summary="Import a CSV or JSON catalog as a new staging version",
    openapi_extra=documented(CatalogImportIn),
)
def import_catalog(
    who: Principal = Depends(admin),
    body: CatalogImportIn = Depends(import_body),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return catalog.import_version(svc, who, body)


@router.post(
    "/validate",
    response_model=CatalogValidationOut,
    responses=error_responses(401, 403, 404, 413, 415, 422, 503),
    summary="Run the sample requests under a version and compare with the active one",
    openapi_extra=documented(CatalogLabelIn),
)
def validate_catalog(
    who: Principal = Depends(admin),
    body: CatalogLabelIn = Depends(label_body),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return catalog.validate_version(svc, who, body.label)


@router.post(
    "/activate",
    response_model=CatalogActivationOut,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    summary="Make a staging version active (validated first; force needs a reason)",
    openapi_extra=documented(CatalogActivateIn),
)
def activate_catalog(
    who: Principal = Depends(admin),
    body: CatalogActivateIn = Depends(activate_body),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return catalog.activate(svc, who, body)


@router.post(
    "/rollback",
    response_model=CatalogActivationOut,
    responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    summary="Make an earlier (retired) version active again",
    openapi_extra=documented(CatalogRollbackIn),
)
def rollback_catalog(
    who: Principal = Depends(admin),
    body: CatalogRollbackIn = Depends(rollback_body),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    return catalog.rollback(svc, who, body)


@router.get(
    "/versions",
    response_model=CatalogVersionList,
    responses=error_responses(401, 403, 503),
    summary="Every catalog version, newest first",
)
def list_versions(
    who: Principal = Depends(admin), svc: Services = Depends(services)
) -> dict[str, Any]:
    return catalog.list_versions(svc, who)


@router.get(
    "/versions/active",
    response_model=CatalogVersionOut,
    responses=error_responses(401, 403, 404, 503),
    summary="The active catalog version",
)
def active_version(
    who: Principal = Depends(admin), svc: Services = Depends(services)
) -> dict[str, Any]:
    return catalog.active_version(svc, who)
