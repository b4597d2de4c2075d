"""Bearer tokens: local HS256 and a Supabase project's JWKS (asymmetric keys, cached)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from functions._shared.auth import TokenVerifier, mint_token
from functions._shared.errors import ApiError
from functions._shared.settings import Settings

SECRET = "local-secret-local-secret-local-secret-0123"


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, Any, list[int]]]:
    """A JWKS endpoint on 127.0.0.1 serving one RSA public key; counts its hits."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}).encode()
    hits: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(1)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/auth/v1/.well-known/jwks.json", key, hits
    finally:
        server.shutdown()
        server.server_close()


def rs256(key: Any, **claims: Any) -> str:
    now = int(time.time())
    base = {
        "sub": str(uuid.uuid4()),
        "aud": "authenticated",
        "role": "authenticated",
        "iat": now,
        "exp": now + 600,
    }
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers={"kid": "k1"})


def test_a_jwks_signed_token_is_verified_and_the_keys_are_cached(jwks_server) -> None:
    url, key, hits = jwks_server
    verifier = TokenVerifier(Settings(jwks_url=url))
    first = verifier.verify(f"Bearer {rs256(key)}")
    verifier.verify(f"Bearer {rs256(key)}")
    assert first.role == "authenticated"
    assert len(hits) == 1  # the second token is checked against the cached key set


def test_a_token_signed_by_another_key_is_refused(jwks_server) -> None:
    url, _, _ = jwks_server
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(ApiError) as err:
        TokenVerifier(Settings(jwks_url=url)).verify(f"Bearer {rs256(other)}")
    assert err.value.code == "UNAUTHORIZED"


def test_wrong_issuer_is_refused_when_an_issuer_is_configured() -> None:
    verifier = TokenVerifier(
        Settings(jwt_secret=SECRET, jwt_issuer="https://ref.supabase.co/auth/v1")
    )
    with pytest.raises(ApiError) as err:
        verifier.verify(f"Bearer {mint_token(SECRET, 'alice')}")  # local tokens carry no iss
    assert err.value.code == "UNAUTHORIZED"


def test_an_hs256_token_is_refused_when_only_jwks_is_configured(jwks_server) -> None:
    url, _, _ = jwks_server
    with pytest.raises(ApiError):
        TokenVerifier(Settings(jwks_url=url)).verify(f"Bearer {mint_token(SECRET, 'alice')}")


def test_a_subject_that_is_not_a_user_id_is_refused() -> None:
    token = jwt.encode(
        {"sub": "alice", "aud": "authenticated", "exp": int(time.time()) + 60},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(ApiError):
        TokenVerifier(Settings(jwt_secret=SECRET)).verify(f"Bearer {token}")


def test_catalog_admin_comes_from_app_metadata_never_user_metadata() -> None:
    verifier = TokenVerifier(Settings(jwt_secret=SECRET))
    admin = verifier.verify(f"Bearer {mint_token(SECRET, 'ann', app_role='catalog_admin')}")
    now = int(time.time())
    sneaky = jwt.encode(
        {
            "sub": str(uuid.uuid4()),
            "aud": "authenticated",
            "exp": now + 60,
            "user_metadata": {"role": "catalog_admin"},
        },
        SECRET,
        algorithm="HS256",
    )
    assert admin.is_catalog_admin
    assert not verifier.verify(f"Bearer {sneaky}").is_catalog_admin


def test_a_verified_token_is_remembered_but_its_expiry_still_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from functions._shared import auth

    verifier = TokenVerifier(Settings(jwt_secret=SECRET))
    token = mint_token(SECRET, "cara", ttl_s=60)
    first = verifier.verify(f"Bearer {token}")

    def no_decode(*_: Any, **__: Any) -> Any:
        raise AssertionError("a remembered token is not decoded again")

    monkeypatch.setattr(jwt, "decode", no_decode)
    assert verifier.verify(f"Bearer {token}") is first
    # one character changed is another token: verified afresh, and refused
    forged = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(AssertionError):
        verifier.verify(f"Bearer {forged}")
    monkeypatch.undo()
    with pytest.raises(ApiError) as err:
        verifier.verify(f"Bearer {forged}")
    assert err.value.code == "UNAUTHORIZED"
    # once expired, the remembered token is refused like any other
    later = time.time() + 120
    monkeypatch.setattr(auth.time, "time", lambda: later)
    with pytest.raises(ApiError) as err:
        verifier.verify(f"Bearer {token}")
    assert err.value.message == "token expired"


def test_the_remembered_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from functions._shared import auth

    monkeypatch.setattr(auth, "VERIFIED_TOKENS", 3)
    verifier = TokenVerifier(Settings(jwt_secret=SECRET))
    for name in ("a", "b", "c", "d", "e"):
        verifier.verify(f"Bearer {mint_token(SECRET, name)}")
    assert 1 <= len(verifier._verified) <= 3
