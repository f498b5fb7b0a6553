"""The OpenAPI document a partner generates a client from.

FastAPI builds the operations from the routes' decorators (response models, error docs,
request bodies); this module finishes the document: request-body schemas the routes
reference, id patterns on every path parameter (SPEC §1), the shared paging parameters,
the bearer scheme, and stable operation ids (the handler names).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from remixer.api.schemas import requests, webhooks

UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ULID = "[0-9A-HJKMNP-TV-Z]{26}"
ID_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "projectId": ("prj", UUID, "prj_6f1c2a0e-3b7d-4f0a-9a51-2c8e7d4b1f20"),
    "containerId": ("cnt", UUID, "cnt_9b2e4d61-7a3c-4e58-b0f2-5d1a6c3e8f47"),
    "influencerId": ("inf", UUID, "inf_3d8a1f52-6c4b-4e97-a2d0-7f5b9e1c6a38"),
    "accountId": ("sa", UUID, "sa_8c1f3e27-5b9d-4a06-9e4c-2d7a0b5f8c13"),
    "layerId": ("lyr", UUID, "lyr_5e7c2b90-1d4a-4f63-8b2e-9a0c3d6f1e75"),
    "keyId": ("key", UUID, "key_7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
    "jobId": ("job", ULID, "job_01HXA1NHKJZXPV8R7Q6WSM5BCD"),
    "endpointId": ("whk", ULID, "whk_01HXA1NHKJZXPV8R7Q6WSM5BCE"),
    "deliveryId": ("dlv", ULID, "dlv_01HXA1NHKJZXPV8R7Q6WSM5BCF"),
}
REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    requests.ProjectCreate,
    requests.ProjectUpdate,
    requests.SocialAccountCreate,
    requests.SocialAccountUpdate,
    requests.LayerCreate,
    requests.LayerUpdate,
    requests.InfluencerCreate,
    requests.InfluencerUpdate,
    requests.VideoRemixBody,
    webhooks.WebhookEndpointCreate,
    webhooks.WebhookEndpointUpdate,
)
SHARED_PARAMETERS: dict[str, dict[str, Any]] = {
    "Limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Page size.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    },
    "Cursor": {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": "The `nextCursor` of the previous page (opaque).",
        "schema": {"type": "string", "minLength": 1, "maxLength": 500},
    },
}


def operation_id(route: APIRoute) -> str:
    """The handler's name (`video_remix`, `get_job`): what generated clients call."""
    return route.name


def id_pattern(name: str) -> str | None:
    """The documented pattern of a path id parameter (bare UUIDs allowed, SPEC §1)."""
    if name not in ID_PARAMETERS:
        return None
    prefix, body, _ = ID_PARAMETERS[name]
    return f"^({prefix}_)?{body}$" if body == UUID else f"^{prefix}_{body}$"


def _path_parameter(param: dict[str, Any]) -> None:
    pattern = id_pattern(param["name"])
    if pattern is None:
        return
    prefix, _, example = ID_PARAMETERS[param["name"]]
    param["schema"] = {"type": "string", "pattern": pattern}
    param["example"] = example
    param.setdefault("description", f"A `{prefix}_` id; a 422 VALIDATION error if malformed.")


def _shared_parameter(param: dict[str, Any]) -> dict[str, Any]:
    if param.get("in") != "query":
        return param
    if param["name"] == "cursor":
        return {"$ref": "#/components/parameters/Cursor"}
    if param["name"] == "limit" and param.get("schema", {}).get("maximum") == 100:
        return {"$ref": "#/components/parameters/Limit"}
    return param


def _reference_body(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """An inline request schema that is a registered model becomes a reference to it."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    title = content.get("schema", {}).get("title")
    if title in schemas and "$ref" not in content["schema"]:
        content["schema"] = {"$ref": f"#/components/schemas/{title}"}


def _request_schemas() -> dict[str, Any]:
    _, top = models_json_schema(
        [(m, "validation") for m in REQUEST_MODELS], ref_template="#/components/schemas/{model}"
    )
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


def finish_document(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, definition in _request_schemas().items():
        schemas.setdefault(name, definition)
    components["parameters"] = SHARED_PARAMETERS
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "lp_<env>_<keyid>_<secret>"}
    }
    schema["security"] = [{"bearer": []}]
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            _reference_body(operation, schemas)
            params = operation.get("parameters", [])
            for param in params:
                if param.get("in") == "path":
                    _path_parameter(param)
            if params:
                operation["parameters"] = [_shared_parameter(p) for p in params]
    text = json.dumps(schema)
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{unused}" not in text:
            schemas.pop(unused, None)
    return schema


def build_document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            routes=app.routes,
            description=app.description,
            tags=app.openapi_tags,
        )
        app.openapi_schema = finish_document(schema)
    return app.openapi_schema
