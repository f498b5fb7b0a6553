"""Who is calling: the authenticated API key and its organization."""

from __future__ import annotations

from dataclasses import dataclass

RATE_TIERS = ("standard", "pilot", "partner", "unlimited")


@dataclass(frozen=True)
class Principal:
    api_key_id: str
    organization_id: str
    organization_name: str
    env: str
    scopes: tuple[str, ...]
    rate_limit_tier: str

    @property
    def sandbox(self) -> bool:
        return self.env == "test"
