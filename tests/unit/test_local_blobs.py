"""The local blob store's signed URLs: HS256 JWTs that PyJWT reads, bound to one object."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from functions._shared.blobs import LocalBlobStore
from functions._shared.errors import ApiError

SECRET = "local-secret-local-secret-local-secret-0123"
PATH = "quote/0d8a7c1e-1234-4cde-8abc-0123456789ab/breaker/" + "a" * 64 + ".json"


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def test_a_signed_url_is_a_jwt_that_pyjwt_verifies(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, SECRET, "http://127.0.0.1:54321/")
    before = int(time.time())
    signed = store.sign("evidence", PATH, 600)
    assert signed.url.startswith(
        f"http://127.0.0.1:54321/storage/v1/object/sign/evidence/{PATH}?token="
    )
    token = _token(signed.url)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims == {"url": f"evidence/{PATH}", "exp": signed.expires_at}
    assert before + 600 <= signed.expires_at <= int(time.time()) + 600
    store.verify("evidence", PATH, token)  # the server's own check accepts it
    with pytest.raises(ApiError):
        store.verify("evidence", PATH.replace("breaker", "lint"), token)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, SECRET + "x", algorithms=["HS256"])


def test_an_invalid_path_is_never_signed(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, SECRET, "http://x")
    with pytest.raises(ApiError):
        store.sign("evidence", "../secret", 600)
