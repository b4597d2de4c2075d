"""Teams over HTTP: two organisations with members; sharing inside, 404 across; review by a
reviewer (refused for the creator and an estimator); the review queue; members managed by
an admin; the revisions of a quote."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest

from functions.dev import user_id_for
from tests.conftest import example
from tests.e2e.conftest import Api, set_profile


def _names() -> dict[str, str]:
    """Fresh user names per test: the session's database is shared by every test."""
    tag = uuid.uuid4().hex[:8]
    return {r: f"{r}-{tag}" for r in ("ann", "rita", "eve", "ed", "bill", "bo")}


def _org(api: Api, admin: str, name: str) -> str:
    res = api.client.post(api.url("organisations"), json={"name": name}, headers=api.headers(admin))
    assert res.status_code == 201, res.text
    assert res.json()["role"] == "admin"
    return str(res.json()["id"])


def _add(api: Api, admin: str, org: str, user: str, role: str) -> dict[str, Any]:
    api.token(user)  # the user exists (auth.users)
    res = api.client.post(
        api.url(f"organisations/{org}/members"),
        json={"email": f"{user}@local.test", "role": role},
        headers=api.headers(admin),
    )
    assert res.status_code == 201, res.text
    return dict(res.json())


@pytest.fixture
def teams(api: Api) -> dict[str, Any]:
    if api.mode != "local":
        pytest.skip("team fixtures write auth.users directly (embedded stack only)")
    n = _names()
    acme = _org(api, n["ann"], "ACME")
    _add(api, n["ann"], acme, n["rita"], "reviewer")
    _add(api, n["ann"], acme, n["eve"], "estimator")
    _add(api, n["ann"], acme, n["ed"], "estimator")
    beta = _org(api, n["bill"], "BETA")
    _add(api, n["bill"], beta, n["bo"], "estimator")
    res = api.client.post(
        api.url("estimate"),
        json=example("apartment_sangdo"),
        headers=api.headers(n["eve"], f"k-{uuid.uuid4()}"),
    )
    assert res.status_code == 201, res.text
    return {**n, "acme": acme, "beta": beta, "quote": res.json()["quote_id"]}


def test_members_share_quotes_and_other_organisations_get_404(
    api: Api, teams: dict[str, Any]
) -> None:
    q = teams["quote"]
    for user in ("ann", "rita", "ed"):
        assert (
            api.client.get(api.url(f"quotes/{q}"), headers=api.headers(teams[user])).status_code
            == 200
        )
    for user in ("bill", "bo"):
        h = api.headers(teams[user])
        assert api.client.get(api.url(f"quotes/{q}"), headers=h).status_code == 404
        assert api.client.get(api.url(f"quotes/{q}/evidence"), headers=h).status_code == 404
        assert api.client.get(api.url(f"quotes/{q}/revisions"), headers=h).status_code == 404
        assert q not in {
            i["quote_id"] for i in api.client.get(api.url("quotes"), headers=h).json()["items"]
        }
    assert api.sql("select organisation_id::text from estimator.quotes where id = %s", q) == [
        (teams["acme"],)
    ]


def test_review_by_a_reviewer_not_by_the_creator_or_an_estimator(
    api: Api, teams: dict[str, Any]
) -> None:
    q = teams["quote"]
    approve = {"decision": "approve", "reason": "ok"}

    def review(user: str, body: dict[str, Any] = approve) -> Any:
        return api.client.post(
            api.url(f"quotes/{q}/review"), json=body, headers=api.headers(teams[user])
        )

    assert review("rita").status_code == 409  # issued: not in review
    api.sql("update estimator.quotes set status = 'needs_review' where id = %s returning id", q)

    queue = api.client.get(
        api.url("quotes"), params={"status": "needs_review"}, headers=api.headers(teams["rita"])
    )
    assert queue.status_code == 200, queue.text
    assert [i["quote_id"] for i in queue.json()["items"]] == [q]
    other = api.client.get(
        api.url("quotes"), params={"status": "needs_review"}, headers=api.headers(teams["bill"])
    )
    assert other.json()["items"] == []

    assert review("eve").status_code == 403  # the creator
    assert review("ed").status_code == 403  # an estimator
    assert review("bill").status_code == 404  # another organisation
    assert review("rita", {"decision": "return", "reason": " "}).status_code == 422
    done = review("rita")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "approved"
    assert [(r["decision"], r["reason"]) for r in done.json()["reviews"]] == [("approve", "ok")]
    assert review("ann").status_code == 409  # approved already
    shown = api.client.get(api.url(f"quotes/{q}"), headers=api.headers(teams["ed"])).json()
    assert shown["status"] == "approved"
    queue = api.client.get(
        api.url("quotes"), params={"status": "needs_review"}, headers=api.headers(teams["rita"])
    )
    assert queue.json()["items"] == []
    audited = api.sql(
        "select actor::text, detail ->> 'decision' from shared.audit_logs "
        "where action = 'quote.review' and target = %s",
        f"quote:{q}",
    )
    assert audited == [(user_id_for(teams["rita"]), "approve")]


