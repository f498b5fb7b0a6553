"""One webhook delivery attempt: re-check the address, sign, POST, record the outcome.

The durable workflow (`workflows/webhooks.py`) calls `attempt_delivery` once per attempt
and sleeps the returned delay in between. The host is resolved and every address checked
at each attempt (DNS rebinding), and the request goes to the checked address itself, with
the original `Host` header and TLS server name, so a second lookup cannot change it.
An attempt already recorded (a step replayed after a crash) is not sent again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from remixer.domain.time import now
from remixer.domain.webhooks import (
    ATTEMPT_TIMEOUT_S,
    EVENT_ID_HEADER,
    PAUSE_AFTER_FAILED_EVENTS,
    PAUSED_REASON,
    RETRY_SCHEDULE_S,
    SIGNATURE_HEADER,
    TEST_PING,
    DeliveryStatus,
    UrlRefused,
    Verdict,
    check_url_shape,
    event_body,
    next_delay,
    parse_retry_after,
    signature_header,
    verdict_for_status,
)
from remixer.services.webhooks import (
    Resolver,
    repo,
    resolve_allowed,
    signing_secrets,
    system_resolver,
)
from remixer.store.tables.webhooks import WebhookDelivery, WebhookEndpoint
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

USER_AGENT = "Remixer-Webhooks/1"
_ERROR_LIMIT = 300


@dataclass(frozen=True)
class DeliveryPolicy:
    """Operator settings for sending: loopback allowed (tests, self-hosters), the retry
    schedule, and the per-attempt timeout."""

    allow_loopback: bool = False
    schedule: tuple[float, ...] = RETRY_SCHEDULE_S
    timeout_s: float = ATTEMPT_TIMEOUT_S
    resolve: Resolver = system_resolver
    clock: Callable[[], float] = field(default=time.time)


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    event_id: str
    secrets: list[str]


@dataclass(frozen=True)
class Sent:
    """What one attempt produced: a status code, or an error with no response."""

    status_code: int | None
    error: str | None
    retry_after_s: float | None = None
    refused: bool = False


def attempt_delivery(
    uow_factory: UnitOfWorkFactory, delivery_id: str, attempt_no: int, policy: DeliveryPolicy
) -> dict[str, Any]:
    """Attempt `attempt_no` (0-based) of a delivery. Returns `{"done", "delay", "status"}`:
    when not done, the workflow sleeps `delay` seconds and calls again with the next number."""
    prepared = _prepare(uow_factory, delivery_id, attempt_no)
    if isinstance(prepared, dict):
        return prepared
    sent = send(prepared, policy)
    return _record(uow_factory, delivery_id, sent, policy)


def _finished(status: str) -> dict[str, Any]:
    return {"done": True, "delay": 0.0, "status": status}


def _prepare(
    uow_factory: UnitOfWorkFactory, delivery_id: str, attempt_no: int
) -> Request | dict[str, Any]:
    at = now()
    with uow_factory() as uow:
        delivery = repo(uow).delivery_for_update(delivery_id)
        if delivery is None:
            return _finished("missing")
        if delivery.status != DeliveryStatus.PENDING:
            return _finished(delivery.status)
        if delivery.attempts > attempt_no:
            return _replayed(delivery)
        endpoint = repo(uow).endpoint_for_update(delivery.endpoint_id)
        event = repo(uow).event(delivery.event_id)
        stop = _stop_reason(endpoint, delivery)
        if stop is not None or event is None or endpoint is None:
            _finish(delivery, DeliveryStatus.FAILED, stop or "The event no longer exists.", at)
            uow.commit()
            return _finished(delivery.status)
        return Request(
            url=endpoint.url,
            body=event_body(event.id, event.type, event.created_at, event.data or {}),
            event_id=event.id,
            secrets=signing_secrets(endpoint, at),
        )


def _replayed(delivery: WebhookDelivery) -> dict[str, Any]:
    """The outcome of an attempt recorded before a crash hid it from DBOS."""
    if delivery.next_attempt_at is None or delivery.last_attempt_at is None:
        return _finished(delivery.status)
    wait = (delivery.next_attempt_at - now()).total_seconds()
    return {"done": False, "delay": max(wait, 0.0), "status": delivery.status}


def _stop_reason(endpoint: WebhookEndpoint | None, delivery: WebhookDelivery) -> str | None:
    if endpoint is None or endpoint.deleted_at is not None:
        return "The webhook endpoint was deleted."
    if not endpoint.is_active and delivery.event_type != TEST_PING:
        return endpoint.paused_reason or "The webhook endpoint is not active."
    return None


def _finish(delivery: WebhookDelivery, status: DeliveryStatus, error: str, at: datetime) -> None:
    delivery.status = status
    delivery.last_error = error
    delivery.next_attempt_at = None
    delivery.finished_at = delivery.updated_at = at


def send(request: Request, policy: DeliveryPolicy) -> Sent:
    """POST the signed body to the checked address; never raises."""
    try:
        parts = check_url_shape(request.url, policy.allow_loopback)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve_allowed(host, port, policy.allow_loopback, policy.resolve)[0]
    except UrlRefused as exc:
        return Sent(None, f"Address not allowed: the URL {exc}.", refused=True)
    except OSError as exc:
        return Sent(None, _short(f"DNS lookup failed: {exc}"))
    pinned = f"[{address}]" if ":" in address else address
    target = urlunsplit((parts.scheme, f"{pinned}:{port}", parts.path or "/", parts.query, ""))
    timestamp = int(policy.clock())
    headers = {
        "Host": urlsplit(request.url).netloc,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: request.event_id,
        SIGNATURE_HEADER: signature_header(request.secrets, timestamp, request.body),
    }
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        with (
            httpx.Client(timeout=policy.timeout_s, follow_redirects=False, trust_env=False) as c,
            c.stream(
                "POST", target, content=request.body, headers=headers, extensions=extensions
            ) as response,
        ):
            code = response.status_code
            retry_after = parse_retry_after(response.headers.get("retry-after"), now())
    except httpx.TimeoutException:
        return Sent(None, f"Timed out after {policy.timeout_s:g} s.")
    except httpx.HTTPError as exc:
        return Sent(None, _short(f"Network error: {type(exc).__name__}: {exc}"))
    error = None if 200 <= code < 300 else f"HTTP {code}"
    return Sent(code, error, retry_after)


def _short(text: str) -> str:
    return text if len(text) <= _ERROR_LIMIT else text[: _ERROR_LIMIT - 1] + "…"


def _verdict(sent: Sent) -> Verdict:
    if sent.refused:
        return Verdict.GIVE_UP
    if sent.status_code is None:
        return Verdict.RETRY
    return verdict_for_status(sent.status_code)


def _record(
    uow_factory: UnitOfWorkFactory, delivery_id: str, sent: Sent, policy: DeliveryPolicy
) -> dict[str, Any]:
    at = now()
    verdict = _verdict(sent)
    with uow_factory() as uow:
        delivery = repo(uow).delivery_for_update(delivery_id)
        if delivery is None:
            return _finished("missing")
        delivery.attempts += 1
        delivery.last_status_code = sent.status_code
        delivery.last_error = sent.error
        delivery.last_attempt_at = delivery.updated_at = at
        delay = None
        if verdict == Verdict.RETRY:
            delay = next_delay(policy.schedule, delivery.attempts, sent.retry_after_s)
        if verdict == Verdict.DELIVERED:
            delivery.status, delivery.next_attempt_at, delivery.finished_at = (
                DeliveryStatus.SUCCEEDED,
                None,
                at,
            )
        elif delay is None:
            _finish(delivery, DeliveryStatus.FAILED, sent.error or "Failed.", at)
        else:
            delivery.next_attempt_at = at + timedelta(seconds=delay)
        if delivery.status != DeliveryStatus.PENDING and delivery.event_type != TEST_PING:
            _count_outcome(uow, delivery, at)
        uow.commit()
        log.info(
            "webhook delivery %s attempt %d: %s (%s)",
            delivery_id,
            delivery.attempts,
            verdict,
            sent.status_code or sent.error,
        )
        if delivery.status != DeliveryStatus.PENDING:
            return _finished(delivery.status)
        return {"done": False, "delay": delay or 0.0, "status": delivery.status}


def _count_outcome(uow: UnitOfWork, delivery: WebhookDelivery, at: datetime) -> None:
    """A finished event resets the endpoint's failure streak or extends it; the 20th failed
    event in a row pauses the endpoint."""
    endpoint = repo(uow).endpoint_for_update(delivery.endpoint_id)
    if endpoint is None:
        return
    if delivery.status == DeliveryStatus.SUCCEEDED:
        endpoint.consecutive_failures = 0
        return
    endpoint.consecutive_failures += 1
    if endpoint.consecutive_failures >= PAUSE_AFTER_FAILED_EVENTS and endpoint.is_active:
        endpoint.is_active = False
        endpoint.paused_reason = PAUSED_REASON
        endpoint.updated_at = at
        log.warning("webhook endpoint %s paused: %s", endpoint.id, PAUSED_REASON)
