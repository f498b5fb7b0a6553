"""kill -9 a worker between a job's completion and its webhook's delivery, and during the
durable wait between two attempts: a new worker process delivers the event, with the
same event id, and a finished wait is not waited again from the start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from webhooks_support import (
    Db,
    add_endpoint,
    deliveries,
    docs_verifier,
    finished,
    seed_job,
    seed_org,
    wait_until,
)

from remixer.services.jobs import job_snapshot
from webhook_receiver import Receiver

SCRIPT = Path(__file__).with_name("webhook_worker.py")


def _start_worker(db: Db, schedule: str) -> subprocess.Popen[bytes]:
    url = db.settings.database_url or "-"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SCRIPT.parent), *sys.path]),
        "REMIXER_WEBHOOK_ALLOW_LOOPBACK": "1",
        "REMIXER_WEBHOOK_RETRY_SCHEDULE_S": schedule,
    }
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(db.settings.data_dir), url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_worker_killed_after_job_completion_still_delivers(db: Db, receiver: Receiver) -> None:
    receiver.hold = threading.Event()  # the first attempt hangs until the worker is dead
    org_id, prj_id = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    job_id = seed_job(db, org_id, prj_id)
    first = _start_worker(db, "[0, 0.2]")
    try:
        receiver.wait_arrived(1, timeout_s=60)
    finally:
        _kill(first)
    assert job_snapshot(db.uow_factory, job_id).status == "completed"
    [pending] = deliveries(db, endpoint["id"])
    assert (pending.status, pending.attempts) == ("pending", 0)
    receiver.hold.set()

    second = _start_worker(db, "[0, 0.2]")
    try:
        [delivery] = finished(db, endpoint["id"])
    finally:
        _kill(second)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    got = receiver.received
    assert len(got) >= 2
    assert {r.event_id for r in got} == {delivery.event_id}
    body = json.loads(got[-1].body)
    assert body["type"] == "job.completed" and body["data"]["jobId"] == job_id
    assert docs_verifier()(got[-1].body, got[-1].signature, endpoint["secret"])


def test_worker_killed_while_waiting_to_retry_resumes_the_wait(db: Db, receiver: Receiver) -> None:
    receiver.script = [500]
    org_id, prj_id = seed_org(db)
    endpoint = add_endpoint(db, org_id, receiver.url)
    seed_job(db, org_id, prj_id)
    first = _start_worker(db, "[0, 4]")
    try:
        wait_until(
            lambda: [d for d in deliveries(db, endpoint["id"]) if d.attempts == 1],
            timeout_s=60,
            what="the first attempt",
        )
    finally:
        _kill(first)
    [waiting] = deliveries(db, endpoint["id"])
    assert waiting.status == "pending" and waiting.last_status_code == 500
    assert waiting.next_attempt_at is not None

    second = _start_worker(db, "[0, 4]")
    try:
        [delivery] = finished(db, endpoint["id"])
    finally:
        _kill(second)
    first_try, second_try = receiver.wait_for(2)
    assert first_try.event_id == second_try.event_id == delivery.event_id
    assert second_try.at - first_try.at >= 3.9  # the recorded wait, not skipped
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
