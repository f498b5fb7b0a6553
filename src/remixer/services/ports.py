"""Ports the services depend on, implemented by adapters wired in `remixer.bootstrap`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from remixer.store.accepts import NewRemix, RecordedResponse
from remixer.store.hotpath import IdempotencyRow, RemixRead
from remixer.store.uow import UnitOfWork

T = TypeVar("T")


class JobScheduler(Protocol):
    """Starts the durable workflow of a job whose rows are already committed."""

    def enqueue(self, job_id: str, kind: str) -> None: ...

    def cancel(self, job_id: str) -> None: ...


class SourceResolver(Protocol):
    """Says at accept time whether any configured source provider can fetch a TikTok id."""

    def is_resolvable(self, tiktok_id: str) -> bool: ...


class AcceptUnitOfWork(Protocol):
    """One video-remix accept's transaction (SPEC §6.1): its reads, its idempotency
    record and its writes; committed (or rolled back) by whoever runs the unit."""

    def remix_read(
        self, org_id: str, project_id: str, influencer_id: str | None, tiktok_id: str
    ) -> RemixRead | None: ...

    def wiring(self) -> UnitOfWork: ...

    def idempotency_record(self, scope_key: str) -> IdempotencyRow | None: ...

    def forget_idempotency(self, scope_key: str) -> None: ...

    def store_response(
        self,
        scope_key: str,
        body_hash: str,
        response: RecordedResponse,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        """Raises `KeyTakenError` when another transaction stored the key first."""
        ...

    def running_jobs(self, org_id: str) -> int: ...

    def running_sandbox_jobs(self, org_id: str) -> int: ...

    def available_credits(self, org_id: str) -> int: ...

    def reserve_credits(self, org_id: str, credits: int, remaining: int) -> None: ...

    def add_remix(self, remix: NewRemix) -> None: ...


class AcceptRunner(Protocol):
    """Runs an accept unit in a transaction and returns its result after the commit.

    The unit returns its refusals instead of raising them; an exception rolls it back."""

    async def run(self, work: Callable[[AcceptUnitOfWork], T]) -> T: ...
