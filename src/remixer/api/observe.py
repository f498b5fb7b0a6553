"""Per-request observability: the log context of the request, one access line, metrics.

Sits inside `RequestContextMiddleware` (so the request id exists) and around the router
(so `scope["route"]` names the matched route template once the app has routed).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from remixer.api.middleware import ASGIApp, Message, Receive, Scope, Send
from remixer.domain.keys import parse_key
from remixer.observability.logs import enter_request, get_logger, leave_request, route_of
from remixer.observability.metrics import observe_request

_access = get_logger("remixer.access")
_access_std = logging.getLogger("remixer.access")
_KEY_ORGS: dict[str, str | None] = {}
_KEY_ORGS_MAX = 10_000


def organization_of(scope: Scope) -> str | None:
    """The caller's organization: set by the auth dependency, or (video-remix, which
    authenticates inside its accept unit) from the key id, one lookup per key per process."""
    state = scope.setdefault("state", {})
    org: str | None = state.get("organization_id")
    if org is not None:
        return org
    header = next((v for k, v in scope.get("headers", ()) if k == b"authorization"), None)
    if header is None:
        return None
    parsed = parse_key(header.decode("latin-1").partition(" ")[2].strip())
    if parsed is None:
        return None
    if parsed.key_id not in _KEY_ORGS:
        if len(_KEY_ORGS) >= _KEY_ORGS_MAX:
            _KEY_ORGS.clear()
        components: Any = scope["app"].state.components
        record = components.key_lookup(parsed.key_id)
        _KEY_ORGS[parsed.key_id] = record.organization_id if record is not None else None
    org = _KEY_ORGS[parsed.key_id]
    state["organization_id"] = org
    return org


class ObserveMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = enter_request(scope)
        started = time.perf_counter()
        status = 0

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                observe_request(
                    route_of(scope), scope["method"], status, time.perf_counter() - started
                )
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            if status == 0:  # no response started: the outer error handler answers 500
                status = 500
                elapsed = time.perf_counter() - started
                observe_request(route_of(scope), scope["method"], 500, elapsed)
            if _access_std.isEnabledFor(logging.INFO):
                self._log(scope, status, started)
            leave_request(token)

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        if status not in (401, 503):
            try:
                organization_of(scope)
            except Exception:  # noqa: BLE001 - a log field must never fail a request
                _access_std.debug("organization lookup failed", exc_info=True)
        _access.info(
            "request",
            method=scope["method"],
            path=scope["path"],
            status=status,
            durationMs=round((time.perf_counter() - started) * 1000, 2),
        )
