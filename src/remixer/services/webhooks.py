"""Webhook endpoints (CRUD, URL policy, secret rotation), event recording and the outbox.

Events are recorded by the transaction that changes the job (`record_job_events`): one
`webhook_events` row and one `webhook_deliveries` row per subscribed, active endpoint,
committed or rolled back with the job. A delivery with no `dispatched_at` is in the
outbox; a worker's dispatcher (`dispatch_pending_deliveries`) hands it to the durable
delivery workflow. Nothing here sends HTTP (see `webhook_delivery`).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from remixer.domain.errors import conflict, not_found, validation
from remixer.domain.ids import new_ulid_id
from remixer.domain.jobs import JobStatus
from remixer.domain.time import iso, now
from remixer.domain.webhooks import (
    CONTENT_GENERATED,
    DELIVERY_PREFIX,
    ENDPOINT_PREFIX,
    EVENT_PREFIX,
    JOB_CANCELED,
    JOB_COMPLETED,
    JOB_FAILED,
    ROTATION_GRACE_S,
    TEST_PING,
    DeliveryStatus,
    UrlRefused,
    check_address,
    check_url_shape,
    ip_literal,
    new_secret,
)
from remixer.services.paging import decode_id_cursor, id_page
from remixer.services.views import job_view
from remixer.store.repositories.webhooks import WebhookRepository
from remixer.store.tables.content import Container, Job
from remixer.store.tables.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[str]]
"""host, port → the IP addresses it resolves to (raises OSError when it does not)."""

DELIVERY_WAKEUP = threading.Event()
"""Set when this process records deliveries, so a worker in the same process dispatches
them at once instead of at its next poll."""

DISPATCH_BATCH = 200
_JOB_EVENTS = {
    JobStatus.COMPLETED: JOB_COMPLETED,
    JobStatus.FAILED: JOB_FAILED,
    JobStatus.CANCELED: JOB_CANCELED,
}
_JOB_FIELDS = (
    "jobId",
    "kind",
    "status",
    "projectId",
    "containerIds",
    "influencerId",
    "startedAt",
    "updatedAt",
    "finishedAt",
    "result",
    "error",
)


def repo(uow: UnitOfWork) -> WebhookRepository:
    return WebhookRepository(uow.session)


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_allowed(
    host: str, port: int, allow_loopback: bool, resolve: Resolver = system_resolver
) -> list[str]:
    """Every address `host` resolves to, each checked; UrlRefused if any is not public.

    OSError (DNS failure) propagates: at delivery time that is a network error to retry.
    """
    literal = ip_literal(host)
    addresses = [str(literal)] if literal is not None else resolve(host, port)
    if not addresses:
        raise OSError(f"{host} has no addresses")
    for address in addresses:
        parsed = ip_literal(address.split("%", 1)[0])
        if parsed is None:
            raise UrlRefused("resolves to an unusable address")
        check_address(parsed, allow_loopback)
    return addresses


def validate_url(url: str, allow_loopback: bool, resolve: Resolver = system_resolver) -> str:
    """The URL policy at registration: shape, then every address the host resolves to now.

    A host that does not resolve yet is accepted; every delivery checks it again.
    """
    try:
        parts = check_url_shape(url, allow_loopback)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            resolve_allowed(host, port, allow_loopback, resolve)
        except OSError:
            log.info("webhook host %s does not resolve yet; checked again at delivery", host)
    except UrlRefused as exc:
        raise validation("body.url", str(exc)) from exc
    return url.strip()


def endpoint_view(e: WebhookEndpoint) -> dict[str, Any]:
    rotating = e.previous_secret is not None and e.previous_secret_expires_at is not None
    return {
        "id": e.id,
        "url": e.url,
        "description": e.description,
        "events": list(e.events or []),
        "isActive": e.is_active,
        "pausedReason": e.paused_reason,
        "previousSecretExpiresAt": iso(e.previous_secret_expires_at) if rotating else None,
        "createdAt": iso(e.created_at),
        "updatedAt": iso(e.updated_at),
    }


def delivery_view(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "endpointId": d.endpoint_id,
        "eventId": d.event_id,
        "type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "lastStatusCode": d.last_status_code,
        "lastError": d.last_error,
        "lastAttemptAt": iso(d.last_attempt_at),
        "nextAttemptAt": iso(d.next_attempt_at),
        "createdAt": iso(d.created_at),
        "finishedAt": iso(d.finished_at),
    }


def _load(uow: UnitOfWork, org_id: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = repo(uow).get_endpoint(org_id, endpoint_id)
    if endpoint is None:
        raise not_found("Webhook endpoint")
    return endpoint


def _events(events: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(events))


def create_endpoint(
    uow_factory: UnitOfWorkFactory,
    org_id: str,
    fields: dict[str, Any],
    allow_loopback: bool,
    resolve: Resolver = system_resolver,
) -> dict[str, Any]:
    """A new endpoint; the response (201) is the only one that shows its signing secret."""
    url = validate_url(fields["url"], allow_loopback, resolve)
    at = now()
    endpoint = WebhookEndpoint(
        id=new_ulid_id(ENDPOINT_PREFIX),
        organization_id=org_id,
        url=url,
        description=fields.get("description"),
        events=_events(fields["events"]),
        secret=new_secret(),
        is_active=True,
        consecutive_failures=0,
        created_at=at,
        updated_at=at,
    )
    with uow_factory() as uow:
        repo(uow).add(endpoint)
        uow.commit()
        return {**endpoint_view(endpoint), "secret": endpoint.secret}


def list_endpoints(
    uow_factory: UnitOfWorkFactory, org_id: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    with uow_factory() as uow:
        rows = repo(uow).list_endpoints(org_id, decode_id_cursor(cursor), limit + 1)
        return id_page(rows, limit, endpoint_view)


def get_endpoint(uow_factory: UnitOfWorkFactory, org_id: str, endpoint_id: str) -> dict[str, Any]:
    with uow_factory() as uow:
        return endpoint_view(_load(uow, org_id, endpoint_id))


def update_endpoint(
    uow_factory: UnitOfWorkFactory,
    org_id: str,
    endpoint_id: str,
    fields: dict[str, Any],
    allow_loopback: bool,
    resolve: Resolver = system_resolver,
) -> dict[str, Any]:
    """PATCH url / events / description / isActive; re-activating clears the pause."""
    url = validate_url(fields["url"], allow_loopback, resolve) if "url" in fields else None
    with uow_factory() as uow:
        endpoint = _load(uow, org_id, endpoint_id)
        if url is not None:
            endpoint.url = url
        if "events" in fields:
            endpoint.events = _events(fields["events"])
        if "description" in fields:
            endpoint.description = fields["description"]
        if "isActive" in fields:
            endpoint.is_active = bool(fields["isActive"])
            if endpoint.is_active:
                endpoint.paused_reason = None
                endpoint.consecutive_failures = 0
        endpoint.updated_at = now()
        uow.commit()
        return endpoint_view(endpoint)


def delete_endpoint(uow_factory: UnitOfWorkFactory, org_id: str, endpoint_id: str) -> None:
    """Soft delete: the endpoint disappears from the API and pending deliveries stop."""
    with uow_factory() as uow:
        endpoint = _load(uow, org_id, endpoint_id)
        endpoint.deleted_at = endpoint.updated_at = now()
        endpoint.is_active = False
        uow.commit()


def rotate_secret(uow_factory: UnitOfWorkFactory, org_id: str, endpoint_id: str) -> dict[str, Any]:
    """A new secret; the current one stays valid (and is signed with too) for 24 hours."""
    at = now()
    with uow_factory() as uow:
        endpoint = _load(uow, org_id, endpoint_id)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = at + timedelta(seconds=ROTATION_GRACE_S)
        endpoint.secret = new_secret()
        endpoint.updated_at = at
        uow.commit()
        return {**endpoint_view(endpoint), "secret": endpoint.secret}


def signing_secrets(endpoint: WebhookEndpoint, at: datetime) -> list[str]:
    """The current secret, then the previous one while its 24 h grace lasts."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > at:
        found.append(endpoint.previous_secret)
    return found


