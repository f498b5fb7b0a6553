"""Webhooks (SPEC §6.10): event types, the signature format, the retry schedule and the
pure rules a delivery attempt is judged by. No I/O here; the services resolve and send.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import SplitResult, urlsplit

from remixer.domain.time import iso

JOB_COMPLETED = "job.completed"
JOB_FAILED = "job.failed"
JOB_CANCELED = "job.canceled"
CONTENT_GENERATED = "content.generated"
TEST_PING = "test.ping"

SUBSCRIBABLE_EVENTS: tuple[str, ...] = (JOB_COMPLETED, JOB_FAILED, JOB_CANCELED, CONTENT_GENERATED)
"""What an endpoint may list in `events`; `test.ping` is sent only on request."""

ENDPOINT_PREFIX = "whk"
DELIVERY_PREFIX = "dlv"
EVENT_PREFIX = "evt"
SECRET_PREFIX = "whsec_"

RETRY_SCHEDULE_S: tuple[float, ...] = (0, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600)
"""Delay before each attempt: immediately, then 30 s, 1 min, 5 min, 15 min, 1 h, 6 h, 24 h."""
ATTEMPT_TIMEOUT_S = 10.0
MAX_RETRY_AFTER_S = 24 * 3600.0
PAUSE_AFTER_FAILED_EVENTS = 20
ROTATION_GRACE_S = 24 * 3600
SIGNATURE_TOLERANCE_S = 300
SIGNATURE_HEADER = "X-Layers-Signature"
EVENT_ID_HEADER = "X-Layers-Event-Id"
PAUSED_REASON = f"Paused after {PAUSE_AFTER_FAILED_EVENTS} consecutive failed events."

METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GIVE_UP = "give_up"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `"<timestamp>.<rawBody>"` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets_: Sequence[str], timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex>[,v1=<hex>]`: one `v1` per valid secret (two during a rotation)."""
    return ",".join([f"t={timestamp}", *(f"v1={sign(s, timestamp, body)}" for s in secrets_)])


def verify_signature(
    header: str, body: bytes, secret: str, now: float, tolerance_s: int = SIGNATURE_TOLERANCE_S
) -> bool:
    """True when one `v1` matches `secret` and `t` is within `tolerance_s` of `now`."""
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [v for k, v in fields if k.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, v.strip()) for k, v in fields if k.strip() == "v1")


def event_body(event_id: str, event_type: str, created_at: datetime, data: dict[str, Any]) -> bytes:
    """The raw bytes sent (and signed): `{"id", "type", "createdAt", "data"}`, compact JSON."""
    payload = {"id": event_id, "type": event_type, "createdAt": iso(created_at), "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def verdict_for_status(status_code: int) -> Verdict:
    """2xx delivered; 5xx, 408 and 429 retried; anything else (other 4xx, 3xx) given up."""
    if 200 <= status_code < 300:
        return Verdict.DELIVERED
    if status_code >= 500 or status_code in (408, 429):
        return Verdict.RETRY
    return Verdict.GIVE_UP


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds asked for by a `Retry-After` header (delta-seconds or HTTP-date), capped at 24 h."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def next_delay(
    schedule: Sequence[float], attempts_made: int, retry_after_s: float | None = None
) -> float | None:
    """Seconds to wait before the next attempt, or None when the schedule is used up.

    `attempts_made` counts attempts already sent; `schedule[n]` is the wait before attempt n
    (0-based), so the schedule's length is the number of attempts. A `Retry-After` longer
    than the scheduled wait is honoured.
    """
    if attempts_made >= len(schedule):
        return None
    delay = float(schedule[attempts_made])
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return delay


class UrlRefused(ValueError):  # noqa: N818 - a refusal, with the reason as its message
    """The URL (or an address it resolves to) is not one a webhook may be sent to."""


def check_url_shape(url: str, allow_loopback: bool) -> SplitResult:
    """`https://host[:port]/path`, or `http://127.0.0.1|localhost` when loopback is allowed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused("must be a valid absolute URL") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise UrlRefused("must be an absolute https URL")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("must not contain credentials")
    if port == 0:
        raise UrlRefused("must not use port 0")
    if parts.fragment:
        raise UrlRefused("must not contain a fragment")
    loopback = host in LOOPBACK_HOSTS
    if parts.scheme == "http" and not (allow_loopback and loopback):
        raise UrlRefused("must use https")
    if loopback and not allow_loopback:
        raise UrlRefused("must not point at a loopback address")
    if host in METADATA_HOSTS or host.endswith((".internal", ".local", ".localhost")):
        raise UrlRefused("must not point at an internal host")
    literal = ip_literal(host)
    if literal is not None:
        check_address(literal, allow_loopback)
    return parts


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_address(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool
) -> None:
    """Refuse anything but public unicast: private, link-local (cloud metadata at
    169.254.169.254), shared, reserved, multicast, unspecified, and loopback unless allowed."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        if allow_loopback:
            return
        raise UrlRefused("must not point at a loopback address")
    if address.is_link_local:
        raise UrlRefused("must not point at a link-local or metadata address")
    if address.is_multicast or address.is_unspecified or not address.is_global:
        raise UrlRefused("must not point at a private or reserved address")
