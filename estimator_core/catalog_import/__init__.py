"""Catalog import: a candidate catalog from an upload, and its check against sample requests.

A catalog admin uploads one of two formats; either becomes a new catalog version.

**JSON** — a whole catalog document, exactly what ``Catalog.document()``
writes. Its ``label`` is replaced by the version label (the label is part of the
catalog's identity and must equal the version's); everything else is taken as is,
strictly typed (``"12"`` is not a price). Rule tables change only this way.

**CSV** — rows in the panel maker's format, applied on top of a base catalog::

    brand,series,model,af,poles,width_mm,height_mm,depth_mm,meta
    LS,METASOL,METASOL-600,600,4,280,280,109,"{""family"": ""MCCB"", ""price"": 620000, …}"
    ,,ABN-604,,,,,,"{""price"": 610000}"
    ,,MAGNET_MC-32,,,,,,"{""kind"": ""item"", ""name"": ""MAG.CONTACTOR"", ""price"": 19000}"

(a new breaker, its meta shortened here; a new price for a breaker the base has; a new
accessory price.)

- UTF-8 (a leading BOM is ignored), comma-separated, RFC 4180 quoting (``meta`` is JSON,
  so it is quoted and its quotes doubled). The first non-blank line is the header: the
  nine columns above in any order, names case-insensitive, plus an optional ``kind``
  column; no others. Blank lines are skipped. Line numbers in errors are the upload's
  physical lines (the header is line 1).
- **Row kind**: the ``kind`` column or the meta key ``kind`` (if both, they must agree):
  ``breaker`` (the default when neither is given), ``enclosure`` or ``item``.
- **Key**: a breaker by ``model``, an enclosure by ``model`` (case and spaces ignored, as
  the engine looks them up), an item by ``model`` = its item id (exact).
- **Update, add, delete**: a row whose key is in the base catalog updates that row —
  non-blank columns and the meta keys present replace the base values, blank columns and
  absent keys keep them. A new key adds a row, and then every field marked *new* below
  must be given. ``{"delete": true}`` in meta removes the base row (the other cells are
  not read). A key may appear once per upload.

=========================  ===========================================================
breaker columns            ``brand`` SANGDO|LS (*new*), ``series`` (*new*), ``af`` frame
                           ``600`` or ``600AF``, aliases 630/32/63/200/250 allowed
                           (*new*), ``poles`` 2–4 as ``4`` or ``4P`` (*new*),
                           ``width_mm``/``height_mm``/``depth_mm`` positive mm or blank
breaker meta               ``family`` MCCB|ELB (*new*), ``ratings`` distinct amps 1–1000
                           (*new*), ``price`` KRW integer ≥ 0 (*new*), ``forms`` list of
                           ECONOMIC|STANDARD (*new*), ``price_min`` (a price range; ≤
                           price) or null, ``compact``/``small``/``high_sensitivity``
                           booleans, ``capacity_ka`` > 0 or null, ``flags`` list of
                           assumed|example
enclosure columns          ``series`` (*new*), ``width_mm``/``height_mm``/``depth_mm``
                           (*new*); ``brand``, ``af``, ``poles`` blank
enclosure meta             ``price`` (*new*), ``material`` STEEL|SUS (*new*),
                           ``thickness_mm`` > 0 (*new*)
item columns               ``model`` = item id; every other column blank
item meta                  ``name`` (*new*), ``price`` (*new*), ``spec`` (default ""),
                           ``unit`` (default EA), ``accessory_kind`` (the request
                           accessory it prices, e.g. ``magnet``) and ``accessory_model``
                           (e.g. ``MC-32``) or null, ``flags``
=========================  ===========================================================

Unknown meta keys are errors (a typo must not pass silently). Every row is checked and
every problem reported at once: ``import_csv`` and ``import_json`` raise one
``ValidationFailed`` whose details are ``{"line", "column", "reason"}`` (``column`` a CSV
column, ``meta.<key>`` for a meta key; for JSON ``line`` is the syntax error's line or
null and ``column`` the path in the document, e.g. ``breakers.3.price``). Nothing is
returned, so nothing can be imported, unless every row is valid.

**Validation** (``validation_report``): run sample requests against the candidate and
against the active catalog and compare, per case, status, box, imbalance, totals, lint
findings or the error code. The candidate *fails* when any case is ``broken``: a request
the active catalog priced now raises an error, the engine fails on the candidate, or the
candidate's quote has lint errors the active one did not have. A request that errored
before and now prices is ``fixed``; other differences are ``changed`` (a new price is
the point of an import) and never fail.

The package holds one concern a module: ``rows`` (what each row kind reads, as pydantic
models with field constraints, and the value rules every row meets), ``csv_upload``,
``json_upload``, ``changes`` (what an import changes) and ``samples`` (the validation
against sample requests); ``issues`` is their shared error shape.

Pure: no I/O, no clock (``issued_at`` is passed in).
"""

from __future__ import annotations

from estimator_core.catalog_import.changes import (
    catalog_changes,
    catalog_counts,
    content_without_label,
)
from estimator_core.catalog_import.csv_upload import CSV_COLUMNS, MAX_ROWS, import_csv
from estimator_core.catalog_import.issues import MAX_ISSUES, Issue
from estimator_core.catalog_import.json_upload import import_json
from estimator_core.catalog_import.rows import (
    KINDS,
    MAX_AMPS,
    MAX_MM,
    MAX_TEXT,
    ROW_KINDS,
    row_problems,
)
from estimator_core.catalog_import.samples import (
    ENGINE_FAILURE,
    VALIDATION_RULE,
    VERDICTS,
    compare_outcomes,
    sample_outcome,
    validation_report,
)

# As the database constraint catalog_versions_label_format.
LABEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"

__all__ = [
    "CSV_COLUMNS",
    "ENGINE_FAILURE",
    "KINDS",
    "LABEL_PATTERN",
    "MAX_AMPS",
    "MAX_ISSUES",
    "MAX_MM",
    "MAX_ROWS",
    "MAX_TEXT",
    "ROW_KINDS",
    "VALIDATION_RULE",
    "VERDICTS",
    "Issue",
    "catalog_changes",
    "catalog_counts",
    "compare_outcomes",
    "content_without_label",
    "import_csv",
    "import_json",
    "row_problems",
    "sample_outcome",
    "validation_report",
]
