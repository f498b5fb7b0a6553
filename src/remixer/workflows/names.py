"""Names shared by the API-side scheduler and the worker: application, queues, workflows.

Light on purpose: the web process imports it, so it must not reach the media stack.
"""

from __future__ import annotations

from remixer.config import Settings
from remixer.domain.jobs import KIND_CONTENT_GENERATE, KIND_INFLUENCER_CREATE

APP_NAME = "remixer"
# Bump only when a workflow's step sequence changes incompatibly; DBOS recovers a pending
# workflow only on a worker running the version it started on.
APPLICATION_VERSION = "remixer-jobs-1"

REMIX_QUEUE = "remix"
INFLUENCER_QUEUE = "influencer"
REMIX_WORKFLOW = "remix.v1"
INFLUENCER_WORKFLOW = "influencer.v1"

WORKFLOWS: dict[str, tuple[str, str]] = {
    KIND_CONTENT_GENERATE: (REMIX_WORKFLOW, REMIX_QUEUE),
    KIND_INFLUENCER_CREATE: (INFLUENCER_WORKFLOW, INFLUENCER_QUEUE),
}
"""Job kind → (workflow name, queue name)."""


def system_database_url(settings: Settings) -> str:
    """DBOS's system database: the app database on PostgreSQL, its own file beside SQLite."""
    url = settings.app_database_url
    if url.startswith("sqlite"):
        return f"sqlite:///{settings.resolved_data_dir / 'dbos.sqlite3'}"
    return url
