"""The catalog lifecycle: import, validate, activate, roll back — one transition table.

    staging ──activate──▶ active ──(another version activated)──▶ retired
                                  ◀──────────rollback────────────

``TRANSITIONS`` says, per action, which states may take it; every other state is
refused with 409 CONFLICT and the reason in ``REFUSED``. The switch itself is atomic
(``shared.activate_catalog_version`` retires the version active before) and refused
with 409 when another activation happened since the caller looked.

Activation re-runs validation against the version active at that moment and refuses
with 409 when it fails, unless ``force`` comes with a ``reason``. Every import,
validation, activation and rollback writes an audit entry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

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
from functions._shared.catalog_rows import catalog_rows
from functions._shared.errors import Conflict, DependencyUnavailable, NotFound
from functions._shared.models import CatalogActivateIn, CatalogImportIn, CatalogRollbackIn
from functions._shared.ports import CatalogStore, CatalogVersion, NewCatalogVersion
from functions._shared.services import Services

# action → the states that may take it, and the state it leads to
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "activate": (frozenset({"staging"}), "active"),
    "rollback": (frozenset({"retired"}), "active"),
}
# (action, state) → why it is refused
REFUSED: dict[tuple[str, str], str] = {
    ("activate", "active"): "catalog {label} is already active",
    ("activate", "retired"): "catalog {label} is retired: use catalog/rollback to restore it",
    ("rollback", "active"): "catalog {label} is already active",
    ("rollback", "staging"): "catalog {label} was never active: validate and activate it instead",
}


def check_transition(action: str, version: CatalogVersion) -> str:
    """The state ``action`` leads ``version`` to; 409 CONFLICT when its state refuses it."""
    allowed, target = TRANSITIONS[action]
    if version.status not in allowed:
        reason = REFUSED.get((action, version.status), "catalog {label} cannot be {action}d")
        raise Conflict(reason.format(label=version.label, action=action))
    return target


def catalog_store(svc: Services) -> CatalogStore:
    if not isinstance(svc.store, CatalogStore):
        raise DependencyUnavailable.because(
            "the configured store cannot administer catalog versions"
        )
    return svc.store


@cache
def samples() -> tuple[tuple[str, Any], ...]:
    """The sample requests shipped with the engine, by name (read once per process)."""
    folder = resources.files("estimator_core").joinpath("catalogs", "samples")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return tuple((f.name.removesuffix(".json"), json.loads(f.read_text("utf-8"))) for f in files)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def version_out(version: CatalogVersion) -> dict[str, Any]:
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


def find_version(store: CatalogStore, who: Principal, label: str) -> CatalogVersion:
    version = store.catalog_version(who, label)
    if version is None:
        raise NotFound(f"catalog version {label} not found", [{"label": label}])
    return version


def active(store: CatalogStore, who: Principal) -> CatalogVersion | None:
    return next((v for v in store.catalog_versions(who) if v.status == "active"), None)


def load(svc: Services, who: Principal, version: CatalogVersion) -> Catalog:
    """A stored version's catalog, checked against its recorded label and SHA-256."""
    catalog = Catalog.model_validate(svc.store.catalog_content(who, version.id))
    if catalog.sha256 != version.sha256 or catalog.label != version.label:
        raise DependencyUnavailable.because(
            f"catalog {version.label} does not match its recorded label and SHA-256"
        )
    return catalog


def _report(
    svc: Services, store: CatalogStore, who: Principal, version: CatalogVersion
) -> tuple[dict[str, Any], CatalogVersion | None]:
    """The validation report of ``version`` against the active version, and that version."""
    current_version = active(store, who)
    candidate = load(svc, who, version)
    current = load(svc, who, current_version) if current_version else None
    return validation_report(samples(), candidate, current, issued_at=_now()), current_version


