"""Request plumbing shared by the handlers: trace ids, the principal, error responses."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from estimator_core import EstimatorError
from functions._shared.auth import Principal
from functions._shared.body import read_json
from functions._shared.errors import STATUS, ApiError, error_body
from functions._shared.services import Services, services, services_of

log = logging.getLogger("kis.functions")
PUBLIC_PREFIXES = (
    "/functions/v1/healthz",
    "/functions/v1/readyz",
    "/functions/v1/openapi.json",
    "/functions/v1/docs",
    "/functions/v1/client-config",  # what the web client asks before signing in
    "/functions/v1/dev/token",  # the local sign-in itself (embedded stack only)
    "/storage/v1/",
)
_TRACE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def trace_id(request: Request) -> str:
    value: str = request.state.trace_id
    return value


class TraceMiddleware:
    """Give every response its trace id, and never let an exception reach the server.

    A plain ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs a task and memory
    streams per request). An unexpected exception becomes the 500 error shape here:
    Starlette's outermost error handler would answer and then re-raise it, and the server
    drops the connection. A response sent before the request body was read closes the
    connection, so the unread bytes are never taken for the next request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-trace-id":
                incoming = value.decode("latin-1")
                break
        tid = incoming if _TRACE.match(incoming) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["trace_id"] = tid
        started = False

        async def send_traced(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                if state.get("body_unread", False):
                    headers["Connection"] = "close"
                headers["X-Trace-Id"] = tid
            await send(message)

        try:
            await self.app(scope, receive, send_traced)
        except Exception:
            log.exception("unhandled error (trace %s)", tid)
            if started:
                raise
            response = _respond(Request(scope), "INTERNAL", "internal error", [])
            response.headers["Connection"] = "close"
            await response(scope, receive, send)


def _query_names(dependant: Any) -> set[str]:
    """The query parameters a route's dependant (and its sub-dependencies) declare."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def known_query(request: Request) -> None:
    """Refuse query parameters the route does not declare (a typo must not pass silently:
    ``?limt=5`` would otherwise list the default page as if it were asked for), and any
    given twice (``?q=a&q=b`` would otherwise search for ``b`` only)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    declared = _query_names(dependant)
    unknown = sorted(set(request.query_params) - declared)
    names = [name for name, _ in request.query_params.multi_items()]
    # no route takes a list: a repeated parameter would silently keep its last value
    repeated = sorted({name for name in names if names.count(name) > 1} & declared)
    if unknown or repeated:
        if not request.url.path.startswith(PUBLIC_PREFIXES):
            # authenticate first: an anonymous caller learns only that (401 before 422)
            await verified(services_of(request), request.headers.get("authorization"))
        raise ApiError(
            "VALIDATION_FAILED",
            "unknown or repeated query parameters",
            [
                {"loc": f"query.{name}"[:100], "msg": "not a parameter of this route"}
                for name in unknown[:10]
            ]
            + [
                {"loc": f"query.{name}"[:100], "msg": "given more than once"}
                for name in repeated[:10]
            ],
        )


async def principal(
    request: Request,
    authorization: str | None = Header(default=None, include_in_schema=False),
    svc: Services = Depends(services),
) -> Principal:
    """The verified caller (401 otherwise)."""
    return await verified(svc, authorization)


async def verified(svc: Services, authorization: str | None) -> Principal:
    """Verify on the event loop (an HS256 check is tens of microseconds), unless the
    verifier may fetch the project's keys (JWKS): that network call runs in the thread
    pool, never stalling the loop."""
    if svc.verifier.may_fetch_keys:
        return await run_in_threadpool(svc.verifier.verify, authorization)
    return svc.verifier.verify(authorization)


async def raw_body(request: Request, _: Principal = Depends(principal)) -> Any:
    """The JSON body, read only after the caller is authenticated (401 before 422)."""
    return await read_json(request)


def _respond(
    request: Request,
    code: str,
    message: str,
    details: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    tid = getattr(request.state, "trace_id", None) or uuid.uuid4().hex
    status = STATUS.get(code, 500)
    extra = dict(headers or {})
    if status == 401:
        # RFC 6750: a 401 names the scheme the client should use
        realm = 'Bearer realm="kis-estimator"'
        extra.setdefault(
            "WWW-Authenticate",
            realm + (', error="invalid_token"' if request.headers.get("authorization") else ""),
        )
    return JSONResponse(
        error_body(code, message, details, tid),
        status_code=status,
        headers={**extra, "X-Trace-Id": tid},
    )


def _allowed(request: Request) -> str:
    """Every method the API documents at this path: Starlette names only the first
    route's, and FastAPI makes one route per method (GET and PUT /company-profile)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in operations if m != "parameters"}
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, err: ApiError) -> JSONResponse:
        return _respond(request, err.code, err.message, err.details)

    @app.exception_handler(EstimatorError)
    async def _engine(request: Request, err: EstimatorError) -> JSONResponse:
        return _respond(request, err.code, err.message, err.details)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        # FastAPI rejects an unparseable body before any dependency runs; an anonymous
        # caller must still learn only that it is unauthenticated (401 before 422).
        if not request.url.path.startswith(PUBLIC_PREFIXES):
            try:
                services_of(request).verifier.verify(request.headers.get("authorization"))
            except ApiError as auth_error:
                return _respond(request, auth_error.code, auth_error.message, [])
        details = [
            {"loc": ".".join(str(p) for p in e.get("loc", ())), "msg": e.get("msg", "")}
            for e in err.errors()
        ]
        return _respond(request, "VALIDATION_FAILED", "the request is not valid", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}.get(
            err.status_code, "BAD_REQUEST"
        )
        # keep what the status requires (Allow on 405, WWW-Authenticate on 401)
        headers = dict(err.headers or {})
        if err.status_code == 405:
            headers["Allow"] = _allowed(request) or headers.get("Allow", "")
        return _respond(request, code, str(err.detail), [], headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, err: Exception) -> JSONResponse:
        log.exception("unhandled error (trace %s)", getattr(request.state, "trace_id", "-"))
        return _respond(request, "INTERNAL", "internal error", [])
