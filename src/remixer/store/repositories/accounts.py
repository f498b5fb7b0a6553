"""Organizations, wallets and API keys."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from remixer.store.base import rowcount as _rowcount
from remixer.store.tables.accounts import ApiKey, Organization
from remixer.store.tables.content import Job

# Wallet updates are plain SQL arithmetic; no loaded object needs refreshing in-session
# (skipping ORM synchronisation halves their cost on the accept path).
_NO_SYNC = {"synchronize_session": False}


class AccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_org(self, org: Organization) -> None:
        self.session.add(org)

    def add_key(self, key: ApiKey) -> None:
        self.session.add(key)

    def get_org(self, org_id: str) -> Organization | None:
        return self.session.get(Organization, org_id)

    def get_org_for_update(self, org_id: str) -> Organization | None:
        stmt = select(Organization).where(Organization.id == org_id).with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def get_key(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, key_id)

    def get_key_and_org(self, key_id: str) -> tuple[ApiKey, Organization] | None:
        stmt = (
            select(ApiKey, Organization)
            .join(Organization, Organization.id == ApiKey.organization_id)
            .where(ApiKey.id == key_id)
        )
        row = self.session.execute(stmt).one_or_none()
        return (row[0], row[1]) if row else None

    def reserve_credits(self, org_id: str, credits: int) -> bool:
        """Atomically reserve `credits` if the wallet's available balance covers them."""
        stmt = (
            update(Organization)
            .where(Organization.id == org_id)
            .where(Organization.credit_balance - Organization.credits_reserved >= credits)
            .values(credits_reserved=Organization.credits_reserved + credits)
        )
        return _rowcount(self.session.execute(stmt, execution_options=_NO_SYNC)) == 1

    def release_credits(self, org_id: str, credits: int) -> None:
        stmt = (
            update(Organization)
            .where(Organization.id == org_id)
            .values(credits_reserved=Organization.credits_reserved - credits)
        )
        self.session.execute(stmt, execution_options=_NO_SYNC)

    def charge_reserved(self, org_id: str, credits: int) -> int:
        """Turn a reservation into a charge; returns the new balance."""
        stmt = (
            update(Organization)
            .where(Organization.id == org_id)
            .values(
                credits_reserved=Organization.credits_reserved - credits,
                credit_balance=Organization.credit_balance - credits,
            )
            .returning(Organization.credit_balance)
        )
        return int(self.session.execute(stmt, execution_options=_NO_SYNC).scalar_one())

    def add_balance(self, org_id: str, credits: int) -> int:
        stmt = (
            update(Organization)
            .where(Organization.id == org_id)
            .values(credit_balance=Organization.credit_balance + credits)
            .returning(Organization.credit_balance)
        )
        return int(self.session.execute(stmt, execution_options=_NO_SYNC).scalar_one())

    def count_running_jobs(self, org_id: str) -> int:
        stmt = (
            select(func.count())
            .select_from(Job)
            .where(Job.organization_id == org_id, Job.status == "running")
        )
        return int(self.session.scalar(stmt) or 0)
