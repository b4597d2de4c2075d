"""Evidence: each stage's output as canonical JSON with its SHA-256, and the root hash.

The root is the SHA-256 of the canonical JSON list ``[[stage, sha256], …]`` in pipeline
order, so anyone holding the blobs can recompute it. A revision (R1, R2 …) adds one
record last, ``previous``: the quote id, label and root of the revision it was made from,
so each revision's root covers its predecessor's and the revisions of a quote number form
a hash chain. R0 has no such record. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from estimator_core.canonical import (
    canonical_json,
    canonical_json_spliced,
    sha256_bytes,
    sha256_hex,
)

STAGES: tuple[str, ...] = (
    "input",
    "validation",
    "enclosure",
    "breaker",
    "format",
    "cover",
    "lint",
    "output",
    "metrics",
    "drawing",
)


class EvidenceRecord(BaseModel):
    """One evidence blob: what a stage produced, byte for byte, and its hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    sha256: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def filename(self) -> str:
        ext = "svg" if self.content_type == "image/svg+xml" else "json"
        return f"{self.stage}/{self.sha256}.{ext}"

    def summary(self) -> dict[str, Any]:
        return {"stage": self.stage, "sha256": self.sha256, "size": self.size}


def json_record(stage: str, value: Any) -> EvidenceRecord:
    content = canonical_json(value)
    return EvidenceRecord(
        stage=stage,
        sha256=sha256_bytes(content),
        content_type="application/json",
        content=content,
    )


def spliced_record(
    stage: str, value: dict[str, Any], path: tuple[str, ...], part: Any, part_json: bytes
) -> EvidenceRecord:
    """``json_record(stage, value)`` with ``part`` at ``path`` already encoded as
    ``part_json`` (the same bytes, the same hash)."""
    return blob_record(
        stage, canonical_json_spliced(value, path, part, part_json), "application/json"
    )


def blob_record(stage: str, content: bytes, content_type: str) -> EvidenceRecord:
    return EvidenceRecord(
        stage=stage, sha256=sha256_bytes(content), content_type=content_type, content=content
    )


def evidence_root(records: Sequence[EvidenceRecord]) -> str:
    """SHA-256 over the stage hashes in order."""
    return root_of([(r.stage, r.sha256) for r in records])


def root_of(hashes: Sequence[tuple[str, str]]) -> str:
    """The root of ``(stage, sha256)`` pairs in order: what ``evidence_root`` computes,
    from stored rows rather than records."""
    return sha256_hex([[stage, sha] for stage, sha in hashes])


PREVIOUS_STAGE = "previous"


class PreviousRevision(BaseModel):
    """The revision a revision was made from, as its ``previous`` evidence record holds it:
    the predecessor's quote id, its label (R0, R1 …) and its evidence root."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quote_id: str = Field(min_length=1, max_length=64)
    revision: str = Field(pattern=r"^R[0-9]{1,6}$")
    root: str = Field(pattern=r"^[0-9a-f]{64}$")


def previous_record(previous: PreviousRevision) -> EvidenceRecord:
    """The ``previous`` record of a revision: the last of its own records."""
    return json_record(PREVIOUS_STAGE, previous.model_dump(mode="json"))


def link_problem(content: bytes, expected: PreviousRevision) -> str | None:
    """Why a stored ``previous`` record does not link to ``expected`` (the predecessor as
    stored: its id, label and root), or None when it does."""
    try:
        found = PreviousRevision.model_validate(json.loads(content))
    except (ValueError, ValidationError):
        return "its previous record is not a revision link"
    for name in ("quote_id", "revision", "root"):
        got, want = getattr(found, name), getattr(expected, name)
        if got != want:
            return f"its previous record names {name} {got}, the previous revision's is {want}"
    return None


def verify(record_sha256: str, content: bytes) -> bool:
    """Whether downloaded bytes are the evidence they claim to be."""
    return sha256_bytes(content) == record_sha256
