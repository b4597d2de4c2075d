"""Project quotes over real HTTP (issue 11): examples/project_building.json priced and
stored as one quote with a panel row per panel, its documents (총괄표 + a lines sheet per
panel, one drawing per panel), replayed under its key, a failing panel named with nothing
stored, the 100-panel bound, read by number, hidden from another user; and a response
stored by an older version still reads (served as stored)."""

from __future__ import annotations

import copy
import json
import uuid
from io import BytesIO
from typing import Any

import openpyxl
import pytest

from tests.conftest import ROOT, example
from tests.e2e.conftest import Api, set_profile

BUILDING: dict[str, Any] = json.loads(
    (ROOT / "examples" / "project_building.json").read_text("utf-8")
)
USER = "pia"


def building() -> dict[str, Any]:
    return copy.deepcopy(BUILDING)


def post(api: Api, body: Any, key: str | None = None, user: str = USER) -> Any:
    return api.client.post(
        api.url("estimate"), json=body, headers=api.headers(user, key or f"prj-{uuid.uuid4()}")
    )


def counts(api: Api) -> tuple[int, ...]:
    return tuple(
        int(api.sql(f"select count(*) from estimator.{table}")[0][0])
        for table in ("quotes", "panels", "breakers", "quote_items", "evidence_blobs")
    )


def small_panel(i: int) -> dict[str, Any]:
    return {
        "name": f"LP-{i}",
        "qty": 1 + i % 3,
        "request": {
            "brand": "SANGDO",
            "main": {"af": 50, "at": 50, "poles": "2P"},
            "branches": [{"at": 20, "poles": "2P", "qty": 2 + i % 5}],
        },
    }


@pytest.fixture(scope="module")
def project(api: Api) -> dict[str, Any]:
    set_profile(api, f"(주)프로젝트전기 {uuid.uuid4().hex[:6]}")
    res = post(api, building())
    assert res.status_code == 201, res.text
    body: dict[str, Any] = res.json()
    return body


def test_a_project_is_one_quote_with_its_panels_breakers_and_evidence(
    api: Api, project: dict[str, Any]
) -> None:
    names = [p["name"] for p in BUILDING["panels"]]
    assert project["kind"] == "project" and project["status"] == "issued"
    assert [(p["name"], p["qty"]) for p in project["panels"]] == [
        (p["name"], p["qty"]) for p in BUILDING["panels"]
    ]
    # hand-checked with the CLI (examples/project_building.json): Σ qty × unit, VAT once
    assert project["totals"]["subtotal"] == 6_086_900
    assert project["totals"]["vat"] == 608_690
    assert project["totals"]["grand_total"] == 6_695_590
    qid = project["quote_id"]
    labels = api.sql(
        "select label from estimator.panels where quote_id = %s order by position", qid
    )
    assert [r[0] for r in labels] == names
    per_panel = api.sql(
        "select p.label, count(b.*) from estimator.panels p join estimator.breakers b "
        "on b.panel_id = p.id where p.quote_id = %s group by p.label, p.position "
        "order by p.position",
        qid,
    )
    assert [r[0] for r in per_panel] == names and all(r[1] > 0 for r in per_panel)
    (row,) = api.sql(
        "select quote_number, grand_total, evidence_root_sha256 from estimator.quotes "
        "where id = %s",
        qid,
    )
    assert row == (project["quote_number"], 6_695_590, project["evidence_root"])
    stages = [e["stage"] for e in project["evidence"]]
    assert stages[:2] == ["input", "project"] and "p4_drawing" in stages
    stored = api.sql("select count(*) from estimator.evidence_blobs where quote_id = %s", qid)
    assert stored[0][0] == len(stages)


def test_the_project_evidence_verifies(api: Api, project: dict[str, Any]) -> None:
    res = api.client.get(
        api.url(f"quotes/{project['quote_id']}/evidence?verify=true"), headers=api.headers(USER)
    )
    assert res.status_code == 200, res.text
    assert res.json()["verified"] is True


def test_the_project_documents_have_a_summary_sheet_and_a_drawing_per_panel(
    api: Api, project: dict[str, Any]
) -> None:
    res = api.client.get(
        api.url(f"quotes/{project['quote_id']}/documents"), headers=api.headers(USER)
    )
    assert res.status_code == 200, res.text
    items = res.json()["items"]
    names = [p["name"] for p in BUILDING["panels"]]
    assert [i["filename"] for i in items] == [
        "quote.xlsx",
        "quote.pdf",
        *(f"drawing-{n}.svg" for n in names),
        *(f"drawing-{n}.dxf" for n in names),
    ]
    xlsx = next(i for i in items if i["kind"] == "xlsx")
    book = openpyxl.load_workbook(BytesIO(api.client.get(xlsx["url"]).content))
    assert "총괄표" in book.sheetnames
    assert len(book.sheetnames) >= 1 + len(names)
    pdf = next(i for i in items if i["kind"] == "pdf")
    assert api.client.get(pdf["url"]).content.startswith(b"%PDF")
    # one drawing by its file name
    res = api.client.get(
        api.url(f"quotes/{project['quote_number']}/documents/drawing-LP-3.svg"),
        headers=api.headers(USER),
        follow_redirects=False,
    )
    assert res.status_code == 307
    svg = api.client.get(res.headers["location"])
    assert svg.status_code == 200 and b"<svg" in svg.content
    lp3 = next(i for i in items if i["filename"] == "drawing-LP-3.svg")
    assert (
        svg.content
        and lp3["sha256"] != next(i for i in items if i["filename"] == "drawing-MDP.svg")["sha256"]
    )


