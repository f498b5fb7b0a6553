"""`DbosJobScheduler`: the `JobScheduler` port on DBOS, enqueueing workflows by name.

The API process uses it through `bootstrap`, so it imports neither the workflow modules
nor the pipeline: a `DBOSClient` writes the ENQUEUED row (workflow id = job id) and any
worker on the latest application version picks it up. Enqueueing an id that already
has a workflow attaches to it, so enqueueing twice is harmless.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from dbos import DBOS, DBOSClient
from dbos._error import DBOSNonExistentWorkflowError

from remixer.config import Settings
from remixer.workflows.fairness import PARTITIONED_QUEUES, JobPartitions, PartitionOf
from remixer.workflows.names import (
    APP_NAME,
    WORKFLOWS,
    system_database_url,
    use_wal_for_sqlite,
)

log = logging.getLogger(__name__)


class DbosJobScheduler:
    """Enqueues, cancels and inspects job workflows from outside the worker."""

    def __init__(
        self,
        settings: Settings,
        workflows: dict[str, tuple[str, str]] | None = None,
        partition_of: PartitionOf | None = None,
    ) -> None:
        self._url = system_database_url(settings)
        self._workflows = dict(WORKFLOWS if workflows is None else workflows)
        self._partitions = JobPartitions(settings.app_database_url)
        self._partition_of = partition_of or self._partitions
        self._client: DBOSClient | None = None
        self._lock = threading.Lock()

    def _connected(self) -> DBOSClient:
        with self._lock:
            if self._client is None:
                # The client never migrates; an API started before any worker creates
                # the system schema itself (idempotent).
                use_wal_for_sqlite(self._url)
                DBOS.migrate(self._url)
                self._client = DBOSClient(system_database_url=self._url, application_name=APP_NAME)
            return self._client

    def enqueue(self, job_id: str, kind: str) -> None:
        name, queue = self._workflows[kind]
        options: dict[str, Any] = {
            "workflow_name": name,
            "queue_name": queue,
            "workflow_id": job_id,
        }
        if queue in PARTITIONED_QUEUES:
            options["queue_partition_key"] = self._partition_of(job_id)
        self._connected().enqueue(options, job_id)  # type: ignore[arg-type]
        log.info("job %s enqueued on %s as %s", job_id, queue, name)

    def cancel(self, job_id: str) -> None:
        try:
            self._connected().cancel_workflow(job_id)
        except DBOSNonExistentWorkflowError:
            log.info("job %s has no workflow to cancel", job_id)

    def workflow_status(self, job_id: str) -> str | None:
        try:
            status = self._connected().retrieve_workflow(job_id).get_status()
        except DBOSNonExistentWorkflowError:
            return None
        return str(status.status)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.destroy()
                self._client = None
        self._partitions.close()


class OutboxJobScheduler:
    """The API's scheduler: the committed job row is the hand-over (an outbox).

    Workers' dispatchers (`services.jobs.dispatch_pending`) move new jobs into DBOS; the
    API only wakes a dispatcher in its own process (`wakeup`, shared with the worker's
    `Runtime` by `bootstrap`). Enqueueing into DBOS costs ~1 ms of CPU per job, as much as
    the whole accept, so it stays off the request path.
    """

    def __init__(self, inner: DbosJobScheduler, wakeup: threading.Event) -> None:
        self._inner = inner
        self._wakeup = wakeup

    def enqueue(self, job_id: str, kind: str) -> None:
        self._wakeup.set()

    def cancel(self, job_id: str) -> None:
        self._inner.cancel(job_id)

    def workflow_status(self, job_id: str) -> str | None:
        return self._inner.workflow_status(job_id)

    def close(self) -> None:
        self._inner.close()
