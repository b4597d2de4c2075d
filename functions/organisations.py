"""/functions/v1/organisations: the caller's organisations and, for admins, their members.

Members are invited by user id or e-mail (an existing user), their role changed or removed
by an admin of the organisation (audited in the database). Another organisation is 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from functions._shared.auth import Principal
from functions._shared.body import read_json
from functions._shared.http import principal
from functions._shared.models import error_responses
from functions._shared.services import Services, services
from functions._shared.team_models import Member, MemberList, Organisation, OrganisationList
from functions._shared.usecases import teams

router = APIRouter(tags=["teams"])


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_ROLE = {"type": "string", "enum": list(teams.ROLES)}


@router.get(
    "/organisations",
    response_model=OrganisationList,
    responses=error_responses(401, 503),
    summary="The caller's organisations and role in each",
)
def list_organisations(
    who: Principal = Depends(principal), svc: Services = Depends(services)
) -> dict[str, Any]:
    return teams.list_organisations(teams.team_store(svc.store), who)


@router.post(
    "/organisations",
    status_code=201,
    response_model=Organisation,
    responses=error_responses(400, 401, 413, 415, 422, 503),
    summary="Create an organisation (the caller becomes its admin)",
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}},
        }
    ),
)
async def create_organisation(
    request: Request, who: Principal = Depends(principal), svc: Services = Depends(services)
) -> dict[str, Any]:
    body = await read_json(request)
    return teams.create_organisation(teams.team_store(svc.store), who, body)


@router.get(
    "/organisations/{organisation_id}/members",
    response_model=MemberList,
    responses=error_responses(401, 404, 503),
    summary="Members of one of the caller's organisations",
)
def list_members(
    organisation_id: str, who: Principal = Depends(principal), svc: Services = Depends(services)
) -> dict[str, Any]:
    return teams.list_members(teams.team_store(svc.store), who, organisation_id)


@router.post(
    "/organisations/{organisation_id}/members",
    status_code=201,
    response_model=Member,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    summary="Add a member by user id or e-mail (admins)",
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["role"],
            "properties": {
                "user_id": {"type": "string", "format": "uuid"},
                "email": {"type": "string", "format": "email"},
                "role": _ROLE,
            },
        }
    ),
)
async def add_member(
    organisation_id: str,
    request: Request,
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    body = await read_json(request)
    return teams.add_member(teams.team_store(svc.store), who, organisation_id, body)


@router.put(
    "/organisations/{organisation_id}/members/{user_id}",
    response_model=Member,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    summary="Change a member's role (admins; the last admin stays)",
    openapi_extra=_body({"type": "object", "required": ["role"], "properties": {"role": _ROLE}}),
)
async def change_member(
    organisation_id: str,
    user_id: str,
    request: Request,
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    body = await read_json(request)
    return teams.change_member(teams.team_store(svc.store), who, organisation_id, user_id, body)


@router.delete(
    "/organisations/{organisation_id}/members/{user_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 409, 503),
    summary="Remove a member (admins; the last admin stays)",
)
def remove_member(
    organisation_id: str,
    user_id: str,
    who: Principal = Depends(principal),
    svc: Services = Depends(services),
) -> Response:
    teams.remove_member(teams.team_store(svc.store), who, organisation_id, user_id)
    return Response(status_code=204)