def test_the_organisation_of_a_request_is_chosen_by_header(api: Api, teams: dict[str, Any]) -> None:
    bo = teams["bo"]
    both = _add(api, teams["ann"], teams["acme"], bo, "reviewer")
    assert both["role"] == "reviewer"
    ambiguous = api.client.get(
        api.url("quotes"), params={"status": "needs_review"}, headers=api.headers(bo)
    )
    assert ambiguous.status_code == 422
    assert ambiguous.json()["error"]["code"] == "ORGANISATION_REQUIRED"
    for org in (teams["acme"], teams["beta"]):
        h = {**api.headers(bo), "X-Organisation": org}
        assert (
            api.client.get(
                api.url("quotes"), params={"status": "needs_review"}, headers=h
            ).status_code
            == 200
        )
    foreign = {**api.headers(teams["bill"]), "X-Organisation": teams["acme"]}
    assert (
        api.client.get(
            api.url("quotes"), params={"status": "needs_review"}, headers=foreign
        ).status_code
        == 404
    )


def test_a_new_quote_is_filed_under_the_organisation_the_header_names(
    api: Api, teams: dict[str, Any]
) -> None:
    bo, body = teams["bo"], example("apartment_sangdo")
    _add(api, teams["ann"], teams["acme"], bo, "estimator")  # BETA and ACME, no personal one

    def post(key: str, org: str | None) -> Any:
        h = api.headers(bo, key) | ({"X-Organisation": org} if org is not None else {})
        return api.client.post(api.url("estimate"), json=body, headers=h)

    unnamed = post(f"k-{uuid.uuid4()}", None)
    assert unnamed.status_code == 422, unnamed.text
    assert unnamed.json()["error"]["code"] == "ORGANISATION_REQUIRED"
    other = _org(api, teams["bill"], "GAMMA")  # bo is not a member
    for org in (other, "not-a-uuid", str(uuid.uuid4())):
        refused = post(f"k-{uuid.uuid4()}", org)
        assert refused.status_code == 404, (org, refused.text)
        assert refused.json()["error"]["code"] == "NOT_FOUND"
    key = f"k-{uuid.uuid4()}"
    filed = post(key, teams["acme"].upper())  # any case of the id
    assert filed.status_code == 201, filed.text
    q = filed.json()["quote_id"]
    assert api.sql("select organisation_id::text from estimator.quotes where id = %s", q) == [
        (teams["acme"],)
    ]
    replayed = post(key, teams["acme"])
    assert replayed.status_code == 201
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.json()["quote_id"] == q
    # ACME's members read it, BETA's admin does not
    for user, status in (("rita", 200), ("bill", 404)):
        got = api.client.get(api.url(f"quotes/{q}"), headers=api.headers(teams[user]))
        assert got.status_code == status
    in_beta = post(f"k-{uuid.uuid4()}", teams["beta"])
    assert in_beta.status_code == 201, in_beta.text
    assert api.sql(
        "select organisation_id::text from estimator.quotes where id = %s",
        in_beta.json()["quote_id"],
    ) == [(teams["beta"],)]


