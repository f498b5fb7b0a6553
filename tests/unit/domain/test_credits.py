"""`domain.credits`: costs, availability, the concurrent-job cap and reservations."""

from __future__ import annotations

import pytest

from remixer.domain import credits
from remixer.domain.errors import ErrorCode, RemixerError


def test_available_is_never_negative() -> None:
    assert credits.available(1000, 120) == 880
    assert credits.available(100, 240) == 0


def test_sandbox_costs_nothing() -> None:
    assert credits.remix_cost(120, sandbox=False) == 120
    assert credits.remix_cost(120, sandbox=True) == 0


def test_reserve_leaves_the_rest_or_refuses_with_402() -> None:
    assert credits.reserve(1000, 120) == 880
    assert credits.reserve(120, 120) == 0
    assert credits.reserve(0, 0) == 0
    with pytest.raises(RemixerError) as caught:
        credits.reserve(119, 120)
    assert caught.value.code == ErrorCode.BILLING_EXHAUSTED
    assert caught.value.details == {"required": 120}
    with pytest.raises(ValueError):
        credits.reserve(10, -1)


def test_job_caps_per_tier() -> None:
    assert [credits.job_cap(t) for t in ("standard", "pilot", "partner", "unlimited")] == [
        10,
        50,
        200,
        None,
    ]


def test_the_cap_refuses_at_the_limit_with_retry_after() -> None:
    credits.check_job_cap(10, 9)
    with pytest.raises(RemixerError) as caught:
        credits.check_job_cap(10, 10)
    err = caught.value
    assert err.code == ErrorCode.RATE_LIMITED
    assert err.details == {"limit": 10, "kind": "concurrent_jobs"}
    assert err.headers == {"Retry-After": "30"}
