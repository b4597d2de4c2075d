"""The catalogs shipped in the package, and reading a catalog directory.

Each released catalog lives in ``catalogs/<label>/catalog.json``; a released label's
content never changes: a corrected catalog ships as a new label beside the old ones.
Reading a catalog file is I/O: the CLI and the functions' seeding call ``load_catalog``,
the pure stages take the ``Catalog`` it returns.
"""

from __future__ import annotations

from pathlib import Path

from estimator_core.catalog import Catalog
from estimator_core.errors import ValidationFailed

CATALOGS = Path(__file__).parent
# The shipped catalog a fresh stack starts on.
DEFAULT_CATALOG = CATALOGS / "v1.1.0"
SAMPLE_PROFILE = CATALOGS / "company_profile.sample.json"


def shipped_catalog_labels() -> list[str]:
    """Labels of every catalog shipped in the package, oldest first."""
    labels = [p.parent.name for p in CATALOGS.glob("v*/catalog.json")]
    return sorted(labels, key=lambda s: tuple(int(x) for x in s[1:].split(".")))


def load_catalog(directory: Path) -> Catalog:
    """Read ``DIR/catalog.json`` (the format ``tools/build_catalog.py`` writes)."""
    path = directory / "catalog.json"
    try:
        return Catalog.model_validate_json(path.read_bytes())
    except OSError as err:
        raise ValidationFailed(f"cannot read catalog {path}: {err.strerror}") from None
    except ValueError as err:
        raise ValidationFailed(f"catalog {path} is invalid: {err}") from None
