"""The store's implementation of the accept port (`services.ports.AcceptUnitOfWork`).

An accept runs as one unit of the group-commit `TransactionBatcher`: accepts that arrive
together share one transaction and one commit (docs/api-performance.md). Reads are
the Core statements of `store.hotpath`; the reservation, container and job are pooled
in `AcceptWrites` and written with one executemany per table before the commit. The
only write made at once is the idempotency record, in a savepoint, so that a concurrent
transaction that stored the same key first is found before anything else is done.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from remixer.domain.jobs import KIND_CONTENT_GENERATE
from remixer.store import hotpath
from remixer.store.batching import TransactionBatcher
from remixer.store.hotpath import IdempotencyRow, RemixRead
from remixer.store.uow import UnitOfWork, uow_on

T = TypeVar("T")


class KeyTakenError(Exception):
    """Another transaction stored this idempotency scope key first."""


@dataclass(frozen=True)
class NewRemix:
    """The rows of an accepted remix, as the accept service decided them."""

    job_id: str
    container_id: str
    organization_id: str
    project_id: str
    tiktok_id: str
    influencer_id: str
    project_layer_id: str | None
    voice: str
    language: str
    sandbox: bool
    brand: dict[str, Any]
    credits_reserved: int
    started_at: datetime


class RecordedResponse(Protocol):
    """What an idempotency record keeps of a response (opaque to the store)."""

    @property
    def status_code(self) -> int: ...
    @property
    def body(self) -> bytes: ...
    @property
    def headers(self) -> dict[str, str]: ...


class BatchedAcceptUnitOfWork:
    """One accept inside a batcher transaction on `conn`."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._writes = hotpath.batch_writes(conn)

    def remix_read(
        self, org_id: str, project_id: str, influencer_id: str | None, tiktok_id: str
    ) -> RemixRead | None:
        return hotpath.remix_read(self._conn, org_id, project_id, influencer_id, tiktok_id)

    def wiring(self) -> UnitOfWork:
        """An ORM unit of work in a savepoint of this transaction, for the wiring chain."""
        return uow_on(self._conn)

    def idempotency_record(self, scope_key: str) -> IdempotencyRow | None:
        return hotpath.idempotency_row(self._conn, scope_key)

    def forget_idempotency(self, scope_key: str) -> None:
        hotpath.delete_idempotency(self._conn, scope_key)

    def store_response(
        self,
        scope_key: str,
        body_hash: str,
        response: RecordedResponse,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        """Insert the completed record; `KeyTakenError` when another transaction has it."""
        values = {
            "scope_key": scope_key,
            "body_hash": body_hash,
            "state": "completed",
            "status_code": response.status_code,
            "response_body": response.body,
            "response_headers": json.dumps(response.headers),
            "created_at": created_at,
            "expires_at": expires_at,
        }
        savepoint = self._conn.begin_nested()
        try:
            hotpath.insert_idempotency(self._conn, values)
        except IntegrityError as exc:
            savepoint.rollback()
            raise KeyTakenError(scope_key) from exc
        savepoint.commit()

    def running_jobs(self, org_id: str) -> int:
        return self._writes.running_jobs(self._conn, org_id)

    def running_sandbox_jobs(self, org_id: str) -> int:
        return self._writes.running_sandbox_jobs(self._conn, org_id)

    def available_credits(self, org_id: str) -> int:
        return self._writes.available(self._conn, org_id)

    def reserve_credits(self, org_id: str, credits: int, remaining: int) -> None:
        self._writes.reserve(org_id, credits, remaining)

    def add_remix(self, remix: NewRemix) -> None:
        self._writes.add(*_rows(remix))


def _rows(remix: NewRemix) -> tuple[dict[str, Any], dict[str, Any]]:
    container: dict[str, Any] = {
        "id": remix.container_id,
        "organization_id": remix.organization_id,
        "project_id": remix.project_id,
        "source_tiktok_id": remix.tiktok_id,
        "influencer_id": remix.influencer_id,
        "project_layer_id": remix.project_layer_id,
        "voice": remix.voice,
        "language": remix.language,
        "sandbox": remix.sandbox,
        "overlays": [],
        "assets": [],
        "created_at": remix.started_at,
        "updated_at": remix.started_at,
    }
    job: dict[str, Any] = {
        "id": remix.job_id,
        "organization_id": remix.organization_id,
        "project_id": remix.project_id,
        "kind": KIND_CONTENT_GENERATE,
        "container_id": remix.container_id,
        "influencer_id": remix.influencer_id,
        "credits_reserved": remix.credits_reserved,
        "params": {
            "tiktokVideoId": remix.tiktok_id,
            "influencerId": remix.influencer_id,
            "voice": remix.voice,
            "language": remix.language,
            "brand": remix.brand,
            "sandbox": remix.sandbox,
            "projectLayerId": remix.project_layer_id,
        },
        "started_at": remix.started_at,
        "updated_at": remix.started_at,
    }
    return container, job


class BatchedAccepts:
    """Runs accepts as units of the group-commit batcher (the port's `AcceptRunner`).

    A unit must return its refusals rather than raise them: an exception rolls back the
    whole batch (which then retries each unit alone)."""

    def __init__(self, batcher: TransactionBatcher) -> None:
        self._batcher = batcher

    async def run(self, work: Callable[[BatchedAcceptUnitOfWork], T]) -> T:
        return await self._batcher.run(lambda conn: work(BatchedAcceptUnitOfWork(conn)))

    def close(self) -> None:
        self._batcher.close()
