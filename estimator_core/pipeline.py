"""The pipeline: request → enclosure → breaker → format → cover → lint, with evidence.

``estimate`` is the one entry point the CLI and the HTTP functions call. It never reads
the clock: ``issued_at`` is passed in, and stage timings come from an optional
``clock`` the caller supplies, which also caps the phase balance's wall time (timings
and the solver's wall time are reported but kept out of the evidence, which is
byte-identical for the same request, catalog and ``issued_at`` whenever the balance
search ends before its time limit). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from estimator_core.canonical import canonical_json, canonical_json_spliced, sha256_hex
from estimator_core.catalog import Catalog
from estimator_core.drawing import render_svg
from estimator_core.enclosure import EnclosureResult, size_enclosure
from estimator_core.errors import ValidationFailed
from estimator_core.evidence import (
    EvidenceRecord,
    PreviousRevision,
    blob_record,
    evidence_root,
    json_record,
    previous_record,
    spliced_record,
)
from estimator_core.lines import FormatResult, price_lines
from estimator_core.lint import LintReport, Status, lint_quote
from estimator_core.placement import PlacementResult, place_breakers
from estimator_core.quote import (
    CatalogRef,
    Cover,
    EnclosureSummary,
    EvidenceSummary,
    Layout,
    NoPhaseBalance,
    PhaseBalance,
    PricingRef,
    QuoteCover,
    QuoteOutput,
    QuoteResult,
    ResultLine,
    TimedPhaseBalance,
)
from estimator_core.request import parse_request
from estimator_core.resolve import Panel, resolve_panel

Clock = Callable[[], float]
PhaseBalanceOut = PhaseBalance | NoPhaseBalance


class Quote(BaseModel):
    """A finished estimate: the typed result and its evidence records.

    Only ``estimate`` makes one, from values it has just built and typed, so it is
    constructed without validation and its schema is built only if someone validates or
    dumps a ``Quote`` (a cold start does neither).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True, defer_build=True
    )

    result: QuoteResult
    # ``result`` as JSON values less its evidence list (``model_dump(mode="json",
    # exclude={"evidence"})``, equal), made from the output the evidence was encoded from
    # instead of dumped again; ``layout_json``: the canonical JSON of its ``layout``
    result_data: dict[str, Any]
    layout_json: bytes
    evidence: tuple[EvidenceRecord, ...]
    evidence_root: str
    status: Status
    panel: Panel
    enclosure: EnclosureResult
    placement: PlacementResult
    format: FormatResult
    lint: LintReport


