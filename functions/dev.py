"""Operator and developer commands for the local stack (they do I/O; handlers never call them).

python -m functions serve [--host H] [--port P]   (port default: $PORT, else 54321)
python -m functions demo REQUEST [--out DIR]
python -m functions token USER [--role catalog_admin] [--ttl S]
python -m functions seed-catalog [--catalog DIR]
python -m functions upgrade-catalog [--catalog DIR]
python -m functions sweep-orphans [--grace-hours H] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import psycopg

from estimator_core import DEFAULT_CATALOG, Catalog, load_catalog, shipped_catalog_labels
from estimator_core.cli import SAMPLE_PROFILE, summary
from functions._shared.auth import mint_token, user_id_for
from functions._shared.blobs import LocalBlobStore, SupabaseBlobStore
from functions._shared.catalog_rows import insert_version
from functions._shared.models import EstimateResponse
from functions._shared.settings import ROOT, Settings
from functions._shared.sweep import referenced_paths, sweep


def seed_catalog(database_url: str, catalog: Catalog) -> str:
    """Load ``catalog`` as the active version when none is active; return what happened."""
    with psycopg.connect(database_url, prepare_threshold=None) as conn:
        active = conn.execute(
            "select label from shared.catalog_versions where status = 'active'"
        ).fetchone()
        if active:
            return f"active catalog: {active[0]} (unchanged)"
        known = conn.execute(
            "select id::text from shared.catalog_versions where label = %s", (catalog.label,)
        ).fetchone()
        if known:
            conn.execute("select shared.activate_catalog_version(%s)", (known[0],))
            return f"re-activated catalog {catalog.label}"
        insert_version(conn, catalog, status="active", notes="shipped catalog loaded at start-up")
        return f"loaded catalog {catalog.label} ({catalog.sha256[:12]}) as active"


RELEASE_USER = "kis-release"  # the local catalog admin that ships catalog upgrades


def upgrade_catalog(settings: Settings, catalog: Catalog) -> str:
    """Move a stack whose active catalog is an older *shipped* label to ``catalog`` through
    the admin's own path — import, validate, activate with a reason — so the switch is
    validated and audited like any other. A label already imported (an admin may have rolled
    it back on purpose) or an admin's own active catalog is left alone."""
    import httpx

    if not settings.jwt_secret or not settings.database_url:
        raise SystemExit("JWT_SECRET and DATABASE_URL must be set (run `make up` first)")
    with psycopg.connect(settings.database_url, prepare_threshold=None) as conn:
        row = conn.execute(
            "select label from shared.catalog_versions where status = 'active'"
        ).fetchone()
        known = conn.execute(
            "select 1 from shared.catalog_versions where label = %s", (catalog.label,)
        ).fetchone()
    active = row[0] if row else None
    if active == catalog.label:
        return f"active catalog: {active} (the shipped one)"
    older = shipped_catalog_labels()
    if known or active not in older or older.index(active) >= older.index(catalog.label):
        return f"active catalog: {active} (kept; not upgraded to {catalog.label})"
    ensure_user(settings.database_url, RELEASE_USER)
    token = mint_token(settings.jwt_secret, RELEASE_USER, app_role="catalog_admin", ttl_s=300)
    headers = {"Authorization": f"Bearer {token}"}
    base = f"{settings.public_url}/functions/v1/catalog"
    reason = f"shipped catalog {catalog.label} supersedes {active} (make up)"
    with httpx.Client(timeout=120, headers=headers) as client:
        steps = (
            (
                "import",
                {
                    "label": catalog.label,
                    "format": "json",
                    "notes": reason,
                    "content": json.dumps(catalog.document()),
                },
            ),
            ("validate", {"label": catalog.label}),
            ("activate", {"label": catalog.label, "reason": reason}),
        )
        answers = {}
        for step, body in steps:
            res = client.post(f"{base}/{step}", json=body)
            if res.status_code >= 300:
                raise SystemExit(
                    f"catalog {step} of {catalog.label}: HTTP {res.status_code}: {res.text}"
                )
            answers[step] = res.json()
    summary_ = answers["validate"]["summary"]
    changed = ", ".join(f"{n} {verdict}" for verdict, n in summary_.items() if n)
    return f"upgraded catalog {active} → {catalog.label} (samples: {changed})"


