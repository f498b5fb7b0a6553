"""Idempotency-Key glue for routes: claim before work, replay stored responses byte-for-byte.

The dependency reads nothing: the body is hashed inside `run`, which routes call after
their auth, scope, rate and path checks, so an unauthenticated request never has its
body read (SPEC §2 before §4; docs/security.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from anyio import from_thread
from fastapi import Depends, Request
from fastapi.responses import Response

from remixer.services import idempotency
from remixer.services.idempotency import Claim, StoredResponse
from remixer.store.uow import UnitOfWorkFactory


def encode(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def to_response(stored: StoredResponse, replayed: bool = False) -> Response:
    headers = dict(stored.headers)
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        stored.body,
        stored.status_code,
        headers=headers,
        media_type="application/json" if stored.body else None,
    )


@dataclass
class IdempotencyInput:
    """The key, route and (lazily) the body hash of one request.

    `body_hash` is either given (uploads hash their spooled file) or computed on first
    use from `request`, reading the body from the worker thread the route runs on.
    """

    key: str | None
    method: str
    route: str
    request: Request | None = None
    given_hash: str | None = None
    _hash: str | None = field(default=None, repr=False)

    @property
    def body_hash(self) -> str:
        if self._hash is None:
            self._hash = self.given_hash or idempotency.canonical_body_hash(self._read_body())
        return self._hash

    def _read_body(self) -> bytes:
        if self.request is None:
            return b""
        return from_thread.run(self.request.body)

    def begin(
        self, uow_factory: UnitOfWorkFactory, api_key_id: str, path_ids: list[str]
    ) -> StoredResponse | Claim | None:
        if self.key is None:
            return None
        key = idempotency.validate_key(self.key)
        body_hash = self.body_hash
        scope = idempotency.scope_key_for(api_key_id, self.method, self.route, path_ids, key)
        return idempotency.begin(uow_factory, scope, body_hash)

    def run(
        self,
        uow_factory: UnitOfWorkFactory,
        api_key_id: str,
        path_ids: list[str],
        work: Callable[[], StoredResponse],
    ) -> Response:
        """Claim the key (or replay/conflict), do the work, store a 2xx response."""
        started = self.begin(uow_factory, api_key_id, path_ids)
        if isinstance(started, StoredResponse):
            return to_response(started, replayed=True)
        try:
            result = work()
        except BaseException:
            if started is not None:
                idempotency.abandon(uow_factory, started)
            raise
        if started is not None:
            if 200 <= result.status_code < 300:
                idempotency.finish(uow_factory, started, result)
            else:
                idempotency.abandon(uow_factory, started)
        return to_response(result)


async def idempotency_input(request: Request) -> IdempotencyInput:
    """The request's idempotency input; reads no body (that happens after the checks)."""
    route = getattr(request.scope.get("route"), "path", request.url.path)
    return IdempotencyInput(
        key=request.headers.get("idempotency-key"),
        method=request.method,
        route=str(route),
        request=request,
    )


Idem = Annotated[IdempotencyInput, Depends(idempotency_input)]
