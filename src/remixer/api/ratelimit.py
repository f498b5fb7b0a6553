"""Per-key rate limits (SPEC §5) on the `limits` library: memory by default, Redis when set.

Three per-minute buckets per API key — read (GET), write (other mutations) and
long-running (POSTs that start a job) — sized by the organization's tier.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from remixer.domain.errors import ErrorCode, RemixerError

TIER_LIMITS: dict[str, dict[str, int]] = {
    "standard": {"read": 120, "write": 60, "long-running": 20},
    "pilot": {"read": 1200, "write": 600, "long-running": 60},
    "partner": {"read": 6000, "write": 3000, "long-running": 300},
}
ANONYMOUS_TIER = "standard"


@dataclass(frozen=True)
class RateDecision:
    endpoint_class: str
    limit: int | None
    remaining: int | None
    reset_s: int

    def headers(self) -> dict[str, str]:
        if self.limit is None:
            return {
                "X-RateLimit-Endpoint-Class": self.endpoint_class,
                "X-RateLimit-Limit": "unlimited",
                "X-RateLimit-Remaining": "unlimited",
                "X-RateLimit-Reset": "0",
            }
        return {
            "X-RateLimit-Endpoint-Class": self.endpoint_class,
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_s),
        }


class RateLimiter:
    def __init__(self, redis_url: str | None) -> None:
        uri = redis_url if redis_url else "memory://"
        self._storage = storage_from_string(uri)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._items = {
            (tier, cls): RateLimitItemPerMinute(n)
            for tier, classes in TIER_LIMITS.items()
            for cls, n in classes.items()
        }

    def hit(self, tier: str, endpoint_class: str, identity: str) -> RateDecision:
        """Count one request; raise 429 RATE_LIMITED (with headers) when over the bucket."""
        item = self._items.get((tier, endpoint_class))
        if item is None:
            return RateDecision(endpoint_class, None, None, 0)
        allowed = self._limiter.hit(item, endpoint_class, identity)
        stats = self._limiter.get_window_stats(item, endpoint_class, identity)
        reset_in = max(1, math.ceil(stats.reset_time - time.time()))
        decision = RateDecision(endpoint_class, item.amount, max(0, stats.remaining), reset_in)
        if not allowed:
            raise RemixerError(
                ErrorCode.RATE_LIMITED,
                f"Rate limit exceeded for {endpoint_class} requests; retry later.",
                {"endpointClass": endpoint_class, "limit": item.amount},
                headers={**decision.headers(), "Retry-After": str(reset_in)},
            )
        return decision

    def peek(self, tier: str, endpoint_class: str, identity: str) -> RateDecision:
        """The bucket's state without counting a request (for headers on uncounted routes)."""
        item = self._items.get((tier, endpoint_class))
        if item is None:
            return RateDecision(endpoint_class, None, None, 0)
        stats = self._limiter.get_window_stats(item, endpoint_class, identity)
        reset_in = max(1, math.ceil(stats.reset_time - time.time()))
        return RateDecision(endpoint_class, item.amount, max(0, stats.remaining), reset_in)

    def reset(self) -> None:
        self._storage.reset()


def rate_check(limiter: RateLimiter) -> Callable[[str | None, str, str], dict[str, str]]:
    """`limiter` as the services' rate port: tier (None = unauthenticated) → headers."""

    def check(tier: str | None, endpoint_class: str, identity: str) -> dict[str, str]:
        return limiter.hit(tier or ANONYMOUS_TIER, endpoint_class, identity).headers()

    return check