def test_members_are_managed_by_admins_only(api: Api, teams: dict[str, Any]) -> None:
    acme = teams["acme"]
    ed = user_id_for(teams["ed"])
    listed = api.client.get(
        api.url(f"organisations/{acme}/members"), headers=api.headers(teams["eve"])
    )
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 4
    assert (
        api.client.get(
            api.url(f"organisations/{acme}/members"), headers=api.headers(teams["bill"])
        ).status_code
        == 404
    )
    as_rita = api.client.put(
        api.url(f"organisations/{acme}/members/{ed}"),
        json={"role": "admin"},
        headers=api.headers(teams["rita"]),
    )
    assert as_rita.status_code == 403
    promoted = api.client.put(
        api.url(f"organisations/{acme}/members/{ed}"),
        json={"role": "reviewer"},
        headers=api.headers(teams["ann"]),
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "reviewer"
    ann = user_id_for(teams["ann"])
    last = api.client.delete(
        api.url(f"organisations/{acme}/members/{ann}"), headers=api.headers(teams["ann"])
    )
    assert last.status_code == 409  # the last admin stays
    removed = api.client.delete(
        api.url(f"organisations/{acme}/members/{ed}"), headers=api.headers(teams["ann"])
    )
    assert removed.status_code == 204
    q = teams["quote"]
    assert (
        api.client.get(api.url(f"quotes/{q}"), headers=api.headers(teams["ed"])).status_code == 404
    )
    actions = api.sql(
        "select action from shared.audit_logs where target = %s order by at, id",
        f"organisation:{acme}",
    )
    assert [a for (a,) in actions][-2:] == [
        "organisation.member_role",
        "organisation.member_remove",
    ]
    mine = api.client.get(api.url("organisations"), headers=api.headers(teams["eve"])).json()[
        "items"
    ]
    assert [(o["id"], o["role"]) for o in mine] == [(acme, "estimator")]


def test_revisions_of_a_quote_share_its_number(api: Api, teams: dict[str, Any]) -> None:
    q = teams["quote"]
    revise = (
        "select estimator.create_revision(q.id, jsonb_build_object("
        "'idempotency_key', %s::text, 'status', 'issued',"
        "'request', q.request || '{\"note\": \"R1\"}',"
        "'response', jsonb_set(q.response, '{totals,grand_total}',"
        "  to_jsonb((q.response -> 'totals' ->> 'grand_total')::bigint + 100)),"
        "'request_sha256', q.request_sha256, 'catalog_version_id', q.catalog_version_id,"
        "'catalog_label', q.catalog_label, 'catalog_sha256', q.catalog_sha256,"
        "'subtotal', q.subtotal, 'vat', q.vat, 'grand_total', q.grand_total,"
        "'evidence_root_sha256', q.evidence_root_sha256), %s)::text "
        "from estimator.quotes q where q.id = %s"
    )
    ((r1,),) = api.sql(revise, "rev-1", user_id_for(teams["eve"]), q)
    again = api.sql(revise, "rev-1", user_id_for(teams["eve"]), q)
    assert again == [(r1,)]  # the same key and request: the stored revision
    res = api.client.get(api.url(f"quotes/{q}/revisions"), headers=api.headers(teams["rita"]))
    assert res.status_code == 200, res.text
    items = res.json()["items"]
    assert [(i["quote_id"], i["label"], i["previous_quote_id"]) for i in items] == [
        (q, "R0", None),
        (r1, "R1", q),
    ]
    assert len({i["quote_number"] for i in items}) == 1
    by_number = api.client.get(
        api.url(f"quotes/{items[0]['quote_number']}"), headers=api.headers(teams["ed"])
    )
    assert by_number.status_code == 200
    d = api.client.get(
        api.url(f"quotes/{r1}/revisions/R0/diff/R1"), headers=api.headers(teams["ed"])
    )
    assert d.status_code == 200, d.text
    assert d.json()["request"] == [{"path": "note", "from": None, "to": "R1"}]
    assert d.json()["totals_delta"]["grand_total"] == 100
    assert d.json()["lines"] == {"added": [], "removed": [], "changed": []}
    for bad in ("R0/diff/R7", "x/diff/R1"):
        missing = api.client.get(
            api.url(f"quotes/{q}/revisions/{bad}"), headers=api.headers(teams["ed"])
        )
        assert missing.status_code == 404
    foreign = api.client.get(
        api.url(f"quotes/{q}/revisions/0/diff/1"), headers=api.headers(teams["bo"])
    )
    assert foreign.status_code == 404
    with pytest.raises(Exception, match="newer revision"):
        api.sql(revise, "rev-2", user_id_for(teams["eve"]), q)  # only the latest is revised


def test_a_teammate_renders_and_reads_the_documents_another_organisation_cannot(
    api: Api, teams: dict[str, Any]
) -> None:
    set_profile(api, f"(주)팀전기 {uuid.uuid4().hex[:6]}")
    q = teams["quote"]
    # ed did not create the quote: asking first, he renders and records its documents
    res = api.client.get(api.url(f"quotes/{q}/documents"), headers=api.headers(teams["ed"]))
    assert res.status_code == 200, res.text
    kinds = {i["kind"] for i in res.json()["items"]}
    assert {"xlsx", "pdf", "svg", "dxf"} <= kinds
    again = api.client.get(api.url(f"quotes/{q}/documents"), headers=api.headers(teams["eve"]))
    assert [i["sha256"] for i in again.json()["items"]] == [
        i["sha256"] for i in res.json()["items"]
    ]
    for user in ("bill", "bo"):
        h = api.headers(teams[user])
        assert api.client.get(api.url(f"quotes/{q}/documents"), headers=h).status_code == 404
        assert api.client.get(api.url(f"quotes/{q}/documents/pdf"), headers=h).status_code == 404


def _in_review(api: Api, q: str) -> None:
    api.sql("update estimator.quotes set status = 'needs_review' where id = %s returning id", q)


def _docs(api: Api, user: str, q: str, **params: Any) -> Any:
    return api.client.get(
        api.url(f"quotes/{q}/documents"), params=params, headers=api.headers(user)
    )


def test_an_approval_renders_the_documents_again_as_a_new_set_and_keeps_the_old(
    api: Api, teams: dict[str, Any]
) -> None:
    set_profile(api, f"(주)승인전기 {uuid.uuid4().hex[:6]}")
    q = teams["quote"]
    _in_review(api, q)
    first = _docs(api, teams["eve"], q)
    assert first.status_code == 200, first.text
    assert (first.json()["set_no"], first.json()["state"]) == (1, "needs_review")
    set1 = {i["filename"]: i["sha256"] for i in first.json()["items"]}

    done = api.client.post(
        api.url(f"quotes/{q}/review"),
        json={"decision": "approve", "reason": "ok"},
        headers=api.headers(teams["rita"]),
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["document_set"]) == ("approved", 2)
    assert done.json()["reviews"][0]["reviewer_email"] == f"{teams['rita']}@local.test"

    latest = _docs(api, teams["ed"], q)
    assert latest.status_code == 200, latest.text
    body = latest.json()
    assert (body["set_no"], body["state"]) == (2, "approved")
    assert body["sets"] == [
        {"set_no": 1, "state": "needs_review"},
        {"set_no": 2, "state": "approved"},
    ]
    set2 = {i["filename"]: i["sha256"] for i in body["items"]}
    assert set(set2) == set(set1) == {"quote.xlsx", "quote.pdf", "drawing.svg", "drawing.dxf"}
    assert all(set2[name] != set1[name] for name in set1), "every file shows the approval"
    svg = api.client.get(next(i["url"] for i in body["items"] if i["kind"] == "svg"))
    assert "승인 APPROVED" in svg.text and f"{teams['rita']}@local.test" in svg.text

    # set 1 is kept: listed and downloadable by number, and every set verifies
    old = _docs(api, teams["ann"], q, set=1)
    assert old.status_code == 200, old.text
    assert old.json()["set_no"] == 1
    assert {i["filename"]: i["sha256"] for i in old.json()["items"]} == set1
    pdf = next(i for i in old.json()["items"] if i["kind"] == "pdf")
    got = api.client.get(pdf["url"])
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == pdf["sha256"]
    assert _docs(api, teams["ann"], q, set=3).status_code == 404
    redirect = api.client.get(
        api.url(f"quotes/{q}/documents/pdf"), params={"set": 1}, headers=api.headers(teams["ed"])
    )
    assert redirect.status_code == 307 and pdf["sha256"] in redirect.headers["location"]
    checked = api.client.get(
        api.url(f"quotes/{q}/evidence"), params={"verify": "true"}, headers=api.headers(teams["ed"])
    ).json()
    assert sorted({d["set_no"] for d in checked["documents"]}) == [1, 2]
    assert len(checked["documents"]) == 8 and checked["verified"] is True
    # asked again, nothing more is rendered
    assert _docs(api, teams["eve"], q).json()["sets"] == body["sets"]
    assert _docs(api, teams["bill"], q, set=1).status_code == 404


def test_an_approval_stands_when_its_documents_fail_and_the_next_request_renders_them(
    api: Api, teams: dict[str, Any]
) -> None:
    if api.storage_dir is None:
        pytest.skip("breaking the document store needs the local blob store")
    set_profile(api, f"(주)승인전기 {uuid.uuid4().hex[:6]}")
    q = teams["quote"]
    _in_review(api, q)
    first = _docs(api, teams["eve"], q)
    assert first.status_code == 200, first.text
    quote_dir = api.storage_dir / "documents" / "quote" / q  # the quote's documents
    quote_dir.rename(quote_dir.with_name(f"{q}.kept"))
    quote_dir.write_bytes(b"not a directory")  # the next documents cannot be stored
    try:
        done = api.client.post(
            api.url(f"quotes/{q}/review"),
            json={"decision": "approve", "reason": "ok"},
            headers=api.headers(teams["rita"]),
        )
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["document_set"]) == ("approved", None)
        assert api.sql("select status from estimator.quotes where id = %s", q) == [("approved",)]
        assert _docs(api, teams["ed"], q).status_code == 503  # still cannot store
    finally:
        quote_dir.unlink()
        quote_dir.with_name(f"{q}.kept").rename(quote_dir)
    latest = _docs(api, teams["ed"], q)
    assert latest.status_code == 200, latest.text
    assert (latest.json()["set_no"], latest.json()["state"]) == (2, "approved")


