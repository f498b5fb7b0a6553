"""Engine construction: SQLite in WAL mode (the embedded default) or PostgreSQL via psycopg 3."""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from remixer.files import private_sqlite

_READ_ONLY: weakref.WeakSet[Engine] = weakref.WeakSet()
SQLITE_BUSY_TIMEOUT_MS = 30000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Writers take the lock at BEGIN, so read-then-write transactions never hit
    # "database is locked" on upgrade; busy_timeout makes them queue instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_query_only(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA query_only=ON")


def _no_pysqlite_begin(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and serialised writers.

    `read_only=True` (SQLite) gives an engine for lookups that must not queue behind
    writers: statements run in autocommit (WAL readers never block), `query_only` is on,
    and its units of work take no transaction lock.
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
    private_sqlite(url)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "connect", _no_pysqlite_begin)
    if read_only:
        event.listen(engine, "connect", _sqlite_query_only)
        _READ_ONLY.add(engine)
    else:
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


_SQLITE_LOCKS: dict[str, threading.RLock] = {}
_REGISTRY_LOCK = threading.Lock()


def transaction_lock(engine: Engine) -> threading.RLock | None:
    """The in-process lock serialising transactions on one SQLite file (None elsewhere).

    SQLite allows one writer; threads that collide on its lock wait in its busy
    handler, which sleeps in growing steps and wrecks tail latency. Queueing on a
    Python lock instead hands the database over as soon as a transaction ends.
    """
    if engine.dialect.name != "sqlite" or engine in _READ_ONLY:
        return None
    key = str(engine.url.database)
    with _REGISTRY_LOCK:
        return _SQLITE_LOCKS.setdefault(key, threading.RLock())
