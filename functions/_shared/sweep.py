"""The orphan sweep: delete stored objects no row refers to, once they are old enough.

Storage is written before the database (functions._shared.persist), so a crash or a failed
transaction between the two leaves objects without rows. An operator runs
``python -m functions sweep-orphans`` (or ``--dry-run`` first): every object of the
evidence and documents buckets that no ``estimator.evidence_blobs`` or
``estimator.documents`` row names and that is older than the grace period is deleted.
The grace period protects requests still in flight. A second run finds nothing to do.
Never run by the functions themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import psycopg

from functions._shared.blobs import StoredObject

DEFAULT_GRACE_S = 24 * 3600


class Sweepable(Protocol):
    def list_objects(self, bucket: str) -> list[StoredObject]: ...
    def delete_listed(self, bucket: str, paths: list[str]) -> None: ...


@dataclass
class SweepReport:
    """Counts per run: objects seen, kept because a row names them, kept because younger
    than the grace period, and deleted (or, with ``dry_run``, that would be)."""

    scanned: int = 0
    referenced: int = 0
    young: int = 0
    deleted: int = 0
    dry_run: bool = False
    deleted_paths: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (
            f"scanned {self.scanned}, referenced {self.referenced}, "
            f"within the grace period {self.young}, {verb} {self.deleted}"
        )


def referenced_paths(database_url: str) -> set[str]:
    """Every object path a row refers to (as the database owner: all users' rows)."""
    with psycopg.connect(database_url, prepare_threshold=None) as conn:
        rows = conn.execute(
            "select storage_path from estimator.evidence_blobs "
            "union select storage_path from estimator.documents"
        ).fetchall()
    return {str(r[0]) for r in rows}


def sweep(
    blobs: Sweepable,
    buckets: Iterable[str],
    referenced: set[str],
    *,
    now: float,
    grace_s: float = DEFAULT_GRACE_S,
    dry_run: bool = False,
) -> SweepReport:
    """Delete the unreferenced objects of ``buckets`` last changed before ``now - grace_s``."""
    report = SweepReport(dry_run=dry_run)
    for bucket in dict.fromkeys(buckets):
        doomed = []
        for obj in blobs.list_objects(bucket):
            report.scanned += 1
            if obj.path in referenced:
                report.referenced += 1
            elif now - obj.modified < grace_s:
                report.young += 1
            else:
                doomed.append(obj.path)
        if doomed and not dry_run:
            blobs.delete_listed(bucket, doomed)
        report.deleted += len(doomed)
        report.deleted_paths.extend(f"{bucket}/{p}" for p in doomed)
    return report
