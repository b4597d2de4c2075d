"""The one ASGI app: every function under /functions/v1/<name>, local storage under /storage/v1.

FastAPI: pydantic-native (the engine's models are pydantic v2) and the OpenAPI document
is generated from the same models, served at /functions/v1/openapi.json.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from estimator_core.request import RequestIn
from functions import catalog, client, estimate, health, preview, quotes, storage, web
from functions._shared.http import install_error_handlers, trace_middleware
from functions._shared.services import Services, build_services
from functions._shared.settings import Settings

PREFIX = "/functions/v1"


def create_app(settings: Settings | None = None, svc: Services | None = None) -> FastAPI:
    """Build the app; adapters are created when it starts, not at import."""
    config = settings or Settings.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = svc or build_services(config)
        try:
            yield
        finally:
            if svc is None:
                app.state.services.close()

    app = FastAPI(
        title="KIS Estimator",
        version="1.0.0",
        lifespan=lifespan,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    origins = config.cors_origins
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Trace-Id"],
            expose_headers=["X-Trace-Id", "Idempotent-Replayed"],
        )
    app.middleware("http")(trace_middleware)
    install_error_handlers(app)
    for module in (preview, estimate, quotes, health, catalog, client):
        app.include_router(module.router, prefix=PREFIX)
    if client.local_sign_in(config):
        app.include_router(client.dev_router, prefix=PREFIX)
    if web.has_build():
        app.add_middleware(web.WebClient)
    app.include_router(storage.router, prefix="/storage/v1")
    _document_request_schema(app)
    return app


def _document_request_schema(app: FastAPI) -> None:
    """Add the engine's request model (and the models it nests) to the OpenAPI components."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = plain()
            schema = RequestIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components = doc.setdefault("components", {}).setdefault("schemas", {})
            components.update(schema.pop("$defs", {}))
            components["RequestIn"] = schema
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
