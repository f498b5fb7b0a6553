"""Webhook endpoints, events and deliveries: every query, always scoped to an organization
where a caller's id is involved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from remixer.store.tables.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: WebhookEndpoint | WebhookEvent | WebhookDelivery) -> None:
        self.session.add(item)

    def get_endpoint(self, org_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        stmt = select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.organization_id == org_id,
            WebhookEndpoint.deleted_at.is_(None),
        )
        return self.session.scalars(stmt).one_or_none()

    def endpoint_for_update(self, endpoint_id: str) -> WebhookEndpoint | None:
        stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def list_endpoints(
        self, org_id: str, after: str | None, limit: int
    ) -> Sequence[WebhookEndpoint]:
        stmt = select(WebhookEndpoint).where(
            WebhookEndpoint.organization_id == org_id, WebhookEndpoint.deleted_at.is_(None)
        )
        if after:
            stmt = stmt.where(WebhookEndpoint.id > after)
        return self.session.scalars(stmt.order_by(WebhookEndpoint.id).limit(limit)).all()

    def active_endpoints(self, org_id: str) -> Sequence[WebhookEndpoint]:
        stmt = select(WebhookEndpoint).where(
            WebhookEndpoint.organization_id == org_id,
            WebhookEndpoint.deleted_at.is_(None),
            WebhookEndpoint.is_active.is_(True),
        )
        return self.session.scalars(stmt.order_by(WebhookEndpoint.id)).all()

    def event(self, event_id: str) -> WebhookEvent | None:
        return self.session.get(WebhookEvent, event_id)

    def delivery(self, delivery_id: str) -> WebhookDelivery | None:
        return self.session.get(WebhookDelivery, delivery_id)

    def get_delivery(self, org_id: str, delivery_id: str) -> WebhookDelivery | None:
        stmt = select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.organization_id == org_id
        )
        return self.session.scalars(stmt).one_or_none()

    def delivery_for_update(self, delivery_id: str) -> WebhookDelivery | None:
        stmt = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def list_deliveries(
        self, endpoint_id: str, before: str | None, limit: int
    ) -> Sequence[WebhookDelivery]:
        """Newest first (delivery ids are ULIDs, so id order is creation order)."""
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        if before:
            stmt = stmt.where(WebhookDelivery.id < before)
        return self.session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(limit)).all()

    def undispatched_deliveries(self, limit: int) -> Sequence[str]:
        """Ids of deliveries no worker has handed to DBOS yet, oldest first."""
        stmt = (
            select(WebhookDelivery.id)
            .where(WebhookDelivery.dispatched_at.is_(None))
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
        return self.session.scalars(stmt).all()

    def mark_dispatched(self, delivery_ids: Sequence[str], at: datetime) -> None:
        stmt = (
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(delivery_ids))
            .values(dispatched_at=at)
        )
        self.session.execute(stmt, execution_options={"synchronize_session": False})
