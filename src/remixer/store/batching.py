"""Group commit: many small write units share one transaction.

Accepting a job is a handful of short statements; committing them one request at a time
spends most of the time in BEGIN/COMMIT, the connection pool and thread hand-offs. The
batcher takes every unit waiting, runs them in one transaction, commits once, then
resolves every unit's future.

Where the batch runs:
- SQLite (one writer, statements of a few microseconds): on the event loop itself, after
  the current round of callbacks, so requests that arrived together share a batch and no
  thread hand-off is paid. A worker thread and the loop passing the GIL back and forth
  around every statement (sqlite3 releases it) cost more than the statements; see
  docs/api-performance.md. The loop never waits on the database: when another thread of
  this process holds the file, or another process holds its write lock for more than
  `INLINE_BUSY_MS`, the batch goes to the worker thread instead. Inline commits skip
  SQLite's automatic WAL checkpoint (an fsync on the loop); a background thread
  checkpoints (PASSIVE) every half second while inline batches are being written.
- PostgreSQL (network round trips): a few worker threads, each with its own connection.

A unit's contract: it *returns* its expected failures (a refusal is a value, not an
exception) and leaves nothing written when it does. An exception means something
unexpected (a database error, a bug): the batch is rolled back and every unit of it is
retried alone, in its own transaction, so one bad unit cannot sink the others. (Per-unit
savepoints would give the same isolation at two extra statements per unit.)
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from remixer.store.engine import SQLITE_BUSY_TIMEOUT_MS, transaction_lock

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BATCH = 128
INLINE_BUSY_MS = 20
CHECKPOINT_EVERY_S = 0.5
_HOOKS = "remixer.before_commit"


class Flushable(Protocol):
    def flush(self, conn: Connection) -> None: ...


F = TypeVar("F", bound=Flushable)


def before_commit(conn: Connection, factory: Callable[[], F]) -> F:
    """The current batch transaction's instance of `factory`, made on first use; the
    batcher calls its `flush(conn)` after the last unit and before committing, so units
    can pool their writes into a few multi-row statements."""
    hooks: dict[Any, Flushable] | None = conn.info.get(_HOOKS)
    if hooks is None:
        raise RuntimeError("before_commit() is only available inside a batcher transaction")
    found = hooks.get(factory)
    if found is None:
        found = hooks[factory] = factory()
    return found  # type: ignore[return-value]


def _run_units(conn: Connection, units: list[_Unit]) -> list[Any]:
    conn.info[_HOOKS] = {}
    try:
        results = [unit.work(conn) for unit in units]
        for hook in conn.info[_HOOKS].values():
            hook.flush(conn)
        return results
    finally:
        del conn.info[_HOOKS]


Settle = Callable[[Any, BaseException | None], None]


@dataclass(frozen=True)
class _Unit:
    work: Callable[[Connection], Any]
    settle: Settle  # (result, error); callable from any thread


class _BusyError(Exception):
    """The database is held elsewhere; run this batch on the worker thread."""


class TransactionBatcher:
    """Runs `work(connection)` callables in shared transactions.

    `await run(work)` from the event loop; `submit(work)` (a concurrent Future) from
    anywhere else.
    """

    def __init__(
        self,
        engine: Engine,
        threads: int | None = None,
        inline: bool | None = None,
        checkpoint_every_s: float = CHECKPOINT_EVERY_S,
    ) -> None:
        self._engine = engine
        self._checkpoint_every_s = checkpoint_every_s
        sqlite = engine.dialect.name == "sqlite"
        self._inline = sqlite if inline is None else inline
        self._threads_wanted = threads or (1 if sqlite else 4)
        self._queue: queue.SimpleQueue[_Unit | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._pending: list[_Unit] = []
        self._flush_scheduled = False
        self._closed = False
        self._checkpointer: threading.Thread | None = None
        self._checkpoint_lock = threading.Lock()
        self._wrote = False

    async def run(self, work: Callable[[Connection], T]) -> T:
        """The unit's result, from a transaction shared with the units submitted with it."""
        if not self._inline:
            return await asyncio.wrap_future(self.submit(work))
        self._check_open()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append(_Unit(work, _loop_settler(loop, future)))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush_inline)
        return await future

    def submit(self, work: Callable[[Connection], T]) -> Future[T]:
        future: Future[T] = Future()
        self._enqueue(_Unit(work, _future_settler(future)))
        return future

    def close(self) -> None:
        """Finish queued units, then stop the threads."""
        self._closed = True
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the transaction batcher is closed")

    def _enqueue(self, unit: _Unit) -> None:
        self._check_open()
        if not self._threads:
            self._start()
        self._queue.put(unit)

    def _start(self) -> None:
        with self._start_lock:
            while len(self._threads) < self._threads_wanted:
                thread = threading.Thread(
                    target=self._run, name=f"remixer-batch-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _checkpoint_loop(self) -> None:
        """Checkpoint the WAL while inline batches keep writing; exit once they stop."""
        while True:
            time.sleep(self._checkpoint_every_s)
            with self._checkpoint_lock:
                if self._closed or not self._wrote:
                    self._checkpointer = None
                    return
                self._wrote = False
            raw = self._engine.raw_connection()
            try:
                driver = raw.driver_connection
                assert driver is not None
                driver.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:
                log.exception("WAL checkpoint failed; retrying")
            finally:
                raw.close()

    def _mark_written(self) -> None:
        """Called after an inline batch commits, so the checkpoint that follows sees
        its frames (marked before the write, a checkpoint racing the write could
        clear the mark and leave the last batch in the WAL)."""
        with self._checkpoint_lock:
            self._wrote = True
            if self._checkpointer is None:
                self._checkpointer = threading.Thread(
                    target=self._checkpoint_loop, name="remixer-checkpoint", daemon=True
                )
                self._checkpointer.start()

    def _flush_inline(self) -> None:
        self._flush_scheduled = False
        units, self._pending = self._pending, []
        try:
            for start in range(0, len(units), MAX_BATCH):
                batch = units[start : start + MAX_BATCH]
                try:
                    self._run_batch(batch, inline=True)
                except _BusyError:
                    for unit in batch:
                        self._enqueue(unit)
        finally:
            self._mark_written()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            units: list[_Unit] = [first]
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
            self._run_batch(units, inline=False)
            if stop:
                return

    def _run_batch(self, units: list[_Unit], inline: bool) -> None:
        if len(units) > 1:
            try:
                results = self._transaction(units, inline)
            except _BusyError:
                raise
            except Exception:
                log.exception("a batch of %d units failed; retrying each alone", len(units))
            else:
                for unit, result in zip(units, results, strict=True):
                    unit.settle(result, None)
                return
        for unit in units:
            try:
                result = self._transaction([unit], inline)[0]
            except _BusyError:
                raise
            except Exception as exc:  # noqa: BLE001 - delivered to the unit's caller
                unit.settle(None, exc)
            else:
                unit.settle(result, None)

    def _transaction(self, units: list[_Unit], inline: bool) -> list[Any]:
        lock = transaction_lock(self._engine)
        if not inline:
            with lock or nullcontext(), self._engine.connect() as conn, conn.begin():
                return _run_units(conn, units)
        if lock is not None and not lock.acquire(blocking=False):
            raise _BusyError()
        try:
            with self._engine.connect() as conn:
                return _inline_transaction(conn, units)
        finally:
            if lock is not None:
                lock.release()


def _inline_transaction(conn: Connection, units: list[_Unit]) -> list[Any]:
    """One transaction that gives up (`_BusyError`) rather than wait long for SQLite's lock,
    and whose commit never runs a WAL checkpoint (an fsync that would stall the event
    loop): the batcher's checkpoint thread does that."""
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA busy_timeout = {INLINE_BUSY_MS}")
    driver.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        try:
            transaction = conn.begin()
        except OperationalError as exc:
            raise _BusyError() from exc
        with transaction:
            return _run_units(conn, units)
    finally:
        driver.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        driver.execute("PRAGMA wal_autocheckpoint = 1000")


def _future_settler(future: Future[Any]) -> Settle:
    def settle(result: Any, error: BaseException | None) -> None:
        if future.set_running_or_notify_cancel():
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    return settle


def _loop_settler(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any]) -> Settle:
    """Settles an asyncio future directly on its loop's thread, via the loop elsewhere."""
    loop_thread = threading.get_ident()

    def on_loop(result: Any, error: BaseException | None) -> None:
        if future.done():  # the request was cancelled (client went away)
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    def settle(result: Any, error: BaseException | None) -> None:
        if threading.get_ident() == loop_thread:
            on_loop(result, error)
        else:
            loop.call_soon_threadsafe(on_loop, result, error)

    return settle