def _parse(body: CatalogImportIn, base: Catalog | None) -> tuple[Catalog, str]:
    """The imported catalog and the SHA-256 of what was uploaded."""
    if body.format == "csv":
        if not isinstance(body.content, str):
            raise ValidationFailed("a CSV import's content must be the CSV text", [])
        if base is None:
            raise ValidationFailed("a CSV import needs a base: no version is active", [])
        return import_csv(body.content, base, label=body.label), sha256_bytes(
            body.content.encode("utf-8")
        )
    document = body.content
    if isinstance(document, str):
        try:  # the text a JSON document arrives as is held to the same strict rules
            document = strict_json.loads(document)
        except JsonRejected as err:
            raise ValidationFailed(
                "the JSON catalog is not acceptable JSON",
                [{"loc": f"content.{err.loc}" if err.loc else "content", "msg": err.reason}],
            ) from None
    upload_sha256 = (
        sha256_bytes(body.content.encode("utf-8"))
        if isinstance(body.content, str)
        else sha256_hex(body.content)
    )
    return import_json(document, label=body.label), upload_sha256


def import_version(svc: Services, who: Principal, body: CatalogImportIn) -> dict[str, Any]:
    """A new staging version from a CSV (applied on a base) or a whole JSON catalog."""
    store = catalog_store(svc)
    if store.catalog_version(who, body.label) is not None:
        raise Conflict(f"catalog version {body.label} already exists", [{"label": body.label}])
    base_version = (
        find_version(store, who, body.base_label) if body.base_label else active(store, who)
    )
    base = load(svc, who, base_version) if base_version else None
    catalog, upload_sha256 = _parse(body, base)
    changes = catalog_changes(base, catalog)
    audit = {
        "label": body.label,
        "sha256": catalog.sha256,
        "format": body.format,
        "upload_sha256": upload_sha256,
        "base": _ref(base_version),
        "notes": body.notes,
        "changes": changes,
    }
    new = NewCatalogVersion(
        body.label, catalog.document(), catalog.sha256, body.notes, catalog_rows(catalog), audit
    )
    version = store.create_catalog_version(who, new)
    return {
        **version_out(version),
        "format": body.format,
        "base": _ref(base_version),
        "changes": changes,
    }


def validate_version(svc: Services, who: Principal, label: str) -> dict[str, Any]:
    """The sample requests under ``label`` and the active version; audited."""
    store = catalog_store(svc)
    version = find_version(store, who, label)
    report, _ = _report(svc, store, who, version)
    detail = {"label": version.label, "sha256": version.sha256, **report}
    store.append_audit(who, "catalog.validate", f"catalog_version:{version.id}", detail)
    return report


def activate(svc: Services, who: Principal, body: CatalogActivateIn) -> dict[str, Any]:
    """A staging version becomes active once it passes validation (or is forced)."""
    store = catalog_store(svc)
    version = find_version(store, who, body.label)
    check_transition("activate", version)
    if body.force and not body.reason:
        raise ValidationFailed("force needs a reason", [{"loc": "reason"}])
    report, previous = _report(svc, store, who, version)
    if not report["passed"] and not body.force:
        against = previous.label if previous else "no active version"
        raise Conflict(
            f"catalog {version.label} fails validation against {against}: "
            f"{len(report['broken'])} sample(s) broken; fix the catalog, or activate "
            "with force and a reason",
            [c for c in report["cases"] if c["verdict"] == "broken"],
        )
    forced = not report["passed"]
    audit = {
        "force": body.force,
        "forced": forced,
        "validation": {k: report[k] for k in ("passed", "broken", "summary")},
    }
    return _switch(
        store,
        who,
        version,
        previous,
        "catalog.activate.request",
        body.reason,
        forced,
        report,
        audit,
    )


def rollback(svc: Services, who: Principal, body: CatalogRollbackIn) -> dict[str, Any]:
    """A retired version becomes active again (its content still matching its hash)."""
    store = catalog_store(svc)
    version = find_version(store, who, body.label)
    check_transition("rollback", version)
    load(svc, who, version)  # refuse a version whose content no longer matches its hash
    previous = active(store, who)
    return _switch(store, who, version, previous, "catalog.rollback", body.reason)


def _switch(
    store: CatalogStore,
    who: Principal,
    version: CatalogVersion,
    previous: CatalogVersion | None,
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
        "active": version_out(activated),
        "previous": _ref(previous),
        "forced": forced,
        "reason": reason,
        "validation": report,
    }


def list_versions(svc: Services, who: Principal) -> dict[str, Any]:
    return {"items": [version_out(v) for v in catalog_store(svc).catalog_versions(who)]}


def active_version(svc: Services, who: Principal) -> dict[str, Any]:
    found = active(catalog_store(svc), who)
    if found is None:
        raise NotFound("no catalog version is active")
    return version_out(found)