def test_a_project_is_replayed_under_its_key(api: Api) -> None:
    key = f"prj-replay-{uuid.uuid4()}"
    first = post(api, building(), key)
    assert first.status_code == 201, first.text
    before = counts(api)
    again = post(api, building(), key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["quote_id"] == first.json()["quote_id"]
    assert again.json()["quote_number"] == first.json()["quote_number"]
    assert counts(api) == before
    other = building()
    other["panels"][1]["qty"] = 9
    reused = post(api, other, key)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_an_error_in_panel_3_names_panel_3_and_stores_nothing(api: Api) -> None:
    body = building()
    body["panels"][3]["request"]["branches"][1]["at"] = 7777
    before = counts(api)
    res = post(api, body)
    assert res.status_code == 422, res.text
    error = res.json()["error"]
    details = error["details"]
    assert "panels.3.request.branches.1.at" in [d["loc"] for d in details]
    assert {d["panel"] for d in details} == {"LP-3"}
    assert counts(api) == before


def test_every_failing_panel_is_reported_in_one_answer(api: Api) -> None:
    body = building()
    body["panels"][1]["request"]["branches"][0]["at"] = 7777
    body["panels"][3]["request"]["branches"][1]["at"] = 7777
    before = counts(api)
    res = post(api, body)
    assert res.status_code == 422, res.text
    assert {d["panel"] for d in res.json()["error"]["details"]} == {"LP-1", "LP-3"}
    assert counts(api) == before


def test_a_100_panel_project_is_accepted_and_101_refused(api: Api) -> None:
    head = {"project": {"customer": {"name": "경계건설"}, "name": "백 개의 분전반"}}
    res = post(api, {**head, "panels": [small_panel(i) for i in range(100)]})
    assert res.status_code == 201, res.text
    assert len(res.json()["panels"]) == 100
    qid = res.json()["quote_id"]
    assert api.sql("select count(*) from estimator.panels where quote_id = %s", qid)[0][0] == 100
    before = counts(api)
    res = post(api, {**head, "panels": [small_panel(i) for i in range(101)]})
    assert res.status_code == 422, res.text
    assert res.json()["error"]["code"] == "VALIDATION_FAILED"
    assert "panels" in [d["loc"] for d in res.json()["error"]["details"]]
    assert counts(api) == before


def test_duplicate_panel_names_are_refused(api: Api) -> None:
    body = building()
    body["panels"][2]["name"] = "LP-1"
    res = post(api, body)
    assert res.status_code == 422
    assert [d["loc"] for d in res.json()["error"]["details"]] == ["panels.2.name"]


def test_a_project_reads_by_number_and_is_hidden_from_another_user(
    api: Api, project: dict[str, Any]
) -> None:
    res = api.client.get(api.url(f"quotes/{project['quote_number']}"), headers=api.headers(USER))
    assert res.status_code == 200, res.text
    read = res.json()
    assert read["quote_id"] == project["quote_id"] and read["kind"] == "project"
    assert read["totals"] == project["totals"] and read["panels"] == project["panels"]
    for ref in (project["quote_number"], project["quote_id"]):
        other = api.client.get(api.url(f"quotes/{ref}"), headers=api.headers("quinn"))
        assert other.status_code == 404
        assert other.json()["error"]["code"] == "NOT_FOUND"


def test_a_response_stored_by_an_older_version_is_served_as_stored(api: Api) -> None:
    res = post(api, example("apartment_sangdo"))
    assert res.status_code == 201, res.text
    qid = res.json()["quote_id"]
    # what an older engine stored: no cover.pricing, no totals.list_total
    api.sql(
        "update estimator.quotes set response = jsonb_set(response #- '{cover,pricing}', "
        "'{totals}', (response -> 'totals') - 'list_total') where id = %s returning id",
        qid,
    )
    res = api.client.get(api.url(f"quotes/{qid}"), headers=api.headers(USER))
    assert res.status_code == 200, res.text
    body = res.json()
    assert "list_total" not in body["totals"] and "pricing" not in body["cover"]
    assert body["quote_id"] == qid and body["evidence"][0]["url"]
