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
)

from db_support import sqlite_or_postgres
from remixer.blobs.store import LocalBlobStore
from remixer.workflows.runtime import Runtime
from remixer.workflows.worker import Worker, launch_worker
from webhook_receiver import Receiver, running

FAST = (0.0, 0.2, 0.2, 0.2)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    yield from sqlite_or_postgres(request.param, tmp_path, "remixer_hooks")


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
