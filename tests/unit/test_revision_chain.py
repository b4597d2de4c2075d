"""The revision hash chain in the engine: a revision's last record names the revision it
was made from, so that revision's root is part of its own; R0 is as it always was."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from estimator_core import (
    PREVIOUS_STAGE,
    STAGES,
    PreviousRevision,
    estimate,
    estimate_project,
    link_problem,
    project_root_of,
    root_of,
)
from estimator_core.catalog import Catalog
from tests.conftest import ISSUED_AT
from tests.unit.test_project import LP1, PP1, project

R0_ROOT = "ab" * 32
LINK = PreviousRevision(
    quote_id="00000000-0000-4000-8000-000000000001", revision="R0", root=R0_ROOT
)


def test_a_revision_ends_its_evidence_with_its_link_and_its_root_covers_it(
    apartment: dict[str, Any], catalog: Catalog
) -> None:
    r0 = estimate(apartment, catalog, issued_at=ISSUED_AT)
    r1 = estimate(apartment, catalog, issued_at=ISSUED_AT, revision="R1", previous=LINK)
    assert tuple(r.stage for r in r0.evidence) == STAGES  # R0: no link
    assert tuple(r.stage for r in r1.evidence) == (*STAGES, PREVIOUS_STAGE)
    assert json.loads(r1.evidence[-1].content) == LINK.model_dump()
    assert r1.evidence_root == root_of([(r.stage, r.sha256) for r in r1.evidence])
    assert r1.result.cover.evidence_root == r1.evidence_root
    assert [e.stage for e in r1.result.evidence][-1] == PREVIOUS_STAGE
    other = LINK.model_copy(update={"root": "cd" * 32})
    r1b = estimate(apartment, catalog, issued_at=ISSUED_AT, revision="R1", previous=other)
    # the same request, another predecessor: another root (the chain is in the hash)
    assert r1b.evidence_root != r1.evidence_root
    assert [r.sha256 for r in r1b.evidence[:-1]] == [r.sha256 for r in r1.evidence[:-1]]


def test_a_project_revision_links_in_its_own_records_not_its_panels(catalog: Catalog) -> None:
    body = project(("PP-1", 1, PP1), ("LP-1", 2, LP1))
    r0 = estimate_project(body, catalog, issued_at=ISSUED_AT)
    r1 = estimate_project(body, catalog, issued_at=ISSUED_AT, revision="R1", previous=LINK)
    assert [r.stage for r in r0.evidence] == ["input", "project"]
    assert [r.stage for r in r1.evidence] == ["input", "project", PREVIOUS_STAGE]
    assert r1.result.revision == "R1"
    unlinked = estimate_project(body, catalog, issued_at=ISSUED_AT, revision="R1")
    # the panels (R1 on their covers) have no link: the project's root covers theirs
    roots = [p.quote.evidence_root for p in r1.panels]
    assert roots == [p.quote.evidence_root for p in unlinked.panels]
    assert r1.evidence_root != unlinked.evidence_root
    stored = project_root_of(
        [(p.name, p.qty, p.quote.evidence_root) for p in r1.panels],
        [(r.stage, r.sha256) for r in r1.evidence],
    )
    assert stored == r1.evidence_root


def test_a_link_is_checked_field_by_field() -> None:
    content = json.dumps(LINK.model_dump()).encode()
    assert link_problem(content, LINK) is None
    moved = LINK.model_copy(update={"root": "cd" * 32})
    assert link_problem(content, moved) == (
        f"its previous record names root {R0_ROOT}, the previous revision's is {'cd' * 32}"
    )
    assert "revision R0" in str(link_problem(content, LINK.model_copy(update={"revision": "R1"})))
    assert link_problem(b"{not json", LINK) == "its previous record is not a revision link"
    assert link_problem(b'{"quote_id": "x"}', LINK) == "its previous record is not a revision link"


@pytest.mark.parametrize("bad", [{"revision": "1"}, {"root": "AB" * 32}, {"quote_id": ""}])
def test_a_link_names_a_label_and_a_lowercase_root(bad: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        PreviousRevision.model_validate({**LINK.model_dump(), **bad})
