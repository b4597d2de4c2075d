"""What the served OpenAPI document adds to FastAPI's: the estimate request as RULES.md §1
states it, the bearer scheme, the Idempotency-Key header and every route's error answers.

The engine validates requests itself (``estimator_core.request``: schema, then required
fields as ``REQ_MORE_INFO``, then bounds); this schema documents the same contract for
clients and for schemathesis: required fields are required and not nullable, and the
bounds are RULES.md's (200 branch entries, 500 of one entry, 50 accessory items, 100 of
one accessory, ratings and loads up to 1,000 A, texts up to 200 characters).
"""

from __future__ import annotations

import copy
from typing import Any

PUBLIC_PATHS = (
    "/functions/v1/healthz",
    "/functions/v1/readyz",
    "/functions/v1/client-config",  # asked before signing in
    "/functions/v1/dev/token",  # the local sign-in (embedded stack only)
    "/storage/v1/",
)
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
# examples/apartment_sangdo.json: sent as is, it prices (201)
EXAMPLE: dict[str, Any] = {
    "brand": "SANGDO",
    "form": "ECONOMIC",
    "installation": {"location": "INDOOR", "mount": "SURFACE", "material": "STEEL"},
    "device": {"type": "ELB"},
    "main": {"model": "SBE-104", "af": 100, "at": 75, "poles": "4P", "type": "MCCB"},
    "branches": [
        {"at": 20, "poles": "2P", "qty": 12, "label": "전등/전열"},
        {"af": 50, "at": 30, "poles": "4P", "qty": 2, "label": "동력"},
    ],
    "accessories": {"enabled": False, "items": []},
    "customer": {"name": "한빛건설", "project": "한빛아파트 101동 세대분전반"},
}

_TEXT = {"type": "string", "maxLength": 200}
# examples/project_building.json in short: a main panel and a lighting panel ×3
PROJECT_EXAMPLE: dict[str, Any] = {
    "project": {"customer": {"name": "한빛건설"}, "name": "한빛빌딩 신축공사"},
    "panels": [
        {"name": "MDP", "qty": 1, "request": EXAMPLE},
        {
            "name": "LP-1",
            "qty": 3,
            "request": {
                "brand": "SANGDO",
                "main": {"af": 50, "at": 40, "poles": "2P"},
                "branches": [{"at": 20, "poles": "2P", "qty": 8}],
            },
        },
    ],
}
_AMPS = {"type": "integer", "minimum": 1, "maximum": 1000}
_POLES = {
    "description": "2P, 3P or 4P (also 2, 3 or 4)",
    "oneOf": [
        {"type": "string", "enum": ["2P", "3P", "4P", "2p", "3p", "4p"]},
        {"type": "integer", "enum": [2, 3, 4]},
    ],
}
_TYPE = {"type": "string", "enum": ["MCCB", "ELB", "ELCB"]}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(
    properties: dict[str, Any], required: list[str] | None = None, *, nullable: bool = False
) -> dict[str, Any]:
    """An object refusing unknown keys; ``nullable``: its optional keys also take null (as
    the engine reads them: absent)."""
    if nullable:
        properties = {
            k: v if k in (required or []) else _nullable(v) for k, v in properties.items()
        }
    out: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if required:
        out["required"] = required
    return out


