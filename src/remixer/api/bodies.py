"""JSON request bodies: content type, size, encoding and depth checks, then the model.

Bodies are validated by pydantic-core straight from the bytes (`model_validate_json`):
its parser is faster than `json.loads` plus a validation pass and it bounds nesting, so
no body, however deep or badly encoded, raises anything but `422 VALIDATION` (the
size limit, `413`, is the request middleware's). Routes call these only after
authentication, scope and rate limit (and the path and project checks, where a route has
them), so a bad key always wins over a bad body.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from remixer.domain.errors import ErrorCode, RemixerError
from remixer.services.bodies import BodyError, loads_bounded

M = TypeVar("M", bound=BaseModel)
JSON_TYPE = "application/json"


def _invalid(issues: list[dict[str, str]]) -> RemixerError:
    return RemixerError(ErrorCode.VALIDATION, "The request body is invalid.", {"issues": issues})


def check_json_body(raw: bytes, content_type: str) -> None:
    """Empty → VALIDATION; declared as anything but JSON → 415 UNSUPPORTED_MEDIA_TYPE."""
    if not raw:
        raise RemixerError(
            ErrorCode.VALIDATION,
            "A JSON body is required.",
            {"issues": [{"path": "body", "message": "required"}]},
        )
    if content_type.split(";")[0].strip().lower() != JSON_TYPE:
        raise RemixerError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.")


def issues_of(exc: ValidationError) -> list[dict[str, str]]:
    """`{path, message}` per problem; a body that is not JSON at all is one `body` issue."""
    issues = []
    for error in exc.errors(include_url=False, include_input=False):
        if error["type"] == "json_invalid":
            reason = str(error.get("ctx", {}).get("error", "")) or "invalid JSON"
            return [{"path": "body", "message": f"invalid JSON: {reason}"}]
        path = ".".join(["body", *(str(p) for p in error["loc"])])
        issues.append({"path": path, "message": error["msg"]})
    return issues


def parse_json_model(model: type[M], raw: bytes, content_type: str) -> M:
    """The body as `model`, or `VALIDATION` / `415` (never anything else)."""
    check_json_body(raw, content_type)
    if b"\\u" in raw:
        # An escape is the only way JSON spells NUL or a lone surrogate, which pydantic
        # accepts and a database or an encoder refuses later: check such bodies in full.
        try:
            loads_bounded(raw)
        except BodyError as exc:
            raise _invalid([{"path": "body", "message": exc.reason}]) from None
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise _invalid(issues_of(exc)) from None
    except (ValueError, RecursionError) as exc:  # defensive: the parser bounds depth itself
        raise _invalid([{"path": "body", "message": f"invalid JSON: {exc}"}]) from None