def _new_delivery(endpoint: WebhookEndpoint, event: WebhookEvent, at: datetime) -> WebhookDelivery:
    return WebhookDelivery(
        id=new_ulid_id(DELIVERY_PREFIX),
        organization_id=endpoint.organization_id,
        endpoint_id=endpoint.id,
        event_id=event.id,
        event_type=event.type,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
        updated_at=at,
    )


def _add_event(
    uow: UnitOfWork, org_id: str, event_type: str, data: dict[str, Any], at: datetime
) -> WebhookEvent:
    event = WebhookEvent(
        id=new_ulid_id(EVENT_PREFIX), organization_id=org_id, type=event_type, data=data
    )
    event.created_at = at
    repo(uow).add(event)
    uow.flush()
    return event


def record_event(
    uow: UnitOfWork, org_id: str, event_type: str, data: dict[str, Any], at: datetime
) -> str | None:
    """In the caller's transaction: the event and one delivery per active endpoint that
    subscribes to `event_type`. Returns the event id, or None when nobody listens."""
    endpoints = [e for e in repo(uow).active_endpoints(org_id) if event_type in (e.events or [])]
    if not endpoints:
        return None
    event = _add_event(uow, org_id, event_type, data, at)
    for endpoint in endpoints:
        repo(uow).add(_new_delivery(endpoint, event, at))
    uow.flush()
    DELIVERY_WAKEUP.set()
    return event.id


