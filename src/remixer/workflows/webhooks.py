"""Webhook delivery as a DBOS workflow (`webhook.delivery.v1`, workflow id = delivery id).

One step per attempt (`services.webhook_delivery.attempt_delivery`), a durable
`DBOS.sleep` between attempts, so a worker that crashes or restarts resumes the schedule
where it was (a finished sleep is not slept again). The worker's webhook dispatcher moves
committed deliveries (the outbox) onto the `webhooks` queue.

The queue has no concurrency limit on purpose: a delivery waiting for its next attempt is
a PENDING workflow, and a limit would let a few dead endpoints hold every slot.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from dbos import DBOS

from remixer.config import Settings
from remixer.services.webhook_delivery import DeliveryPolicy, attempt_delivery
from remixer.services.webhooks import DELIVERY_WAKEUP, dispatch_pending_deliveries
from remixer.store.uow import UnitOfWorkFactory
from remixer.workflows.runtime import get_runtime
from remixer.workflows.scheduler import DbosJobScheduler

log = logging.getLogger(__name__)

WEBHOOK_QUEUE = "webhooks"
DELIVERY_WORKFLOW = "webhook.delivery.v1"
DELIVERY_KIND = "webhook_delivery"


def policy_for(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        allow_loopback=settings.webhook_allow_loopback,
        schedule=tuple(settings.webhook_retry_schedule_s),
        timeout_s=settings.webhook_timeout_s,
    )


@DBOS.step(name="webhook.attempt")
def attempt_step(delivery_id: str, attempt_no: int) -> dict[str, Any]:
    runtime = get_runtime()
    return attempt_delivery(
        runtime.uow_factory, delivery_id, attempt_no, policy_for(runtime.settings)
    )


@DBOS.workflow(name=DELIVERY_WORKFLOW)
def delivery_workflow(delivery_id: str) -> str:
    """Attempt, sleep durably, attempt again, until delivered or given up; returns the status."""
    attempt_no = 0
    while True:
        outcome = attempt_step(delivery_id, attempt_no)
        if outcome["done"]:
            return str(outcome["status"])
        DBOS.sleep(float(outcome["delay"]))
        attempt_no += 1


def start_webhook_delivery(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    stop: threading.Event,
    polling_interval_s: float = 1.0,
    dispatch_every_s: float = 0.5,
) -> threading.Thread:
    """Register the `webhooks` queue and start this worker's webhook dispatcher (call after
    `DBOS.launch()`; importing this module before launch registers the workflow)."""
    DBOS.register_queue(
        WEBHOOK_QUEUE, polling_interval_sec=polling_interval_s, on_conflict="always_update"
    )
    scheduler = DbosJobScheduler(settings, {DELIVERY_KIND: (DELIVERY_WORKFLOW, WEBHOOK_QUEUE)})

    def enqueue(delivery_id: str) -> None:
        scheduler.enqueue(delivery_id, DELIVERY_KIND)

    def loop() -> None:
        while not stop.is_set():
            DELIVERY_WAKEUP.wait(dispatch_every_s)
            DELIVERY_WAKEUP.clear()
            if stop.is_set():
                break
            try:
                dispatch_pending_deliveries(uow_factory, enqueue)
            except Exception:
                log.exception("webhook dispatcher failed; retrying at the next tick")
        scheduler.close()

    thread = threading.Thread(target=loop, name="remixer-webhook-dispatcher", daemon=True)
    thread.start()
    return thread
