"""Property-based API tests from the served OpenAPI document (schemathesis, bounded).

No generated request may produce a 5xx, every response must match its documented
schema, and every protected operation refuses a call without a token.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.e2e.conftest import Api

PUBLIC = {
    "/functions/v1/healthz",
    "/functions/v1/readyz",
    "/storage/v1/object/sign/{bucket}/{path}",
    # what the web client reads before anyone signs in, and the embedded stack's sign-in
    "/functions/v1/client-config",
    "/functions/v1/dev/token",
}


@pytest.fixture(scope="session")
def api_schema(api: Api) -> Any:
    schema = schemathesis.openapi.from_url(api.url("openapi.json"))
    schema.config.update(base_url=api.base)
    # a body over MAX_BODY_BYTES is refused with 413 before it is parsed: a rejection too
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_fail_the_server_and_match_the_schema(case: Any, api: Api) -> None:
    # the Idempotency-Key is the generated one (a negative case may carry an invalid key,
    # or none): the schema declares it required, with its pattern
    headers = api.headers("fuzzer")
    # A request body the schema admits may still be refused by the engine or the catalog
    # lifecycle on purpose (an unknown model is NEED_KNOWLEDGE_UPDATE, a label not found is
    # 404, a company profile's 사업자등록번호 check digit …: 422/409 by design), so for POST
    # and PUT "schema-valid means accepted" does not hold; for every read it does, and
    # every other check holds everywhere.
    writes = ("POST", "PUT")
    excluded = [schemathesis.checks.positive_data_acceptance] if case.method in writes else []
    case.call_and_validate(headers=headers, excluded_checks=excluded)


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_calls_without_a_token_are_refused(case: Any, api: Api) -> None:
    if case.path in PUBLIC or case.method.upper() != case.operation.method.upper():
        return  # public, or a probe with an undeclared method (405 is right there)
    response = case.call(headers={"Idempotency-Key": f"fuzz-{uuid.uuid4()}"})
    assert response.status_code == 401, (case.method, case.path, response.status_code)
