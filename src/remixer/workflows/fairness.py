"""Fair queues: every job queue is partitioned by organization (DBOS queue partitions).

A worker dequeues partition by partition in a shuffled order each poll, and no
organization may run more than `REMIXER_ORG_JOB_SLOTS` jobs of one queue at once
across all workers (`partition_concurrency`). With more worker slots than that, an
organization that enqueues one job while another has hundreds waiting starts within a
polling interval of a slot freeing, instead of behind the whole backlog.

The pre-partitioning queues (`remix`, `influencer`) stay registered, unpartitioned, so
workflows enqueued on them before an upgrade still drain.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from dbos import DBOS
from sqlalchemy import Engine, select

from remixer.config import Settings
from remixer.store.engine import make_engine
from remixer.store.tables.content import Job
from remixer.workflows.names import (
    FAIR_INFLUENCER_QUEUE,
    FAIR_REMIX_QUEUE,
    INFLUENCER_QUEUE,
    REMIX_QUEUE,
)

PARTITIONED_QUEUES = frozenset({FAIR_REMIX_QUEUE, FAIR_INFLUENCER_QUEUE})
LEGACY_QUEUES = (REMIX_QUEUE, INFLUENCER_QUEUE)
UNKNOWN_PARTITION = "-"

PartitionOf = Callable[[str], str]


def register_queues(settings: Settings, polling_interval_s: float) -> None:
    """Register the partitioned job queues and the legacy ones with this worker's limits."""
    for queue in sorted(PARTITIONED_QUEUES):
        DBOS.register_queue(
            queue,
            worker_concurrency=settings.worker_concurrency,
            partition_concurrency=settings.org_job_slots,
            polling_interval_sec=polling_interval_s,
            on_conflict="always_update",
        )
    for queue in LEGACY_QUEUES:
        DBOS.register_queue(
            queue,
            worker_concurrency=settings.worker_concurrency,
            polling_interval_sec=polling_interval_s,
            on_conflict="always_update",
        )


class JobPartitions:
    """A job's partition key: its organization id, read from the app database."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def __call__(self, job_id: str) -> str:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self._url)
        stmt = select(Job.organization_id).where(Job.id == job_id)
        with self._engine.connect() as conn:
            org_id = conn.execute(stmt).scalar_one_or_none()
        return str(org_id) if org_id else UNKNOWN_PARTITION

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
