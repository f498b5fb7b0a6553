"""Stable error codes (SPEC §3) and the one exception type that carries them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    VALIDATION = "VALIDATION"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN_SCOPE = "FORBIDDEN_SCOPE"
    KILL_SWITCH = "KILL_SWITCH"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    INFLUENCER_REQUIRED = "INFLUENCER_REQUIRED"
    INVALID_TIKTOK_ID = "INVALID_TIKTOK_ID"
    ACCOUNT_NOT_WIRED = "ACCOUNT_NOT_WIRED"
    NO_CONTENT_LAYER_WIRED = "NO_CONTENT_LAYER_WIRED"
    INFLUENCER_NOT_WIRED = "INFLUENCER_NOT_WIRED"
    BILLING_EXHAUSTED = "BILLING_EXHAUSTED"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL = "INTERNAL"


class RemixerError(Exception):
    """A failure with a stable code; the API turns it into the SPEC §3 envelope."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}
        self.headers: dict[str, str] = headers or {}


def not_found(what: str) -> RemixerError:
    return RemixerError(ErrorCode.NOT_FOUND, f"{what} not found.")


def validation(path: str, message: str) -> RemixerError:
    return RemixerError(
        ErrorCode.VALIDATION,
        "The request is invalid.",
        {"issues": [{"path": path, "message": message}]},
    )


def conflict(subcode: str, message: str) -> RemixerError:
    return RemixerError(ErrorCode.CONFLICT, message, {"subcode": subcode})
