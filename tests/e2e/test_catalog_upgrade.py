"""A stack that runs an older shipped catalog moves to the shipped one through the admin's
own path (import → validate → activate, audited with a reason); stored quotes keep the
catalog they were priced with; a fresh stack starts on the shipped catalog.

Runs on its own scratch database and server, so the session's ``api`` is untouched.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from estimator_core.cli import CATALOGS, DEFAULT_CATALOG, load_catalog
from functions._shared.settings import Settings
from functions.dev import seed_catalog, upgrade_catalog
from tests.conftest import example
from tests.e2e.conftest import Api, free_port
from tests.integration.support import DB_SH, db_url, run

OLD, NEW = load_catalog(CATALOGS / "v1.0.0"), load_catalog(DEFAULT_CATALOG)


@pytest.fixture(scope="module")
def old_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A server on a database whose active catalog is the older shipped v1.0.0."""
    db = f"kis_it_upgrade_{os.getpid()}"
    run([DB_SH, "up"])
    run([DB_SH, "drop-db", db], check=False)
    run([DB_SH, "create-db", db])
    url = db_url(db)
    seed_catalog(url, OLD)
    port = free_port()
    secret = secrets.token_hex(32)
    storage: Path = tmp_path_factory.mktemp("upgrade") / "storage"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SUPABASE")},
        "DATABASE_URL": url,
        "JWT_SECRET": secret,
        "STORAGE_DIR": str(storage),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    api = Api("local", f"http://127.0.0.1:{port}", secret, url, storage, env)
    api.start()
    try:
        yield api
    finally:
        api.stop()
        api.client.close()
        run([DB_SH, "drop-db", db], check=False)


def settings_of(api: Api) -> Settings:
    return Settings(database_url=api.database_url, jwt_secret=api.secret, public_url=api.base)


def test_an_older_shipped_catalog_is_upgraded_through_the_admin_path(old_stack: Api) -> None:
    api = old_stack
    body = example("apartment_sangdo")
    res = api.client.post(api.url("estimate"), json=body, headers=api.headers("una", "k-old"))
    assert res.status_code == 201, res.text
    quote_id = res.json()["quote_id"]

    said = upgrade_catalog(settings_of(api), NEW)

    assert said.startswith(f"upgraded catalog v1.0.0 → {NEW.label}"), said
    rows = dict(api.sql("select label, status from shared.catalog_versions"))
    assert rows == {"v1.0.0": "retired", NEW.label: "active"}
    actions = [
        r[0]
        for r in api.sql(
            "select action from shared.audit_logs where action like 'catalog.%%' "
            "and detail ->> 'label' = %s order by at",
            NEW.label,
        )
    ]
    assert actions[:2] == ["catalog.import", "catalog.validate"]
    assert sorted(actions[2:]) == ["catalog.activate", "catalog.activate.request"]
    (reason,) = api.sql(
        "select detail ->> 'reason' from shared.audit_logs "
        "where action = 'catalog.activate.request' and detail ->> 'label' = %s",
        NEW.label,
    )[0]
    assert reason == f"shipped catalog {NEW.label} supersedes v1.0.0 (make up)"
    # The quote priced before keeps the label and hash it was priced with.
    assert api.sql(
        "select catalog_label, catalog_sha256 from estimator.quotes where id = %s", quote_id
    ) == [("v1.0.0", OLD.sha256)]
    # The next quote is priced with the new catalog.
    res = api.client.post(
        api.url("estimate"), json=body, headers=api.headers("una", f"k-{uuid.uuid4()}")
    )
    assert res.json()["catalog"]["label"] == NEW.label


def test_the_upgrade_runs_once_and_respects_a_rollback(old_stack: Api) -> None:
    api = old_stack
    upgrade_catalog(settings_of(api), NEW)  # no-op when the first test already upgraded
    admin = api.headers("ann", app_role="catalog_admin")
    rolled = api.client.post(
        api.url("catalog/rollback"), json={"label": "v1.0.0", "reason": "customer asked"},
        headers=admin,
    )  # fmt: skip
    assert rolled.status_code == 200, rolled.text

    said = upgrade_catalog(settings_of(api), NEW)

    assert said == f"active catalog: v1.0.0 (kept; not upgraded to {NEW.label})"
    assert dict(api.sql("select label, status from shared.catalog_versions"))["v1.0.0"] == (
        "active"
    )


def test_a_fresh_database_starts_on_the_shipped_catalog() -> None:
    db = f"kis_it_fresh_{os.getpid()}"
    run([DB_SH, "up"])
    run([DB_SH, "drop-db", db], check=False)
    run([DB_SH, "create-db", db])
    try:
        said = seed_catalog(db_url(db), NEW)
        assert said.startswith(f"loaded catalog {NEW.label}")
        assert seed_catalog(db_url(db), NEW) == f"active catalog: {NEW.label} (unchanged)"
    finally:
        run([DB_SH, "drop-db", db], check=False)
