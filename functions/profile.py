"""GET and PUT /functions/v1/company-profile: the company profile that heads every document.

Everyone signed in reads it; only an admin (``app_metadata.role = catalog_admin`` or the
service role) changes it. A change is checked by the engine's ``CompanyProfile`` (a
malformed 사업자등록번호 or an oversized logo is 422 naming the field), stored as a new
row (the newest is current; quotes record the one they were issued with) and audited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from estimator_core import CompanyProfile, parse_company_profile, sha256_hex
from functions._shared.auth import Principal
from functions._shared.body import read_json
from functions._shared.errors import DependencyUnavailable
from functions._shared.http import principal
from functions._shared.models import CompanyProfileOut, error_responses
from functions._shared.ports import ProfileStore, StoredProfile
from functions._shared.services import Services, services
from functions.catalog import admin

router = APIRouter(tags=["company"])


def _out(stored: StoredProfile) -> dict[str, Any]:
    return {
        "id": stored.id,
        "sha256": stored.sha256,
        "profile": stored.content,
        "created_at": stored.created_at,
    }


@router.get(
    "/company-profile",
    response_model=CompanyProfileOut,
    responses=error_responses(401, 503),
    summary="The current company profile (all null until an admin sets one)",
)
def get_profile(
    who: Principal = Depends(principal), svc: Services = Depends(services)
) -> dict[str, Any]:
    stored = svc.store.company_profile(who)
    if stored is None:  # not set yet (an admin sets it with PUT): a state, not an error
        return {"id": None, "sha256": None, "profile": None, "created_at": None}
    return _out(stored)


async def _profile_body(request: Request, _: Principal = Depends(admin)) -> CompanyProfile:
    return parse_company_profile(await read_json(request))


@router.put(
    "/company-profile",
    response_model=CompanyProfileOut,
    responses=error_responses(400, 401, 403, 413, 415, 422, 503),
    summary="Set the company profile (admins)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": CompanyProfile.model_json_schema(
                        ref_template="#/components/schemas/{model}"
                    )
                }
            },
        }
    },
)
def put_profile(
    who: Principal = Depends(admin),
    profile: CompanyProfile = Depends(_profile_body),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    store = svc.store
    if not isinstance(store, ProfileStore):
        raise DependencyUnavailable.because(
            "the configured store cannot change the company profile"
        )
    content = profile.model_dump(mode="json")
    return _out(store.save_company_profile(who, content, sha256_hex(content)))
