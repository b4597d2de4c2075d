"""Today's Supabase keys and tokens, minted locally with the shapes a project issues.

User tokens: asymmetric signing keys published at the project's JWKS (ES256 is what a
project creates, RS256 can be imported; both may be listed while a key is rotated, told
apart by ``kid``), and the legacy HS256 shared secret, still accepted when configured.
Server-side keys: ``sb_secret_…`` (not a JWT) and the legacy ``service_role`` JWT.
"""

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
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from functions._shared.auth import TokenVerifier
from functions._shared.errors import ApiError
from functions._shared.keys import api_headers, is_api_key
from functions._shared.settings import Settings

REF = "abcdefghijklmnopqrst"
ISSUER = f"https://{REF}.supabase.co/auth/v1"
LEGACY_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
ES_KID = "8f3c1b2a-4d5e-4f60-9a7b-8c9d0e1f2a3b"
RS_KID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture(scope="module")
def signing_keys() -> dict[str, Any]:
    return {
        ES_KID: ec.generate_private_key(ec.SECP256R1()),
        RS_KID: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


@pytest.fixture
def jwks_url(signing_keys: dict[str, Any]) -> Iterator[str]:
    """The project's /auth/v1/.well-known/jwks.json with the current (ES256) and a
    previous (RS256) public key."""
    es = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(signing_keys[ES_KID].public_key()))
    rs = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_keys[RS_KID].public_key()))
    keys = [
        {**es, "kid": ES_KID, "alg": "ES256", "use": "sig", "key_ops": ["verify"]},
        {**rs, "kid": RS_KID, "alg": "RS256", "use": "sig", "key_ops": ["verify"]},
    ]
    body = json.dumps({"keys": keys}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
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
        yield f"http://127.0.0.1:{server.server_port}/auth/v1/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def claims(**extra: Any) -> dict[str, Any]:
    """The claims Supabase Auth puts in a user's access token."""
    now = int(time.time())
    return {
        "iss": ISSUER,
        "sub": str(uuid.uuid4()),
        "aud": "authenticated",
        "exp": now + 3600,
        "iat": now,
        "email": "ann@example.com",
        "phone": "",
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": {},
        "role": "authenticated",
        "aal": "aal1",
        "amr": [{"method": "password", "timestamp": now}],
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
        **extra,
    }


def user_token(key: Any, alg: str, kid: str, **extra: Any) -> str:
    return jwt.encode(claims(**extra), key, algorithm=alg, headers={"kid": kid, "typ": "JWT"})


def project(jwks_url: str | None, secret: str | None = None) -> TokenVerifier:
    return TokenVerifier(Settings(jwks_url=jwks_url, jwt_secret=secret, jwt_issuer=ISSUER))


@pytest.mark.parametrize(("kid", "alg"), [(ES_KID, "ES256"), (RS_KID, "RS256")])
def test_a_user_token_signed_by_a_listed_key_is_accepted(
    jwks_url: str, signing_keys: dict[str, Any], kid: str, alg: str
) -> None:
    token = user_token(signing_keys[kid], alg, kid)

    who = project(jwks_url).verify(f"Bearer {token}")

    assert who.role == "authenticated"
    assert who.claims["iss"] == ISSUER


def test_the_key_is_chosen_by_kid_so_a_token_claiming_another_kid_is_refused(
    jwks_url: str, signing_keys: dict[str, Any]
) -> None:
    # signed with the ES256 key but naming the RS256 key's id
    token = user_token(signing_keys[ES_KID], "ES256", RS_KID)

    with pytest.raises(ApiError) as err:
        project(jwks_url).verify(f"Bearer {token}")

    assert err.value.code == "UNAUTHORIZED"


def test_a_kid_the_project_does_not_list_is_refused(jwks_url: str) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    token = user_token(stranger, "ES256", str(uuid.uuid4()))

    with pytest.raises(ApiError) as err:
        project(jwks_url).verify(f"Bearer {token}")

    assert err.value.code == "UNAUTHORIZED"


def test_the_legacy_shared_secret_is_still_accepted_next_to_the_jwks(
    jwks_url: str, signing_keys: dict[str, Any]
) -> None:
    legacy = jwt.encode(claims(), LEGACY_SECRET, algorithm="HS256", headers={"typ": "JWT"})
    verifier = project(jwks_url, LEGACY_SECRET)

    assert verifier.verify(f"Bearer {legacy}").role == "authenticated"
    asym = user_token(signing_keys[ES_KID], "ES256", ES_KID)
    assert verifier.verify(f"Bearer {asym}").role == "authenticated"


def test_a_legacy_token_is_refused_once_the_shared_secret_is_no_longer_configured(
    jwks_url: str,
) -> None:
    legacy = jwt.encode(claims(), LEGACY_SECRET, algorithm="HS256")

    with pytest.raises(ApiError) as err:
        project(jwks_url).verify(f"Bearer {legacy}")

    assert err.value.code == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "key", ["sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz", "sb_publishable_ZrYwDGm1sO5mBl3qXDxJ1w"]
)
def test_an_api_key_is_not_a_user_token(jwks_url: str, key: str) -> None:
    with pytest.raises(ApiError) as err:
        project(jwks_url, LEGACY_SECRET).verify(f"Bearer {key}")

    assert err.value.code == "UNAUTHORIZED"


def test_a_new_secret_key_is_sent_as_apikey_only() -> None:
    key = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"

    assert is_api_key(key)
    assert api_headers(key) == {"apikey": key}


def test_a_legacy_service_role_key_is_sent_as_apikey_and_bearer() -> None:
    key = jwt.encode({"role": "service_role", "iss": "supabase"}, LEGACY_SECRET)

    assert not is_api_key(key)
    assert api_headers(key) == {"apikey": key, "Authorization": f"Bearer {key}"}


def test_the_new_key_names_win_over_the_legacy_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPABASE_URL", f"https://{REF}.supabase.co")
    monkeypatch.setenv("SUPABASE_ANON_KEY", "eyJ.legacy.anon")
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", "eyJ.legacy.service")
    monkeypatch.setenv("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_x")
    monkeypatch.setenv("SUPABASE_SECRET_KEY", "sb_secret_x")

    settings = Settings.load(env_file=None)

    assert settings.supabase_anon_key == "sb_publishable_x"
    assert settings.supabase_service_role_key == "sb_secret_x"


def test_the_legacy_key_names_alone_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SUPABASE_PUBLISHABLE_KEY", "SUPABASE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUPABASE_ANON_KEY", "eyJ.legacy.anon")
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", "eyJ.legacy.service")

    settings = Settings.load(env_file=None)

    assert settings.supabase_anon_key == "eyJ.legacy.anon"
    assert settings.supabase_service_role_key == "eyJ.legacy.service"
