"""Ports the services depend on, implemented by adapters wired in `remixer.bootstrap`."""

from __future__ import annotations

from typing import Protocol


class JobScheduler(Protocol):
    """Starts the durable workflow of a job whose rows are already committed."""

    def enqueue(self, job_id: str, kind: str) -> None: ...

    def cancel(self, job_id: str) -> None: ...


class SourceResolver(Protocol):
    """Says at accept time whether any configured source provider can fetch a TikTok id."""

    def is_resolvable(self, tiktok_id: str) -> bool: ...