def ensure_user(database_url: str, name: str) -> str:
    """Create the local user in auth.users (embedded stack only); return its id."""
    uid = user_id_for(name)
    with psycopg.connect(database_url, prepare_threshold=None) as conn:
        conn.execute(
            "insert into auth.users (id, email) values (%s, %s) on conflict (id) do nothing",
            (uid, f"{name}@local.test"),
        )
    return uid


def demo(settings: Settings, request: Path, out: Path | None = None) -> None:
    """POST a request to the local server as user ``demo``; print the quote, its evidence
    URLs and its documents' URLs, and download the documents into ``out`` (default
    ``.local/demo``)."""
    import uuid

    import httpx

    if not settings.jwt_secret or not settings.database_url:
        raise SystemExit("JWT_SECRET and DATABASE_URL must be set (run `make up` first)")
    ensure_user(settings.database_url, "demo")
    print(ensure_profile(settings))
    token = mint_token(settings.jwt_secret, "demo")
    res = httpx.post(
        f"{settings.public_url}/functions/v1/estimate",
        content=request.read_bytes(),
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": f"demo-{uuid.uuid4()}",
            "Content-Type": "application/json",
        },
        timeout=30,
    )
    body = res.json()
    if res.status_code != 201:
        raise SystemExit(f"HTTP {res.status_code}: {json.dumps(body, ensure_ascii=False)}")
    trace = res.headers.get("X-Trace-Id")
    print(f"HTTP 201  quote {body['quote_number']} ({body['quote_id']})  trace {trace}\n")
    print(summary(EstimateResponse.model_validate(body)))
    print("\nEvidence (signed URLs, valid for 10 minutes):")
    for item in body["evidence"]:
        print(f"  {item['stage']:<10} {item['sha256']}  {item['url']}")
    demo_documents(settings, token, body["quote_id"], out or ROOT / ".local" / "demo")


def ensure_profile(settings: Settings) -> str:
    """The company profile documents are headed with: the shipped sample when none is set
    (as a local admin, through the API, audited like any change)."""
    import httpx

    url = f"{settings.public_url}/functions/v1/company-profile"
    token = mint_token(settings.jwt_secret or "", "demo", ttl_s=300)
    current = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    if current.get("id"):
        return f"company profile: {current['profile']['name']} (unchanged)"
    assert settings.database_url
    ensure_user(settings.database_url, RELEASE_USER)
    admin = mint_token(settings.jwt_secret or "", RELEASE_USER, app_role="catalog_admin", ttl_s=300)
    res = httpx.put(
        url,
        content=SAMPLE_PROFILE.read_bytes(),
        headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"},
        timeout=30,
    )
    if res.status_code != 200:
        raise SystemExit(f"company profile: HTTP {res.status_code}: {res.text}")
    return f"company profile: set the shipped sample ({res.json()['profile']['name']})"


