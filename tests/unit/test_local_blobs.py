"""The local blob store's signed URLs: HS256 JWTs that PyJWT reads, bound to one object."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any
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


def test_a_new_object_is_written_in_place_and_an_existing_one_replaced_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path, SECRET, "http://x")
    other = PATH.replace("breaker", "lint")
    renames: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renames.append(str(b)), real_replace(a, b)))
    store.upload_many("evidence", [(PATH, b"one", "application/json"), (other, b"two", "x")])
    assert renames == []  # new objects: no temporary file, no rename
    assert (
        store.download("evidence", PATH) == b"one" and store.download("evidence", other) == b"two"
    )
    store.upload("evidence", PATH, b"three", "application/json")  # an upsert: replaced whole
    assert renames == [str(tmp_path / "evidence" / PATH)]
    assert store.download("evidence", PATH) == b"three"
    assert sorted(o.path for o in store.list_objects("evidence")) == sorted([PATH, other])


def test_a_failed_write_leaves_no_part_of_the_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path, SECRET, "http://x")
    real_write = os.write

    def half(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[:2]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", half)
    with pytest.raises(ApiError) as err:
        store.upload("evidence", PATH, b"0123456789", "application/json")
    assert err.value.code == "DEPENDENCY_UNAVAILABLE"
    monkeypatch.undo()
    assert store.list_objects("evidence") == []
