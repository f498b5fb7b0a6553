"""SQLAlchemy Core statements for the per-request hot path: key lookup and video-remix accept.

The ORM costs ~0.3 ms per query in session set-up, identity-map and flush bookkeeping;
these run on every authenticated request and every accept, so they are plain Core
statements, built once at import with bound parameters (SQLAlchemy caches their
compiled form), returning small frozen records, on a connection the caller owns.
Everything else keeps using the repositories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from remixer.store.base import rowcount
from remixer.store.tables.accounts import ApiKey, Organization
from remixer.store.tables.catalog import CatalogItem
from remixer.store.tables.content import Container, Job
from remixer.store.tables.influencers import Influencer
from remixer.store.tables.ledger import IdempotencyRecord
from remixer.store.tables.projects import Project


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    env: str
    key_hash: str
    scopes: tuple[str, ...]
    revoked: bool
    killed: bool
    organization_id: str
    organization_name: str
    org_suspended: bool
    rate_limit_tier: str


@dataclass(frozen=True)
class ProjectRecord:
    id: str
    status: str
    brand_voice: str | None
    primary_language: str | None
    brand_context: dict[str, Any]


@dataclass(frozen=True)
class InfluencerRecord:
    id: str
    status: str
    brand_voice: str | None
    language: str | None


@dataclass(frozen=True)
class IdempotencyRow:
    body_hash: str
    state: str
    status_code: int | None
    response_body: bytes | None
    response_headers: str | None
    created_at: datetime
    expires_at: datetime


_KEY = (
    select(
        ApiKey.id,
        ApiKey.env,
        ApiKey.key_hash,
        ApiKey.scopes,
        ApiKey.revoked,
        ApiKey.killed,
        Organization.id,
        Organization.name,
        Organization.suspended,
        Organization.rate_limit_tier,
    )
    .join(Organization, Organization.id == ApiKey.organization_id)
    .where(ApiKey.id == bindparam("key_id"))
)
_PLAN = (
    select(
        Project.id,
        Project.status,
        Project.brand_voice,
        Project.primary_language,
        Project.brand_context,
        Influencer.id,
        Influencer.status,
        Influencer.brand_voice,
        Influencer.language,
        CatalogItem.tiktok_id,
    )
    .outerjoin(
        Influencer,
        (Influencer.id == bindparam("influencer_id"))
        & (Influencer.project_id == Project.id)
        & Influencer.deleted.is_(False),
    )
    .outerjoin(CatalogItem, CatalogItem.tiktok_id == bindparam("tiktok_id"))
    .where(Project.id == bindparam("project_id"), Project.organization_id == bindparam("org_id"))
)
_LOCK_ORG = select(Organization.id).where(Organization.id == bindparam("org_id")).with_for_update()
_RUNNING = (
    select(func.count())
    .select_from(Job)
    .where(Job.organization_id == bindparam("org_id"), Job.status == "running")
)
_RESERVE = (
    update(Organization)
    .where(Organization.id == bindparam("org_id"))
    .where(Organization.credit_balance - Organization.credits_reserved >= bindparam("credits"))
    .values(credits_reserved=Organization.credits_reserved + bindparam("credits"))
)
_IDEMPOTENCY = select(
    IdempotencyRecord.body_hash,
    IdempotencyRecord.state,
    IdempotencyRecord.status_code,
    IdempotencyRecord.response_body,
    IdempotencyRecord.response_headers,
    IdempotencyRecord.created_at,
    IdempotencyRecord.expires_at,
).where(IdempotencyRecord.scope_key == bindparam("scope_key"))
_DELETE_IDEMPOTENCY = delete(IdempotencyRecord).where(
    IdempotencyRecord.scope_key == bindparam("scope_key")
)
_INSERT_IDEMPOTENCY = insert(IdempotencyRecord)
_INSERT_CONTAINER = insert(Container)
_INSERT_JOB = insert(Job)


def key_record(conn: Connection, key_id: str) -> KeyRecord | None:
    row = conn.execute(_KEY, {"key_id": key_id}).first()
    if row is None:
        return None
    return KeyRecord(
        key_id=row[0],
        env=row[1],
        key_hash=row[2],
        scopes=tuple(row[3] or ()),
        revoked=bool(row[4]),
        killed=bool(row[5]),
        organization_id=row[6],
        organization_name=row[7],
        org_suspended=bool(row[8]),
        rate_limit_tier=row[9],
    )


@dataclass(frozen=True)
class RemixPlanRecord:
    """What an accept reads in one statement: the project, the named influencer (None when
    absent from the project) and whether the source is in the catalog."""

    project: ProjectRecord
    influencer: InfluencerRecord | None
    in_catalog: bool


def remix_plan(
    conn: Connection,
    org_id: str,
    project_id: str,
    influencer_id: str | None,
    tiktok_id: str | None,
) -> RemixPlanRecord | None:
    """None when the project is not in the organization."""
    params = {
        "project_id": project_id,
        "org_id": org_id,
        "influencer_id": influencer_id,
        "tiktok_id": tiktok_id,
    }
    row = conn.execute(_PLAN, params).first()
    if row is None:
        return None
    project = ProjectRecord(row[0], row[1], row[2], row[3], dict(row[4] or {}))
    influencer = None if row[5] is None else InfluencerRecord(row[5], row[6], row[7], row[8])
    return RemixPlanRecord(project, influencer, row[9] is not None)


def lock_org(conn: Connection, org_id: str) -> None:
    """Row lock on the organization (PostgreSQL); SQLite's single writer needs none."""
    conn.execute(_LOCK_ORG, {"org_id": org_id})


def running_jobs(conn: Connection, org_id: str) -> int:
    return int(conn.execute(_RUNNING, {"org_id": org_id}).scalar_one())


def reserve_credits(conn: Connection, org_id: str, credits: int) -> bool:
    """Reserve `credits` if the wallet's available balance covers them."""
    return rowcount(conn.execute(_RESERVE, {"org_id": org_id, "credits": credits})) == 1


def idempotency_row(conn: Connection, scope_key: str) -> IdempotencyRow | None:
    row = conn.execute(_IDEMPOTENCY, {"scope_key": scope_key}).first()
    return None if row is None else IdempotencyRow(*row)


def delete_idempotency(conn: Connection, scope_key: str) -> None:
    conn.execute(_DELETE_IDEMPOTENCY, {"scope_key": scope_key})


def insert_idempotency(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(_INSERT_IDEMPOTENCY, values)


def insert_container(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(_INSERT_CONTAINER, values)


def insert_job(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(_INSERT_JOB, values)