def demo_documents(settings: Settings, token: str, quote_id: str, out: Path) -> None:
    """Ask for the quote's documents (the first request renders them), print their signed
    URLs and download them into ``out/<quote number>/``."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    res = httpx.get(
        f"{settings.public_url}/functions/v1/quotes/{quote_id}/documents",
        headers=headers,
        timeout=60,
    )
    body = res.json()
    if res.status_code != 200:
        raise SystemExit(
            f"documents: HTTP {res.status_code}: {json.dumps(body, ensure_ascii=False)}"
        )
    target = out / body["quote_number"]
    target.mkdir(parents=True, exist_ok=True)
    print("\nDocuments (signed URLs, valid for 10 minutes):")
    for item in body["items"]:
        data = httpx.get(item["url"], timeout=60).content
        (target / item["filename"]).write_bytes(data)
        print(f"  {item['filename']:<12} {item['sha256']}  {item['url']}")
    print(f"\nDownloaded to {target}/")


def sweep_orphans(settings: Settings, grace_s: float, *, dry_run: bool) -> None:
    """The operator's orphan sweep (functions._shared.sweep); prints what it did."""
    if not settings.database_url:
        raise SystemExit("DATABASE_URL (or SUPABASE_DB_URL) must be set")
    blobs: Any
    if settings.storage_backend == "supabase":
        from supabase import create_client

        assert settings.supabase_url and settings.supabase_service_role_key
        client = create_client(settings.supabase_url, settings.supabase_service_role_key)
        blobs = SupabaseBlobStore(client, settings.supabase_url)
    else:
        blobs = LocalBlobStore(settings.storage_dir, settings.jwt_secret or "", "")
    referenced = referenced_paths(settings.database_url)
    report = sweep(
        blobs,
        (settings.evidence_bucket, settings.documents_bucket),
        referenced,
        now=time.time(),
        grace_s=grace_s,
        dry_run=dry_run,
    )
    for path in report.deleted_paths:
        print(f"{'would delete' if dry_run else 'deleted'} {path}")
    print(f"sweep-orphans: {report.summary()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m functions")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the functions server")
    serve.add_argument("--host", default="127.0.0.1")
    # container hosts (Cloud Run, Fly.io, Render) say which port in $PORT
    serve.add_argument("--port", type=int, default=None, help="default: $PORT, else 54321")
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server processes; 0: one per CPU (default: $WEB_CONCURRENCY, else 1)",
    )
    tok = sub.add_parser("token", help="print a bearer token for a local user")
    tok.add_argument("user")
    tok.add_argument("--role", choices=["estimator", "catalog_admin"], default="estimator")
    tok.add_argument("--ttl", type=int, default=3600)
    seed = sub.add_parser("seed-catalog", help="load the shipped catalog as active if none is")
    seed.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    upgrade = sub.add_parser(
        "upgrade-catalog", help="activate the shipped catalog over an older shipped one"
    )
    upgrade.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    demo_cmd = sub.add_parser("demo", help="estimate a request through the running server")
    demo_cmd.add_argument("request", type=Path)
    demo_cmd.add_argument(
        "--out", type=Path, default=None, help="download the documents here (.local/demo)"
    )
    sweep_cmd = sub.add_parser(
        "sweep-orphans",
        help="delete stored objects no row refers to, older than a grace period (operators)",
    )
    sweep_cmd.add_argument(
        "--grace-hours", type=float, default=24.0, help="keep younger objects (default 24)"
    )
    sweep_cmd.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    args = parser.parse_args(argv)
    settings = Settings.load()
    if args.command == "sweep-orphans":
        sweep_orphans(settings, args.grace_hours * 3600, dry_run=args.dry_run)
        return
    if args.command == "demo":
        demo(settings, args.request, args.out)
    elif args.command == "serve":
        from functions.serve import serve as run_server
        from functions.serve import worker_count

        port = args.port or int(os.environ.get("PORT") or 54321)
        run_server(settings, args.host, port, worker_count(args.workers))
    elif args.command == "token":
        if not settings.jwt_secret or not settings.database_url:
            raise SystemExit("JWT_SECRET and DATABASE_URL must be set (run `make up` first)")
        ensure_user(settings.database_url, args.user)
        app_role = "catalog_admin" if args.role == "catalog_admin" else None
        print(mint_token(settings.jwt_secret, args.user, app_role=app_role, ttl_s=args.ttl))
    elif args.command == "upgrade-catalog":
        print(upgrade_catalog(settings, load_catalog(args.catalog)))
    else:
        if not settings.database_url:
            raise SystemExit("DATABASE_URL must be set")
        print(seed_catalog(settings.database_url, load_catalog(args.catalog)))
