"""The catalog lifecycle against the real stack: import → validate → activate → roll back,
who may do it, what an import refuses, and estimates running through a hot swap.

The database is shared by the whole session (and a hosted project keeps its data), so
labels and prices are unique per run, and every test leaves the shipped catalog active.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from estimator_core.catalog import Catalog
from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from estimator_core.pipeline import estimate
from tests.conftest import ISSUED_AT, example
from tests.e2e.conftest import Api

V1 = load_catalog(DEFAULT_CATALOG).label  # the shipped catalog a stack starts on
RUN = secrets.token_hex(3)
HEADER = "brand,series,model,af,poles,width_mm,height_mm,depth_mm,meta"


def label(name: str) -> str:
    return f"{name}-{RUN}"


def admin(api: Api) -> dict[str, str]:
    return api.headers("catalog-admin", app_role="catalog_admin")


def post(api: Api, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
    return api.client.post(api.url(path), json=body, headers=headers)


def get(api: Api, path: str, headers: dict[str, str]) -> httpx.Response:
    return api.client.get(api.url(path), headers=headers)


def estimate_as(api: Api, body: Any, user: str = "erin") -> httpx.Response:
    return post(api, "estimate", body, api.headers(user, f"k-{uuid.uuid4()}"))


def import_csv(api: Api, name: str, csv: str) -> httpx.Response:
    return post(api, "catalog/import", {"label": name, "format": "csv", "content": csv}, admin(api))


def metasol_csv(price: int) -> str:
    meta = {
        "family": "MCCB",
        "ratings": [500, 600],
        "price": price,
        "forms": ["ECONOMIC", "STANDARD"],
        "capacity_ka": 50,
    }
    cell = json.dumps(meta).replace('"', '""')
    return f'{HEADER}\nLS,METASOL,METASOL-600,600,4P,280,280,109,"{cell}"\n'


def active_label(api: Api) -> str:
    res = get(api, "catalog/versions/active", admin(api))
    assert res.status_code == 200, res.text
    return str(res.json()["label"])


def versions(api: Api) -> dict[str, dict[str, Any]]:
    res = get(api, "catalog/versions", admin(api))
    assert res.status_code == 200, res.text
    return {v["label"]: v for v in res.json()["items"]}


def audit(api: Api, action: str, version_label: str) -> list[dict[str, Any]]:
    rows = api.sql(
        "select detail from shared.audit_logs where action = %s and detail ->> 'label' = %s "
        "order by at",
        action,
        version_label,
    )
    return [r[0] for r in rows]


@pytest.fixture(autouse=True)
def v1_stays_active(api: Api) -> Iterator[None]:
    yield
    if active_label(api) != V1:
        res = post(api, "catalog/rollback", {"label": V1, "reason": "test cleanup"}, admin(api))
        assert res.status_code == 200, res.text


def test_runbook_story_import_validate_activate_price_and_roll_back(api: Api) -> None:
    runbook = example("runbook_seed_example")
    refused = estimate_as(api, runbook)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "NEED_KNOWLEDGE_UPDATE"
    assert refused.json()["error"]["details"][0]["model"] == "METASOL-600"

    price = 600_000 + secrets.randbelow(50_000)
    name = label("v1.1.0")
    imported = import_csv(api, name, metasol_csv(price))
    assert imported.status_code == 201, imported.text
    body = imported.json()
    v1_counts = versions(api)[V1]["counts"]
    assert body["status"] == "staging"
    assert body["base"]["label"] == V1
    assert body["changes"]["breakers"]["added"] == ["METASOL-600"]
    assert body["counts"] == {**v1_counts, "breaker": v1_counts["breaker"] + 1}
    assert versions(api)[name]["status"] == "staging"

    validated = post(api, "catalog/validate", {"label": name}, admin(api))
    assert validated.status_code == 200, validated.text
    report = validated.json()
    assert report["passed"] is True
    assert (report["candidate"]["label"], report["active"]["label"]) == (name, V1)
    verdicts = {c["name"]: c["verdict"] for c in report["cases"]}
    assert verdicts["example_runbook_seed_example"] == "fixed"
    assert verdicts["example_apartment_sangdo"] == "unchanged"
    assert report["summary"]["broken"] == 0
    assert audit(api, "catalog.validate", name)[-1]["passed"] is True

    activated = post(
        api, "catalog/activate", {"label": name, "reason": "runbook: add METASOL-600"}, admin(api)
    )
    assert activated.status_code == 200, activated.text
    assert activated.json()["active"]["label"] == name
    assert activated.json()["previous"]["label"] == V1
    assert activated.json()["forced"] is False
    assert active_label(api) == name
    assert versions(api)[V1]["status"] == "retired"

    priced = estimate_as(api, runbook)
    assert priced.status_code == 201, priced.text
    quote = priced.json()
    assert quote["catalog"] == {"label": name, "sha256": body["sha256"]}
    main = next(line for line in quote["lines"] if line["section"] == "MAIN")
    assert main["spec"].startswith("METASOL-600") and main["unit_price"] == price
    stored = api.sql(
        "select catalog_label, catalog_sha256 from estimator.quotes where id = %s",
        quote["quote_id"],
    )
    assert stored == [(name, body["sha256"])]

    rolled = post(
        api, "catalog/rollback", {"label": V1, "reason": "runbook: back to v1"}, admin(api)
    )
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["active"]["label"] == V1
    assert rolled.json()["previous"]["label"] == name
    again = estimate_as(api, runbook)
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "NEED_KNOWLEDGE_UPDATE"

    (imported_audit,) = audit(api, "catalog.import", name)
    assert imported_audit["format"] == "csv" and imported_audit["base"]["label"] == V1
    (why,) = audit(api, "catalog.activate.request", name)
    assert why["reason"] == "runbook: add METASOL-600" and why["previous"]["label"] == V1
    assert len(audit(api, "catalog.activate", name)) == 1  # written by the SQL function
    assert audit(api, "catalog.rollback", V1)[-1]["reason"] == "runbook: back to v1"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "catalog/import", {"label": "x1", "format": "csv", "content": HEADER}),
        ("POST", "catalog/validate", {"label": V1}),
        ("POST", "catalog/activate", {"label": V1}),
        ("POST", "catalog/rollback", {"label": V1, "reason": "no"}),
        ("GET", "catalog/versions", None),
        ("GET", "catalog/versions/active", None),
    ],
)
def test_an_estimator_is_forbidden_on_every_catalog_function(
    api: Api, method: str, path: str, body: Any
) -> None:
    res = api.client.request(method, api.url(path), json=body, headers=api.headers("erin"))
    assert res.status_code == 403, res.text
    assert res.json()["error"]["code"] == "FORBIDDEN"
    anonymous = api.client.request(method, api.url(path), json=body)
    assert anonymous.status_code == 401


def test_service_role_may_list_versions(api: Api) -> None:
    res = get(api, "catalog/versions", api.headers("ops", role="service_role"))
    assert res.status_code == 200, res.text
    assert res.json()["items"][0]["counts"]["breaker"] > 0


def test_invalid_csv_rows_give_line_column_reason_and_import_nothing(api: Api) -> None:
    name = label("bad")
    before = api.sql("select count(*) from shared.catalog_versions")[0][0]
    good = metasol_csv(610_000).splitlines()[1]
    csv = "\n".join(
        [
            HEADER,
            good,
            'LS,METASOL,METASOL-800,700,4,280,280,109,"{""family"": ""MCCB""}"',
            ',,ABN-604,,,,,,"{""price"": ""cheap""}"',
        ]
    )
    res = import_csv(api, name, csv)
    assert res.status_code == 422, res.text
    error = res.json()["error"]
    assert error["code"] == "VALIDATION_FAILED"
    problems = {(d["line"], d["column"]) for d in error["details"]}
    assert (3, "af") in problems
    assert (3, "meta.price") in problems  # required for a new breaker
    assert (4, "meta.price") in problems
    assert all(d["reason"] for d in error["details"])
    assert name not in versions(api)
    assert api.sql("select count(*) from shared.catalog_versions")[0][0] == before


def test_same_content_under_another_label_is_refused(api: Api) -> None:
    csv = metasol_csv(650_000 + secrets.randbelow(50_000))
    first = import_csv(api, label("same-a"), csv)
    assert first.status_code == 201, first.text
    again = import_csv(api, label("same-b"), csv)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "CONFLICT"
    assert label("same-a") in again.json()["error"]["message"]
    assert again.json()["error"]["details"][0]["label"] == label("same-a")
    taken = import_csv(api, label("same-a"), metasol_csv(1))
    assert taken.status_code == 409
    no_change = import_csv(
        api, label("same-c"), f'{HEADER}\n,,ABN-604,,,,,,"{{""price"": 594000}}"\n'
    )
    assert no_change.status_code == 409
    assert no_change.json()["error"]["details"][0]["label"] == V1
    assert label("same-b") not in versions(api)


def test_a_label_outside_the_format_is_a_validation_error(api: Api) -> None:
    res = import_csv(api, "-bad label", metasol_csv(1))
    assert res.status_code == 422
    assert res.json()["error"]["code"] == "VALIDATION_FAILED"


def test_activation_refuses_a_catalog_that_breaks_samples_unless_forced(api: Api) -> None:
    name = label("broken")
    fuse_price = 4000 + secrets.randbelow(999)  # unique content per run
    csv = "\n".join(
        [
            HEADER,
            ',,SBE-104,,,,,,"{""delete"": true}"',
            f',,FUSE_HOLDER,,,,,,"{{""kind"": ""item"", ""price"": {fuse_price}}}"',
        ]
    )
    assert import_csv(api, name, csv).status_code == 201
    report = post(api, "catalog/validate", {"label": name}, admin(api)).json()
    assert report["passed"] is False
    case = next(c for c in report["cases"] if c["name"] == "example_apartment_sangdo")
    assert case["verdict"] == "broken"
    assert case["candidate"]["error"] == "NEED_KNOWLEDGE_UPDATE"
    assert "example_apartment_sangdo" in report["broken"]

    refused = post(api, "catalog/activate", {"label": name}, admin(api))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "CONFLICT"
    assert {d["name"] for d in refused.json()["error"]["details"]} == set(report["broken"])
    no_reason = post(api, "catalog/activate", {"label": name, "force": True}, admin(api))
    assert no_reason.status_code == 422
    assert active_label(api) == V1

    forced = post(
        api,
        "catalog/activate",
        {"label": name, "force": True, "reason": "drill: forced activation"},
        admin(api),
    )
    assert forced.status_code == 200, forced.text
    assert forced.json()["forced"] is True
    (why,) = audit(api, "catalog.activate.request", name)
    assert (why["forced"], why["reason"]) == (True, "drill: forced activation")
    retired = post(api, "catalog/activate", {"label": V1}, admin(api))
    assert retired.status_code == 409  # a retired version comes back by rollback


def test_json_import_takes_a_whole_catalog_document(api: Api) -> None:
    doc = load_catalog(DEFAULT_CATALOG).model_dump(mode="json")
    doc["items"][1]["price"] = 5000 + secrets.randbelow(999)
    res = post(
        api,
        "catalog/import",
        {"label": label("json"), "format": "json", "content": doc},
        admin(api),
    )
    assert res.status_code == 201, res.text
    assert res.json()["changes"]["items"]["updated"] == [doc["items"][1]["item_id"]]
    bad = post(
        api,
        "catalog/import",
        {"label": label("json-bad"), "format": "json", "content": {**doc, "breakers": "none"}},
        admin(api),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["column"] == "breakers"


@dataclass
class Call:
    started: float
    ended: float
    response: httpx.Response


def test_estimates_during_activations_keep_the_version_they_started_with(api: Api) -> None:
    v1 = load_catalog(DEFAULT_CATALOG)
    doc = v1.model_dump(mode="json")
    sie = next(b for b in doc["breakers"] if b["model"] == "SIE-32")
    sie["price"] += 1 + secrets.randbelow(5000)
    name = label("hot")
    imported = post(
        api, "catalog/import", {"label": name, "format": "json", "content": doc}, admin(api)
    )
    assert imported.status_code == 201, imported.text
    body = example("apartment_sangdo")
    other = Catalog.model_validate({**doc, "label": name})
    assert other.sha256 == imported.json()["sha256"]
    expected = {
        V1: (
            v1.sha256,
            estimate(body, v1, issued_at=ISSUED_AT).result.model_dump(mode="json")["totals"],
        ),
        name: (
            other.sha256,
            estimate(body, other, issued_at=ISSUED_AT).result.model_dump(mode="json")["totals"],
        ),
    }
    activated = post(api, "catalog/activate", {"label": name, "reason": "hot swap"}, admin(api))
    assert activated.status_code == 200, activated.text

    calls: list[Call] = []
    lock = threading.Lock()
    stop = threading.Event()
    headers = [api.headers("hotswap") for _ in range(4)]

    def worker(h: dict[str, str]) -> None:
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                started = time.monotonic()
                res = client.post(
                    api.url("estimate"),
                    json=body,
                    headers={**h, "Idempotency-Key": f"hot-{uuid.uuid4()}"},
                )
                with lock:
                    calls.append(Call(started, time.monotonic(), res))

    switches: list[tuple[float, float, str]] = [(0.0, time.monotonic(), name)]
    threads = [threading.Thread(target=worker, args=(h,)) for h in headers]
    for t in threads:
        t.start()
    try:
        for target in [V1, name, V1, name, V1]:
            done = switches[-1][1]
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # let two estimates run wholly on this version
                with lock:
                    if sum(1 for c in calls if c.started > done) >= 2:
                        break
                time.sleep(0.01)
            began = time.monotonic()
            res = post(api, "catalog/rollback", {"label": target, "reason": "hot swap"}, admin(api))
            assert res.status_code == 200, res.text
            switches.append((began, time.monotonic(), target))
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(60)

    assert calls and all(c.response.status_code == 201 for c in calls), [
        c.response.text for c in calls if c.response.status_code != 201
    ][:3]
    seen = set()
    inside = 0
    for call in calls:
        quote = call.response.json()
        used = quote["catalog"]["label"]
        seen.add(used)
        sha, totals = expected[used]
        assert quote["catalog"]["sha256"] == sha
        assert quote["totals"] == totals
        assert quote["cover"]["catalog"] == quote["catalog"]
        stored = api.sql(
            "select catalog_label, catalog_sha256 from estimator.quotes where id = %s",
            quote["quote_id"],
        )
        assert stored == [(used, sha)]
        output = next(e for e in quote["evidence"] if e["stage"] == "output")
        blob = api.client.get(output["url"])
        assert blob.status_code == 200
        assert json.loads(blob.content)["catalog"] == quote["catalog"]
        # A request that began after a switch and ended before the next one used it.
        for (_, done, target), (next_began, _, _) in zip(
            switches, [*switches[1:], (float("inf"), 0.0, "")], strict=True
        ):
            if call.started > done and call.ended < next_began:
                assert used == target
                inside += 1
    assert seen == {V1, name}
    assert inside >= 2 * len(switches)  # each version ran whole estimates
