"""Webhook delivery on a real DBOS worker to a real local HTTP receiver: signatures (checked
with the docs' own Python example), retries with one event id, no retry on 410,
Retry-After, pausing after 20 failed events, re-checking the address at delivery time,
the outbox surviving a worker that was not running, and replay."""

from __future__ import annotations

import itertools
import json
import time

from webhooks_support import (
    Db,
    StartWorker,
    add_endpoint,
    deliveries,
    docs_verifier,
    endpoint_row,
    finished,
    record,
    seed_job,
    seed_org,
    wait_until,
)

from remixer.domain.webhooks import PAUSE_AFTER_FAILED_EVENTS, verify_signature
from remixer.services import webhooks
from webhook_receiver import Receiver


def test_completed_job_is_delivered_signed_and_verifiable_with_the_docs_example(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    org_id, prj_id = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url, ["job.completed", "content.generated"])
    job_id = seed_job(db, org_id, prj_id)
    start_worker()
    got = receiver.wait_for(2)
    verify = docs_verifier()
    bodies = {}
    for request in got:
        body = json.loads(request.body)
        assert request.event_id == body["id"] and body["id"].startswith("evt_")
        assert request.headers["content-type"] == "application/json"
        assert verify(request.body, request.signature, endpoint["secret"])
        assert not verify(request.body, request.signature, "whsec_wrong")
        assert not verify(request.body + b" ", request.signature, endpoint["secret"])
        assert verify_signature(request.signature, request.body, endpoint["secret"], time.time())
        assert set(body) == {"id", "type", "createdAt", "data"}
        bodies[body["type"]] = body["data"]
    completed = bodies["job.completed"]
    assert completed["jobId"] == job_id and completed["kind"] == "content_generate"
    assert completed["status"] == "completed" and completed["updatedAt"].endswith("Z")
    assert completed["result"]["containerId"] == completed["containerIds"][0]
    generated = bodies["content.generated"]
    assert generated["containerId"] == completed["result"]["containerId"]
    assert generated["projectId"] == prj_id and generated["jobId"] == job_id
    rows = finished(db, endpoint["id"], 2)
    assert [(d.status, d.attempts, d.last_status_code) for d in rows] == [("succeeded", 1, 200)] * 2


