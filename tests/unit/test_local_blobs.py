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


QUOTE = "0d8a7c1e-1234-4cde-8abc-0123456789ab"
STAGES = ("input", "enclosure", "breaker", "lint", "drawing", "result")


def test_a_quotes_objects_are_one_folder_of_files(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, SECRET, "http://x")
    names = [f"quote/{QUOTE}/{stage}/{stage[0] * 64}.json" for stage in STAGES]
    store.upload_many("evidence", [(n, n.encode(), "application/json") for n in names])
    folders = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_dir())
    assert folders == ["evidence", "evidence/quote", f"evidence/quote/{QUOTE}"]
    assert store.file_of("evidence", names[0]) == (
        tmp_path / "evidence" / "quote" / QUOTE / f"input~{'i' * 64}.json"
    )
    assert [store.download("evidence", n) for n in names] == [n.encode() for n in names]
    assert sorted(o.path for o in store.list_objects("evidence")) == sorted(names)
    store.upload("evidence", names[0], b"again", "application/json")  # an upsert: replaced
    assert store.download("evidence", names[0]) == b"again"
    store.delete("evidence", names[:2])
    store.delete_listed("evidence", names[2:3])
    assert sorted(o.path for o in store.list_objects("evidence")) == sorted(names[3:])
    with pytest.raises(ApiError) as err:
        store.download("evidence", names[0])
    assert err.value.code == "NOT_FOUND"


def test_files_written_by_name_before_this_layout_are_still_read_listed_and_deleted(
    tmp_path: Path,
) -> None:
    store = LocalBlobStore(tmp_path, SECRET, "http://x")
    name = f"quote/{QUOTE}/lint/{'a' * 64}.json"
    old = tmp_path / "evidence" / name  # as a restored backup holds it
    old.parent.mkdir(parents=True)
    old.write_bytes(b"{}")
    assert store.download("evidence", name) == b"{}"
    assert [o.path for o in store.list_objects("evidence")] == [name]
    store.delete("evidence", [name])
    assert not old.exists() and store.list_objects("evidence") == []
    old.write_bytes(b"{}")
    store.delete_listed("evidence", [name])  # the sweep's way
    assert not old.exists()
