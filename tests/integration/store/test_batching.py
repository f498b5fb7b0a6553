"""`store.batching.TransactionBatcher` on a real SQLite file (and PostgreSQL when it answers):
shared transactions, failure isolation, pre-commit flushes, and the event-loop path that
hands a batch to its thread instead of waiting for a busy database."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from pg_support import NOT_REACHABLE, pg_schema_url, postgres_available
from remixer.store.batching import TransactionBatcher, before_commit
from remixer.store.engine import make_engine, transaction_lock

METADATA = sa.MetaData()
ROWS = sa.Table(
    "rows", METADATA, sa.Column("id", sa.Integer, primary_key=True), sa.Column("txid", sa.String)
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'batch.sqlite3'}")
        METADATA.create_all(made)
        yield made
        made.dispose()
        return
    if not postgres_available():
        pytest.skip(NOT_REACHABLE)
    with pg_schema_url("b") as url:
        made = make_engine(url)
        METADATA.create_all(made)
        yield made
        made.dispose()


class TxMarker:
    """One per batch transaction (made through `before_commit`): names the transaction."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex

    def flush(self, conn: Connection) -> None:
        pass


def _txid(conn: Connection) -> str:
    if conn.dialect.name == "postgresql":
        return str(conn.execute(sa.text("SELECT txid_current()")).scalar_one())
    return before_commit(conn, TxMarker).id


def insert(row_id: int) -> Any:
    def work(conn: Connection) -> str:
        txid = _txid(conn)
        conn.execute(ROWS.insert().values(id=row_id, txid=txid))
        return txid

    return work


