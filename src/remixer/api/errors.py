"""The one code → HTTP status table and the SPEC §3 envelope for every non-2xx response."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from remixer.domain.errors import ErrorCode, RemixerError

log = logging.getLogger("remixer.api")

STATUS: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION: 422,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN_SCOPE: 403,
    ErrorCode.KILL_SWITCH: 503,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.CONFLICT: 409,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.INFLUENCER_REQUIRED: 422,
    ErrorCode.INVALID_TIKTOK_ID: 422,
    ErrorCode.ACCOUNT_NOT_WIRED: 422,
    ErrorCode.NO_CONTENT_LAYER_WIRED: 422,
    ErrorCode.INFLUENCER_NOT_WIRED: 422,
    ErrorCode.BILLING_EXHAUSTED: 402,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL: 500,
}


def request_id_of(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def envelope(
    request_id: str,
    code: ErrorCode,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {
        "error": {
            "code": code.value,
            "message": message,
            "requestId": request_id,
            "details": details or {},
        }
    }
    return Response(
        content=json.dumps(body, separators=(",", ":")),
        status_code=STATUS[code],
        media_type="application/json",
        headers=headers,
    )


def _issues(exc: RequestValidationError) -> list[dict[str, str]]:
    issues = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        issues.append({"path": ".".join(loc), "message": str(err.get("msg", "invalid"))})
    return issues


async def _on_remixer_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RemixerError)
    return envelope(request_id_of(request), exc.code, exc.message, exc.details, exc.headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return envelope(
        request_id_of(request),
        ErrorCode.VALIDATION,
        "The request is invalid.",
        {"issues": _issues(exc)},
    )


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        return envelope(
            request_id_of(request),
            ErrorCode.METHOD_NOT_ALLOWED,
            f"{request.method} is not allowed on this route.",
            headers=dict(exc.headers or {}),
        )
    if exc.status_code == 404:
        return envelope(request_id_of(request), ErrorCode.NOT_FOUND, "Route not found.")
    code = ErrorCode.VALIDATION if exc.status_code < 500 else ErrorCode.INTERNAL
    return envelope(request_id_of(request), code, "The request could not be processed.")


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    rid = request_id_of(request)
    log.exception("unhandled error", extra={"request_id": rid})
    from remixer.api.middleware import context_headers

    return envelope(
        rid,
        ErrorCode.INTERNAL,
        "An unexpected error occurred.",
        headers=context_headers(request.scope),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RemixerError, _on_remixer_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
