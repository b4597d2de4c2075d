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

A running estimate keeps the version it resolved (``Services.active_catalog``); the next
request sees the new one. The sample requests are package data
(``estimator_core/catalogs/samples``); the product never reads tests/.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError

from estimator_core import (
    Catalog,
    JsonRejected,
    ValidationFailed,
    catalog_changes,
    import_csv,
    import_json,
    sha256_bytes,
    sha256_hex,
    strict_json,
    validation_report,
)
from functions._shared.auth import Principal
from functions._shared.body import read_json
from functions._shared.catalog_rows import catalog_rows
from functions._shared.errors import ApiError
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
from functions._shared.store import CatalogStore, CatalogVersion, NewCatalogVersion

router = APIRouter(prefix="/catalog", tags=["catalog"])
Body = TypeVar("Body", bound=BaseModel)


def admin(who: Principal = Depends(principal)) -> Principal:
    """The caller, when a catalog admin or the service role (403 otherwise)."""
    if not who.is_catalog_admin:
        raise ApiError(
            "FORBIDDEN",
            "catalog administration needs app_metadata.role = catalog_admin or the service role",
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


def catalog_store(svc: Services = Depends(services)) -> CatalogStore:
    store = svc.store
    if not isinstance(store, CatalogStore):
        raise ApiError(
            "DEPENDENCY_UNAVAILABLE", "the configured store cannot administer catalog versions"
        )
    return store


@cache
def samples() -> tuple[tuple[str, Any], ...]:
    """The sample requests shipped with the engine, by name (read once per process)."""
    folder = resources.files("estimator_core").joinpath("catalogs", "samples")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return tuple((f.name.removesuffix(".json"), json.loads(f.read_text("utf-8"))) for f in files)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _out(version: CatalogVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "label": version.label,
        "status": version.status,
        "sha256": version.sha256,
        "notes": version.notes,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "activated_at": version.activated_at,
        "activated_by": version.activated_by,
        "counts": {k: version.counts.get(k, 0) for k in ("breaker", "enclosure", "item")},
    }


def _ref(version: CatalogVersion | None) -> dict[str, str] | None:
    return {"label": version.label, "sha256": version.sha256} if version else None


def _version(store: CatalogStore, who: Principal, label: str) -> CatalogVersion:
    version = store.catalog_version(who, label)
    if version is None:
        raise ApiError("NOT_FOUND", f"catalog version {label} not found", [{"label": label}])
    return version


def _active(store: CatalogStore, who: Principal) -> CatalogVersion | None:
    return next((v for v in store.catalog_versions(who) if v.status == "active"), None)


def _load(svc: Services, who: Principal, version: CatalogVersion) -> Catalog:
    """A stored version's catalog, checked against its recorded SHA-256."""
    catalog = Catalog.model_validate(svc.store.catalog_content(who, version.id))
    if catalog.sha256 != version.sha256 or catalog.label != version.label:
        raise ApiError(
            "DEPENDENCY_UNAVAILABLE",
            f"catalog {version.label} does not match its recorded label and SHA-256",
        )
    return catalog


def _validate(
    svc: Services, store: CatalogStore, who: Principal, version: CatalogVersion
) -> tuple[dict[str, Any], CatalogVersion | None]:
    """The validation report of ``version`` against the active version, and that version."""
    active = _active(store, who)
    candidate = _load(svc, who, version)
    current = _load(svc, who, active) if active else None
    report = validation_report(samples(), candidate, current, issued_at=_now())
    return report, active


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
    store: CatalogStore = Depends(catalog_store),
) -> dict[str, Any]:
    if store.catalog_version(who, body.label) is not None:
        raise ApiError(
            "CONFLICT", f"catalog version {body.label} already exists", [{"label": body.label}]
        )
    base_version = _version(store, who, body.base_label) if body.base_label else _active(store, who)
    base = _load(svc, who, base_version) if base_version else None
    if body.format == "csv":
        if not isinstance(body.content, str):
            raise ValidationFailed("a CSV import's content must be the CSV text", [])
        if base is None:
            raise ValidationFailed("a CSV import needs a base: no version is active", [])
        catalog = import_csv(body.content, base, label=body.label)
        upload_sha256 = sha256_bytes(body.content.encode("utf-8"))
    else:
        document = body.content
        if isinstance(document, str):
            try:  # the text a JSON document arrives as is held to the same strict rules
                document = strict_json.loads(document)
            except JsonRejected as err:
                raise ValidationFailed(
                    "the JSON catalog is not acceptable JSON",
                    [{"loc": f"content.{err.loc}" if err.loc else "content", "msg": err.reason}],
                ) from None
        catalog = import_json(document, label=body.label)
        upload_sha256 = (
            sha256_bytes(body.content.encode("utf-8"))
            if isinstance(body.content, str)
            else sha256_hex(body.content)
        )
    changes = catalog_changes(base, catalog)
    version = store.create_catalog_version(
        who,
        NewCatalogVersion(
            label=body.label,
            content=catalog.document(),
            sha256=catalog.sha256,
            notes=body.notes,
            items=catalog_rows(catalog),
            audit={
                "label": body.label,
                "sha256": catalog.sha256,
                "format": body.format,
                "upload_sha256": upload_sha256,
                "base": _ref(base_version),
                "notes": body.notes,
                "changes": changes,
            },
        ),
    )
    return {**_out(version), "format": body.format, "base": _ref(base_version), "changes": changes}


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
    store: CatalogStore = Depends(catalog_store),
) -> dict[str, Any]:
    version = _version(store, who, body.label)
    report, _ = _validate(svc, store, who, version)
    store.append_audit(
        who,
        "catalog.validate",
        f"catalog_version:{version.id}",
        {"label": version.label, "sha256": version.sha256, **report},
    )
    return report


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
    store: CatalogStore = Depends(catalog_store),
) -> dict[str, Any]:
    version = _version(store, who, body.label)
    if version.status == "active":
        raise ApiError("CONFLICT", f"catalog {version.label} is already active")
    if version.status == "retired":
        raise ApiError(
            "CONFLICT", f"catalog {version.label} is retired: use catalog/rollback to restore it"
        )
    if body.force and not body.reason:
        raise ValidationFailed("force needs a reason", [{"loc": "reason"}])
    report, previous = _validate(svc, store, who, version)
    if not report["passed"] and not body.force:
        against = previous.label if previous else "no active version"
        raise ApiError(
            "CONFLICT",
            f"catalog {version.label} fails validation against {against}: "
            f"{len(report['broken'])} sample(s) broken; fix the catalog, or activate "
            "with force and a reason",
            [c for c in report["cases"] if c["verdict"] == "broken"],
        )
    forced = not report["passed"]
    return _switch(
        store,
        who,
        version,
        previous,
        action="catalog.activate.request",
        reason=body.reason,
        forced=forced,
        report=report,
        audit={
            "force": body.force,
            "forced": forced,
            "validation": {k: report[k] for k in ("passed", "broken", "summary")},
        },
    )


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
    store: CatalogStore = Depends(catalog_store),
) -> dict[str, Any]:
    version = _version(store, who, body.label)
    if version.status == "active":
        raise ApiError("CONFLICT", f"catalog {version.label} is already active")
    if version.status == "staging":
        raise ApiError(
            "CONFLICT",
            f"catalog {version.label} was never active: validate and activate it instead",
        )
    _load(svc, who, version)  # refuse a version whose content no longer matches its hash
    previous = _active(store, who)
    return _switch(store, who, version, previous, action="catalog.rollback", reason=body.reason)


