"""Bearer-token verification: HS256 with the local (or legacy Supabase) secret, or the
project's JWKS for asymmetric keys. ``exp``, ``aud`` and (when configured) ``iss`` are
checked; anything else is 401. The verified claims become a ``Principal``.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from functions._shared.errors import ApiError
from functions._shared.settings import Settings


@dataclass(frozen=True)
class Principal:
    """Who is calling: the Supabase user id, the database role and the raw claims."""

    user_id: str
    role: str
    claims: dict[str, Any]
    token: str

    @property
    def is_catalog_admin(self) -> bool:
        app = self.claims.get("app_metadata") or {}
        return self.role == "service_role" or (
            isinstance(app, dict) and app.get("role") == "catalog_admin"
        )


# Roles a bearer token may carry: a signed-in user, or the server's own service role.
CALLER_ROLES = ("authenticated", "service_role")
CLOCK_SKEW_S = 60  # leeway on iat/nbf for issuers whose clock runs a little ahead
VERIFIED_TOKENS = 4096  # tokens kept verified per process (a few hundred bytes each)


def _unauthorized(message: str) -> ApiError:
    return ApiError("UNAUTHORIZED", message)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_times(claims: dict[str, Any], now: float) -> None:
    """exp, iat and nbf are NumericDates (numbers, RFC 7519); iat/nbf may lead by the skew."""
    for name in ("exp", "iat", "nbf"):
        if name in claims and not _is_number(claims[name]):
            raise _unauthorized(f"token claim {name} must be a number")
    if float(claims["exp"]) <= now:
        raise _unauthorized("token expired")
    for name in ("iat", "nbf"):
        if name in claims and float(claims[name]) > now + CLOCK_SKEW_S:
            raise _unauthorized("token is not valid yet")


class TokenVerifier:
    """Verifies bearer tokens; a JWKS client caches the project's keys."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        self._jwks = (
            jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        )
        if self._secret is None and self._jwks is None:
            raise RuntimeError("set JWT_SECRET or JWKS_URL: no way to verify tokens")
        # Tokens whose signature, audience, issuer, subject and role were verified, by their
        # exact text: a client sends the same token with every request until it expires.
        # A hit re-checks the times only (``_check_times``); bounded by emptying when full.
        self._verified: dict[str, Principal] = {}

    @property
    def may_fetch_keys(self) -> bool:
        """Whether ``verify`` may make a network call (fetching the JWKS, on first use
        and when a key is not cached): callers on an event loop run it in a thread."""
        return self._jwks is not None

    def verify(self, authorization: str | None) -> Principal:
        if not authorization:
            raise _unauthorized("missing bearer token")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("the Authorization header must be 'Bearer <token>'")
        token = token.strip()
        known = self._verified.get(token)
        if known is not None:
            _check_times(known.claims, time.time())
            return known
        who = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS:
            self._verified.clear()
        self._verified[token] = who
        return who

    def _verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            alg = header.get("alg")
            # iat/nbf are checked below, with a leeway for clocks a little apart
            options: Any = {"require": ["exp", "sub"], "verify_iat": False, "verify_nbf": False}
            if alg == "HS256" and self._secret:
                claims = jwt.decode(
                    token,
                    self._secret,
                    algorithms=["HS256"],
                    audience=self._audience,
                    issuer=self._issuer,
                    options=options,
                )
            elif alg in ("RS256", "ES256") and self._jwks is not None:
                # the PyJWK itself: its algorithm must match the header's (by kid)
                key = self._jwks.get_signing_key_from_jwt(token)
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[alg],
                    audience=self._audience,
                    issuer=self._issuer,
                    options=options,
                )
            else:
                raise _unauthorized(f"token algorithm {alg!r} is not accepted")
        except jwt.ExpiredSignatureError:
            raise _unauthorized("token expired") from None
        except jwt.InvalidAudienceError:
            raise _unauthorized("token audience is not accepted") from None
        except jwt.ImmatureSignatureError:
            raise _unauthorized("token is not valid yet") from None
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
            # the library's text names internals; the client gets a plain reason
            raise _unauthorized("invalid token") from None
        _check_times(claims, time.time())
        sub = claims.get("sub")
        try:
            uuid.UUID(str(sub))
        except ValueError:
            raise _unauthorized("token subject is not a user id") from None
        role = claims.get("role") or "authenticated"
        if role not in CALLER_ROLES:
            raise ApiError(
                "FORBIDDEN", "this token's role cannot call the functions: sign in as a user"
            )
        return Principal(
            user_id=str(sub),
            role=str(role),
            claims=claims,
            token=token,
        )


def user_id_for(name: str) -> str:
    """A stable user id for a named local user (dev tokens)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kis-estimator:user:{name}"))


def mint_token(
    secret: str,
    name: str,
    *,
    role: str = "authenticated",
    app_role: str | None = None,
    ttl_s: int = 3600,
    audience: str = "authenticated",
    now: float | None = None,
) -> str:
    """A local HS256 token shaped like Supabase Auth's (dev and tests only)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "sub": user_id_for(name),
        "aud": audience,
        "role": role,
        "email": f"{name}@local.test",
        "iat": issued,
        "exp": issued + ttl_s,
        "app_metadata": {"provider": "local", **({"role": app_role} if app_role else {})},
        "user_metadata": {"name": name},
    }
    return jwt.encode(claims, secret, algorithm="HS256")
