"""Names shared by the API-side scheduler and the worker: application, queues, workflows.

Light on purpose: the web process imports it, so it must not reach the media stack.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from remixer.config import Settings
from remixer.domain.jobs import KIND_CONTENT_GENERATE, KIND_INFLUENCER_CREATE
from remixer.files import private_sqlite

APP_NAME = "remixer"
# Bump only when a workflow's step sequence changes incompatibly; DBOS recovers a pending
# workflow only on a worker running the version it started on.
APPLICATION_VERSION = "remixer-jobs-2"
"""2: `remix.v1` runs one step per orchestration phase (was one per stage)."""

REMIX_QUEUE = "remix"
INFLUENCER_QUEUE = "influencer"
# Partitioned by organization (workflows/fairness.py); the two above only drain old work.
FAIR_REMIX_QUEUE = "remix-by-org"
FAIR_INFLUENCER_QUEUE = "influencer-by-org"
REMIX_WORKFLOW = "remix.v1"
INFLUENCER_WORKFLOW = "influencer.v1"

WORKFLOWS: dict[str, tuple[str, str]] = {
    KIND_CONTENT_GENERATE: (REMIX_WORKFLOW, FAIR_REMIX_QUEUE),
    KIND_INFLUENCER_CREATE: (INFLUENCER_WORKFLOW, FAIR_INFLUENCER_QUEUE),
}
"""Job kind → (workflow name, queue name)."""


def system_database_url(settings: Settings) -> str:
    """DBOS's system database: the app database on PostgreSQL, its own file beside SQLite."""
    url = settings.app_database_url
    if url.startswith("sqlite"):
        return f"sqlite:///{settings.resolved_data_dir / 'dbos.sqlite3'}"
    return url


def use_wal_for_sqlite(url: str) -> None:
    """Put DBOS's SQLite file in WAL mode (persistent in the file).

    DBOS leaves SQLite in rollback-journal mode, where the worker's queue polling blocks
    the API's enqueues and every commit costs several fsyncs; WAL lets readers and the
    one writer proceed together.
    """
    if not url.startswith("sqlite:///"):
        return
    path = url.removeprefix("sqlite:///")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    private_sqlite(url)
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
