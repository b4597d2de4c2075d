"""The quote as the engine answers it: the typed result of ``estimate``.

``QuoteResult`` is what the CLI prints with ``--json``, what ``POST /estimate`` answers (with
the quote id and signed evidence added) and what the documents are built from. Its JSON
(``model_dump(mode="json")``) is the result JSON, key for key: the field order
here is the order of the keys, and a line omits the fields left at their default. The
``output`` evidence record is ``QuoteOutput``'s JSON, so its hash pins these types too.
Pure: no I/O.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from estimator_core.catalog import Section
from estimator_core.enclosure import BoxChoice, Size
from estimator_core.lines import QuoteLine, Totals
from estimator_core.lint import LintReport, Status
from estimator_core.placement import Placed

__all__ = [
    "CatalogRef",
    "Cover",
    "EnclosureSummary",
    "EvidenceSummary",
    "Layout",
    "LayoutBreaker",
    "LayoutRow",
    "NoPhaseBalance",
    "PhaseBalance",
    "PricingRef",
    "QuoteCover",
    "QuoteOutput",
    "QuoteResult",
    "ResultLine",
    "TimedPhaseBalance",
]

PHASES_EXAMPLE = {"R": 140.0, "S": 140.0, "T": 140.0}


class _Out(BaseModel):
    # Built on first use: importing the engine (the CLI's --help, a cold start) pays nothing.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class CatalogRef(_Out):
    """The catalog version a quote was priced from, by label and content hash."""

    label: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class PricingRef(_Out):
    """The pricing policy a quote was priced under, by name and content hash."""

    policy: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Cover(_Out):
    """The cover (RULES.md §5) as the ``cover`` evidence holds it: no evidence root yet."""

    project_name: str | None
    client: str | None
    project_number: str | None
    contact: str | None
    estimator: str
    revision: str
    currency: str
    issued_at: str
    totals: Totals
    catalog: CatalogRef
    pricing: PricingRef | None


class QuoteCover(Cover):
    """The cover of the result: with the evidence root, once every hash exists."""

    evidence_root: str


class EnclosureSummary(_Out):
    """The enclosure stage's answer: what the panel requires and the box chosen."""

    required: Size
    height_parts: dict[str, int] = Field(examples=[{"A": 170, "B": 30, "C": 340, "D": 150, "E": 0}])
    height_raw: int
    box: BoxChoice
    fit_score: float
    fit_ok: bool


class LayoutBreaker(_Out):
    """A branch breaker in a row of the layout (keys in alphabetical order)."""

    af: int
    at: int
    id: str
    label: str | None
    load_a: float
    model: str
    phase: str
    poles: int
    role: str


class LayoutRow(_Out):
    row: int
    left: LayoutBreaker | None
    right: LayoutBreaker | None


class Layout(_Out):
    """The main at the top, then the face-to-face rows top to bottom."""

    main: Placed
    rows: tuple[LayoutRow, ...]


_ASSIGNMENT = Field(
    description="circuit id → phase (or phase pair)", examples=[{"B1-1": "R", "B1-2": "S"}]
)


class PhaseBalance(_Out):
    """The phase balance of a three-phase panel (RULES.md §3), as its evidence holds it."""

    applicable: Literal[True]
    system: str
    totals_a: dict[str, float] = Field(examples=[PHASES_EXAMPLE])
    single_phase_totals_a: dict[str, float] = Field(examples=[PHASES_EXAMPLE])
    imbalance: float | None
    imbalance_single_phase: float | None
    proven_optimal: bool
    optimum_a: float
    lower_bound: float
    method: str
    assignment: dict[str, str] = _ASSIGNMENT


class TimedPhaseBalance(PhaseBalance):
    """The phase balance of the result: with the solver's wall time (kept out of evidence)."""

    solve_ms: float


class NoPhaseBalance(_Out):
    """A single-phase panel has no phases to balance."""

    applicable: Literal[False]
    system: str
    totals_a: None
    imbalance: None
    imbalance_single_phase: None
    proven_optimal: bool
    lower_bound: None
    optimum_a: None
    assignment: dict[str, str] = _ASSIGNMENT


def _is_false(value: object) -> bool:
    return value is False


def _is_none(value: object) -> bool:
    return value is None


def _is_empty(value: object) -> bool:
    return value == ()


class ResultLine(_Out):
    """A quote line as the result shows it: the fields at their default are left out."""

    section: Section
    item: str
    spec: str
    unit: str
    qty: int | float
    unit_price: int
    amount: int
    labour: bool = Field(default=False, exclude_if=_is_false)
    note: str | None = Field(default=None, exclude_if=_is_none)
    flags: tuple[str, ...] = Field(default=(), exclude_if=_is_empty)
    refs: tuple[str, ...] = Field(default=(), exclude_if=_is_empty)
    brand: str | None = Field(default=None, exclude_if=_is_none)
    list_price: int | None = Field(default=None, exclude_if=_is_none)
    rate: str | None = Field(default=None, exclude_if=_is_none)

    @classmethod
    def of(cls, line: QuoteLine) -> ResultLine:
        fields = dict(line)
        qty = line.qty
        fields["qty"] = qty if isinstance(qty, int) else float(qty)
        return cls(**fields)


class EvidenceSummary(_Out):
    """One evidence record by stage, hash and size (the blob itself is stored apart)."""

    stage: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int


class QuoteOutput(_Out):
    """What the ``output`` evidence record holds: the quote before its evidence exists."""

    status: Status
    catalog: CatalogRef
    request_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    enclosure: EnclosureSummary
    layout: Layout
    phase_balance: PhaseBalance | NoPhaseBalance
    lines: tuple[ResultLine, ...]
    cover: Cover
    totals: Totals
    lint: LintReport


class QuoteResult(QuoteOutput):
    """The result of ``estimate``: the output with its evidence, root and stage timings."""

    phase_balance: TimedPhaseBalance | NoPhaseBalance
    cover: QuoteCover
    evidence: tuple[EvidenceSummary, ...]
    evidence_root: str
    timings_ms: dict[str, float] = Field(
        description="wall time per stage, ms (kept out of the evidence)",
        examples=[{"validation": 0.4, "enclosure": 0.1, "breaker": 1.2, "evidence": 0.6}],
    )
