"""The catalogs shipped in the package, and reading a catalog directory.

Each released catalog lives in ``catalogs/<label>/catalog.json``; a released label's
content never changes: a corrected catalog ships as a new label beside the old ones.
Reading a catalog file is I/O: the CLI and the functions' seeding call ``load_catalog``,
the pure stages take the ``Catalog`` it returns.

A shipped catalog is read without validating it again (``VALIDATED``): a cold start of the
CLI then builds no catalog schema and dumps nothing to hash it (benchmarks/RESULTS.md,
"CLI cold start").
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from estimator_core.catalog import Catalog
from estimator_core.construct import construct
from estimator_core.errors import ValidationFailed

CATALOGS = Path(__file__).parent
# The shipped catalog a fresh stack starts on.
DEFAULT_CATALOG = CATALOGS / "v1.1.0"
SAMPLE_PROFILE = CATALOGS / "company_profile.sample.json"


def shipped_catalog_labels() -> list[str]:
    """Labels of every catalog shipped in the package, oldest first."""
    labels = [p.parent.name for p in CATALOGS.glob("v*/catalog.json")]
    return sorted(labels, key=lambda s: tuple(int(x) for x in s[1:].split(".")))


# SHA-256 of a catalog.json's bytes → the catalog's own SHA-256 (of its canonical JSON),
# for the shipped catalogs. Bytes with a pinned hash are exactly bytes that validate, so
# they are constructed without validation (``estimator_core.construct``) and take their
# identity from here. Why that is safe: tests/unit/test_catalog_load.py validates every
# shipped catalog.json, checks its pins and that the constructed catalog equals the
# validated one, field for field, types included; a changed or unknown file (another
# directory, an edited copy, a different line ending) matches no pin and is validated.
VALIDATED: dict[str, str] = {
    "7f57e2f46b4345c66bdf9f5685ebf6904de01ff08a491c432e460c7163c88993": (  # v1.0.0
        "e9b84c8315b4185b20845b35c4bab04a6447ed214df65f75ba4b5159f25bef81"
    ),
    "3d40ca0232431ccb8ea25db8e45f128c191b114dc198e99752f2af4b0786b8a5": (  # v1.1.0
        "d86970da97a0757f1af24410ecd783252b1ec992512627daf606051b0ac8f13a"
    ),
}


def load_catalog(directory: Path) -> Catalog:
    """Read ``DIR/catalog.json`` (the format ``tools/build_catalog.py`` writes)."""
    path = directory / "catalog.json"
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValidationFailed(f"cannot read catalog {path}: {err.strerror}") from None
    identity = VALIDATED.get(hashlib.sha256(data).hexdigest())
    if identity is not None:
        catalog = construct(Catalog, json.loads(data))
        catalog.__dict__["sha256"] = identity  # the cached_property, pinned with the bytes
        return catalog
    try:
        return Catalog.model_validate_json(data)
    except ValueError as err:
        raise ValidationFailed(f"catalog {path} is invalid: {err}") from None
