"""Pure-ASGI middleware: request ids, rate-limit headers on every response, body size limits."""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
from typing import Any

from remixer.domain.ids import new_ulid_id

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]


def context_headers(scope: Scope) -> dict[str, str]:
    state = scope.get("state", {})
    headers = {"X-Request-Id": str(state.get("request_id", ""))}
    headers.update(state.get("rate_headers", {}))
    return headers


def _too_large(request_id: str, limit: int) -> tuple[dict[str, Any], bytes]:
    body = {
        "error": {
            "code": "PAYLOAD_TOO_LARGE",
            "message": "The request body is too large.",
            "requestId": request_id,
            "details": {"limit": limit},
        }
    }
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"x-request-id", request_id.encode())],
    }
    return start, json.dumps(body, separators=(",", ":")).encode()


class BodyTooLargeError(Exception):
    pass


class RequestContextMiddleware:
    """Adds `X-Request-Id` and the rate-limit headers, and enforces body size limits."""

    def __init__(
        self,
        app: ASGIApp,
        body_limit: Callable[[str], int],
        fallback_rate: Callable[[Scope], dict[str, str]],
    ) -> None:
        self.app = app
        self.body_limit = body_limit
        self.fallback_rate = fallback_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_ulid_id("req")
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        limit = self.body_limit(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            start, body = _too_large(request_id, limit)
            await self._sender(scope, send)(start)
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, _limited(receive, limit), self._sender(scope, send))

    def _sender(self, scope: Scope, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = scope["state"]
                if "rate_headers" not in state:
                    state["rate_headers"] = self.fallback_rate(scope)
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in context_headers(scope).items():
                    if key.lower().encode() not in present:
                        headers.append((key.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        return wrapped


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message: Message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLargeError()
        return message

    return wrapped
