"""The web client in real Chromium against a local stack (web/e2e/run.mjs drives it).

One run of the browser script per module: it signs in, types the sample apartment request,
previews, issues, double-clicks, tries a bad rating, issues and revises a project (the
diff's panels, the hash chain), opens another user's quote, approves (the new document
set) and activates a catalog, recording what each page showed; the tests below hold that
against the API and the database. Screenshots and metrics go to .local/test-output/web/.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from estimator_core.cli import DEFAULT_CATALOG, load_catalog
from estimator_core.pipeline import estimate
from estimator_core.project import estimate_project
from functions._shared.auth import user_id_for
from functions.dev import seed_catalog
from tests.conftest import ISSUED_AT, example
from tests.e2e.conftest import Api, free_port
from tests.e2e.test_documents import set_profile
from tests.integration.support import DB_SH, ROOT, db_url, run

WEB = ROOT / "web"
OUT = ROOT / ".local" / "test-output" / "web"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WEB_DB = f"kis_it_web_{os.getpid()}"
CATALOG_LABEL = "v9.1.0-web"
# A price change on a breaker of the shipped catalog: the samples change but none breaks.
CATALOG_CSV = (
    "brand,series,model,af,poles,width_mm,height_mm,depth_mm,meta\n"
    ',,SBE-104,,,,,,"{""price"": 21000}"\n'
)
PAGES = {
    "signin",
    "request",
    "quote",
    "quotes",
    "quotes_search",
    "project",
    "not_found",
    "catalog",
    "review",
    "members",
    "revision_diff",
    "project_quote",
    "review_history",
    "project_revision_diff",
    "evidence_chain",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    assert (WEB / "dist" / "index.html").is_file(), "build the client first (make web)"
    assert Path(CHROMIUM).is_file(), f"no Chromium at {CHROMIUM} (ops/supabase/install.sh)"
    run([DB_SH, "up"])
    run([DB_SH, "drop-db", WEB_DB], check=False)
    run([DB_SH, "create-db", WEB_DB])
    url = db_url(WEB_DB)
    seed_catalog(url, load_catalog(DEFAULT_CATALOG))
    port = free_port()
    secret = secrets.token_hex(32)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SUPABASE", "JWKS"))},
        "DATABASE_URL": url,
        "JWT_SECRET": secret,
        "STORAGE_DIR": str(tmp_path_factory.mktemp("web") / "storage"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    api = Api("local", f"http://127.0.0.1:{port}", secret, url, None, env)
    api.start()
    try:
        yield api
    finally:
        api.stop()
        api.client.close()
        run([DB_SH, "drop-db", WEB_DB], check=False)


@pytest.fixture(scope="module")
def team(stack: Api) -> dict[str, Any]:
    """Through the API: a company profile (documents need one); organisation ACME of olga
    (admin) with rita (reviewer) and eve (estimator); bo exists but is no member; a quote
    of eve's put in review."""
    set_profile(stack, "한빛전기")
    names = {r: f"{r}-{uuid.uuid4().hex[:6]}" for r in ("olga", "rita", "eve", "bo")}
    res = stack.client.post(
        stack.url("organisations"), json={"name": "ACME"}, headers=stack.headers(names["olga"])
    )
    assert res.status_code == 201, res.text
    org = str(res.json()["id"])
    for user, role in (("rita", "reviewer"), ("eve", "estimator")):
        stack.token(names[user])  # the user exists (auth.users)
        res = stack.client.post(
            stack.url(f"organisations/{org}/members"),
            json={"email": f"{names[user]}@local.test", "role": role},
            headers=stack.headers(names["olga"]),
        )
        assert res.status_code == 201, res.text
    stack.token(names["bo"])
    res = stack.client.post(
        stack.url("estimate"),
        json=example("apartment_sangdo"),
        headers=stack.headers(names["eve"], f"k-{uuid.uuid4()}"),
    )
    assert res.status_code == 201, res.text
    quote = str(res.json()["quote_id"])
    # as if the engine had flagged it: the column and the stored answer say needs_review
    stack.sql(
        "update estimator.quotes set status = 'needs_review', "
        'response = response || \'{"status": "needs_review"}\'::jsonb '
        "where id = %s returning id",
        quote,
    )
    ids = {k: user_id_for(v) for k, v in names.items()}
    return {
        **names,
        "ids": ids,
        "organisation": org,
        "quote": quote,
        "revised": _revised_quote(stack, names["eve"]),
    }


