"""The worker's runtime: the one sanctioned global that DBOS steps read.

DBOS calls workflows and steps as module-level functions, so the adapters they need
(unit of work, blob store, source providers), the warm models and the process-wide
signals live in one `Runtime`, built by `remixer.bootstrap.build_runtime` and set by
`workflows.worker.launch_worker`. This module holds state only: it launches nothing and
imports no workflow, so the workflow modules can import it without a cycle.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from remixer.config import Settings

if TYPE_CHECKING:  # `remixer remix` builds a ModelCache without loading the store stack
    from remixer.blobs.store import BlobStore
    from remixer.store.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class ModelCache:
    """Models load once per process, on first use, and stay warm: the pipeline's
    `ModelStore` (`pipeline.models`), held by the worker's `Runtime` and built by
    `remixer remix` for its own run. The pipeline's loaders cache nothing themselves."""

    _models: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loading: dict[str, threading.Lock] = field(default_factory=dict)

    def get(self, name: str, loader: Callable[[], T]) -> T:
        """One load per name; different models load at once in different threads."""
        with self._lock:
            if name in self._models:
                model: T = self._models[name]
                return model
            loading = self._loading.setdefault(name, threading.Lock())
        with loading:
            with self._lock:
                if name in self._models:
                    ready: T = self._models[name]
                    return ready
            log.info("loading model %s", name)
            loaded = loader()
            with self._lock:
                self._models[name] = loaded
            return loaded


@dataclass
class Runtime:
    settings: Settings
    uow_factory: UnitOfWorkFactory
    blobs: BlobStore
    providers: Sequence[Any] = ()
    models: ModelCache = field(default_factory=ModelCache)
    """This process's models: loaded on first use (or by the start-up check), kept warm."""
    dispatch_wakeup: threading.Event = field(default_factory=threading.Event)
    """Set when this process commits a job, so its dispatcher hands it to DBOS at once."""


_runtime: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


def get_runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the worker runtime is not set; call launch_worker() first")
    return _runtime


def executor_id_for(settings: Settings) -> str:
    """Stable across restarts, so a restarted worker recovers its own pending workflows."""
    return settings.executor_id or f"{socket.gethostname()}-worker"
