"""Operator use cases: organizations, keys, credit grants, kill switch; and org read views."""

from __future__ import annotations

from typing import Any

from remixer.domain.errors import ErrorCode, RemixerError, not_found
from remixer.domain.ids import new_ulid_id, new_uuid_id
from remixer.domain.keys import mint_key
from remixer.domain.principal import RATE_TIERS, Principal
from remixer.domain.scopes import parse_scopes
from remixer.domain.time import iso
from remixer.services.paging import decode_time_cursor, time_page
from remixer.services.views import credit_event_view, credits_view
from remixer.store.tables.accounts import ApiKey, Organization
from remixer.store.tables.ledger import CreditEvent
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory


def create_org(
    uow_factory: UnitOfWorkFactory, name: str, credits: int, tier: str
) -> dict[str, Any]:
    if tier not in RATE_TIERS:
        raise ValueError(f"tier must be one of {', '.join(RATE_TIERS)}")
    if not name.strip():
        raise ValueError("name must not be empty")
    if credits < 0:
        raise ValueError("credits must be >= 0")
    org_id = new_uuid_id("org")
    with uow_factory() as uow:
        uow.accounts.add_org(Organization(id=org_id, name=name.strip(), rate_limit_tier=tier))
        uow.flush()
        if credits:
            _grant(uow, org_id, credits)
        uow.commit()
        org = uow.accounts.get_org(org_id)
        assert org is not None
        return {
            "organizationId": org.id,
            "name": org.name,
            "rateLimitTier": org.rate_limit_tier,
            "creditBalance": org.credit_balance,
            "createdAt": iso(org.created_at),
        }


def create_key(
    uow_factory: UnitOfWorkFactory, org_id: str, scopes_text: str, env: str
) -> dict[str, Any]:
    if env not in ("live", "test"):
        raise ValueError("env must be live or test")
    scopes = parse_scopes(scopes_text)
    plaintext, key_id, key_hash = mint_key(env)
    with uow_factory() as uow:
        if uow.accounts.get_org(org_id) is None:
            raise ValueError(f"organization {org_id} not found")
        uow.accounts.add_key(
            ApiKey(id=key_id, organization_id=org_id, env=env, key_hash=key_hash, scopes=scopes)
        )
        uow.commit()
    return {
        "apiKeyId": key_id,
        "organizationId": org_id,
        "env": env,
        "scopes": scopes,
        "key": plaintext,
    }


def _grant(uow: UnitOfWork, org_id: str, credits: int) -> int:
    balance = uow.accounts.add_balance(org_id, credits)
    uow.ledger.add_event(
        CreditEvent(
            id=new_ulid_id("evt"),
            organization_id=org_id,
            event_type="grant",
            credits=credits,
            balance_after=balance,
        )
    )
    return balance


def grant_credits(uow_factory: UnitOfWorkFactory, org_id: str, credits: int) -> dict[str, Any]:
    if credits <= 0:
        raise ValueError("credits must be > 0")
    with uow_factory() as uow:
        if uow.accounts.get_org_for_update(org_id) is None:
            raise ValueError(f"organization {org_id} not found")
        balance = _grant(uow, org_id, credits)
        uow.commit()
    return {"organizationId": org_id, "granted": credits, "balance": balance}


def kill_key(
    uow_factory: UnitOfWorkFactory, key_id: str, org_id: str | None = None
) -> dict[str, Any]:
    """Kill a key (503 KILL_SWITCH from its next request). `org_id` scopes API callers."""
    with uow_factory() as uow:
        key = uow.accounts.get_key(key_id)
        if key is None or (org_id is not None and key.organization_id != org_id):
            raise not_found("API key")
        key.killed = True
        uow.commit()
    return {"apiKeyId": key_id, "killed": True}


def whoami(uow_factory: UnitOfWorkFactory, principal: Principal) -> dict[str, Any]:
    with uow_factory() as uow:
        org = uow.accounts.get_org(principal.organization_id)
        if org is None:
            raise RemixerError(ErrorCode.UNAUTHENTICATED, "A valid API key is required.")
        return {
            "organizationId": org.id,
            "organizationName": org.name,
            "apiKeyId": principal.api_key_id,
            "scopes": list(principal.scopes),
            "rateLimitTier": org.rate_limit_tier,
            "creditBalance": org.credit_balance,
        }


def credits(uow_factory: UnitOfWorkFactory, org_id: str, per_format: int) -> dict[str, Any]:
    with uow_factory() as uow:
        org = uow.accounts.get_org(org_id)
        if org is None:
            raise not_found("Organization")
        return credits_view(org, per_format)


def credit_events(
    uow_factory: UnitOfWorkFactory, org_id: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    with uow_factory() as uow:
        rows = uow.ledger.events(org_id, decode_time_cursor(cursor), limit + 1)
        return time_page(rows, limit, credit_event_view)
