"""Credit arithmetic (SPEC §5, §6.1, §6.8): what a remix costs, what an organization may
still spend, the concurrent-job cap, and the refusals when either runs out.

Pure functions over integers; the store persists the results (atomically, in the
transaction that creates, completes or ends a job) and never decides them itself.
"""

from __future__ import annotations

from remixer.domain.errors import ErrorCode, RemixerError

CONCURRENT_JOB_CAP: dict[str, int] = {"standard": 10, "pilot": 50, "partner": 200}
"""Running jobs an organization of a tier may have at once; tiers not listed have no cap."""
CAP_RETRY_AFTER_S = 30
SANDBOX_JOB_CAP = 2
"""Running jobs an organization may have started with `lp_test_` keys: they cost nothing,
so without their own cap free test traffic could fill the workers."""


def available(balance: int, reserved: int) -> int:
    """Credits an organization may still reserve: balance − reserved, never negative."""
    return max(0, balance - reserved)


def remix_cost(credits_per_remix: int, sandbox: bool) -> int:
    """A sandbox (`lp_test_`) key reserves and charges nothing."""
    return 0 if sandbox else credits_per_remix


def job_cap(tier: str) -> int | None:
    """The tier's concurrent-job cap; None for a tier without one (`unlimited`)."""
    return CONCURRENT_JOB_CAP.get(tier)


def check_job_cap(cap: int, running: int, kind: str = "concurrent_jobs") -> None:
    """`429 RATE_LIMITED` when `running` jobs already fill `cap`; `kind` is
    `concurrent_jobs` (the tier's cap) or `sandbox_jobs` (test keys' own cap)."""
    if running >= cap:
        whose = " with test keys" if kind == "sandbox_jobs" else ""
        raise RemixerError(
            ErrorCode.RATE_LIMITED,
            f"At most {cap} jobs may run at once for this organization{whose}.",
            {"limit": cap, "kind": kind},
            headers={"Retry-After": str(CAP_RETRY_AFTER_S)},
        )


def reserve(available_credits: int, cost: int) -> int:
    """The credits left after reserving `cost`; `402 BILLING_EXHAUSTED` when too few."""
    if cost < 0:
        raise ValueError("a cost is never negative")
    if available_credits < cost:
        raise RemixerError(
            ErrorCode.BILLING_EXHAUSTED,
            "The organization's available credits cannot cover this job.",
            {"required": cost},
        )
    return available_credits - cost
