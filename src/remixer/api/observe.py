"""Per-request observability: the log context of the request, one access line, metrics.

Sits inside `RequestContextMiddleware` (so the request id exists) and around the router
(so `scope["route"]` names the matched route template once the app has routed).
"""

from __future__ import annotations

import time

from remixer.api.middleware import ASGIApp, Message, Receive, Scope, Send
from remixer.observability.logs import enter_request, get_logger, leave_request, route_of
from remixer.observability.metrics import observe_request

_access = get_logger("remixer.access")


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
                observe_request(
                    route_of(scope), scope["method"], 500, time.perf_counter() - started
                )
            _access.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                durationMs=round((time.perf_counter() - started) * 1000, 2),
            )
            leave_request(token)
