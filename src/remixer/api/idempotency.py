"""Idempotency-Key glue for routes: claim before work, replay stored responses byte-for-byte."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

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


@dataclass(frozen=True)
class IdempotencyInput:
    key: str | None
    body_hash: str
    method: str
    route: str

    def begin(
        self, uow_factory: UnitOfWorkFactory, api_key_id: str, path_ids: list[str]
    ) -> StoredResponse | Claim | None:
        if self.key is None:
            return None
        key = idempotency.validate_key(self.key)
        scope = idempotency.scope_key_for(api_key_id, self.method, self.route, path_ids, key)
        return idempotency.begin(uow_factory, scope, self.body_hash)

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
    route = getattr(request.scope.get("route"), "path", request.url.path)
    body = await request.body()
    return IdempotencyInput(
        key=request.headers.get("idempotency-key"),
        body_hash=idempotency.canonical_body_hash(body),
        method=request.method,
        route=str(route),
    )


Idem = Annotated[IdempotencyInput, Depends(idempotency_input)]
