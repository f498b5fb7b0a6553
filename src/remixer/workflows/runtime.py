"""The worker's runtime: the one sanctioned global the DBOS steps read, and worker launch.

DBOS calls workflows and steps as module-level functions, so the adapters they need
(unit of work, blob store, source providers, warm models) live in one `Runtime` set at
worker start. `launch_worker` configures DBOS (system database, explicit application
version, stable executor id, the `remix` and `influencer` queues), recovers this
executor's pending workflows, and runs the job reconciler at start and every minute.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dbos import DBOS, DBOSConfig

from remixer.blobs.factory import build_blob_store
from remixer.blobs.store import BlobStore
from remixer.config import Settings
from remixer.services.jobs import dispatch_pending, reconcile_jobs
from remixer.store.engine import make_engine, make_session_factory
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory
from remixer.workflows.failover import Failover, start_failover
from remixer.workflows.fairness import register_queues
from remixer.workflows.names import (
    APP_NAME,
    APPLICATION_VERSION,
    system_database_url,
    use_wal_for_sqlite,
)
from remixer.workflows.scheduler import DISPATCH_WAKEUP, DbosJobScheduler

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class ModelCache:
    """Models load once per worker process, on first use, and stay warm."""

    _models: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, name: str, loader: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._models:
                log.info("loading model %s", name)
                self._models[name] = loader()
            model: T = self._models[name]
            return model


@dataclass
class Runtime:
    settings: Settings
    uow_factory: UnitOfWorkFactory
    blobs: BlobStore
    providers: Sequence[Any] = ()
    models: ModelCache = field(default_factory=ModelCache)


_runtime: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


def get_runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the worker runtime is not set; call launch_worker() first")
    return _runtime


def build_runtime(settings: Settings) -> Runtime:
    """A runtime with this process's own engine, blob store and source providers."""
    from remixer.sources.providers import build_source_providers

    session_factory = make_session_factory(make_engine(settings.app_database_url))
    return Runtime(
        settings=settings,
        uow_factory=lambda: UnitOfWork(session_factory),
        blobs=build_blob_store(settings),
        providers=build_source_providers(settings.source_providers),
    )


def executor_id_for(settings: Settings) -> str:
    """Stable across restarts, so a restarted worker recovers its own pending workflows."""
    return settings.executor_id or f"{socket.gethostname()}-worker"


@dataclass
class Worker:
    """A launched worker; `shutdown()` stops the reconciler and DBOS."""

    runtime: Runtime
    scheduler: DbosJobScheduler
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _dispatcher: threading.Thread | None = None
    failover: Failover | None = None  # scale: heartbeats + dead-worker recovery (failover.py)

    def reconcile(self) -> None:
        try:
            reconcile_jobs(self.runtime.uow_factory, self.scheduler, self.scheduler)
        except Exception:
            log.exception("job reconciler failed; retrying at the next tick")

    def start_dispatcher(self, every_s: float) -> None:
        """Move committed jobs into DBOS: at once when this process accepted one, else
        every `every_s` seconds (jobs accepted by other processes)."""

        def loop() -> None:
            while not self._stop.is_set():
                DISPATCH_WAKEUP.wait(every_s)
                DISPATCH_WAKEUP.clear()
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
        DISPATCH_WAKEUP.set()
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
        "log_level": settings.log_level.upper(),
    }


def launch_worker(
    settings: Settings,
    runtime: Runtime | None = None,
    *,
    polling_interval_s: float = 1.0,
    reconcile_every_s: float = 60.0,
    dispatch_every_s: float = 0.5,
    workflows: dict[str, tuple[str, str]] | None = None,
) -> Worker:
    """Start this process's DBOS worker: register workflows and queues, recover, reconcile."""
    import remixer.workflows.influencer
    import remixer.workflows.remix  # noqa: F401 - registers the workflows with DBOS

    set_runtime(runtime or build_runtime(settings))
    use_wal_for_sqlite(system_database_url(settings))
    DBOS(config=dbos_config(settings))
    DBOS.launch()
    # scale: beat before taking any job, so a worker killed early is still recovered
    failover = start_failover(settings, executor_id_for(settings))
    register_queues(settings, polling_interval_s)  # scale: partitioned by org (fairness.py)
    worker = Worker(
        runtime=get_runtime(),
        scheduler=DbosJobScheduler(settings, workflows),
        failover=failover,
    )
    worker.start_reconciler(reconcile_every_s)
    worker.start_dispatcher(dispatch_every_s)
    return worker
