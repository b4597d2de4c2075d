"""Evidence: each stage's output as canonical JSON with its SHA-256, and the root hash.

The root is the SHA-256 of the canonical JSON list ``[[stage, sha256], …]`` in pipeline
order, so anyone holding the blobs can recompute it. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from estimator_core.canonical import canonical_json, sha256_bytes, sha256_hex

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


def blob_record(stage: str, content: bytes, content_type: str) -> EvidenceRecord:
    return EvidenceRecord(
        stage=stage, sha256=sha256_bytes(content), content_type=content_type, content=content
    )


def evidence_root(records: list[EvidenceRecord]) -> str:
    """SHA-256 over the stage hashes in order."""
    return sha256_hex([[r.stage, r.sha256] for r in records])


def verify(record_sha256: str, content: bytes) -> bool:
    """Whether downloaded bytes are the evidence they claim to be."""
    return sha256_bytes(content) == record_sha256
