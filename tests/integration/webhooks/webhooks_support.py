"""Support for the webhook delivery tests: databases, a seeded org with an endpoint and a
running job, a tiny job workflow that ends the job through the real services, and the
Python verification example taken from docs/webhooks.md."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dbos import DBOS

import remixer.store.tables  # noqa: F401 - the full metadata
from db_support import Db as Db
from db_support import create_pg_database as create_db
from db_support import drop_pg_database as drop_pg_database
from db_support import open_db as open_db
from remixer.domain.ids import new_ulid_id, new_uuid_id
from remixer.domain.time import now
from remixer.services import webhooks
from remixer.services.jobs import complete_job, fail_job, job_snapshot
from remixer.store.repositories.webhooks import WebhookRepository
from remixer.store.tables.accounts import Organization
from remixer.store.tables.content import Container, Job
from remixer.store.tables.projects import Project
from remixer.store.tables.webhooks import WebhookDelivery, WebhookEndpoint
from remixer.workflows.runtime import get_runtime
from remixer.workflows.worker import Worker

TEST_WORKFLOW = "webhooks-test.v1"
TEST_WORKFLOWS = {"content_generate": (TEST_WORKFLOW, "remix")}
StartWorker = Callable[..., Worker]
"""The `start_worker` fixture: starts an in-process worker with settings overrides."""
DOCS = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"


def create_pg_database() -> str:
    """A fresh PostgreSQL database for one test; returns its URL."""
    return create_db(prefix="remixer_hooks")


def seed_org(db: Db) -> tuple[str, str]:
    org_id, prj_id = new_uuid_id("org"), new_uuid_id("prj")
    with db.uow_factory() as uow:
        uow.accounts.add_org(Organization(id=org_id, name="o", credit_balance=1000))
        uow.flush()
        uow.session.add(Project(id=prj_id, organization_id=org_id, name="p"))
        uow.commit()
    return org_id, prj_id


def add_endpoint(db: Db, org_id: str, url: str, events: list[str] | None = None) -> dict[str, Any]:
    fields = {"url": url, "events": events or ["job.completed"]}
    return webhooks.create_endpoint(db.uow_factory, org_id, fields, allow_loopback=True)


def seed_job(db: Db, org_id: str, prj_id: str, **params: Any) -> str:
    """A queued container and its running job, not yet dispatched (the accept's outbox)."""
    cnt_id, job_id = new_uuid_id("cnt"), new_ulid_id("job")
    with db.uow_factory() as uow:
        uow.content.add(Container(id=cnt_id, organization_id=org_id, project_id=prj_id))
        uow.content.add(
            Job(
                id=job_id,
                organization_id=org_id,
                project_id=prj_id,
                kind="content_generate",
                container_id=cnt_id,
                params=params,
            )
        )
        uow.commit()
    return job_id


def record(db: Db, org_id: str, event_type: str = "job.completed", **data: Any) -> str | None:
    with db.uow_factory() as uow:
        event_id = webhooks.record_event(uow, org_id, event_type, data, now())
        uow.commit()
    return event_id


def deliveries(db: Db, endpoint_id: str) -> list[WebhookDelivery]:
    with db.uow_factory() as uow:
        rows = list(WebhookRepository(uow.session).list_deliveries(endpoint_id, None, 500))
        for row in rows:
            uow.session.expunge(row)
        return rows


def endpoint_row(db: Db, endpoint_id: str) -> WebhookEndpoint:
    with db.uow_factory() as uow:
        row = uow.session.get(WebhookEndpoint, endpoint_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def wait_until(check: Callable[[], Any], timeout_s: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def finished(db: Db, endpoint_id: str, count: int = 1) -> list[WebhookDelivery]:
    """Wait until `count` deliveries of the endpoint are no longer pending."""

    def check() -> list[WebhookDelivery] | None:
        rows = deliveries(db, endpoint_id)
        done = [d for d in rows if d.status != "pending"]
        return rows if len(done) >= count else None

    result: list[WebhookDelivery] = wait_until(check, what=f"{count} finished deliveries")
    return result


def docs_verifier() -> Callable[..., bool]:
    """`verify_webhook` exactly as the first Python block of docs/webhooks.md defines it."""
    block = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert block is not None, "docs/webhooks.md has no Python example"
    namespace: dict[str, Any] = {}
    exec(compile(block.group(1), str(DOCS), "exec"), namespace)
    verifier: Callable[..., bool] = namespace["verify_webhook"]
    return verifier


@DBOS.step(name="webhooks-test.finish")
def _finish_step(job_id: str) -> dict[str, Any]:
    uow_factory = get_runtime().uow_factory
    params = job_snapshot(uow_factory, job_id).params
    if params.get("failWith"):
        fail_job(uow_factory, job_id, params["failWith"], "The source has no face to swap.")
    else:
        complete_job(uow_factory, job_id, {"caption": "done", "hook": "hi", "assets": []})
    return {"outcome": "ok"}


@DBOS.workflow(name=TEST_WORKFLOW)
def webhooks_test_workflow(job_id: str) -> str:
    _finish_step(job_id)
    return "done"