def test_failed_job_sends_job_failed_with_its_error(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    org_id, prj_id = seed_org(db)
    add_endpoint(db, org_id, receiver.url, ["job.failed", "job.completed"])
    job_id = seed_job(db, org_id, prj_id, failWith="NO_FACE_FOUND")
    start_worker()
    [request] = receiver.wait_for(1)
    body = json.loads(request.body)
    assert body["type"] == "job.failed"
    assert body["data"]["jobId"] == job_id and body["data"]["error"]["code"] == "NO_FACE_FOUND"
    assert "result" not in body["data"]


def test_rotated_secret_sends_two_signatures_both_valid(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    rotated = webhooks.rotate_secret(db.uow_factory, org_id, endpoint["id"])
    assert rotated["secret"] != endpoint["secret"]
    webhooks.send_test(db.uow_factory, org_id, endpoint["id"])
    start_worker()
    [request] = receiver.wait_for(1)
    assert json.loads(request.body)["type"] == "test.ping"
    assert request.signature.count("v1=") == 2
    verify = docs_verifier()
    assert verify(request.body, request.signature, endpoint["secret"])
    assert verify(request.body, request.signature, rotated["secret"])
    assert not verify(request.body, request.signature, "whsec_other")


def test_500_twice_then_200_is_three_attempts_with_one_event_id(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    receiver.script = [500, 500, 200]
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    event_id = record(db, org_id, jobId="job_x")
    start_worker()
    got = receiver.wait_for(3)
    assert {r.event_id for r in got} == {event_id}
    # The schedule's 0.2 s durable sleeps separate the attempts.
    assert all(b.at - a.at >= 0.18 for a, b in itertools.pairwise(got))
    [delivery] = finished(db, endpoint["id"])
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)
    assert delivery.event_id == event_id and delivery.next_attempt_at is None
    time.sleep(0.5)
    assert len(receiver.received) == 3


def test_410_is_not_retried(db: Db, start_worker: StartWorker, receiver: Receiver) -> None:
    receiver.default = 410
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    record(db, org_id, jobId="job_x")
    start_worker()
    [delivery] = finished(db, endpoint["id"])
    time.sleep(0.8)
    assert len(receiver.received) == 1
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 410)
    assert delivery.last_error == "HTTP 410"


def test_retry_after_is_honoured(db: Db, start_worker: StartWorker, receiver: Receiver) -> None:
    receiver.script = [(429, {"Retry-After": "2"}), 200]
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    record(db, org_id, jobId="job_x")
    start_worker(webhook_retry_schedule_s=(0.0, 0.1))
    first, second = receiver.wait_for(2)
    assert second.at - first.at >= 1.9
    assert finished(db, endpoint["id"])[0].attempts == 2


def test_twenty_failed_events_pause_the_endpoint(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    receiver.default = 503
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    for n in range(PAUSE_AFTER_FAILED_EVENTS):
        assert record(db, org_id, jobId=f"job_{n}") is not None
    start_worker(webhook_retry_schedule_s=(0.0, 0.05))
    finished(db, endpoint["id"], PAUSE_AFTER_FAILED_EVENTS)
    row = wait_until(lambda: (r := endpoint_row(db, endpoint["id"])) and not r.is_active and r)
    assert row.paused_reason and "20 consecutive failed events" in row.paused_reason
    assert row.consecutive_failures == PAUSE_AFTER_FAILED_EVENTS
    assert len(receiver.received) == 2 * PAUSE_AFTER_FAILED_EVENTS
    assert record(db, org_id, jobId="job_late") is None  # a paused endpoint gets no new events
    view = webhooks.get_endpoint(db.uow_factory, org_id, endpoint["id"])
    assert view["isActive"] is False and view["pausedReason"] == row.paused_reason
    resumed = webhooks.update_endpoint(
        db.uow_factory, org_id, endpoint["id"], {"isActive": True}, allow_loopback=True
    )
    assert resumed["isActive"] is True and resumed["pausedReason"] is None


def test_a_success_resets_the_failure_streak(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    receiver.script = [400, 400, 200]
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    start_worker()
    for n in range(3):
        record(db, org_id, jobId=f"job_{n}")
        finished(db, endpoint["id"], n + 1)
        if n < 2:
            assert endpoint_row(db, endpoint["id"]).consecutive_failures == n + 1
    assert endpoint_row(db, endpoint["id"]).consecutive_failures == 0


def test_address_is_checked_again_at_delivery_time(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)  # accepted: loopback allowed then
    record(db, org_id, jobId="job_x")
    start_worker(webhook_allow_loopback=False)  # the worker refuses loopback
    [delivery] = finished(db, endpoint["id"])
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error and delivery.last_error.startswith("Address not allowed")
    time.sleep(0.5)
    assert receiver.received == []


def test_events_recorded_with_no_worker_are_delivered_when_one_starts(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    ids = {record(db, org_id, jobId=f"job_{n}") for n in range(5)}
    time.sleep(0.3)
    assert receiver.received == []
    assert all(d.dispatched_at is None for d in deliveries(db, endpoint["id"]))
    start_worker()
    got = receiver.wait_for(5)
    assert {r.event_id for r in got} == ids
    assert all(d.status == "succeeded" for d in finished(db, endpoint["id"], 5))


def test_replay_resends_the_same_event_id(
    db: Db, start_worker: StartWorker, receiver: Receiver
) -> None:
    receiver.script = [410]
    org_id, _ = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    event_id = record(db, org_id, jobId="job_x")
    start_worker()
    [failed] = finished(db, endpoint["id"])
    assert failed.status == "failed"
    replay = webhooks.replay_delivery(db.uow_factory, org_id, failed.id)
    assert replay["id"] != failed.id and replay["eventId"] == event_id
    first, second = receiver.wait_for(2)
    assert first.event_id == second.event_id == event_id
    assert first.body == second.body
    rows = finished(db, endpoint["id"], 2)
    assert sorted(d.status for d in rows) == ["failed", "succeeded"]
