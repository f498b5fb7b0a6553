"""Worker launch: DBOS configuration, the registered workflows and queues, the job
dispatcher and the reconciler.

`launch_worker` configures DBOS (system database, explicit application version, stable
executor id), registers the `remix` and `influencer` queues, recovers this executor's
pending workflows, and starts the dispatcher (committed jobs → DBOS) and the reconciler
(at start, then every minute). The workflow modules are imported here, explicitly:
importing this module is what registers `remix.v1` and `influencer.v1` with DBOS, and
`WORKFLOWS` names them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from dbos import DBOS, DBOSConfig

from remixer.config import Settings
from remixer.pipeline.models import check_face_models
from remixer.services.jobs import dispatch_pending, reconcile_jobs
from remixer.workflows import influencer, remix
from remixer.workflows.failover import Failover, start_failover
from remixer.workflows.fairness import register_queues
from remixer.workflows.names import (
    APP_NAME,
    APPLICATION_VERSION,
    INFLUENCER_WORKFLOW,
    REMIX_WORKFLOW,
    system_database_url,
    use_wal_for_sqlite,
)
from remixer.workflows.runtime import Runtime, executor_id_for, get_runtime, set_runtime
from remixer.workflows.scheduler import DbosJobScheduler
from remixer.workflows.webhooks import start_webhook_delivery

log = logging.getLogger(__name__)

WORKFLOWS: dict[str, Callable[[str], str]] = {
    REMIX_WORKFLOW: remix.remix_workflow,
    INFLUENCER_WORKFLOW: influencer.influencer_workflow,
}
"""The workflows this worker runs, by their pinned DBOS name."""


@dataclass
class Worker:
    """A launched worker; `shutdown()` stops the reconciler, the dispatcher and DBOS."""

    runtime: Runtime
    scheduler: DbosJobScheduler
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _dispatcher: threading.Thread | None = None
    failover: Failover | None = None
    """Heartbeats and dead-worker recovery (PostgreSQL only; `workflows.failover`)."""

    def reconcile(self) -> None:
        try:
            reconcile_jobs(self.runtime.uow_factory, self.scheduler, self.scheduler)
        except Exception:
            log.exception("job reconciler failed; retrying at the next tick")

    def start_dispatcher(self, every_s: float) -> None:
        """Move committed jobs into DBOS: at once when this process accepted one, else
        every `every_s` seconds (jobs accepted by other processes)."""
        wakeup = self.runtime.dispatch_wakeup

        def loop() -> None:
            while not self._stop.is_set():
                wakeup.wait(every_s)
                wakeup.clear()
                try:
                    dispatch_pending(self.runtime.uow_factory, self.scheduler)
                except Exception:
                    log.exception("job dispatcher failed; retrying at the next tick")

        self._dispatcher = threading.Thread(target=loop, name="remixer-dispatcher", daemon=True)
        self._dispatcher.start()

    def start_reconciler(self, every_s: float) -> None:
        def loop() -> None:
            while not self._stop.wait(every_s):
                self.reconcile()

        self.reconcile()
        self._thread = threading.Thread(target=loop, name="remixer-reconciler", daemon=True)
        self._thread.start()

    def shutdown(self, wait_s: int = 0) -> None:
        self._stop.set()
        self.runtime.dispatch_wakeup.set()
        for thread in (self._thread, self._dispatcher):
            if thread is not None:
                thread.join(timeout=5)
        if self.failover is not None:
            self.failover.stop()
        self.scheduler.close()
        DBOS.destroy(workflow_completion_timeout_sec=wait_s)
        set_runtime(None)


def dbos_config(settings: Settings) -> DBOSConfig:
    return {
        "name": APP_NAME,
        "system_database_url": system_database_url(settings),
        "application_version": APPLICATION_VERSION,
        "executor_id": executor_id_for(settings),
        "log_level": dbos_log_level(settings),
    }


def dbos_log_level(settings: Settings) -> str:
    """DBOS's INFO lines (migrations, the Conductor banner) show only under debug."""
    return "DEBUG" if settings.log_level == "debug" else "WARNING"


def launch_worker(
    settings: Settings,
    runtime: Runtime,
    *,
    polling_interval_s: float = 1.0,
    reconcile_every_s: float = 60.0,
    dispatch_every_s: float = 0.5,
    workflows: dict[str, tuple[str, str]] | None = None,
) -> Worker:
    """Start this process's DBOS worker over `runtime` (from `bootstrap.build_runtime`)."""
    check_face_models(runtime.models, settings.faceswap_model, settings.face_embedder_model)
    set_runtime(runtime)
    use_wal_for_sqlite(system_database_url(settings))
    DBOS(config=dbos_config(settings))
    DBOS.launch()
    # beat before taking any job, so a worker killed early is still recovered
    failover = start_failover(settings, executor_id_for(settings))
    register_queues(settings, polling_interval_s)
    worker = Worker(
        runtime=get_runtime(),
        scheduler=DbosJobScheduler(settings, workflows),
        failover=failover,
    )
    worker.start_reconciler(reconcile_every_s)
    worker.start_dispatcher(dispatch_every_s)
    start_webhook_delivery(settings, worker.runtime.uow_factory, worker._stop, polling_interval_s)
    return worker
