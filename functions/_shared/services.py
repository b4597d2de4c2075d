"""Composition: build the adapters from settings once, when the app starts.

Handlers reach them through ``Depends(services)`` (``services_of(request)`` elsewhere);
tests and warm serverless workers control their lifetime. The catalog cache is per
version id, so a hot swap is seen by the next request and a request keeps the version
it started with.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from fastapi import Request

from estimator_core import Catalog
from functions._shared.auth import Principal, TokenVerifier
from functions._shared.blobs import BlobStore, LocalBlobStore, SupabaseBlobStore, storage_client
from functions._shared.errors import DependencyUnavailable
from functions._shared.ports import CatalogRef, Store
from functions._shared.settings import Settings
from functions._shared.store import PostgresStore


@dataclass
class Services:
    settings: Settings
    verifier: TokenVerifier
    store: Store
    blobs: BlobStore
    # the active catalog version as the last created quote read it (early pricing)
    last_active: tuple[CatalogRef, Catalog] | None = None
    _catalogs: dict[str, Catalog] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def active_catalog(self, who: Principal) -> tuple[CatalogRef, Catalog]:
        """The active version and its parsed catalog (parsed once per version id)."""
        return self.catalog(who, self.store.active_catalog(who))

    def catalog(self, who: Principal, ref: CatalogRef | None) -> tuple[CatalogRef, Catalog]:
        """The version ``ref`` (the active one as the caller read it) and its catalog,
        parsed once per version id and checked against its recorded SHA-256."""
        if ref is None:
            raise DependencyUnavailable.because("no catalog version is active")
        catalog = self._catalogs.get(ref.id)
        if catalog is None:
            catalog = Catalog.model_validate(self.store.catalog_content(who, ref.id))
            if catalog.sha256 != ref.sha256:
                raise DependencyUnavailable.because(
                    f"catalog {ref.label} does not match its recorded SHA-256"
                )
            with self._lock:
                self._catalogs[ref.id] = catalog
        return ref, catalog

    def close(self) -> None:
        close = getattr(self.store, "close", None)
        if callable(close):
            close()


def build_services(settings: Settings) -> Services:
    """Real adapters for the configured mode.

    A database URL means the psycopg ``PostgresStore``; without one, ``SUPABASE_URL`` and
    ``SUPABASE_ANON_KEY`` mean the ``PostgrestStore`` (PostgREST with each caller's JWT).
    Blobs go to Supabase Storage when ``SUPABASE_URL`` and the service key are set, else
    to the local filesystem.
    """
    store: Store
    if settings.database_url:
        pg = PostgresStore(settings.database_url, pool_size=settings.pool_size)
        pg.open()
        store = pg
    elif settings.supabase_url and settings.supabase_anon_key:
        from functions._shared.postgrest import PostgrestStore

        store = PostgrestStore(
            settings.supabase_url,
            settings.supabase_anon_key,
            service_role_key=settings.supabase_service_role_key,
        )
    else:
        raise RuntimeError(
            "set DATABASE_URL (or SUPABASE_DB_URL), or SUPABASE_URL with SUPABASE_ANON_KEY"
        )
    blobs: BlobStore
    if settings.storage_backend == "supabase":
        from functions._shared.postgrest import http_client

        assert settings.supabase_url and settings.supabase_service_role_key
        # An explicit httpx client: storage3 warns (DeprecationWarning) when handed a
        # timeout instead, and this one bounds connect/read times.
        client = storage_client(
            settings.supabase_url, settings.supabase_service_role_key, http_client(30.0)
        )
        blobs = SupabaseBlobStore(client, settings.supabase_url)
    else:
        if not settings.jwt_secret:
            raise RuntimeError("the local blob store signs URLs with JWT_SECRET: set it")
        blobs = LocalBlobStore(settings.storage_dir, settings.jwt_secret, settings.public_url)
    return Services(settings=settings, verifier=TokenVerifier(settings), store=store, blobs=blobs)


def services_of(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def services(request: Request) -> Services:
    """The dependency: async, so FastAPI calls it on the event loop (a sync dependency
    costs a trip through the thread pool on every request)."""
    return services_of(request)
