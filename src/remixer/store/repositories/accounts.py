"""Organizations, wallets and API keys."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from remixer.store.tables.accounts import ApiKey, Organization

# Wallet updates are plain SQL arithmetic; no loaded object needs refreshing in-session
# (skipping ORM synchronisation halves their cost).
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