def _revised_quote(stack: Api, user: str) -> list[str]:
    """A quote of ``user``'s and a revision R1 of it, made by the database's create_revision
    (another project, 100 won more), as the revisions endpoint stores one: [R0, R1]."""
    request = example("apartment_sangdo")
    request["customer"]["project"] = "한빛아파트 104동 세대분전반"
    res = stack.client.post(
        stack.url("estimate"), json=request, headers=stack.headers(user, f"k-{uuid.uuid4()}")
    )
    assert res.status_code == 201, res.text
    r0 = str(res.json()["quote_id"])
    ((r1,),) = stack.sql(
        "select estimator.create_revision(q.id, jsonb_build_object("
        "'idempotency_key', %s::text, 'status', 'issued',"
        "'request', jsonb_set(q.request, '{customer,project}', '\"한빛아파트 104동 (변경)\"'),"
        "'response', jsonb_set(q.response, '{totals,grand_total}',"
        "  to_jsonb((q.response -> 'totals' ->> 'grand_total')::bigint + 100)),"
        "'request_sha256', q.request_sha256, 'catalog_version_id', q.catalog_version_id,"
        "'catalog_label', q.catalog_label, 'catalog_sha256', q.catalog_sha256,"
        "'subtotal', q.subtotal, 'vat', q.vat, 'grand_total', q.grand_total,"
        "'evidence_root_sha256', q.evidence_root_sha256), %s)::text "
        "from estimator.quotes q where q.id = %s",
        f"rev-{uuid.uuid4()}",
        user_id_for(user),
        r0,
    )
    return [r0, str(r1)]


