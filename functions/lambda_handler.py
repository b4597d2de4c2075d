"""AWS Lambda entry point: the one ASGI app behind an HTTP API (payload 2.0) or a function
URL, through Mangum. SAM: ``Handler: functions.lambda_handler.handler``.

The app and its adapters (connection pool, HTTP clients, JWKS cache) are built once per
container — at init in Lambda, else on the first call — and reused by every invocation
the container serves. The ASGI lifespan is off: Mangum would run startup and shutdown
around each invocation, rebuilding the adapters per request.

Configuration is the environment only (deploy/aws/template.yaml resolves the secrets from
Secrets Manager into it at deploy time); no .env is read. This module must never log it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from mangum import Mangum

from functions._shared.services import build_services
from functions._shared.settings import Settings
from functions.app import create_app

# Responses whose type starts with one of these go out as text; anything else (SVG, PDF,
# octet-stream) is base64-encoded with isBase64Encoded, as API Gateway requires.
TEXT_TYPES = ["application/json", "text/", "application/problem+json"]


def build_handler(settings: Settings | None = None) -> Mangum:
    """The Mangum adapter around the app, with its adapters built now."""
    config = settings or Settings.load(env_file=None)  # a deployment reads no .env
    svc = build_services(config)
    app = create_app(config, svc)
    app.state.services = svc  # what the (disabled) lifespan would have done
    return Mangum(app, lifespan="off", text_mime_types=TEXT_TYPES)


_built: Mangum | None = None
_lock = threading.Lock()


def warm() -> Mangum:
    """This container's handler, built on first use."""
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                _built = build_handler()
    return _built


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda handler."""
    return warm()(event, context)


# In Lambda, build during the init phase (before the first request is waiting on it).
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    warm()
