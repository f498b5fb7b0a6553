"""Group commit: many small write units share one transaction, each inside its own savepoint.

Accepting a job is a handful of short statements; committing them one request at a time
spends most of the time in BEGIN/COMMIT, the connection pool and thread hand-offs. The
batcher's threads each take every unit waiting in the queue, run them in one transaction
(a unit that raises is rolled back to its savepoint and gets its exception; the others
go on), commit once, then resolve every unit's future. If the commit itself fails, each
unit is retried alone so one bad unit cannot sink the others.

SQLite has one writer, so it gets one thread (holding the process's transaction lock
for the file); PostgreSQL gets a few, each with its own connection.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine

from remixer.store.engine import transaction_lock

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BATCH = 128


@dataclass(frozen=True)
class _Unit(Generic[T]):
    work: Callable[[Connection], T]
    future: Future[T]


class TransactionBatcher:
    """Runs `work(connection)` callables in shared transactions; `submit` returns a Future."""

    def __init__(self, engine: Engine, threads: int | None = None) -> None:
        self._engine = engine
        sqlite = engine.dialect.name == "sqlite"
        self._threads_wanted = threads or (1 if sqlite else 4)
        self._queue: queue.SimpleQueue[_Unit[Any] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._closed = False

    def submit(self, work: Callable[[Connection], T]) -> Future[T]:
        if self._closed:
            raise RuntimeError("the transaction batcher is closed")
        if not self._threads:
            self._start()
        future: Future[T] = Future()
        self._queue.put(_Unit(work, future))
        return future

    def _start(self) -> None:
        with self._start_lock:
            while len(self._threads) < self._threads_wanted:
                thread = threading.Thread(
                    target=self._run, name=f"remixer-batch-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def close(self) -> None:
        """Finish queued units, then stop the threads."""
        self._closed = True
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            units: list[_Unit[Any]] = [first]
            stop = False
            while len(units) < MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                units.append(nxt)
            self._run_batch(units)
            if stop:
                return

    def _run_batch(self, units: list[_Unit[Any]]) -> None:
        lock = transaction_lock(self._engine)
        outcomes: list[tuple[bool, Any]] = []
        try:
            with lock or nullcontext(), self._engine.connect() as conn, conn.begin():
                outcomes = [_run_unit(conn, unit) for unit in units]
        except Exception:
            log.exception("a batch of %d units failed to commit; retrying one by one", len(units))
            for unit in units:
                self._run_batch_of_one(unit)
            return
        for unit, (ok, value) in zip(units, outcomes, strict=True):
            _settle(unit, ok, value)

    def _run_batch_of_one(self, unit: _Unit[Any]) -> None:
        lock = transaction_lock(self._engine)
        try:
            with lock or nullcontext(), self._engine.connect() as conn, conn.begin():
                ok, value = _run_unit(conn, unit)
        except Exception as exc:  # noqa: BLE001 - delivered to the unit's caller
            ok, value = False, exc
        _settle(unit, ok, value)


def _run_unit(conn: Connection, unit: _Unit[Any]) -> tuple[bool, Any]:
    savepoint = conn.begin_nested()
    try:
        value = unit.work(conn)
    except Exception as exc:  # noqa: BLE001 - delivered to the unit's caller
        savepoint.rollback()
        return False, exc
    savepoint.commit()
    return True, value


def _settle(unit: _Unit[Any], ok: bool, value: Any) -> None:
    if unit.future.set_running_or_notify_cancel():
        if ok:
            unit.future.set_result(value)
        else:
            unit.future.set_exception(value)
