"""Helpers every router uses: JSON responses, list paging params, OpenAPI error docs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response

from remixer.api.idempotency import encode
from remixer.services.idempotency import StoredResponse

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(min_length=1, max_length=500)]

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "requestId", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "requestId": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}


def error_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    common = (401, 403, 422, 429, 500, 503)
    return {
        status: {
            "description": "Error envelope (SPEC §3)",
            "content": {"application/json": {"schema": _ERROR_SCHEMA}},
        }
        for status in sorted({*common, *statuses})
    }


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(encode(data), status, headers=headers, media_type="application/json")


def stored(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> StoredResponse:
    return StoredResponse(status, encode(data), headers or {})
