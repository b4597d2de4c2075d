"""Teams: organisations and members, the review of quotes, the revisions of a quote.

The database decides (RLS and the SQL functions of migrations 20261130000600/0700); these
use cases pick the organisation of a request, shape the answers and keep the handlers
thin. Another organisation's quote or organisation is 404, never 403.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from functions._shared.auth import Principal
from functions._shared.errors import ApiError, OrganisationRequired
from functions._shared.ports import CreatedQuote
from functions._shared.usecases.revision_diff import diff, project_diff

ROLES = ("estimator", "reviewer", "admin")
DECISIONS = ("approve", "return")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@runtime_checkable
class TeamStore(Protocol):
    """What the team use cases need from the store (PostgresStore and PostgrestStore
    implement it; tests/contract runs the same assertions on both)."""

    def organisations(self, who: Principal) -> list[dict[str, Any]]: ...
    def create_organisation(self, who: Principal, name: str) -> str: ...
    def members(self, who: Principal, organisation_id: str) -> list[dict[str, Any]] | None: ...
    def member_emails(self, who: Principal, organisation_id: str) -> dict[str, str]: ...
    def user_id_by_email(self, who: Principal, email: str) -> str | None: ...
    def set_member(
        self, who: Principal, organisation_id: str, user_id: str, role: str
    ) -> dict[str, Any]: ...
    def remove_member(self, who: Principal, organisation_id: str, user_id: str) -> bool: ...
    def review_quote(
        self, who: Principal, quote_id: str, decision: str, reason: str
    ) -> dict[str, Any]: ...
    def write_revision(
        self, who: Principal, quote_id: str, payload: dict[str, Any]
    ) -> CreatedQuote: ...
    def review_history(self, who: Principal, quote_id: str) -> list[dict[str, Any]] | None: ...
    def quote_revisions(self, who: Principal, quote_id: str) -> list[dict[str, Any]]: ...
    def quote_revision(self, who: Principal, quote_id: str) -> dict[str, Any] | None: ...


def team_store(store: object) -> TeamStore:
    if not isinstance(store, TeamStore):
        raise ApiError("DEPENDENCY_UNAVAILABLE", "the configured store does not support teams")
    return store


def _uuid(value: str, what: str) -> str:
    """A canonical uuid, else 404 (an id that cannot exist is simply not there)."""
    if not _UUID.match(value):
        raise ApiError("NOT_FOUND", f"{what} not found")
    return value.lower()


def choose_organisation(store: TeamStore, who: Principal, header: str | None) -> str:
    """The organisation of a request: the X-Organisation header (one of the caller's, else
    404), or the caller's only one; 422 ORGANISATION_REQUIRED when they belong to several
    and named none."""
    mine = store.organisations(who)
    if header is not None and header.strip():
        wanted = header.strip().lower()
        if not _UUID.match(wanted) or all(o["id"] != wanted for o in mine):
            raise ApiError("NOT_FOUND", "organisation not found")
        return wanted
    if len(mine) == 1:
        return str(mine[0]["id"])
    if not mine:
        raise ApiError("NOT_FOUND", "the caller belongs to no organisation yet")
    raise OrganisationRequired(
        details=[{"field": "X-Organisation", "organisations": [o["id"] for o in mine]}]
    )


def named_organisation(header: str | None) -> str | None:
    """The organisation an ``X-Organisation`` header names (a canonical uuid, lower case),
    None when it names none; an id that cannot exist is 404, like one the caller is not a
    member of (the database checks membership when the quote is stored)."""
    if header is None or not header.strip():
        return None
    return _uuid(header.strip(), "organisation")


def request_organisation(
    store: object, who: Principal, header: str | None, *, required: bool
) -> str | None:
    """The organisation a list is narrowed to: the X-Organisation header's, or with
    ``required`` (a review queue) the caller's only one; None for every organisation the
    caller belongs to (RLS shows no other), and for a caller who belongs to none yet."""
    named = header is not None and bool(header.strip())
    if not (named or required):
        return None
    teams = team_store(store)
    if not named and not teams.organisations(who):
        return None
    return choose_organisation(teams, who, header)


def list_organisations(store: TeamStore, who: Principal) -> dict[str, Any]:
    return {"items": store.organisations(who)}


def create_organisation(store: TeamStore, who: Principal, body: Any) -> dict[str, Any]:
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ApiError("VALIDATION_FAILED", "name: 1 to 200 characters", [{"field": "name"}])
    org_id = store.create_organisation(who, name.strip())
    return next(o for o in store.organisations(who) if o["id"] == org_id)


def list_members(store: TeamStore, who: Principal, organisation_id: str) -> dict[str, Any]:
    org = _uuid(organisation_id, "organisation")
    rows = store.members(who, org)
    if rows is None:
        raise ApiError("NOT_FOUND", "organisation not found")
    emails = store.member_emails(who, org)
    items = [{**row, "email": emails.get(row["user_id"])} for row in rows]
    return {"organisation_id": org, "items": items}


def _role(body: dict[str, Any]) -> str:
    role = body.get("role")
    if role not in ROLES:
        raise ApiError(
            "VALIDATION_FAILED", "role: estimator, reviewer or admin", [{"field": "role"}]
        )
    return str(role)


def add_member(store: TeamStore, who: Principal, organisation_id: str, body: Any) -> dict[str, Any]:
    """Invite by user id or e-mail (an existing user): an admin of the organisation."""
    org = _uuid(organisation_id, "organisation")
    if not isinstance(body, dict) or set(body) - {"user_id", "email", "role"}:
        raise ApiError("VALIDATION_FAILED", "body: {user_id | email, role}")
    role = _role(body)
    user_id, email = body.get("user_id"), body.get("email")
    if (user_id is None) == (email is None):
        raise ApiError("VALIDATION_FAILED", "name the user by user_id or by email (one of them)")
    if email is not None:
        if not isinstance(email, str) or "@" not in email or len(email) > 320:
            raise ApiError("VALIDATION_FAILED", "email: an e-mail address", [{"field": "email"}])
        if store.members(who, org) is None:
            raise ApiError("NOT_FOUND", "organisation not found")
        user_id = store.user_id_by_email(who, email)
        if user_id is None:
            raise ApiError("NOT_FOUND", "no user has this e-mail address")
    if not isinstance(user_id, str) or not _UUID.match(user_id):
        raise ApiError("VALIDATION_FAILED", "user_id: a uuid", [{"field": "user_id"}])
    return store.set_member(who, org, user_id.lower(), role)


def change_member(
    store: TeamStore, who: Principal, organisation_id: str, user_id: str, body: Any
) -> dict[str, Any]:
    org, user = _uuid(organisation_id, "organisation"), _uuid(user_id, "member")
    if not isinstance(body, dict) or set(body) != {"role"}:
        raise ApiError("VALIDATION_FAILED", "body: {role}")
    if not any(m["user_id"] == user for m in store.members(who, org) or []):
        raise ApiError("NOT_FOUND", "member not found")
    return store.set_member(who, org, user, _role(body))


def remove_member(store: TeamStore, who: Principal, organisation_id: str, user_id: str) -> None:
    org, user = _uuid(organisation_id, "organisation"), _uuid(user_id, "member")
    if not store.remove_member(who, org, user):
        raise ApiError("NOT_FOUND", "member not found")


def review(store: TeamStore, who: Principal, quote_id: str, body: Any) -> dict[str, Any]:
    """approve | return a needs_review quote: a reviewer/admin of its organisation, not its
    creator (403); another organisation's quote 404; a quote not in review 409."""
    quote = _uuid(quote_id, "quote")
    if not isinstance(body, dict) or set(body) - {"decision", "reason"}:
        raise ApiError("VALIDATION_FAILED", "body: {decision, reason}")
    decision, reason = body.get("decision"), body.get("reason", "")
    if decision not in DECISIONS:
        raise ApiError("VALIDATION_FAILED", "decision: approve or return", [{"field": "decision"}])
    if not isinstance(reason, str) or len(reason) > 2000:
        raise ApiError("VALIDATION_FAILED", "reason: up to 2000 characters", [{"field": "reason"}])
    if decision == "return" and not reason.strip():
        raise ApiError(
            "VALIDATION_FAILED", "a returned quote needs a reason", [{"field": "reason"}]
        )
    row = store.review_quote(who, quote, str(decision), reason)
    return {**row, "reviews": store.review_history(who, quote) or []}


