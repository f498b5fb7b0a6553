"""Webhook services on a real SQLite file with a real local receiver: events recorded by
the job transaction (once), the attempt's address pinning and DNS re-check, network
errors and timeouts retried, recorded attempts not sent twice, deleted endpoints."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import remixer.store.tables  # noqa: F401 - the full metadata
from remixer.domain.errors import RemixerError
from remixer.domain.ids import new_ulid_id, new_uuid_id
from remixer.domain.time import now
from remixer.services import jobs, webhooks
from remixer.services.webhook_delivery import DeliveryPolicy, attempt_delivery
from remixer.store.base import Base
from remixer.store.engine import make_engine, make_session_factory
from remixer.store.tables.accounts import Organization
from remixer.store.tables.content import Container, Job
from remixer.store.tables.projects import Project
from remixer.store.tables.webhooks import WebhookDelivery, WebhookEvent
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory
from webhook_receiver import Receiver, running

POLICY = DeliveryPolicy(allow_loopback=True, schedule=(0, 0.1, 0.1))


@pytest.fixture
def uow_factory(tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    yield lambda: UnitOfWork(sessions)
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running(Receiver()) as live:
        yield live


def _org(uow_factory: UnitOfWorkFactory) -> tuple[str, str]:
    org, prj = new_uuid_id("org"), new_uuid_id("prj")
    with uow_factory() as uow:
        uow.accounts.add_org(Organization(id=org, name="o", credit_balance=1000))
        uow.flush()
        uow.session.add(Project(id=prj, organization_id=org, name="p"))
        uow.commit()
    return org, prj


def _job(uow_factory: UnitOfWorkFactory, org: str, prj: str) -> str:
    cnt, job = new_uuid_id("cnt"), new_ulid_id("job")
    with uow_factory() as uow:
        uow.content.add(Container(id=cnt, organization_id=org, project_id=prj))
        uow.content.add(
            Job(
                id=job,
                organization_id=org,
                project_id=prj,
                kind="content_generate",
                container_id=cnt,
            )
        )
        uow.commit()
    return job


def _endpoint(uow_factory: UnitOfWorkFactory, org: str, url: str, events: list[str]) -> str:
    made = webhooks.create_endpoint(
        uow_factory, org, {"url": url, "events": events}, allow_loopback=True
    )
    return str(made["id"])


def _count(uow_factory: UnitOfWorkFactory, table: Any) -> int:
    with uow_factory() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(table)) or 0)


def _deliveries(uow_factory: UnitOfWorkFactory) -> list[WebhookDelivery]:
    with uow_factory() as uow:
        rows = list(uow.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        for row in rows:
            uow.session.expunge(row)
        return rows


def _ping(uow_factory: UnitOfWorkFactory, org: str, endpoint_id: str) -> str:
    return str(webhooks.send_test(uow_factory, org, endpoint_id)["id"])


def test_job_events_are_recorded_once_with_the_job_change(
    uow_factory: UnitOfWorkFactory,
) -> None:
    org, prj = _org(uow_factory)
    _endpoint(uow_factory, org, "http://127.0.0.1:9/h", ["job.completed", "content.generated"])
    _endpoint(uow_factory, org, "http://127.0.0.1:9/other", ["job.failed"])
    job_id = _job(uow_factory, org, prj)
    assert jobs.complete_job(uow_factory, job_id, {"caption": "c", "assets": []})
    assert not jobs.complete_job(uow_factory, job_id, {"caption": "c", "assets": []})
    assert not jobs.fail_job(uow_factory, job_id, "INTERNAL", "late")
    rows = _deliveries(uow_factory)
    assert sorted(d.event_type for d in rows) == ["content.generated", "job.completed"]
    assert all(d.dispatched_at is None and d.status == "pending" for d in rows)
    assert _count(uow_factory, WebhookEvent) == 2


def test_a_rolled_back_change_records_nothing(uow_factory: UnitOfWorkFactory) -> None:
    org, _ = _org(uow_factory)
    _endpoint(uow_factory, org, "http://127.0.0.1:9/h", ["job.completed"])
    with uow_factory() as uow:
        assert webhooks.record_event(uow, org, "job.completed", {"jobId": "j"}, now())
    assert _count(uow_factory, WebhookEvent) == 0 and _deliveries(uow_factory) == []


def test_nobody_listening_records_no_event(uow_factory: UnitOfWorkFactory) -> None:
    org, prj = _org(uow_factory)
    paused = _endpoint(uow_factory, org, "http://127.0.0.1:9/h", ["job.canceled"])
    webhooks.update_endpoint(uow_factory, org, paused, {"isActive": False}, allow_loopback=True)
    deleted = _endpoint(uow_factory, org, "http://127.0.0.1:9/d", ["job.canceled"])
    webhooks.delete_endpoint(uow_factory, org, deleted)
    assert jobs.finish_canceled(uow_factory, _job(uow_factory, org, prj))
    assert _count(uow_factory, WebhookEvent) == 0


def test_the_attempt_connects_to_the_checked_address_with_the_original_host(
    uow_factory: UnitOfWorkFactory, receiver: Receiver
) -> None:
    org, _ = _org(uow_factory)
    url = f"http://localhost:{receiver.port}/hook?x=1"
    delivery = _ping(uow_factory, org, _endpoint(uow_factory, org, url, ["job.completed"]))
    looked_up: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        looked_up.append((host, port))
        return ["127.0.0.1"]

    policy = DeliveryPolicy(allow_loopback=True, resolve=resolve)
    assert attempt_delivery(uow_factory, delivery, 0, policy)["status"] == "succeeded"
    [request] = receiver.received
    assert looked_up == [("localhost", receiver.port)]
    assert request.headers["host"] == f"localhost:{receiver.port}"
    assert request.path == "/hook?x=1"


def test_a_host_that_now_resolves_to_a_private_address_is_refused(
    uow_factory: UnitOfWorkFactory, receiver: Receiver
) -> None:
    org, _ = _org(uow_factory)
    url = f"http://localhost:{receiver.port}/hook"
    delivery = _ping(uow_factory, org, _endpoint(uow_factory, org, url, ["job.completed"]))
    policy = DeliveryPolicy(allow_loopback=True, resolve=lambda host, port: ["10.0.0.7"])
    outcome = attempt_delivery(uow_factory, delivery, 0, policy)
    assert outcome == {"done": True, "delay": 0.0, "status": "failed"}
    [row] = _deliveries(uow_factory)
    assert row.last_error and "private" in row.last_error
    assert receiver.received == []


def test_network_errors_are_retried_until_the_schedule_ends(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    org, _ = _org(uow_factory)
    url = f"http://127.0.0.1:{closed_port}/hook"
    delivery = _ping(uow_factory, org, _endpoint(uow_factory, org, url, ["job.completed"]))
    outcomes = [attempt_delivery(uow_factory, delivery, n, POLICY) for n in range(3)]
    assert [o["done"] for o in outcomes] == [False, False, True]
    assert outcomes[0]["delay"] == 0.1
    [row] = _deliveries(uow_factory)
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, None)
    assert row.last_error and row.last_error.startswith("Network error")


def test_a_slow_receiver_times_out_and_is_retried(
    uow_factory: UnitOfWorkFactory, receiver: Receiver
) -> None:
    receiver.hold = threading.Event()
    org, _ = _org(uow_factory)
    delivery = _ping(uow_factory, org, _endpoint(uow_factory, org, receiver.url, ["job.completed"]))
    policy = DeliveryPolicy(allow_loopback=True, schedule=(0, 0.1), timeout_s=0.3)
    outcome = attempt_delivery(uow_factory, delivery, 0, policy)
    receiver.hold.set()
    assert outcome["done"] is False
    [row] = _deliveries(uow_factory)
    assert row.last_error == "Timed out after 0.3 s." and row.status == "pending"


def test_an_attempt_already_recorded_is_not_sent_again(
    uow_factory: UnitOfWorkFactory, receiver: Receiver
) -> None:
    receiver.script = [500]
    org, _ = _org(uow_factory)
    delivery = _ping(uow_factory, org, _endpoint(uow_factory, org, receiver.url, ["job.completed"]))
    first = attempt_delivery(uow_factory, delivery, 0, POLICY)
    again = attempt_delivery(uow_factory, delivery, 0, POLICY)  # a replayed step
    assert first["done"] is again["done"] is False and again["delay"] <= 0.1
    assert len(receiver.received) == 1
    assert attempt_delivery(uow_factory, delivery, 1, POLICY)["status"] == "succeeded"
    assert len(receiver.received) == 2
    assert attempt_delivery(uow_factory, delivery, 2, POLICY)["status"] == "succeeded"
    assert len(receiver.received) == 2


def test_a_deleted_endpoint_stops_its_deliveries(
    uow_factory: UnitOfWorkFactory, receiver: Receiver
) -> None:
    org, _ = _org(uow_factory)
    endpoint = _endpoint(uow_factory, org, receiver.url, ["job.completed"])
    delivery = _ping(uow_factory, org, endpoint)
    webhooks.delete_endpoint(uow_factory, org, endpoint)
    assert attempt_delivery(uow_factory, delivery, 0, POLICY)["status"] == "failed"
    [row] = _deliveries(uow_factory)
    assert row.last_error == "The webhook endpoint was deleted." and row.attempts == 0
    assert receiver.received == []


def test_registration_refuses_names_that_resolve_to_private_addresses() -> None:
    def mixed(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.2.3.4"]

    def unresolvable(host: str, port: int) -> list[str]:
        raise socket.gaierror("no such host")

    with pytest.raises(RemixerError) as caught:
        webhooks.validate_url("https://intranet.example.com/h", False, resolve=mixed)
    assert caught.value.details["issues"][0]["path"] == "body.url"
    assert webhooks.validate_url("https://not-yet.example.com/h", False, resolve=unresolvable)
