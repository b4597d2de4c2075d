"""The hash chain of a quote number's revisions, checked from what is stored.

A revision (R1, R2 …) ends its evidence with a ``previous`` record naming the revision it
was made from (quote id, label, evidence root), so its root covers its predecessor's.
``verify_chain`` walks a revision back to R0; for each revision it re-hashes every stored
evidence blob, recomputes the evidence root from the stored hashes and compares it with
the stored root, and checks that its link names its predecessor as stored. The first
problem of each revision is its reason. The hashing is the engine's (``root_of``,
``project_root_of``, ``link_problem``); this module downloads and walks. Reads only.
"""

from __future__ import annotations

import json
from typing import Any, Protocol, runtime_checkable

from estimator_core import (
    PREVIOUS_STAGE,
    PreviousRevision,
    link_problem,
    project_root_of,
    root_of,
    verify,
)
from functions._shared.auth import Principal
from functions._shared.persist import PANEL_STAGE, reading_order
from functions._shared.ports import EvidenceRow
from functions._shared.services import Services
from functions._shared.usecases.stored_evidence import download


@runtime_checkable
class RevisionStore(Protocol):
    """What the walk needs beyond the ``Store``: the revisions of a quote's number, R0
    first, each with its ``quote_id``, ``revision`` (number), ``label`` and stored
    ``evidence_root`` (PostgresStore and FakeStore implement it)."""

    def quote_revisions(self, who: Principal, quote_id: str) -> list[dict[str, Any]]: ...


def verify_chain(svc: Services, who: Principal, quote_id: str) -> list[dict[str, Any]] | None:
    """R0 … the revision ``quote_id``, each ``{revision, quote_id, ok, reason}``; None when
    the store cannot list revisions."""
    store = svc.store
    if not isinstance(store, RevisionStore):
        return None
    revisions = store.quote_revisions(who, quote_id)
    upto = next((i for i, r in enumerate(revisions) if r["quote_id"] == quote_id), None)
    if upto is None:
        return None
    out = []
    previous: dict[str, Any] | None = None
    for row in revisions[: upto + 1]:
        reason = revision_problem(svc, who, row, previous)
        out.append(
            {
                "revision": row["label"],
                "quote_id": row["quote_id"],
                "ok": reason is None,
                "reason": reason,
            }
        )
        previous = row
    return out


def revision_problem(
    svc: Services, who: Principal, row: dict[str, Any], previous: dict[str, Any] | None
) -> str | None:
    """Why the stored revision ``row`` does not verify as the successor of ``previous``
    (None for R0), or None when it does."""
    quote_id = row["quote_id"]
    rows = sorted(svc.store.evidence(who, quote_id), key=reading_order)
    if not rows:
        return "it has no evidence"
    blobs: dict[str, bytes] = {}
    for e in rows:
        data = download(svc, quote_id, e)
        if data is None:
            return f"evidence {e.stage}: the stored blob is missing"
        if not verify(e.sha256, data):
            return f"evidence {e.stage}: the stored blob does not hash to its recorded SHA-256"
        blobs[e.stage] = data
    if stored_root(rows, blobs) != row["evidence_root"]:
        return "its stored evidence root is not the root of its stored evidence"
    link = blobs.get(PREVIOUS_STAGE)
    if previous is None:
        return None if link is None else "R0 names a previous revision"
    if link is None:
        return f"its evidence does not link to {previous['label']}"
    expected = PreviousRevision(
        quote_id=previous["quote_id"], revision=previous["label"], root=previous["evidence_root"]
    )
    return link_problem(link, expected)


def stored_root(rows: list[EvidenceRow], blobs: dict[str, bytes]) -> str | None:
    """The evidence root of stored rows (in reading order): a panel's over its stages; a
    project's over each panel's (name and qty from its ``project`` record, root over its
    ``p{i}_`` stages) and its own records. None when a project's record is unreadable."""
    own = [(e.stage, e.sha256) for e in rows if not PANEL_STAGE.match(e.stage)]
    if "project" not in blobs:
        return root_of(own)
    panels: dict[int, list[tuple[str, str]]] = {}
    for e in rows:
        m = PANEL_STAGE.match(e.stage)
        if m:
            panels.setdefault(int(m.group(1)), []).append((m.group(2), e.sha256))
    try:
        summary = json.loads(blobs["project"])["panels"]
        named = [(str(p["name"]), int(p["qty"])) for p in summary]
    except (ValueError, KeyError, TypeError):
        return None
    if sorted(panels) != list(range(len(named))):
        return None
    return project_root_of(
        [(name, qty, root_of(panels[i])) for i, (name, qty) in enumerate(named)], own
    )
