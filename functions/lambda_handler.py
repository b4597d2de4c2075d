"""AWS Lambda entry point: the one ASGI app behind an HTTP API (payload 2.0) or a function
URL, through Mangum. SAM: ``Handler: functions.lambda_handler.handler``.

The app and its adapters (connection pool, HTTP clients, JWKS cache) are built once per
container — at init in Lambda, else on the first call — and reused by every invocation
the container serves. The ASGI lifespan is off: Mangum would run startup and shutdown
around each invocation, rebuilding the adapters per request.

Secrets: when ``SECRETS_ARN`` is set, the secret (a JSON object of variable names, e.g.
``{"SUPABASE_DB_URL": …, "SUPABASE_SECRET_KEY": …}``) is read once through the AWS
Parameters and Secrets Lambda extension on localhost (no AWS SDK to import) and fills the
variables the environment does not set. This module must never log a secret's value.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import MutableMapping
from typing import Any

from mangum import Mangum

from functions._shared.services import build_services
from functions._shared.settings import Settings
from functions.app import create_app

# Responses whose type starts with one of these go out as text; anything else (SVG, PDF,
# octet-stream) is base64-encoded with isBase64Encoded, as API Gateway requires.
TEXT_TYPES = ["application/json", "text/", "application/problem+json"]


def load_secrets(environ: MutableMapping[str, str]) -> list[str]:
    """Fill ``environ`` from the Secrets Manager secret ``SECRETS_ARN`` (via the extension's
    HTTP endpoint); return the names it set. Variables already set win."""
    arn = environ.get("SECRETS_ARN")
    if not arn:
        return []
    port = environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
    url = f"http://localhost:{port}/secretsmanager/get?secretId={urllib.parse.quote(arn, safe='')}"
    request = urllib.request.Request(
        url, headers={"X-Aws-Parameters-Secrets-Token": environ.get("AWS_SESSION_TOKEN", "")}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as res:
            secret = json.loads(json.loads(res.read())["SecretString"])
    except urllib.error.HTTPError as err:
        err.close()
        raise RuntimeError(f"cannot read secret {arn}: the extension answered {err.code}") from None
    except (OSError, ValueError, KeyError) as err:
        # the message names the secret, never its value
        raise RuntimeError(f"cannot read secret {arn}: {err}") from None
    if not isinstance(secret, dict):
        raise RuntimeError(f"secret {arn} must be a JSON object of variable names")
    filled = [k for k, v in secret.items() if isinstance(v, str) and not environ.get(k)]
    for name in filled:
        environ[name] = secret[name]
    return sorted(filled)


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
                load_secrets(os.environ)
                _built = build_handler()
    return _built


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda handler."""
    return warm()(event, context)


# In Lambda, build during the init phase (before the first request is waiting on it).
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    warm()
