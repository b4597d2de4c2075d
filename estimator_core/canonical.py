"""Canonical JSON and SHA-256: the one way evidence is serialised and hashed.

UTF-8, sorted keys, no insignificant whitespace, numbers as the stage produced them.
Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
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


# Stands in for a spliced value while its container is encoded; user text may hold it too,
# so a splice is made only where it occurs exactly once.
_HOLE = "\x00canonical-splice\x00"
_HOLE_JSON = canonical_json(_HOLE)


def canonical_json_spliced(
    value: Mapping[str, Any], path: tuple[str, ...], part: Any, part_json: bytes
) -> bytes:
    """``canonical_json`` of ``value`` with ``part`` at ``path`` (nested object keys), given
    ``part_json``, the canonical JSON of ``part`` encoded once for several records.

    Byte-identical to encoding the whole: the part's bytes are spliced where a placeholder
    string sits, which changes no key and so no key order. Should the placeholder occur
    elsewhere (in user text), the whole is encoded instead."""
    if not path:
        return part_json
    holed = _with(value, path, _HOLE)
    encoded = canonical_json(holed)
    if encoded.count(_HOLE_JSON) != 1:
        return canonical_json(_with(value, path, part))
    head, tail = encoded.split(_HOLE_JSON)
    return b"".join((head, part_json, tail))


def _with(value: Mapping[str, Any], path: tuple[str, ...], part: Any) -> dict[str, Any]:
    """A shallow copy of ``value`` along ``path`` with ``part`` at its end."""
    key, rest = path[0], path[1:]
    return {**value, key: _with(value[key], rest, part) if rest else part}