@pytest.fixture(scope="module")
def browser(stack: Api, team: dict[str, Any]) -> dict[str, Any]:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    env = {
        **os.environ,
        "BASE_URL": stack.base,
        "OUT_DIR": str(OUT),
        "CHROMIUM": CHROMIUM,
        "CATALOG_CSV": CATALOG_CSV,
        "CATALOG_LABEL": CATALOG_LABEL,
        "SAMPLE_REQUEST": json.dumps(example("apartment_sangdo")),
        "TEAM": json.dumps(team),
    }
    proc = subprocess.run(
        ["node", str(WEB / "e2e" / "run.mjs")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=360,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results: dict[str, Any] = json.loads((OUT / "results.json").read_text(encoding="utf-8"))
    (OUT / "metrics.json").write_text(
        json.dumps(
            {
                "first_load_js": results["metrics"]["first_load_js"],
                "time_to_interactive": results["scenarios"]["time_to_interactive"].get("runs"),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return results


def seen(browser: dict[str, Any], name: str) -> dict[str, Any]:
    result: dict[str, Any] = browser["scenarios"][name]
    assert result["ok"], result.get("error")
    return result


def owned_quotes(stack: Api, user: str) -> list[tuple[Any, ...]]:
    """The user's panel quotes (id, request), oldest first (project quotes left out)."""
    return stack.sql(
        "select id::text, request from estimator.quotes where owner = %s "
        "and not request ? 'panels' order by created_at",
        user_id_for(user),
    )


def test_an_estimator_signs_in_locally(browser: dict[str, Any]) -> None:
    assert seen(browser, "sign_in")["user"] == "alice"


def test_the_typed_form_builds_the_sample_apartment_request(browser: dict[str, Any]) -> None:
    typed = seen(browser, "type_request")
    assert typed["copied_row_moved_down"] == "전등/전열"
    assert typed["rows_after_delete"] == 2
    assert typed["downloaded"] == example("apartment_sangdo")


def test_the_preview_shows_what_the_engine_prices(browser: dict[str, Any]) -> None:
    preview = seen(browser, "type_request")["preview"]
    # the shipped catalog was active while the form was typed (the admin's comes later)
    quote = estimate(
        example("apartment_sangdo"), load_catalog(DEFAULT_CATALOG), issued_at=ISSUED_AT
    ).result.model_dump(mode="json")
    assert preview["box_model"] == quote["enclosure"]["box"]["model"]
    assert int(preview["grand_total"]) == quote["totals"]["grand_total"]
    assert preview["proven"].startswith("✓") == quote["phase_balance"]["proven_optimal"]


def test_the_quote_page_shows_the_box_phases_and_totals_the_api_answers(
    browser: dict[str, Any], stack: Api
) -> None:
    page = seen(browser, "issue")
    res = stack.client.get(stack.url(f"quotes/{page['quote_id']}"), headers=stack.headers())
    assert res.status_code == 200
    quote = res.json()
    box = quote["enclosure"]["box"]
    assert page["box_model"] == box["model"]
    assert page["box_size"] == f"{box['w']} × {box['h']} × {box['d']} mm"
    totals_a = quote["phase_balance"]["totals_a"]
    assert page["phases"] == {g: f"{totals_a[g]:g} A" for g in ("R", "S", "T")}
    assert page["totals"] == {k: quote["totals"][k] for k in page["totals"]}
    assert page["verified"] == "true"


def test_a_bad_rating_shows_the_korean_message_at_the_field_and_stores_nothing(
    browser: dict[str, Any], stack: Api
) -> None:
    bad = seen(browser, "bad_rating")
    assert bad["field_message"].startswith("입력값이 올바르지 않습니다.")
    assert bad["issue_code"] == "VALIDATION_FAILED"
    assert bad["url"].endswith("/new")
    ratings = [req["main"]["at"] for _, req in owned_quotes(stack, "alice")]
    assert 9999 not in ratings


def test_a_double_click_issues_one_quote(browser: dict[str, Any], stack: Api) -> None:
    clicked = seen(browser, "double_click")
    assert clicked["project"] == "한빛아파트 102동 세대분전반"
    stored = owned_quotes(stack, "alice")
    projects = [req["customer"]["project"] for _, req in stored]
    assert projects.count("한빛아파트 102동 세대분전반") == 1
    assert [qid for qid, _ in stored][:2] == [
        seen(browser, "issue")["quote_id"],
        clicked["quote_id"],
    ]


def test_a_retry_after_a_lost_answer_reuses_the_key_and_stores_one_quote(
    browser: dict[str, Any], stack: Api
) -> None:
    retry = seen(browser, "retry_after_lost_answer")
    first, second = retry["keys"]
    assert first == second and first.startswith("web-")
    assert retry["replayed"] == [None, "true"]
    stored = owned_quotes(stack, "alice")
    # one quote for this request, the one the retry answered (later scenarios add others)
    same = [
        qid for qid, req in stored if req["customer"]["project"] == "한빛아파트 103동 세대분전반"
    ]
    assert same == [retry["quote_id"]]
    assert seen(browser, "quotes_list")["rows"] == 3


def test_the_quote_list_is_searched_and_filtered_by_the_server(browser: dict[str, Any]) -> None:
    found = seen(browser, "quotes_search")
    assert "한빛아파트 102동 세대분전반" in found["searched"]
    assert found["rejected_rows"] == 0
    assert found["rows_after_clear"] == 3


def test_a_quote_is_copied_into_a_new_request(browser: dict[str, Any]) -> None:
    copied = seen(browser, "copy_into_new_request")
    sample = example("apartment_sangdo")
    assert copied["project"] == "한빛아파트 101동 세대분전반"
    assert copied["main_at"] == str(sample["main"]["at"])


def test_the_project_editor_previews_panels_times_qty_and_names_the_bad_panel(
    browser: dict[str, Any],
) -> None:
    project = seen(browser, "project_editor")
    assert project["field_message"].startswith("입력값이 올바르지 않습니다.")
    assert project["failing_marked"] == 1
    sample = example("apartment_sangdo")
    del sample["customer"]
    body = {
        "project": {"customer": {"name": "한빛건설"}, "name": "한빛타워 신축공사"},
        "panels": [
            {"name": "LP-1", "qty": 3, "request": sample},
            {"name": "LP-2", "qty": 1, "request": sample},
        ],
    }
    priced = estimate_project(body, load_catalog(DEFAULT_CATALOG), issued_at=ISSUED_AT)
    expected = [[p.name, str(p.qty), f"₩{p.unit_total:,}", str(p.amount)] for p in priced.panels]
    assert project["rows"] == expected
    assert int(project["grand_total"]) == priced.totals.grand_total
    assert project["issue_enabled"] is True


def test_a_typed_project_is_issued_once_and_its_quote_page_shows_the_apis_summary(
    browser: dict[str, Any], stack: Api
) -> None:
    page = seen(browser, "project_issue")
    # a double click sends one POST; its answer lost, the retry reuses the key and is replayed
    first, retry = page["keys"]
    assert first == retry and first.startswith("web-")
    assert page["replayed"] == [None, "true"]
    stored = stack.sql(  # its revision R1 is issued later (project_copy_and_revise)
        "select id::text from estimator.quotes where owner = %s and request ? 'panels' "
        "and revision = 0",
        user_id_for("alice"),
    )
    assert stored == [(page["quote_id"],)]
    res = stack.client.get(stack.url(f"quotes/{page['quote_id']}"), headers=stack.headers())
    assert res.status_code == 200
    quote = res.json()
    assert quote["kind"] == "project"
    assert (page["customer"], page["project"]) == ("한빛건설", "한빛타워 신축공사")
    outputs = {e["stage"]: e["url"] for e in quote["evidence"]}
    expected = []
    for i, panel in enumerate(quote["panels"]):
        box = stack.client.get(outputs[f"p{i}_output"]).json()["enclosure"]["box"]
        label = f"{box['model']} ({box['w']} × {box['h']} × {box['d']} mm)"
        expected.append(
            [
                panel["name"],
                str(panel["qty"]),
                label,
                str(panel["unit_total"]),
                str(panel["amount"]),
            ]
        )
    assert [r[0] for r in expected] == ["LP-1", "LP-2"]
    assert page["rows"] == expected
    assert page["totals"] == {k: quote["totals"][k] for k in page["totals"]}
    assert all(n > 0 for n in page["panel_lines"]) and len(page["panel_lines"]) == 2
    assert page["verified"] == "true"


def test_a_project_quote_is_copied_and_revised_in_the_project_editor(
    browser: dict[str, Any],
) -> None:
    done = seen(browser, "project_copy_and_revise")
    assert done["copied"] == ["LP-1", "LP-2"]
    assert done["revising"] == ["3", "1"]
    assert done["issue_label"] == "리비전 발행"


def test_a_project_revision_is_issued_with_the_same_number_and_its_diff_names_the_panel(
    browser: dict[str, Any], stack: Api
) -> None:
    done = seen(browser, "project_copy_and_revise")
    assert done["status"] == 201
    assert done["number"] == done["number_r0"] and done["number"].startswith("Q-")
    assert done["revision"] == "R1"
    assert done["documents"] == "문서 세트 1 · 발행"  # rendered: the rebuild links to R0
    first = seen(browser, "project_issue")["quote_id"]
    listed = stack.client.get(stack.url(f"quotes/{first}/revisions"), headers=stack.headers())
    assert [(r["quote_id"], r["label"]) for r in listed.json()["items"]] == [
        (first, "R0"),
        (done["quote_id"], "R1"),
    ]
    # LP-2 ×1 → ×2: the one panel changed, its qty and amount as the API's diff says
    diff = stack.client.get(
        stack.url(f"quotes/{first}/revisions/R0/diff/R1"), headers=stack.headers()
    ).json()
    (changed,) = diff["panels"]["changed"]
    assert changed["name"] == "LP-2" and changed["qty"] == {"from": 1, "to": 2}
    assert not diff["panels"]["added"] and not diff["panels"]["removed"]
    amount = changed["amount"]
    assert done["panels"] == [
        {
            "kind": "changed",
            "panel": "LP-2",
            "cells": [
                "변경",
                "1 → 2",
                f"₩{amount['from']:,} → ₩{amount['to']:,}",
            ],
        }
    ]
    # the evidence's verify: the chain back to R0, every link ok
    assert done["verified"] == "true"
    assert [(c["revision"], c["ok"]) for c in done["chain"]] == [("R0", "true"), ("R1", "true")]
    assert all("✓ 일치" in c["text"] for c in done["chain"])


def test_another_user_gets_the_404_page_for_the_first_users_quote(
    browser: dict[str, Any],
) -> None:
    assert seen(browser, "other_user_gets_404")["heading"] == "404 · 견적을 찾을 수 없습니다"


def test_a_catalog_admin_imports_and_activates_a_catalog(
    browser: dict[str, Any], stack: Api
) -> None:
    assert CATALOG_LABEL in seen(browser, "catalog_admin_activates")["done"]
    active = stack.client.get(
        stack.url("catalog/versions/active"), headers=stack.headers("ann", app_role="catalog_admin")
    )
    assert active.json()["label"] == CATALOG_LABEL


def test_the_quote_page_downloads_the_xlsx_whose_hash_the_evidence_records(
    browser: dict[str, Any], stack: Api
) -> None:
    docs = seen(browser, "documents")
    assert docs["kinds"] == ["xlsx", "pdf", "svg", "dxf"]
    listed = stack.client.get(
        stack.url(f"quotes/{seen(browser, 'issue')['quote_id']}/documents"),
        headers=stack.headers(),
    ).json()
    xlsx = next(d for d in listed["items"] if d["kind"] == "xlsx")
    assert docs["downloaded_sha256"] == xlsx["sha256"] == docs["listed_sha256"]
    assert docs["evidence_sha256"] == xlsx["sha256"]
    assert docs["evidence_verified"] == "true"
    checked = stack.client.get(
        stack.url(f"quotes/{seen(browser, 'issue')['quote_id']}/evidence"),
        params={"verify": "true"},
        headers=stack.headers(),
    ).json()
    recorded = [d for d in checked["documents"] if d["kind"] == "xlsx"]
    assert [(d["sha256"], d["verified"]) for d in recorded] == [(docs["downloaded_sha256"], True)]


def test_the_creator_cannot_review_and_is_told_why_in_korean(
    browser: dict[str, Any], stack: Api, team: dict[str, Any]
) -> None:
    refused = seen(browser, "creator_cannot_review")
    assert refused["code"] == "FORBIDDEN"
    assert refused["message"].startswith("권한이 없습니다.")
    assert "작성자" in refused["hint"]
    assert refused["status"] == "검토 필요"
    audited = stack.sql(
        "select actor::text from shared.audit_logs where action = 'quote.review' and target = %s",
        f"quote:{team['quote']}",
    )
    assert audited == [(team["ids"]["rita"],)]  # eve's attempt changed nothing


def test_a_reviewer_approves_from_the_queue(
    browser: dict[str, Any], stack: Api, team: dict[str, Any]
) -> None:
    approved = seen(browser, "reviewer_approves")
    assert approved["queue"] == [team["quote"]]
    assert approved["history"] == [["승인함", "검토 완료: 이상 없음"]]
    assert approved["status"] == "승인"
    # after a reload: read back from GET /quotes/{id}/reviews, with the reviewer's e-mail
    assert approved["reloaded"] == [
        ["승인함", "검토 완료: 이상 없음", f"{team['rita']}@local.test", team["ids"]["rita"]]
    ]
    shown = stack.client.get(
        stack.url(f"quotes/{team['quote']}"), headers=stack.headers(team["eve"])
    ).json()
    assert shown["status"] == "approved"
    # the documents: set 1 as issued, then the approval's set 2, named and pickable
    sets = approved["document_sets"]
    docs = stack.client.get(
        stack.url(f"quotes/{team['quote']}/documents"), headers=stack.headers(team["eve"])
    ).json()
    assert [(s["set_no"], s["state"]) for s in docs["sets"]] == [
        (1, "needs_review"),
        (2, "approved"),
    ]
    assert sets["before"] == {
        "set_no": "1",
        "state": "needs_review",
        "text": "문서 세트 1 · 검토 필요",
    }
    assert sets["after"] == {"set_no": "2", "state": "approved", "text": "문서 세트 2 · 승인"}
    assert sets["options"] == ["세트 1 · 검토 필요", "세트 2 · 승인"]
    assert sets["picked"] == sets["before"]
    xlsx = {d["kind"]: d["sha256"] for d in docs["items"]}["xlsx"]
    assert sets["xlsx"]["approved"] == xlsx != sets["xlsx"]["picked"]


def test_a_quote_is_revised_from_its_prefilled_request(browser: dict[str, Any], stack: Api) -> None:
    revised = seen(browser, "revise")
    assert revised["prefilled"] == str(example("apartment_sangdo")["branches"][0]["qty"])
    if revised.get("skipped"):
        # only when the endpoint answered 404/405 (not merged into this build yet)
        print(revised["skipped"])
        pytest.skip(revised["skipped"])
    assert revised["status"] == 201
    assert revised["key"].startswith("web-")
    # R1's documents are rendered (the rebuild links to R0), showing its state
    docs = stack.client.get(
        stack.url(f"quotes/{revised['quote_id']}/documents"), headers=stack.headers()
    ).json()
    state = {"issued": "발행", "needs_review": "검토 필요"}[docs["state"]]
    assert revised["documents"] == f"문서 세트 1 · {state}"
    first = seen(browser, "issue")["quote_id"]
    chain = stack.client.get(stack.url(f"quotes/{first}/revisions"), headers=stack.headers())
    assert [r["quote_id"] for r in chain.json()["items"]] == [first, revised["quote_id"]]
    assert ["branches[0].qty", "12", "14"] in revised["request_changes"]
    diff = stack.client.get(
        stack.url(f"quotes/{first}/revisions/R0/diff/R1"), headers=stack.headers()
    ).json()
    assert revised["grand_total_delta"] == diff["totals_delta"]["grand_total"]


def test_the_diff_between_two_revisions_shows_what_changed(
    browser: dict[str, Any], stack: Api, team: dict[str, Any]
) -> None:
    diff = seen(browser, "revision_diff")
    assert diff["rows"] == 2
    assert diff["title"] == "R0 → R1"
    assert diff["request_changes"] == [
        ["customer.project", "한빛아파트 104동 세대분전반", "한빛아파트 104동 (변경)"]
    ]
    api = stack.client.get(
        stack.url(f"quotes/{team['revised'][0]}/revisions/R0/diff/R1"),
        headers=stack.headers(team["eve"]),
    ).json()
    assert diff["grand_total_delta"] == api["totals_delta"]["grand_total"] == 100
    assert diff["grand_total_text"] == "+₩100"


def test_an_admin_adds_changes_and_removes_a_member(
    browser: dict[str, Any], stack: Api, team: dict[str, Any]
) -> None:
    members = seen(browser, "members_admin")["members"]
    ids = team["ids"]
    assert sorted(members) == sorted(
        [ids[u], role, f"{team[u]}@local.test"]
        for u, role in (("olga", "admin"), ("rita", "reviewer"), ("eve", "estimator"))
    )
    audited = stack.sql(
        "select action from shared.audit_logs where target = %s and detail ->> 'user_id' = %s "
        "order by at",
        f"organisation:{team['organisation']}",
        ids["bo"],
    )
    assert [a for (a,) in audited] == [
        "organisation.member_add",
        "organisation.member_role",
        "organisation.member_remove",
    ]


def test_axe_finds_no_serious_or_critical_violation_on_the_main_pages(
    browser: dict[str, Any],
) -> None:
    assert set(browser["axe"]) == PAGES
    assert all(found["rules_passed"] > 0 for found in browser["axe"].values())
    bad = {
        page: [v for v in found["violations"] if v["impact"] in ("serious", "critical")]
        for page, found in browser["axe"].items()
    }
    assert bad == {page: [] for page in PAGES}


def test_the_first_load_is_under_300_kb_of_gzipped_javascript(browser: dict[str, Any]) -> None:
    first = browser["metrics"]["first_load_js"]
    assert first["files"], "index.html references no script"
    assert first["gzip_bytes"] < 300 * 1024


def test_no_page_raised_an_error_and_every_page_has_a_screenshot(
    browser: dict[str, Any],
) -> None:
    assert browser["errors"] == []
    shots = sorted(p.name for p in OUT.glob("*.png"))
    # the revision diff's screenshot is taken once the revisions POST endpoint is served
    revised = not seen(browser, "revise").get("skipped")
    english = [s for s in shots if s.endswith("-english.png")]
    assert len(english) == 6, english
    assert len(shots) == 33 + revised, shots


def test_a_hosted_deployment_offers_supabase_sign_in_and_no_local_one(
    browser: dict[str, Any],
) -> None:
    form = seen(browser, "supabase_sign_in_form")
    assert form["local_form"] == 0
    assert form["password_field"] == 1 and form["magic_link"] == 1
    # supabase-js is a chunk of the build, loaded only now
    assert len(form["scripts"]) == 2
    assert all(path.startswith("/assets/") for path in form["scripts"])


def test_the_pages_load_nothing_from_another_origin(browser: dict[str, Any], stack: Api) -> None:
    # 127.0.0.1:9 is the unreachable Supabase address of the hosted scenario
    assert set(browser["origins"]) <= {stack.base, "http://127.0.0.1:9"}
