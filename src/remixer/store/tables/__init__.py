"""Every table module, imported so `Base.metadata` is complete for Alembic and tests."""

from remixer.store.tables import (
    accounts,
    catalog,
    content,
    influencers,
    ledger,
    projects,
    webhooks,
    workers,
)

__all__ = [
    "accounts",
    "catalog",
    "content",
    "influencers",
    "ledger",
    "projects",
    "webhooks",
    "workers",
]
