"""The pure webhook rules: signatures, the retry schedule, Retry-After and the URL policy."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from remixer.domain import webhooks as w


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"id":"evt_1","type":"test.ping"}'
    expected = hmac.new(b"whsec_abc", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert w.sign("whsec_abc", 1700000000, body) == expected
    assert w.signature_header(["whsec_abc"], 1700000000, body) == f"t=1700000000,v1={expected}"


def test_two_secrets_give_two_v1_values_and_either_verifies() -> None:
    body = b"{}"
    header = w.signature_header(["new", "old"], 1700000000, body)
    assert header.count("v1=") == 2
    assert w.verify_signature(header, body, "new", now=1700000010)
    assert w.verify_signature(header, body, "old", now=1700000010)
    assert not w.verify_signature(header, body, "other", now=1700000010)


def test_verify_rejects_stale_timestamps_and_tampered_bodies() -> None:
    header = w.signature_header(["s"], 1700000000, b"{}")
    assert not w.verify_signature(header, b"{}", "s", now=1700000000 + 301)
    assert not w.verify_signature(header, b"{ }", "s", now=1700000000)
    assert not w.verify_signature("v1=abc", b"{}", "s", now=1700000000)
    assert not w.verify_signature("t=x,v1=abc", b"{}", "s", now=1700000000)


def test_event_body_shape() -> None:
    at = datetime(2026, 4, 18, 12, 4, 11, 123456, tzinfo=UTC)
    body = json.loads(w.event_body("evt_1", "job.completed", at, {"jobId": "job_1"}))
    assert body == {
        "id": "evt_1",
        "type": "job.completed",
        "createdAt": "2026-04-18T12:04:11.123Z",
        "data": {"jobId": "job_1"},
    }


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, w.Verdict.DELIVERED),
        (204, w.Verdict.DELIVERED),
        (500, w.Verdict.RETRY),
        (503, w.Verdict.RETRY),
        (408, w.Verdict.RETRY),
        (429, w.Verdict.RETRY),
        (400, w.Verdict.GIVE_UP),
        (404, w.Verdict.GIVE_UP),
        (410, w.Verdict.GIVE_UP),
        (301, w.Verdict.GIVE_UP),
    ],
)
def test_verdicts(status: int, verdict: w.Verdict) -> None:
    assert w.verdict_for_status(status) is verdict


def test_schedule_is_the_documented_one() -> None:
    assert w.RETRY_SCHEDULE_S == (0, 30, 60, 300, 900, 3600, 21600, 86400)
    waits = [w.next_delay(w.RETRY_SCHEDULE_S, n) for n in range(1, 9)]
    assert waits == [30, 60, 300, 900, 3600, 21600, 86400, None]


def test_retry_after_extends_but_never_shortens_the_wait() -> None:
    assert w.next_delay((0, 30), 1, retry_after_s=120) == 120
    assert w.next_delay((0, 30), 1, retry_after_s=5) == 30
    assert w.next_delay((0, 30), 2, retry_after_s=5) is None


def test_parse_retry_after() -> None:
    at = datetime(2026, 4, 18, 12, 0, 0, tzinfo=UTC)
    assert w.parse_retry_after("120", at) == 120
    assert w.parse_retry_after(format_datetime(at + timedelta(seconds=90), usegmt=True), at) == 90
    assert w.parse_retry_after("9999999", at) == w.MAX_RETRY_AFTER_S
    assert w.parse_retry_after("soon", at) is None
    assert w.parse_retry_after(None, at) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "ftp://example.com/hook",
        "https://user:pw@example.com/hook",
        "https://example.com/hook#frag",
        "https:///nohost",
        "https://localhost/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[fd00:ec2::254]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://224.0.0.1/hook",
        "https://metadata.google.internal/computeMetadata",
        "https://printer.local/hook",
        "https://example.com:99999/hook",
    ],
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(w.UrlRefused):
        w.check_url_shape(url, allow_loopback=False)


def test_loopback_only_when_allowed_and_only_loopback_over_http() -> None:
    assert w.check_url_shape("http://127.0.0.1:8000/h", allow_loopback=True).port == 8000
    assert w.check_url_shape("http://localhost/h", allow_loopback=True).hostname == "localhost"
    with pytest.raises(w.UrlRefused):
        w.check_url_shape("http://127.0.0.1/h", allow_loopback=False)
    with pytest.raises(w.UrlRefused):
        w.check_url_shape("http://example.com/h", allow_loopback=True)
    with pytest.raises(w.UrlRefused):
        w.check_url_shape("https://10.0.0.1/h", allow_loopback=True)


def test_public_addresses_pass() -> None:
    assert w.check_url_shape("https://hooks.example.com/x?y=1", False).hostname
    w.check_address(ipaddress.ip_address("93.184.216.34"), allow_loopback=False)
    w.check_address(ipaddress.ip_address("2606:2800:220:1::1"), allow_loopback=False)
