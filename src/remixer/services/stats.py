"""Scrape-time figures about shared state: jobs waiting per queue, credits reserved."""

from __future__ import annotations

from sqlalchemy import func, select

from remixer.domain.jobs import KIND_CONTENT_GENERATE, KIND_INFLUENCER_CREATE
from remixer.observability.metrics import Sample
from remixer.store.tables.accounts import Organization
from remixer.store.tables.content import Job
from remixer.store.uow import UnitOfWorkFactory

QUEUE_OF_KIND = {KIND_CONTENT_GENERATE: "remix", KIND_INFLUENCER_CREATE: "influencer"}


def sample(uow_factory: UnitOfWorkFactory) -> Sample:
    """Accepted jobs no worker has started yet, per queue, and all reserved credits."""
    with uow_factory() as uow:
        waiting = uow.session.execute(
            select(Job.kind, func.count())
            .where(Job.status == "running", Job.stage == "queued")
            .group_by(Job.kind)
        ).all()
        reserved = uow.session.scalar(
            select(func.coalesce(func.sum(Organization.credits_reserved), 0))
        )
    depth = dict.fromkeys(QUEUE_OF_KIND.values(), 0)
    for kind, count in waiting:
        depth[QUEUE_OF_KIND.get(kind, kind)] = int(count)
    return Sample(queue_depth=depth, credits_reserved=int(reserved or 0))
