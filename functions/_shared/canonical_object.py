"""A JSON object serialised once, member by member, in canonical form.

A quote's stored response is one document written three ways: the result blob (its
canonical JSON, hashed as evidence), the ``response`` of the ``estimator.create_quote``
payload and the HTTP answer (the same members less ``evidence_objects``, plus the quote
number and the signed evidence). ``CanonicalObject`` encodes each member once
(``estimator_core.canonical_json``) and joins the encoded members in sorted key order,
which is byte for byte what ``canonical_json`` gives for the whole object: ``json.dumps``
with ``sort_keys`` sorts a dict's items by key and encodes each value the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from estimator_core import canonical_json


class CanonicalObject:
    """The members of a JSON object, each encoded once (canonical JSON)."""

    def __init__(
        self, value: Mapping[str, Any], *, encoded: Mapping[str, bytes] | None = None
    ) -> None:
        """``encoded``: members whose canonical JSON the caller has already (the engine's
        ``Quote.layout_json``), taken as they are."""
        done = encoded or {}
        self._members = {
            key: done[key] if key in done else canonical_json(item) for key, item in value.items()
        }

    def keys(self) -> Iterable[str]:
        return self._members.keys()

    def encode(self, *, drop: Iterable[str] = (), extra: Mapping[str, Any] | None = None) -> bytes:
        """The object's canonical JSON, less the ``drop`` members, with the ``extra`` ones
        (encoded here) added or replacing them."""
        members = dict(self._members)
        for key in drop:
            members.pop(key, None)
        for key, item in (extra or {}).items():
            members[key] = canonical_json(item)
        return (
            b"{"
            + b",".join(canonical_json(key) + b":" + members[key] for key in sorted(members))
            + b"}"
        )
