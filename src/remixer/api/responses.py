"""Helpers every router uses: JSON responses, list paging params, OpenAPI error and body docs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel

from remixer.api.errors import STATUS
from remixer.api.idempotency import encode
from remixer.api.schemas.responses import ErrorEnvelope
from remixer.domain.errors import ErrorCode
from remixer.services.idempotency import StoredResponse

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(min_length=1, max_length=500)]

COMMON_ERRORS = (401, 403, 422, 429, 500, 503)
CODES_BY_STATUS: dict[int, tuple[ErrorCode, ...]] = {
    401: (ErrorCode.UNAUTHENTICATED,),
    402: (ErrorCode.BILLING_EXHAUSTED,),
    403: (ErrorCode.FORBIDDEN_SCOPE,),
    404: (ErrorCode.NOT_FOUND,),
    405: (ErrorCode.METHOD_NOT_ALLOWED,),
    409: (ErrorCode.CONFLICT, ErrorCode.IDEMPOTENCY_CONFLICT),
    413: (ErrorCode.PAYLOAD_TOO_LARGE,),
    415: (ErrorCode.UNSUPPORTED_MEDIA_TYPE,),
    422: (ErrorCode.VALIDATION,),
    429: (ErrorCode.RATE_LIMITED,),
    500: (ErrorCode.INTERNAL,),
    503: (ErrorCode.KILL_SWITCH,),
}


def _error_example(code: ErrorCode) -> dict[str, Any]:
    return {
        "value": {
            "error": {
                "code": code.value,
                "message": "…",
                "requestId": "req_01HXA1NHKJZXPV8R7Q6WSM5BCE",
                "details": {},
            }
        }
    }


def error_docs(*statuses: int, codes: Iterable[ErrorCode] = ()) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for the error statuses a route can answer: the shared envelope,
    and the codes each status carries (`codes` adds route-specific ones to their status)."""
    extra = list(codes)
    docs: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*COMMON_ERRORS, *statuses, *(STATUS[c] for c in extra)}):
        listed = [*CODES_BY_STATUS.get(status, ()), *(c for c in extra if STATUS[c] == status)]
        docs[status] = {
            "model": ErrorEnvelope,
            "description": "Error envelope (SPEC §3): " + ", ".join(c.value for c in listed),
            "content": {
                "application/json": {"examples": {c.value: _error_example(c) for c in listed}}
            },
            "x-error-codes": [c.value for c in listed],
        }
    return docs


def body_docs(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that parses `model` itself (after its auth checks)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }


UPLOAD_DOCS: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(encode(data), status, headers=headers, media_type="application/json")


def stored(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> StoredResponse:
    return StoredResponse(status, encode(data), headers or {})
