"""Request bodies as the services see them: bytes and a declared content type."""

from __future__ import annotations

import json
from typing import Any

from remixer.domain.errors import ErrorCode, RemixerError


def decode_json_body(raw: bytes, content_type: str) -> Any:
    """The JSON document of a request body: empty → VALIDATION, not JSON → 415 / VALIDATION."""
    if not raw:
        raise RemixerError(
            ErrorCode.VALIDATION,
            "A JSON body is required.",
            {"issues": [{"path": "body", "message": "required"}]},
        )
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise RemixerError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RemixerError(
            ErrorCode.VALIDATION,
            "The body is not valid JSON.",
            {"issues": [{"path": "body", "message": "invalid JSON"}]},
        ) from exc
