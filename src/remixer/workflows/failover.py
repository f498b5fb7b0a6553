"""Worker failover on PostgreSQL: heartbeats, and recovery of dead executors' workflows.

Every worker upserts its row in `worker_heartbeats` every `REMIXER_WORKER_HEARTBEAT_S`
(database clock, so machines' clocks need not agree). On the same tick it looks for
rows older than `REMIXER_WORKER_DEAD_AFTER_S`; if there are any, it takes a
transaction-scoped PostgreSQL advisory lock (`pg_try_advisory_xact_lock`), so exactly
one survivor acts, and hands each dead executor id to DBOS's own recovery
(`DBOS._recover_pending_workflows`). DBOS puts those PENDING workflows back on their
queues; whichever worker dequeues one replays its recorded steps and resumes after the
last completed one. Recovery matches only workflows still owned by the dead executor,
so a repeat, or the dead worker restarting with its id, recovers nothing twice. The
row is deleted in the lock's transaction; a worker that comes back writes a new one.

On SQLite there is one machine and one worker, so none of this runs: a restarted
worker recovers its own executor's workflows at launch (DBOS), as before.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dbos import DBOS
from sqlalchemy import Engine, text

from remixer.config import Settings
from remixer.store.engine import make_engine

log = logging.getLogger(__name__)

# One well-known 64-bit key for "the failover sweep" ('rmxfailo' as bytes).
FAILOVER_LOCK_KEY = 0x726D786661696C6F

_BEAT = text(
    """
    INSERT INTO worker_heartbeats (executor_id, hostname, pid, started_at, last_seen_at)
    VALUES (:executor_id, :hostname, :pid, now(), now())
    ON CONFLICT (executor_id) DO UPDATE
    SET last_seen_at = now(), hostname = excluded.hostname, pid = excluded.pid
    """
)
_DEAD = text(
    """
    SELECT executor_id FROM worker_heartbeats
    WHERE last_seen_at < now() - make_interval(secs => :dead_after_s)
      AND executor_id <> :executor_id
    ORDER BY last_seen_at
    """
)
_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
_FORGET = text("DELETE FROM worker_heartbeats WHERE executor_id = :executor_id")

Recover = Callable[[list[str]], Sequence[object]]


def dbos_recover(executor_ids: list[str]) -> Sequence[object]:
    """DBOS's own recovery of the executors' PENDING workflows (re-enqueued on their queues)."""
    return DBOS._recover_pending_workflows(executor_ids)


def failover_supported(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@dataclass
class Failover:
    """This worker's heartbeat and failover sweep; `tick()` does one round of each."""

    engine: Engine
    executor_id: str
    dead_after_s: float
    recover: Recover = dbos_recover
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def beat(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                _BEAT,
                {
                    "executor_id": self.executor_id,
                    "hostname": socket.gethostname(),
                    "pid": os.getpid(),
                },
            )

    def sweep(self) -> list[str]:
        """Recover the workflows of every dead executor; the ids recovered (empty when none
        is dead, or another worker holds the lock)."""
        params = {"dead_after_s": self.dead_after_s, "executor_id": self.executor_id}
        with self.engine.connect() as conn:
            if not conn.execute(_DEAD, params).first():
                return []
        with self.engine.begin() as conn:
            if not conn.execute(_LOCK, {"key": FAILOVER_LOCK_KEY}).scalar_one():
                return []
            dead = [str(row[0]) for row in conn.execute(_DEAD, params)]
            for executor_id in dead:
                handles = self.recover([executor_id])
                log.warning(
                    "worker %s missed heartbeats for %.0f s: recovered %d pending workflow(s)",
                    executor_id,
                    self.dead_after_s,
                    len(handles),
                )
                conn.execute(_FORGET, {"executor_id": executor_id})
        return dead

    def tick(self) -> None:
        try:
            self.beat()
            self.sweep()
        except Exception:
            log.exception("worker heartbeat/failover failed; retrying at the next tick")

    def start(self, every_s: float) -> None:
        def loop() -> None:
            while not self._stop.wait(every_s):
                self.tick()

        self.tick()
        self._thread = threading.Thread(target=loop, name="remixer-failover", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop beating; the row stays, so if this worker never returns, a survivor
        recovers whatever it left pending once the row is `dead_after_s` old."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.engine.dispose()


def start_failover(settings: Settings, executor_id: str) -> Failover | None:
    """Start heartbeats and the failover sweep on PostgreSQL; None on SQLite (one machine)."""
    url = settings.app_database_url
    if not failover_supported(url):
        return None
    failover = Failover(make_engine(url), executor_id, settings.worker_dead_after_s)
    failover.start(settings.worker_heartbeat_s)
    return failover
