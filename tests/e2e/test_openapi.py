"""The served OpenAPI document tells the truth about the contract (RULES.md §1, the
headers, the security scheme and the error shape)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Api

ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
PUBLIC = (
    "/functions/v1/healthz",
    "/functions/v1/readyz",
    "/functions/v1/client-config",  # the web client asks it before signing in
    "/functions/v1/dev/token",  # the local sign-in, embedded stack only
    "/storage/v1/",
)


@pytest.fixture(scope="module")
def doc(api: Api) -> dict[str, Any]:
    res = api.client.get(api.url("openapi.json"))
    assert res.status_code == 200
    body: dict[str, Any] = res.json()
    return body


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "delete")
    ]


def test_the_idempotency_key_is_a_required_printable_header(doc: dict[str, Any]) -> None:
    params = doc["paths"]["/functions/v1/estimate"]["post"]["parameters"]
    (key,) = [p for p in params if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header" and key["required"] is True
    assert key["schema"]["maxLength"] == 255 and key["schema"]["pattern"].startswith("^[!-~]")


def test_a_bearer_scheme_guards_every_protected_operation(doc: dict[str, Any]) -> None:
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, op in operations(doc):
        if path.startswith(PUBLIC) or path.endswith(("openapi.json", "/docs")):
            assert "security" not in op, (method, path)
        else:
            assert op["security"] == [{"bearerAuth": []}], (method, path)
            assert "401" in op["responses"], (method, path)


def test_every_error_answer_is_documented_with_the_error_shape(doc: dict[str, Any]) -> None:
    assert set(doc["components"]["schemas"]["ErrorResponse"]["properties"]) == {"error"}
    for path, method, op in operations(doc):
        for status, response in op["responses"].items():
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == ERROR_REF, (method, path, status)
    estimate = doc["paths"]["/functions/v1/estimate"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "415", "422", "503"} <= set(estimate)


def plain(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional field's schema without its ``null`` alternative."""
    inner: dict[str, Any] = schema["anyOf"][0] if "anyOf" in schema else schema
    return inner


def test_the_request_schema_has_the_bounds_of_the_rules(doc: dict[str, Any]) -> None:
    request = doc["components"]["schemas"]["EstimateRequest"]
    props = request["properties"]
    assert set(request["required"]) == {"brand", "main", "branches"}
    assert "WALL" in props["installation"]["properties"]["mount"]["enum"]
    assert "ELCB" in props["device"]["properties"]["type"]["enum"]
    branches = props["branches"]
    assert (branches["minItems"], branches["maxItems"]) == (1, 200)
    branch = branches["items"]["properties"]
    assert branch["qty"]["maximum"] == 500 and branch["at"]["maximum"] == 1000
    assert plain(branch["load_a"])["maximum"] == 1000
    assert plain(branch["label"])["maxLength"] == 200
    accessories = props["accessories"]["properties"]["items"]
    assert accessories["maxItems"] == 50
    assert plain(accessories["items"]["properties"]["qty"])["maximum"] == 100
    customer = plain(props["customer"])  # the customer block is optional (null)
    for schema in (request, branches["items"], props["main"], customer):
        assert schema["additionalProperties"] is False
        for name in schema.get("required", []):  # required means present and not null
            field = schema["properties"][name]
            assert "anyOf" not in field and field.get("type") != "null", name


def test_the_request_example_succeeds_when_sent(api: Api, doc: dict[str, Any]) -> None:
    body = doc["paths"]["/functions/v1/estimate"]["post"]["requestBody"]
    example = body["content"]["application/json"]["example"]
    res = api.client.post(
        api.url("estimate"), json=example, headers=api.headers("example", f"k-{uuid.uuid4()}")
    )
    assert res.status_code == 201, res.text[:300]


def test_the_project_example_succeeds_when_sent(api: Api, doc: dict[str, Any]) -> None:
    example = doc["components"]["schemas"]["ProjectRequest"]["example"]
    res = api.client.post(
        api.url("estimate"), json=example, headers=api.headers("example", f"k-{uuid.uuid4()}")
    )
    assert res.status_code == 201, res.text[:300]
    assert res.json()["kind"] == "project"


def test_the_storage_path_is_constrained(doc: dict[str, Any]) -> None:
    params = doc["paths"]["/storage/v1/object/sign/{bucket}/{path}"]["get"]["parameters"]
    path = next(p for p in params if p["name"] == "path")
    assert "pattern" in path["schema"]


def _open_maps(doc: dict[str, Any], name: str) -> list[str]:
    """Where a schema (and every schema it refers to) admits arbitrary keys without an
    example: Swagger UI shows those as ``additionalProp1``."""
    schemas = doc["components"]["schemas"]
    found: list[str] = []
    seen = {name}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, x in enumerate(node):
                walk(x, f"{where}[{i}]")
        if not isinstance(node, dict):
            return
        ref = node.get("$ref", "").rsplit("/", 1)[-1]
        if ref and ref not in seen:
            seen.add(ref)
            walk(schemas[ref], ref)
        extra = node.get("additionalProperties")
        if extra not in (None, False) and not ({"example", "examples"} & node.keys()):
            found.append(where)
        for key, value in node.items():
            walk(value, f"{where}.{key}")

    walk(schemas[name], name)
    return found


@pytest.mark.parametrize("name", ["EstimateResponse", "PreviewResponse"])
def test_a_quote_answer_is_typed_to_the_last_key(doc: dict[str, Any], name: str) -> None:
    assert _open_maps(doc, name) == []
    lines = doc["components"]["schemas"]["ResultLine"]
    assert {"section", "qty", "amount", "refs"} <= lines["properties"].keys()