ESTIMATE_REQUEST: dict[str, Any] = _obj(
    {
        "brand": {"type": "string", "enum": ["SANGDO", "LS", "MIXED"]},
        "form": {"type": "string", "enum": ["ECONOMIC", "STANDARD"]},
        "installation": _obj(
            {
                "location": {"type": "string", "enum": ["INDOOR", "OUTDOOR"]},
                "mount": {
                    "type": "string",
                    "enum": ["SURFACE", "WALL", "FLUSH", "STANDALONE", "POLE"],
                    "description": "WALL is accepted as SURFACE; POLE is outdoor only",
                },
                "material": {"type": "string", "enum": ["STEEL", "SUS"]},
            }
        ),
        "device": _obj({"type": _TYPE}),
        "main": _obj(
            {"model": _TEXT, "af": _AMPS, "at": _AMPS, "poles": _POLES, "type": _TYPE},
            ["poles"],
            nullable=True,
        ),
        "branches": {
            "type": "array",
            "minItems": 1,
            "maxItems": 200,
            "items": _obj(
                {
                    "model": _TEXT,
                    "af": _AMPS,
                    "at": _AMPS,
                    "poles": _POLES,
                    "qty": {"type": "integer", "minimum": 1, "maximum": 500},
                    "type": _TYPE,
                    "load_a": {"type": "number", "minimum": 0, "maximum": 1000},
                    "phase": {
                        "type": "string",
                        "enum": ["R", "S", "T", "L1", "L2", "L3", "RS", "ST", "TR"],
                    },
                    "label": _TEXT,
                },
                ["at", "poles", "qty"],
                nullable=True,
            ),
        },
        "accessories": _obj(
            {
                "enabled": _nullable({"type": "boolean"}),
                "items": {
                    "type": "array",
                    "maxItems": 50,
                    "items": _obj(
                        {
                            "kind": {
                                "type": "string",
                                "enum": [
                                    "magnet",
                                    "timer_24h",
                                    "sunset_timer",
                                    "meter_1ph",
                                    "meter_3ph",
                                    "meter_ct",
                                    "spd",
                                    "pbl",
                                ],
                            },
                            "model": _TEXT,
                            "qty": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                        ["kind", "qty"],
                        nullable=True,
                    ),
                },
            }
        ),
        "options": _obj(
            {
                "allow_mixed_brand": {"type": "boolean"},
                "p_cover": {"type": "string", "enum": ["ACRYLIC", "STEEL"]},
            }
        ),
        "customer": _nullable(
            _obj(
                {"name": _TEXT, "project": _TEXT, "project_number": _TEXT, "contact": _TEXT},
                ["name", "project"],
                nullable=True,
            )
        ),
    },
    ["brand", "main", "branches"],
)
ESTIMATE_REQUEST["description"] = (
    "A panel request (RULES.md §1). The engine also refuses combinations no schema can "
    "express (an unknown model: NEED_KNOWLEDGE_UPDATE; brand conflicts; …), each a 422 "
    "with its code."
)

_NAME = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}
# A project (issue 11): its panels, each ×qty, priced in one quote (estimator_core.project).
PROJECT_REQUEST: dict[str, Any] = _obj(
    {
        "project": _obj(
            {
                "customer": _obj({"name": _NAME, "contact": _TEXT}, ["name"], nullable=True),
                "name": _NAME,
                "number": _TEXT,
            },
            ["customer", "name"],
            nullable=True,
        ),
        "panels": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "description": "panel names are unique in the project",
            "items": _obj(
                {
                    "name": {**_NAME, "maxLength": 50},
                    "qty": {"type": "integer", "minimum": 1, "maximum": 999},
                    "request": {"$ref": "#/components/schemas/EstimateRequest"},
                },
                ["name", "qty", "request"],
            ),
        },
        "pricing": _nullable(_TEXT),
    },
    ["project", "panels"],
)
PROJECT_REQUEST["description"] = (
    "A project: 1 to 100 panels, each a panel request ×qty (1 to 999), in one quote with one "
    "number. A failing panel fails the project: every failing panel is named in one 422 "
    "(details[].loc = panels.{i}.request.…, details[].panel = its name) and nothing is stored."
)
PROJECT_REQUEST["example"] = PROJECT_EXAMPLE
# POST /estimate takes either (a project is told apart by its ``panels``).
ESTIMATE_BODY = {
    "oneOf": [
        {"$ref": "#/components/schemas/EstimateRequest"},
        {"$ref": "#/components/schemas/ProjectRequest"},
    ]
}

# Object paths as the local store accepts them: relative, segments of a safe alphabet,
# never "." or ".." (functions._shared.blobs.check_path).
OBJECT_PATH_PATTERN = (
    r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*(?:/[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)*$"
)

# Printable ASCII, 1..255 characters, no leading or trailing space (stored as given).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~](?:[ -~]{0,253}[!-~])?$"
IDEMPOTENCY_KEY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": IDEMPOTENCY_KEY_PATTERN,
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def complete(doc: dict[str, Any]) -> dict[str, Any]:
    """Add the request schema, security scheme, header and error answers to ``doc``."""
    doc = copy.deepcopy(doc)
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["EstimateRequest"] = ESTIMATE_REQUEST
    components["schemas"]["ProjectRequest"] = PROJECT_REQUEST
    components["securitySchemes"] = {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Supabase Auth access token (aud authenticated)",
        }
    }
    for path, operations in doc.get("paths", {}).items():
        for method, op in operations.items():
            if not isinstance(op, dict) or method not in ("get", "post", "put", "delete"):
                continue
            responses = op.setdefault("responses", {})
            if not path.startswith(PUBLIC_PATHS):
                op["security"] = [{"bearerAuth": []}]
                responses.setdefault("401", _error("missing, malformed or expired bearer token"))
                responses.setdefault("403", _error("the token's role or claims do not allow this"))
            for status, response in responses.items():
                if status.startswith("4") or (status == "503" and "/readyz" not in path):
                    # every error answers the one error shape (422 included)
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
            for param in op.get("parameters", []):
                if param.get("in") == "path" and path.startswith("/storage/v1/"):
                    param["schema"] = {"type": "string", "pattern": OBJECT_PATH_PATTERN}
    estimate = doc.get("paths", {}).get("/functions/v1/estimate", {}).get("post")
    if estimate is not None:
        body = estimate["requestBody"]["content"]["application/json"]
        body["schema"] = ESTIMATE_BODY
        body["example"] = EXAMPLE  # a panel; ProjectRequest carries a project's
        for param in estimate.get("parameters", []):
            if param.get("in") == "header" and param.get("name") == "Idempotency-Key":
                param["required"] = True
                param["schema"] = IDEMPOTENCY_KEY_SCHEMA
                param["description"] = (
                    "Same key and body replay the stored quote (Idempotent-Replayed: true)"
                )
    return doc
