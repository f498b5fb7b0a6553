"""Fixtures for webhook delivery: a real app database (SQLite, or PostgreSQL when it
answers), real DBOS workers started per test with a fast retry schedule, and a real
local HTTP receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webhooks_support import (
    TEST_WORKFLOWS,
    Db,
    StartWorker,
    create_pg_database,
    drop_pg_database,
    open_db,
)

from pg_support import postgres_available
from remixer.blobs.store import LocalBlobStore
from remixer.workflows.runtime import Runtime
from remixer.workflows.worker import Worker, launch_worker
from webhook_receiver import Receiver, running

_PG = postgres_available()
FAST = (0.0, 0.2, 0.2, 0.2)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    if request.param == "sqlite":
        database = open_db(tmp_path)
        yield database
        database.engine.dispose()
        return
    if not _PG:
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    url = create_pg_database()
    database = open_db(tmp_path, url)
    try:
        yield database
    finally:
        database.engine.dispose()
        drop_pg_database(url)


@pytest.fixture
def start_worker(db: Db) -> Iterator[StartWorker]:
    """Start an in-process worker; settings overrides as keywords (loopback is allowed and
    the schedule is FAST unless given)."""
    started: list[Worker] = []

    def start(**overrides: Any) -> Worker:
        update = {
            "executor_id": "webhook-test-worker",
            "webhook_allow_loopback": True,
            "webhook_retry_schedule_s": FAST,
            **overrides,
        }
        settings = db.settings.model_copy(update=update)
        runtime = Runtime(
            settings=settings, uow_factory=db.uow_factory, blobs=LocalBlobStore(settings.media_dir)
        )
        worker = launch_worker(
            settings,
            runtime,
            polling_interval_s=0.1,
            dispatch_every_s=0.1,
            workflows=TEST_WORKFLOWS,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running(Receiver()) as live:
        yield live