def revisions(store: TeamStore, who: Principal, quote_id: str) -> dict[str, Any]:
    rows = store.quote_revisions(who, _uuid(quote_id, "quote"))
    if not rows:
        raise ApiError("NOT_FOUND", "quote not found")
    return {"quote_number": rows[0]["quote_number"], "items": rows}


def _revision_no(label: str) -> int:
    text = label[1:] if label[:1] in ("R", "r") else label
    if not text.isdigit() or len(text) > 6:
        raise ApiError("NOT_FOUND", "revision not found")
    return int(text)


def revision_diff(
    store: TeamStore,
    who: Principal,
    quote_id: str,
    a: str,
    b: str,
    panels: Callable[[str, dict[str, Any]], list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """What changed from revision ``a`` to ``b`` (R0, R1 … or 0, 1 …) of the quote's number.

    Two revisions of a project are compared panel by panel (``project_diff``), each
    panel's output read by ``panels(quote_id, response)``; ``panels`` is null otherwise."""
    chain = {r["revision"]: r for r in revisions(store, who, quote_id)["items"]}
    ra, rb = chain.get(_revision_no(a)), chain.get(_revision_no(b))
    if ra is None or rb is None:
        raise ApiError("NOT_FOUND", "revision not found")
    da = store.quote_revision(who, ra["quote_id"])
    db = store.quote_revision(who, rb["quote_id"])
    if da is None or db is None:
        raise ApiError("NOT_FOUND", "revision not found")
    projects = all(d["response"].get("kind") == "project" for d in (da, db))
    if projects and panels is not None:
        changes = project_diff(
            {**da, "panels": panels(da["quote_id"], da["response"])},
            {**db, "panels": panels(db["quote_id"], db["response"])},
        )
    else:
        changes = {**diff(da, db), "panels": None}
    return {
        "quote_number": ra["quote_number"],
        "from": ra["label"],
        "to": rb["label"],
        **changes,
    }