def stored(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {row.id: row.txid for row in conn.execute(sa.select(ROWS))}


class Counter:
    """A pre-commit hook: counts the units that used it and its flushes."""

    flushes = 0

    def __init__(self) -> None:
        self.units = 0

    def flush(self, conn: Connection) -> None:
        Counter.flushes += 1
        conn.execute(ROWS.insert().values(id=10_000 + Counter.flushes, txid=str(self.units)))


def hold(batcher: TransactionBatcher) -> threading.Event:
    """Occupy the batcher's thread until the returned gate is set, so units submitted
    meanwhile queue up and form the next batch."""
    started, gate = threading.Event(), threading.Event()

    def block(conn: Connection) -> bool:
        started.set()
        return gate.wait(10)

    batcher.submit(block)
    assert started.wait(10)
    return gate


def test_units_submitted_together_share_one_transaction(engine: Engine) -> None:
    batcher = TransactionBatcher(engine, threads=1)
    gate = hold(batcher)
    futures = [batcher.submit(insert(i)) for i in range(20)]
    gate.set()
    txids = {future.result(10) for future in futures}
    assert len(txids) == 1, "the 20 units queued behind the first should share a transaction"
    assert sorted(stored(engine)) == list(range(20))
    batcher.close()


def test_a_failing_unit_fails_alone_and_the_others_commit(engine: Engine) -> None:
    batcher = TransactionBatcher(engine, threads=1)
    gate = hold(batcher)

    def broken(conn: Connection) -> None:
        conn.execute(ROWS.insert().values(id=1, txid="dup"))  # id 1 is inserted by a unit

    futures = [batcher.submit(insert(i)) for i in range(5)]
    bad = batcher.submit(broken)
    gate.set()
    txids = [f.result(10) for f in futures]
    assert all(isinstance(txid, str) and txid for txid in txids)
    assert len(set(txids)) == 5, (
        "after the batch failed, each unit is retried in its own transaction"
    )
    with pytest.raises(sa.exc.IntegrityError):
        bad.result(10)
    rows = stored(engine)
    assert sorted(rows) == list(range(5))
    assert [rows[i] for i in range(5)] == txids, "each row was written by its own retry"
    batcher.close()


def test_before_commit_flushes_once_per_transaction(engine: Engine) -> None:
    batcher = TransactionBatcher(engine, threads=1)
    gate = hold(batcher)
    Counter.flushes = 0

    def counted(conn: Connection) -> int:
        hook = before_commit(conn, Counter)
        hook.units += 1
        return hook.units

    futures = [batcher.submit(counted) for _ in range(6)]
    gate.set()
    assert [f.result(10) for f in futures] == [1, 2, 3, 4, 5, 6]
    assert Counter.flushes == 1
    assert stored(engine) == {10_001: "6"}
    with engine.connect() as conn, pytest.raises(RuntimeError, match="batcher transaction"):
        before_commit(conn, Counter)
    batcher.close()


def test_event_loop_units_are_batched_inline(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'inline.sqlite3'}")
    METADATA.create_all(engine)
    batcher = TransactionBatcher(engine)

    async def main() -> list[str]:
        return list(await asyncio.gather(*(batcher.run(insert(i)) for i in range(30))))

    txids = asyncio.run(main())
    assert len(set(txids)) == 1
    assert sorted(stored(engine)) == list(range(30))
    assert not batcher._threads, "the inline path should not have needed its thread"
    engine.dispose()


def test_inline_batch_goes_to_the_thread_when_this_process_holds_the_database(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    METADATA.create_all(engine)
    batcher = TransactionBatcher(engine)
    lock = transaction_lock(engine)
    assert lock is not None
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)

    async def main() -> str:
        task = asyncio.ensure_future(batcher.run(insert(1)))
        await asyncio.sleep(0.2)
        assert not task.done(), "the unit must wait for the lock on the batcher's thread"
        release.set()
        return await task

    assert asyncio.run(main())
    thread.join()
    assert list(stored(engine)) == [1]
    assert batcher._threads, "the busy database should have sent the batch to the thread"
    batcher.close()
    engine.dispose()


def test_inline_batch_goes_to_the_thread_when_another_process_holds_the_write_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    METADATA.create_all(engine)
    batcher = TransactionBatcher(engine)
    other = sqlite3.connect(path, isolation_level=None)  # like a second process
    other.execute("BEGIN IMMEDIATE")

    async def main() -> str:
        task = asyncio.ensure_future(batcher.run(insert(7)))
        await asyncio.sleep(0.3)
        assert not task.done()
        other.execute("COMMIT")
        return await task

    loop_started = asyncio.run(main())
    assert loop_started
    assert list(stored(engine)) == [7]
    assert batcher._threads
    other.close()
    batcher.close()
    engine.dispose()


def _bulky(row_id: int) -> Any:
    def work(conn: Connection) -> None:
        conn.execute(ROWS.insert().values(id=row_id, txid="x" * 2000))

    return work


def _write_3000_rows_inline(batcher: TransactionBatcher) -> None:
    """~1,500 WAL pages: past SQLite's 1,000-page automatic checkpoint."""

    async def main() -> None:
        for start in range(0, 3000, 100):
            await asyncio.gather(*(batcher.run(_bulky(i)) for i in range(start, start + 100)))

    asyncio.run(main())


def test_inline_commits_do_not_checkpoint_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    METADATA.create_all(engine)
    batcher = TransactionBatcher(engine, checkpoint_every_s=3600)
    before = path.stat().st_size
    _write_3000_rows_inline(batcher)
    assert batcher._checkpointer is not None
    assert path.stat().st_size == before, "inline commits must not checkpoint on the loop"
    engine.dispose()


def test_the_checkpoint_thread_checkpoints_then_stops_when_idle(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    METADATA.create_all(engine)
    batcher = TransactionBatcher(engine, checkpoint_every_s=0.2)
    _write_3000_rows_inline(batcher)
    deadline = time.monotonic() + 5
    while batcher._checkpointer is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert batcher._checkpointer is None, "the checkpoint thread should stop when idle"
    assert path.stat().st_size > 3000 * 2000, "the rows should be checkpointed into the file"
    engine.dispose()