def test_members_read_the_review_history_and_other_organisations_get_404(
    api: Api, teams: dict[str, Any]
) -> None:
    q = teams["quote"]

    def history(user: str, quote: str = q) -> Any:
        return api.client.get(api.url(f"quotes/{quote}/reviews"), headers=api.headers(teams[user]))

    assert history("eve").json() == {"reviews": []}
    for decision, reason in (("return", "차단기 용량 확인"), ("approve", "ok")):
        api.sql("update estimator.quotes set status = 'needs_review' where id = %s returning id", q)
        res = api.client.post(
            api.url(f"quotes/{q}/review"),
            json={"decision": decision, "reason": reason},
            headers=api.headers(teams["rita"]),
        )
        assert res.status_code == 200, res.text
    for user in ("eve", "ed", "ann"):
        res = history(user)
        assert res.status_code == 200, res.text
        reviews = res.json()["reviews"]
        assert [
            (r["decision"], r["reason"], r["reviewer_id"], r["reviewer_email"]) for r in reviews
        ] == [
            (
                "return",
                "차단기 용량 확인",
                user_id_for(teams["rita"]),
                f"{teams['rita']}@local.test",
            ),
            ("approve", "ok", user_id_for(teams["rita"]), f"{teams['rita']}@local.test"),
        ]
        assert reviews[0]["created_at"] <= reviews[1]["created_at"]
    for user in ("bill", "bo"):
        assert history(user).status_code == 404
    assert history("eve", str(uuid.uuid4())).status_code == 404
    assert history("eve", "not-a-quote").status_code == 404
    anonymous = api.client.get(api.url(f"quotes/{q}/reviews"))
    assert anonymous.status_code == 401


def test_the_members_list_names_each_members_email(api: Api, teams: dict[str, Any]) -> None:
    listed = api.client.get(
        api.url(f"organisations/{teams['acme']}/members"), headers=api.headers(teams["eve"])
    )
    assert listed.status_code == 200, listed.text
    assert sorted((m["user_id"], m["email"]) for m in listed.json()["items"]) == sorted(
        (user_id_for(teams[u]), f"{teams[u]}@local.test") for u in ("ann", "rita", "eve", "ed")
    )