def _switch(
    store: CatalogStore,
    who: Principal,
    version: CatalogVersion,
    previous: CatalogVersion | None,
    *,
    action: str,
    reason: str | None,
    forced: bool = False,
    report: dict[str, Any] | None = None,
    audit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Make ``version`` active (atomically, audited) and describe the switch."""
    activated = store.activate_catalog_version(
        who,
        version.id,
        expected_active_id=previous.id if previous else None,
        action=action,
        detail={
            "label": version.label,
            "sha256": version.sha256,
            "previous": _ref(previous),
            "reason": reason,
            **(audit or {}),
        },
    )
    return {
        "active": _out(activated),
        "previous": _ref(previous),
        "forced": forced,
        "reason": reason,
        "validation": report,
    }


@router.get(
    "/versions",
    response_model=CatalogVersionList,
    responses=error_responses(401, 403, 503),
    summary="Every catalog version, newest first",
)
def list_versions(
    who: Principal = Depends(admin), store: CatalogStore = Depends(catalog_store)
) -> dict[str, Any]:
    return {"items": [_out(v) for v in store.catalog_versions(who)]}


@router.get(
    "/versions/active",
    response_model=CatalogVersionOut,
    responses=error_responses(401, 403, 404, 503),
    summary="The active catalog version",
)
def active_version(
    who: Principal = Depends(admin), store: CatalogStore = Depends(catalog_store)
) -> dict[str, Any]:
    active = _active(store, who)
    if active is None:
        raise ApiError("NOT_FOUND", "no catalog version is active")
    return _out(active)
