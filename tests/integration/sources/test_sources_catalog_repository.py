"""CatalogRepository on a real SQLite file and, when it answers, on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from remixer.store.engine import make_engine, make_session_factory
from remixer.store.repositories.catalog import SourceRecord
from remixer.store.tables.catalog import CatalogItem
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

RECORD = SourceRecord(
    tiktok_id="7234567890123456789",
    blob_key="sha256/ab/abc.mp4",
    checksum_sha256="a" * 64,
    probe={"width": 64, "height": 112, "fps": 12.0, "duration_s": 0.333333, "has_audio": False},
    kind="video",
    caption="morning routine that changed my life",
    author="@handle",
    hashtags=("fitness", "morningroutine"),
    language="en",
    posted_at=datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC),
    views=120000,
    likes=5400,
    comments=120,
    shares=80,
    duration_ms=333,
    thumbnail_key="sha256/cd/cde.jpg",
)


@contextmanager
def _postgres_engine() -> Iterator[Engine]:
    try:
        probe = make_engine(PG_URL)
        with probe.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432 ({type(exc).__name__})")
    schema = f"catalog_{uuid.uuid4().hex[:12]}"
    with probe.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = probe.execution_options(schema_translate_map={None: schema})
    try:
        CatalogItem.__table__.create(engine)  # type: ignore[attr-defined]
        yield engine
    finally:
        with probe.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        probe.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, engine: Engine) -> Iterator[UnitOfWorkFactory]:
    if request.param == "sqlite":
        sessions = make_session_factory(engine)
        yield lambda: UnitOfWork(sessions)
        return
    with _postgres_engine() as pg:
        pg_sessions = make_session_factory(pg)
        yield lambda: UnitOfWork(pg_sessions)


def test_saved_record_reads_back_identically(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        assert uow.catalog.save(RECORD) == "imported"
        uow.commit()
    with store() as uow:
        got = uow.catalog.get(RECORD.tiktok_id)
        assert uow.catalog.get("1" * 19) is None
    assert got == RECORD
    assert got is not None and got.posted_at is not None and got.posted_at.tzinfo is not None
    assert got.stats == {"views": 120000, "likes": 5400, "comments": 120, "shares": 80}


def test_same_content_is_unchanged_and_changes_are_updates(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.catalog.save(RECORD)
        uow.commit()
    with store() as uow:
        before = uow.catalog.version()
        assert uow.catalog.save(replace(RECORD, origin="tiktok")) == "unchanged"
        uow.commit()
    with store() as uow:
        assert uow.catalog.version() == before
        assert uow.catalog.save(replace(RECORD, caption="new caption", likes=6000)) == "updated"
        uow.commit()
    with store() as uow:
        after = uow.catalog.version()
        got = uow.catalog.get(RECORD.tiktok_id)
    assert got is not None and (got.caption, got.likes) == ("new caption", 6000)
    assert after.count == before.count == 1
    assert after.last_change is not None and before.last_change is not None
    assert after.last_change > before.last_change


def test_version_tracks_adds_and_deletes(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        empty = uow.catalog.version()
        assert (empty.count, empty.last_change) == (0, None)
        others = [replace(RECORD, tiktok_id=f"7{n:018d}") for n in range(3)]
        assert uow.catalog.add_many(others) == 3
        uow.commit()
    with store() as uow:
        three = uow.catalog.version()
        assert uow.catalog.delete(f"7{1:018d}") is True
        assert uow.catalog.delete("9" * 19) is False
        uow.commit()
    with store() as uow:
        two = uow.catalog.version()
        listed = [r.tiktok_id for r in uow.catalog.list_all()]
        assert uow.catalog.count() == 2
    assert three.count == 3 and two.count == 2 and two != three
    assert listed == [f"7{0:018d}", f"7{2:018d}"]
    assert "password" not in three.database and three.database
