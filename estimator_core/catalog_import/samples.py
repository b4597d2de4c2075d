"""Validation of a candidate catalog: run sample requests against it and against the
active catalog and compare, per case (see the package docstring for the verdicts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from estimator_core.catalog import Catalog
from estimator_core.errors import EstimatorError
from estimator_core.pipeline import estimate

VERDICTS: tuple[str, ...] = ("unchanged", "changed", "fixed", "broken")
VALIDATION_RULE = (
    "fails when a case is broken: a sample the active catalog priced now errors, the "
    "engine fails, or the candidate's quote has lint errors the active one had not; "
    "error -> priced is fixed, other differences are changed and pass"
)
ENGINE_FAILURE = "ENGINE_FAILURE"


def sample_outcome(request: Any, catalog: Catalog, *, issued_at: str) -> dict[str, Any]:
    """What one request gives under one catalog: the quote's key figures or the error."""
    try:
        result = estimate(request, catalog, issued_at=issued_at).result
    except EstimatorError as err:
        return {"error": err.code, "message": err.message}
    except Exception as err:  # a candidate that crashes the engine must fail, not raise
        return {"error": ENGINE_FAILURE, "message": f"{type(err).__name__}: {err}"[:300]}
    lint = result.lint
    return {
        "status": result.status,
        "box": result.enclosure.box.model,
        "imbalance": result.phase_balance.imbalance,
        "subtotal": result.totals.subtotal,
        "grand_total": result.totals.grand_total,
        "lint_errors": sorted({f.rule for f in lint.errors}),
        "warnings": sorted({f.rule for f in lint.warnings}),
    }


def compare_outcomes(
    active: Mapping[str, Any] | None, candidate: Mapping[str, Any]
) -> tuple[str, dict[str, list[Any]]]:
    """The verdict for one case and the fields that differ, as ``{field: [active, candidate]}``."""
    before = dict(active or {})
    changes = {
        k: [before.get(k), candidate.get(k)]
        for k in sorted(set(before) | set(candidate))
        if before.get(k) != candidate.get(k)
    }
    new_lint = set(candidate.get("lint_errors", ())) - set(before.get("lint_errors", ()))
    if candidate.get("error") == ENGINE_FAILURE:
        return "broken", changes
    if "error" not in before and active is not None and "error" in candidate:
        return "broken", changes
    if new_lint:
        return "broken", changes
    if not changes:
        return "unchanged", changes
    if "error" in before and "error" not in candidate:
        return "fixed", changes
    return "changed", changes


def validation_report(
    samples: Sequence[tuple[str, Any]],
    candidate: Catalog,
    active: Catalog | None,
    *,
    issued_at: str,
) -> dict[str, Any]:
    """Run every sample under both catalogs; ``passed`` is False when any case is broken."""
    cases = []
    for name, request in samples:
        before = sample_outcome(request, active, issued_at=issued_at) if active else None
        after = sample_outcome(request, candidate, issued_at=issued_at)
        verdict, changes = compare_outcomes(before, after)
        cases.append(
            {
                "name": name,
                "verdict": verdict,
                "active": before,
                "candidate": after,
                "changes": changes,
            }
        )
    broken = [c["name"] for c in cases if c["verdict"] == "broken"]
    return {
        "candidate": {"label": candidate.label, "sha256": candidate.sha256},
        "active": {"label": active.label, "sha256": active.sha256} if active else None,
        "passed": not broken,
        "broken": broken,
        "summary": {v: sum(1 for c in cases if c["verdict"] == v) for v in VERDICTS},
        "rule": VALIDATION_RULE,
        "cases": cases,
    }
