"""Canonical JSON and SHA-256: the one way evidence is serialised and hashed.

UTF-8, sorted keys, no insignificant whitespace, numbers as the stage produced them.
Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON-ready value."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def sha256_hex(value: Any) -> str:
    """SHA-256 (64 lowercase hex chars) of a value's canonical JSON."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
