"""Strict JSON reading: what ``json.loads`` accepts but no request or catalog may hold.

Python's parser accepts ``NaN``, ``Infinity`` and ``-Infinity``, turns ``1e400`` into
``inf``, keeps lone UTF-16 surrogates (``"\\ud800"``) and NUL characters in strings, and
recurses until the interpreter's limit. Each of those later breaks canonical hashing,
UTF-8 encoding or Postgres ``jsonb``; here they are refused up front with the place they
were found. Pure: no I/O.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64  # the deepest valid request or catalog document is well under 10
MAX_INT = 2**63 - 1  # money and sizes are stored as bigint


class JsonRejected(ValueError):
    """The text is not JSON this product accepts; ``loc`` is the dotted path (or "")."""

    def __init__(self, reason: str, loc: str = "") -> None:
        super().__init__(f"{loc}: {reason}" if loc else reason)
        self.reason = reason
        self.loc = loc


def _constant(name: str) -> Any:
    raise JsonRejected(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRejected(f"number {text[:40]} is out of range")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(value := int(text)) > MAX_INT:
        raise JsonRejected(f"integer {text[:40]} is out of range")
    return value


def _bad_text(text: str) -> str | None:
    if "\x00" in text:
        return "text must not contain NUL (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text must not contain a lone UTF-16 surrogate"
    return None


def check(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``JsonRejected`` for nesting deeper than ``max_depth`` or unusable text.

    Iterative, so a deep document cannot exhaust the interpreter's stack here.
    """
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > max_depth:
            raise JsonRejected(f"nested deeper than {max_depth} levels", ".".join(path[:8]))
        if isinstance(node, str):
            reason = _bad_text(node)
            if reason:
                raise JsonRejected(reason, ".".join(path))
        elif isinstance(node, float) and not math.isfinite(node):
            raise JsonRejected("number is out of range", ".".join(path))
        elif isinstance(node, dict):
            for key, child in node.items():
                reason = _bad_text(key)
                if reason:
                    raise JsonRejected(f"key: {reason}", ".".join(path))
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            stack.extend((child, (*path, str(i))) for i, child in enumerate(node))


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``text`` (UTF-8 bytes or str) strictly; ``JsonRejected`` says why not."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        value = json.loads(
            text.removeprefix("\ufeff"),
            parse_constant=_constant,
            parse_float=_float,
            parse_int=_int,
        )
    except JsonRejected:
        raise
    except RecursionError:
        raise JsonRejected("nested too deeply") from None
    except json.JSONDecodeError as err:
        raise JsonRejected(
            f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from None
    except UnicodeDecodeError:
        raise JsonRejected("not UTF-8") from None
    except ValueError as err:  # int digits beyond the interpreter's conversion limit
        raise JsonRejected("number is out of range") from err
    check(value, max_depth=max_depth)
    return value
