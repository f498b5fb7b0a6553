"""Databases for the tests that run real workers: a fresh PostgreSQL database per test (DBOS
needs a whole database, not a schema), and a `Db` of settings, engine and unit of work over
SQLite or that database."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

import remixer.store.tables  # noqa: F401 - the full metadata
from pg_support import NOT_REACHABLE, PG_BASE, postgres_available
from remixer.config import Settings
from remixer.store.base import Base
from remixer.store.engine import make_engine, make_session_factory
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory


def create_pg_database(prefix: str = "remixer_test") -> str:
    """A fresh PostgreSQL database for one test; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_BASE.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@dataclass
class Db:
    settings: Settings
    uow_factory: UnitOfWorkFactory
    engine: sa.Engine


def open_db(data_dir: Path, database_url: str | None = None, create: bool = True) -> Db:
    settings = Settings(data_dir=data_dir, database_url=database_url, _env_file=None)
    engine = make_engine(settings.app_database_url)
    if create:
        Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    return Db(settings, lambda: UnitOfWork(sessions), engine)


@functools.cache
def _postgres_answers() -> bool:
    return postgres_available()


def sqlite_or_postgres(backend: str, data_dir: Path, prefix: str) -> Iterator[Db]:
    """The body of a `db` fixture parametrised over `sqlite` / `postgres`: a fresh database
    of that kind (PostgreSQL skips with a reason when it does not answer), disposed after."""
    if backend == "sqlite":
        database = open_db(data_dir)
        yield database
        database.engine.dispose()
        return
    if not _postgres_answers():
        pytest.skip(NOT_REACHABLE)
    url = create_pg_database(prefix)
    database = open_db(data_dir, url)
    try:
        yield database
    finally:
        database.engine.dispose()
        drop_pg_database(url)
