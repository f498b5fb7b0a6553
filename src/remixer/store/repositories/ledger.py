"""Credit ledger rows and idempotency records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from remixer.store.tables.ledger import CreditEvent, IdempotencyRecord


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_event(self, event: CreditEvent) -> None:
        self.session.add(event)

    def events(
        self, org_id: str, cursor: tuple[datetime, str] | None, limit: int
    ) -> Sequence[CreditEvent]:
        stmt = select(CreditEvent).where(CreditEvent.organization_id == org_id)
        if cursor:
            created, eid = cursor
            stmt = stmt.where(
                (CreditEvent.created_at < created)
                | ((CreditEvent.created_at == created) & (CreditEvent.id < eid))
            )
        order = (CreditEvent.created_at.desc(), CreditEvent.id.desc())
        return self.session.scalars(stmt.order_by(*order).limit(limit)).all()

    def has_job_event(self, job_id: str, event_type: str) -> bool:
        stmt = select(CreditEvent.id).where(
            CreditEvent.job_id == job_id, CreditEvent.event_type == event_type
        )
        return self.session.scalars(stmt).first() is not None

    def get_idempotency(self, scope_key: str) -> IdempotencyRecord | None:
        stmt = select(IdempotencyRecord).where(IdempotencyRecord.scope_key == scope_key)
        return self.session.scalars(stmt).one_or_none()

    def claim_idempotency(self, record: IdempotencyRecord) -> bool:
        """Insert an in-flight record; False when another request holds the key."""
        try:
            with self.session.begin_nested():
                self.session.add(record)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def delete_idempotency(self, scope_key: str) -> None:
        self.session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.scope_key == scope_key)
        )
