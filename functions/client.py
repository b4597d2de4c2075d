"""What the web client needs before anyone signs in: which sign-in to offer, and on the
embedded local stack a local sign-in.

    GET  /functions/v1/client-config  {"auth": "local"} on the embedded stack, else {"auth":
                                      "supabase", "supabase_url", "supabase_publishable_key"}
    POST /functions/v1/dev/token      {user, role} → a local token (embedded stack only)

The local sign-in mints tokens with the server's own secret for any typed user name: it
must never exist in a hosted deployment. ``local_sign_in`` decides from the settings, and
``functions.app`` registers ``dev_router`` only when it says so; otherwise the path is 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from functions._shared.auth import mint_token
from functions._shared.body import read_json
from functions._shared.errors import ApiError
from functions._shared.models import error_responses
from functions._shared.services import Services, services
from functions._shared.settings import Settings
from functions.dev import ensure_user

router = APIRouter(tags=["client"])
dev_router = APIRouter(tags=["client"])

LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}


def local_sign_in(settings: Settings) -> bool:
    """True only for the embedded stack: a database on this machine, tokens signed with a
    local secret, and no Supabase project (URL or JWKS) anywhere in the settings."""
    if settings.supabase_url or settings.jwks_url or not settings.jwt_secret:
        return False
    if not settings.database_url:
        return False
    host = urlsplit(settings.database_url).hostname or ""
    return host in LOOPBACK


class ClientConfig(BaseModel):
    auth: Literal["local", "supabase"]
    supabase_url: str | None = None
    supabase_publishable_key: str | None = None


def _settings(svc: Services = Depends(services)) -> Settings:
    return svc.settings


@router.get("/client-config", response_model=ClientConfig, responses=error_responses(400, 503))
def client_config(settings: Settings = Depends(_settings)) -> ClientConfig:
    if local_sign_in(settings):
        return ClientConfig(auth="local")
    return ClientConfig(
        auth="supabase",
        supabase_url=settings.supabase_url,
        supabase_publishable_key=settings.supabase_anon_key,
    )


UserName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")]


class DevTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    user: UserName
    role: Literal["estimator", "catalog_admin"] = "estimator"


class DevTokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: str
    role: str


TOKEN_TTL_S = 8 * 3600


async def public_body(request: Request) -> Any:
    """The JSON body of a call made before signing in (no bearer token to check first)."""
    return await read_json(request)


@dev_router.post(
    "/dev/token",
    response_model=DevTokenOut,
    responses=error_responses(400, 413, 415, 422, 503),
    summary="A local token for a typed user (embedded stack only)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": DevTokenIn.model_json_schema()}},
        }
    },
)
def dev_token(
    raw: Any = Depends(public_body), settings: Settings = Depends(_settings)
) -> dict[str, Any]:
    # validated here, not by FastAPI: its validation errors answer 401 to a caller without
    # a token, and this is the call that gets one
    try:
        body = DevTokenIn.model_validate(raw)
    except ValidationError as err:
        details = [
            {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]} for e in err.errors()
        ]
        raise ApiError("VALIDATION_FAILED", "the request is not valid", details) from None
    assert settings.jwt_secret and settings.database_url  # local_sign_in(settings) holds
    ensure_user(settings.database_url, body.user)  # quotes.owner references auth.users
    app_role = "catalog_admin" if body.role == "catalog_admin" else None
    token = mint_token(settings.jwt_secret, body.user, app_role=app_role, ttl_s=TOKEN_TTL_S)
    return {
        "access_token": token,
        "expires_in": TOKEN_TTL_S,
        "user": body.user,
        "role": body.role,
    }
