"""Operator and developer commands for the local stack (they do I/O; handlers never call them).

python -m functions serve [--host H] [--port P]   (port default: $PORT, else 54321)
python -m functions token USER [--role catalog_admin] [--ttl S]
python -m functions seed-catalog [--catalog DIR]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import psycopg

from estimator_core.catalog import Catalog
from estimator_core.cli import DEFAULT_CATALOG, load_catalog, summary
from functions._shared.auth import mint_token, user_id_for
from functions._shared.catalog_rows import insert_version
from functions._shared.settings import Settings


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
        insert_version(conn, catalog, status="active", notes="v1 catalog loaded at start-up")
        return f"loaded catalog {catalog.label} ({catalog.sha256[:12]}) as active"


def ensure_user(database_url: str, name: str) -> str:
    """Create the local user in auth.users (embedded stack only); return its id."""
    uid = user_id_for(name)
    with psycopg.connect(database_url, prepare_threshold=None) as conn:
        conn.execute(
            "insert into auth.users (id, email) values (%s, %s) on conflict (id) do nothing",
            (uid, f"{name}@local.test"),
        )
    return uid


def demo(settings: Settings, request: Path) -> None:
    """POST a request to the local server as user ``demo``; print the quote and evidence URLs."""
    import uuid

    import httpx

    if not settings.jwt_secret or not settings.database_url:
        raise SystemExit("JWT_SECRET and DATABASE_URL must be set (run `make up` first)")
    ensure_user(settings.database_url, "demo")
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
    print(f"HTTP 201  quote {body['quote_id']}  trace {res.headers.get('X-Trace-Id')}\n")
    print(summary(body))
    print("\nEvidence (signed URLs, valid for 10 minutes):")
    for item in body["evidence"]:
        print(f"  {item['stage']:<10} {item['sha256']}  {item['url']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m functions")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the functions server")
    serve.add_argument("--host", default="127.0.0.1")
    # container hosts (Cloud Run, Fly.io, Render) say which port in $PORT
    serve.add_argument("--port", type=int, default=None, help="default: $PORT, else 54321")
    tok = sub.add_parser("token", help="print a bearer token for a local user")
    tok.add_argument("user")
    tok.add_argument("--role", choices=["estimator", "catalog_admin"], default="estimator")
    tok.add_argument("--ttl", type=int, default=3600)
    seed = sub.add_parser("seed-catalog", help="load the v1 catalog as active if none is")
    seed.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    demo_cmd = sub.add_parser("demo", help="estimate a request through the running server")
    demo_cmd.add_argument("request", type=Path)
    args = parser.parse_args(argv)
    settings = Settings.load()
    if args.command == "demo":
        demo(settings, args.request)
    elif args.command == "serve":
        import uvicorn

        from functions.app import create_app

        port = args.port or int(os.environ.get("PORT") or 54321)
        uvicorn.run(create_app(settings), host=args.host, port=port, log_level="warning")
    elif args.command == "token":
        if not settings.jwt_secret or not settings.database_url:
            raise SystemExit("JWT_SECRET and DATABASE_URL must be set (run `make up` first)")
        ensure_user(settings.database_url, args.user)
        app_role = "catalog_admin" if args.role == "catalog_admin" else None
        print(mint_token(settings.jwt_secret, args.user, app_role=app_role, ttl_s=args.ttl))
    else:
        if not settings.database_url:
            raise SystemExit("DATABASE_URL must be set")
        print(seed_catalog(settings.database_url, load_catalog(args.catalog)))
