"""Fixtures for the job machinery: a real app database (SQLite, or PostgreSQL when it
answers) and a real DBOS worker on a fresh system database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import (
    TEST_WORKFLOWS,
    Db,
    make_clip,
)

from db_support import sqlite_or_postgres
from remixer.blobs.store import LocalBlobStore
from remixer.workflows.runtime import Runtime
from remixer.workflows.scheduler import DbosJobScheduler
from remixer.workflows.worker import Worker, launch_worker


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    yield from sqlite_or_postgres(request.param, tmp_path, "remixer_jobs")


@pytest.fixture
def worker(db: Db) -> Iterator[Worker]:
    settings = db.settings.model_copy(update={"executor_id": "test-worker"})
    runtime = Runtime(
        settings=settings, uow_factory=db.uow_factory, blobs=LocalBlobStore(settings.media_dir)
    )
    launched = launch_worker(settings, runtime, polling_interval_s=0.1, workflows=TEST_WORKFLOWS)
    yield launched
    launched.shutdown()


@pytest.fixture
def scheduler(db: Db, worker: Worker) -> Iterator[DbosJobScheduler]:
    sched = DbosJobScheduler(db.settings, TEST_WORKFLOWS)
    yield sched
    sched.close()


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4", frames=60)
