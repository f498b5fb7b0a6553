"""API key scopes: deny by default, `*` grants everything."""

from __future__ import annotations

from collections.abc import Iterable

ALL_SCOPES = frozenset(
    {
        "content:write",
        "content:read",
        "jobs:read",
        "jobs:cancel",
        "projects:read",
        "projects:write",
        "influencers:read",
        "influencers:write",
        "social:read",
        "social:write",
        "media:write",
        "credits:read",
        "webhooks:read",
        "webhooks:write",
        "org:admin",
    }
)
WILDCARD = "*"


def grants(granted: Iterable[str], required: str) -> bool:
    scopes = set(granted)
    return WILDCARD in scopes or required in scopes


def parse_scopes(text: str) -> list[str]:
    """Parse a comma-separated scope list; unknown scopes are an error."""
    scopes = sorted({s.strip() for s in text.split(",") if s.strip()})
    unknown = [s for s in scopes if s != WILDCARD and s not in ALL_SCOPES]
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}")
    if not scopes:
        raise ValueError("at least one scope is required")
    return scopes