def _check_issued_at(issued_at: str) -> None:
    try:
        parsed = datetime.fromisoformat(issued_at.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(
            f"issued_at must be an ISO 8601 time with a zone, got {issued_at!r}",
            [{"loc": "issued_at"}],
        )


def make_cover(
    panel: Panel,
    fmt: FormatResult,
    catalog: Catalog,
    *,
    issued_at: str,
    estimator: str,
    revision: str,
) -> Cover:
    """The cover (RULES.md §5), without the evidence root (added once all hashes exist)."""
    customer = panel.request.customer
    return Cover(
        project_name=customer.project if customer else None,
        client=customer.name if customer else None,
        project_number=customer.project_number if customer else None,
        contact=customer.contact if customer else None,
        estimator=estimator,
        revision=revision,
        currency="KRW",
        issued_at=issued_at,
        totals=fmt.totals,
        catalog=CatalogRef(label=catalog.label, sha256=catalog.sha256),
        pricing=_pricing(panel),
    )


def _pricing(panel: Panel) -> PricingRef | None:
    """The pricing policy a quote was priced under, by name and content hash."""
    policy = panel.policy
    if policy is None:
        return None
    return PricingRef(policy=policy.name, sha256=sha256_hex(policy.model_dump(mode="json")))


def _validation(panel: Panel) -> dict[str, Any]:
    return {
        "request": panel.request.model_dump(mode="json"),
        "system": panel.system,
        "resolution": list(panel.resolution),
    }


def _enclosure(enc: EnclosureResult) -> EnclosureSummary:
    return EnclosureSummary(
        required=enc.required,
        height_parts=enc.height_parts,
        height_raw=enc.height_raw,
        box=enc.box,
        fit_score=enc.fit_score,
        fit_ok=enc.fit_ok,
    )


def _phase_balance(placement: PlacementResult, *, timed: bool) -> PhaseBalanceOut:
    pb = placement.phase_balance(include_time=timed)
    if not pb["applicable"]:
        return NoPhaseBalance(**pb)
    return TimedPhaseBalance(**pb) if timed else PhaseBalance(**pb)


def estimate(
    data: Any,
    catalog: Catalog,
    *,
    issued_at: str,
    estimator: str = "KIS Estimator",
    revision: str = "R0",
    previous: PreviousRevision | None = None,
    clock: Clock | None = None,
) -> Quote:
    """Run every stage on a request body; raise an ``EstimatorError`` for a bad request.

    A revision names the revision it was made from (``previous``): its record comes last
    and its root is part of this quote's root (R0 has none)."""
    _check_issued_at(issued_at)
    timings: dict[str, float] = {}
    tick = clock or (lambda: 0.0)
    t = tick()

    def lap(stage: str) -> None:
        nonlocal t
        now = tick()
        timings[stage] = round((now - t) * 1000, 3)
        t = now

    panel = resolve_panel(parse_request(data, catalog), catalog)
    lap("validation")
    enc = size_enclosure(panel, catalog)
    lap("enclosure")
    limit_s = catalog.rules.balance_time_limit_s
    placement = place_breakers(panel, enc, time_limit_s=limit_s, clock=clock)
    lap("breaker")
    fmt = price_lines(panel, enc, catalog)
    lap("format")
    cover = make_cover(
        panel, fmt, catalog, issued_at=issued_at, estimator=estimator, revision=revision
    )
    lap("cover")
    report = lint_quote(panel, enc, placement, fmt, catalog)
    lap("lint")

    given = json_record("input", data)  # its hash is the request's SHA-256
    breaker = placement.to_dict()
    out = QuoteOutput(
        status=report.status,
        catalog=cover.catalog,
        request_sha256=given.sha256,
        enclosure=_enclosure(enc),
        layout=Layout(
            main=next(p for p in placement.placed if p.role == "main"), rows=breaker["rows"]
        ),
        phase_balance=_phase_balance(placement, timed=False),
        lines=tuple(ResultLine.of(x) for x in fmt.lines),
        cover=cover,
        totals=fmt.totals,
        lint=report,
    )
    # The layout's rows are the breaker stage's own row dicts, which the typed rows were
    # just validated from unchanged (same keys, same JSON values): taken as they are, not
    # dumped again (a tenth of the evidence stage at 1,000 circuits).
    output = out.model_dump(mode="json", exclude={"layout": {"rows"}})
    output["layout"]["rows"] = breaker["rows"]
    # the rows are most of both the breaker and the output record: encoded once, spliced
    rows_json = canonical_json(breaker["rows"])
    lint = output["lint"]
    metrics = {
        "branch_breakers": len(panel.branches),
        "circuits_single_phase": len(placement.assignment),
        "rows": len(enc.rows),
        "lines": len(fmt.lines),
        "fit_score": enc.fit_score,
        "imbalance": placement.balance.imbalance if placement.balance else None,
        "proven_optimal": placement.balance.proven_optimal if placement.balance else None,
        "grand_total": fmt.totals.grand_total,
        "lint": {k: len(v) for k, v in lint.items() if k != "status"},
    }
    records = [
        given,
        json_record("validation", _validation(panel)),
        json_record("enclosure", {**output["enclosure"], "rows": enc.rows_dump()}),
        spliced_record("breaker", breaker, ("rows",), breaker["rows"], rows_json),
        json_record("format", fmt.to_dict()),
        json_record("cover", output["cover"]),
        json_record("lint", lint),
        spliced_record("output", output, ("layout", "rows"), breaker["rows"], rows_json),
        json_record("metrics", metrics),
        blob_record("drawing", render_svg(enc, placement), "image/svg+xml"),
        *([previous_record(previous)] if previous is not None else []),
    ]
    root = evidence_root(records)
    lap("evidence")
    timed = _phase_balance(placement, timed=True)
    result = QuoteResult(
        **{
            **dict(out),
            "phase_balance": timed,
            "cover": QuoteCover(**dict(cover), evidence_root=root),
        },
        evidence=tuple(EvidenceSummary(**r.summary()) for r in records),
        evidence_root=root,
        timings_ms=timings,
    )
    result_data = {
        **output,
        "phase_balance": timed.model_dump(mode="json"),
        "cover": {**output["cover"], "evidence_root": root},
        "evidence_root": root,
        "timings_ms": dict(timings),
    }
    return Quote.model_construct(
        result=result,
        result_data=result_data,
        layout_json=canonical_json_spliced(output["layout"], ("rows",), breaker["rows"], rows_json),
        evidence=tuple(records),
        evidence_root=root,
        status=report.status,
        panel=panel,
        enclosure=enc,
        placement=placement,
        format=fmt,
        lint=report,
    )