def job_event_data(job: Job) -> dict[str, Any]:
    """`data` of a job event: jobId, kind, result or error, and the job's `updatedAt`."""
    view = job_view(job)
    return {name: view[name] for name in _JOB_FIELDS if name in view}


def record_job_events(
    uow: UnitOfWork, job: Job, container: Container | None, at: datetime
) -> list[str]:
    """The events of a job that just reached a terminal state (same transaction):
    `job.completed|failed|canceled`, and `content.generated` for a completed container."""
    recorded: list[str] = []
    event_type = _JOB_EVENTS.get(JobStatus(job.status))
    if event_type is None:
        return recorded
    first = record_event(uow, job.organization_id, event_type, job_event_data(job), at)
    if first is not None:
        recorded.append(first)
    if container is not None and container.status == "completed":
        data = {
            "containerId": container.id,
            "projectId": container.project_id,
            "jobId": job.id,
            "status": container.status,
            "completedAt": iso(container.completed_at),
            "updatedAt": iso(container.updated_at),
        }
        second = record_event(uow, job.organization_id, CONTENT_GENERATED, data, at)
        if second is not None:
            recorded.append(second)
    return recorded


def send_test(uow_factory: UnitOfWorkFactory, org_id: str, endpoint_id: str) -> dict[str, Any]:
    """Queue a `test.ping` to one endpoint (sent even while the endpoint is paused)."""
    at = now()
    with uow_factory() as uow:
        endpoint = _load(uow, org_id, endpoint_id)
        data = {"endpointId": endpoint.id, "message": "Webhook test from Remixer."}
        event = _add_event(uow, org_id, TEST_PING, data, at)
        delivery = _new_delivery(endpoint, event, at)
        repo(uow).add(delivery)
        uow.commit()
        DELIVERY_WAKEUP.set()
        return delivery_view(delivery)


def list_deliveries(
    uow_factory: UnitOfWorkFactory, org_id: str, endpoint_id: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    """Newest first: event id, type, attempts, last status code and error, next attempt."""
    with uow_factory() as uow:
        _load(uow, org_id, endpoint_id)
        rows = repo(uow).list_deliveries(endpoint_id, decode_id_cursor(cursor), limit + 1)
        return id_page(rows, limit, delivery_view)


def replay_delivery(
    uow_factory: UnitOfWorkFactory, org_id: str, delivery_id: str
) -> dict[str, Any]:
    """Send a finished delivery's event again (same event id) as a new delivery."""
    at = now()
    with uow_factory() as uow:
        original = repo(uow).get_delivery(org_id, delivery_id)
        if original is None:
            raise not_found("Webhook delivery")
        endpoint = repo(uow).get_endpoint(org_id, original.endpoint_id)
        event = repo(uow).event(original.event_id)
        if endpoint is None or event is None:
            raise not_found("Webhook endpoint")
        if original.status == DeliveryStatus.PENDING:
            raise conflict("DELIVERY_IN_PROGRESS", "The delivery is still being attempted.")
        if not endpoint.is_active and event.type != TEST_PING:
            raise conflict("WEBHOOK_ENDPOINT_INACTIVE", "The webhook endpoint is not active.")
        delivery = _new_delivery(endpoint, event, at)
        repo(uow).add(delivery)
        uow.commit()
        DELIVERY_WAKEUP.set()
        return delivery_view(delivery)


def dispatch_pending_deliveries(
    uow_factory: UnitOfWorkFactory, enqueue: Callable[[str], None], limit: int = DISPATCH_BATCH
) -> list[str]:
    """Hand committed deliveries (the outbox) to the durable queue, then mark them.

    The enqueues run outside any transaction; a crash in between, or two workers taking
    the same delivery, enqueues it twice, which attaches to the same workflow
    (workflow id = delivery id).
    """
    with uow_factory() as uow:
        pending = list(repo(uow).undispatched_deliveries(limit))
    done: list[str] = []
    for delivery_id in pending:
        try:
            enqueue(delivery_id)
        except Exception:
            log.exception("dispatch of delivery %s failed; retrying at the next tick", delivery_id)
            continue
        done.append(delivery_id)
    if done:
        with uow_factory() as uow:
            repo(uow).mark_dispatched(done, now())
            uow.commit()
    return done
