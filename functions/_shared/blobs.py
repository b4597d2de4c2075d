"""The BlobStore adapters: the local filesystem and Supabase Storage (port: ``ports``).

Objects are private; they are read only through signed URLs that expire. Locally a
signed URL carries an HS256 token (bucket/path and expiry, signed with the local
secret) that the local function server checks at ``/storage/v1/object/sign/<bucket>/<path>``,
the path shape Supabase uses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jwt

from functions._shared.errors import ApiError, DependencyUnavailable
from functions._shared.keys import api_headers
from functions._shared.ports import BlobStore, SignedUrl, StoredObject

__all__ = ["BlobStore", "LocalBlobStore", "SignedUrl", "StoredObject", "SupabaseBlobStore"]

_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./"


def _b64(data: bytes | str) -> bytes:
    """base64url without padding (RFC 7515)."""
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


_JWT_HEADER = _b64('{"alg":"HS256","typ":"JWT"}')


def check_path(path: str) -> str:
    """Object paths are relative, without '..', in a safe alphabet."""
    if not path or path.startswith("/") or ".." in path.split("/") or set(path) - set(_SAFE):
        raise ApiError("BAD_REQUEST", f"invalid object path {path!r}")
    return path


class LocalBlobStore:
    """Objects as files under ``root/<bucket>``, one folder per quote; URLs signed with the
    local secret.

    The object ``quote/{id}/{stage}/{sha256}.json`` is the file
    ``quote/{id}/{stage}~{sha256}.json`` (``file_of``: the first two parts of a name are
    folders, the rest is the file's name, ``/`` written ``~``, which no object name holds).
    A quote's 11 objects are then one new folder and 11 files, not 12 folders: on this
    machine's ext4 every new inode is the cost of an upload (0.02-0.3 ms each, more while
    the allocator skips inodes deleted moments before). Files written before this layout
    (``root/<bucket>/<name>``, e.g. restored from a backup, whose archive holds objects by
    name) are still read, listed and deleted.
    """

    remote = False

    def __init__(self, root: Path, secret: str, public_url: str) -> None:
        self.root = root
        self._secret = secret
        self._key = secret.encode()
        self._public_url = public_url.rstrip("/")

    def file_of(self, bucket: str, path: str) -> Path:
        """The file that holds the object ``path`` of ``bucket``."""
        parts = check_path(path).split("/")
        folders, name = (parts[:2], parts[2:]) if len(parts) > 2 else (parts[:-1], parts[-1:])
        return self.root.joinpath(check_path(bucket), *folders, "~".join(name))

    def _files(self, bucket: str, path: str) -> tuple[Path, Path]:
        """Where the object is, and where a file written before this layout would be."""
        return self.file_of(bucket, path), self.root / check_path(bucket) / path

    def upload(self, bucket: str, path: str, data: bytes, content_type: str) -> None:
        self.upload_many(bucket, [(path, data, content_type)])

    def upload_many(self, bucket: str, objects: list[tuple[str, bytes, str]]) -> None:
        """Local files are written one after the other (a thread each costs more), each
        to a temporary name then renamed: a reader never sees half an object. Plain
        ``os`` calls, each folder made once: a quote's 11 objects are one folder."""
        made: set[Path] = set()
        try:
            for path, data, _ in objects:
                target = self.file_of(bucket, path)
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                tmp = target.parent / f".upload-{secrets.token_hex(8)}"
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                finally:
                    os.close(fd)
                os.replace(tmp, target)
        except OSError as err:
            raise DependencyUnavailable("storage", err) from None

    def download(self, bucket: str, path: str) -> bytes:
        for file in self._files(bucket, path):
            try:
                return file.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as err:
                raise DependencyUnavailable("storage", err) from None
        raise ApiError("NOT_FOUND", "object not found")

    def sign(self, bucket: str, path: str, ttl_s: int) -> SignedUrl:
        """An HS256 JWT of ``{url, exp}`` (what ``verify`` decodes with PyJWT), made here:
        a quote's answer signs 11 URLs, and PyJWT's general ``encode`` costs 2.5 times
        this (its key checks and header handling, for every token)."""
        exp = int(time.time()) + ttl_s
        claims = {"url": f"{check_path(bucket)}/{check_path(path)}", "exp": exp}
        signing_input = _JWT_HEADER + b"." + _b64(json.dumps(claims, separators=(",", ":")))
        signature = hmac.new(self._key, signing_input, hashlib.sha256).digest()
        token = (signing_input + b"." + _b64(signature)).decode("ascii")
        url = f"{self._public_url}/storage/v1/object/sign/{bucket}/{quote(path)}?token={token}"
        return SignedUrl(url=url, expires_at=exp)

    def verify(self, bucket: str, path: str, token: str) -> None:
        """Raise unless ``token`` signs exactly this object and has not expired."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self._secret, algorithms=["HS256"], options={"require": ["exp"]}
            )
        except jwt.ExpiredSignatureError:
            raise ApiError("UNAUTHORIZED", "signed URL expired") from None
        except jwt.PyJWTError:
            raise ApiError("UNAUTHORIZED", "invalid signature") from None
        if claims.get("url") != f"{bucket}/{path}":
            raise ApiError("UNAUTHORIZED", "the signature is for another object")

    def delete(self, bucket: str, paths: list[str]) -> None:
        for p in paths:
            try:
                for file in self._files(bucket, p):
                    file.unlink(missing_ok=True)
            except OSError as err:
                raise DependencyUnavailable("storage", err) from None

    def list_objects(self, bucket: str) -> list[StoredObject]:
        """Every object of the bucket by its name (half-written ``.upload-*`` files
        included)."""
        top = self.root / check_path(bucket)
        if not top.is_dir():
            return []
        try:
            return [
                StoredObject(f.relative_to(top).as_posix().replace("~", "/"), f.stat().st_mtime)
                for f in sorted(top.rglob("*"))
                if f.is_file()
            ]
        except OSError as err:
            raise DependencyUnavailable("storage", err) from None

    def delete_listed(self, bucket: str, paths: list[str]) -> None:
        """Delete objects as ``list_objects`` named them (temporary files included)."""
        top = self.root / check_path(bucket)
        for p in paths:
            legacy = top / p
            if top not in legacy.resolve().parents:
                raise ApiError("BAD_REQUEST", f"invalid object path {p!r}")
            files = [legacy]
            if not set(p) - set(_SAFE):  # a name this store writes: its file too
                files.append(self.file_of(bucket, p))
            try:
                for file in files:
                    file.unlink(missing_ok=True)
            except OSError as err:
                raise DependencyUnavailable("storage", err) from None


def storage_client(supabase_url: str, key: str, http: Any) -> Any:
    """storage3's client for ``supabase_url`` with the secret (or legacy service) ``key``
    over the httpx client ``http``. Imported here only: the embedded mode never loads it,
    and the rest of supabase-py (auth, realtime, functions) is never needed."""
    from storage3 import SyncStorageClient

    return SyncStorageClient(
        f"{supabase_url.rstrip('/')}/storage/v1/", api_headers(key), http_client=http
    )


class SupabaseBlobStore:
    """Supabase Storage through supabase-py's storage3 client (the secret or service key)."""

    remote = True

    def __init__(self, storage: Any, public_url: str) -> None:
        self._storage = storage
        self._public_url = public_url.rstrip("/")

    def upload(self, bucket: str, path: str, data: bytes, content_type: str) -> None:
        try:
            self._storage.from_(bucket).upload(
                check_path(path), data, {"content-type": content_type, "upsert": "true"}
            )
        except Exception as err:  # storage3 raises its own error types and httpx errors
            raise DependencyUnavailable("storage", err) from None

    def upload_many(self, bucket: str, objects: list[tuple[str, bytes, str]]) -> None:
        """The objects uploaded concurrently (one HTTP request each, at most 8 at once)."""
        if not objects:
            return
        with ThreadPoolExecutor(max_workers=min(8, len(objects))) as pool:
            for done in [pool.submit(self.upload, bucket, *o) for o in objects]:
                done.result()

    def download(self, bucket: str, path: str) -> bytes:
        try:
            data: bytes = self._storage.from_(bucket).download(check_path(path))
        except Exception as err:
            if "not found" in str(err).lower() or getattr(err, "status", None) in (400, 404):
                raise ApiError("NOT_FOUND", "object not found") from None
            raise DependencyUnavailable("storage", err) from None
        return data

    def sign(self, bucket: str, path: str, ttl_s: int) -> SignedUrl:
        try:
            res = self._storage.from_(bucket).create_signed_url(check_path(path), ttl_s)
        except Exception as err:
            raise DependencyUnavailable("storage", err) from None
        url = res.get("signedURL") or res.get("signedUrl")
        if url and url.startswith("/"):
            url = f"{self._public_url}/storage/v1{url}"
        return SignedUrl(url=str(url), expires_at=int(time.time()) + ttl_s)

    def delete(self, bucket: str, paths: list[str]) -> None:
        try:
            self._storage.from_(bucket).remove([check_path(p) for p in paths])
        except Exception as err:
            raise DependencyUnavailable("storage", err) from None

    def list_objects(self, bucket: str) -> list[StoredObject]:
        """Every object of the bucket, folder by folder (Storage lists one level a call)."""
        out: list[StoredObject] = []
        folders = [""]
        try:
            while folders:
                folder = folders.pop()
                offset = 0
                while True:
                    page = self._storage.from_(bucket).list(
                        folder or None, {"limit": 1000, "offset": offset}
                    )
                    for entry in page:
                        path = f"{folder}/{entry['name']}" if folder else entry["name"]
                        if entry.get("id") is None:  # a folder
                            folders.append(path)
                        else:
                            stamp = entry.get("updated_at") or entry.get("created_at") or ""
                            out.append(StoredObject(path, _epoch(stamp)))
                    if len(page) < 1000:
                        break
                    offset += len(page)
        except Exception as err:
            raise DependencyUnavailable("storage", err) from None
        return out

    def delete_listed(self, bucket: str, paths: list[str]) -> None:
        self.delete(bucket, paths)


def _epoch(stamp: str) -> float:
    """An ISO 8601 time from Storage as epoch seconds; unreadable counts as brand new
    (the sweep keeps what it cannot date)."""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("inf")
