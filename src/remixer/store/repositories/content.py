"""Containers and jobs, including the guarded state transitions jobs rely on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from remixer.store.base import rowcount as _rowcount
from remixer.store.tables.accounts import Organization
from remixer.store.tables.content import Container, Job


class ContentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: Container | Job) -> None:
        self.session.add(item)

    def get_container(self, org_id: str, container_id: str) -> Container | None:
        stmt = select(Container).where(
            Container.id == container_id, Container.organization_id == org_id
        )
        return self.session.scalars(stmt).one_or_none()

    def container_by_id(self, container_id: str) -> Container | None:
        return self.session.get(Container, container_id)

    def list_containers(
        self,
        project_id: str,
        filters: dict[str, Any],
        cursor: tuple[datetime, str] | None,
        limit: int,
    ) -> Sequence[Container]:
        stmt = select(Container).where(Container.project_id == project_id)
        if filters.get("status"):
            stmt = stmt.where(Container.status == filters["status"])
        if filters.get("format"):
            stmt = stmt.where(Container.format == filters["format"])
        if filters.get("since"):
            stmt = stmt.where(Container.created_at >= filters["since"])
        if filters.get("until"):
            stmt = stmt.where(Container.created_at < filters["until"])
        if cursor:
            created, cid = cursor
            stmt = stmt.where(
                (Container.created_at < created)
                | ((Container.created_at == created) & (Container.id < cid))
            )
        order = (Container.created_at.desc(), Container.id.desc())
        return self.session.scalars(stmt.order_by(*order).limit(limit)).all()

    def get_job(self, org_id: str, job_id: str) -> Job | None:
        stmt = select(Job).where(Job.id == job_id, Job.organization_id == org_id)
        return self.session.scalars(stmt).one_or_none()

    def running_jobs_locked(self, org_id: str) -> int:
        """The organization's running jobs, after locking its row on PostgreSQL, so two
        processes cannot both pass a cap check at the cap (the accept path locks it too)."""
        if self.session.get_bind().dialect.name == "postgresql":
            lock = select(Organization.id).where(Organization.id == org_id).with_for_update()
            self.session.execute(lock)
        stmt = (
            select(func.count())
            .select_from(Job)
            .where(Job.organization_id == org_id, Job.status == "running")
        )
        return int(self.session.execute(stmt).scalar_one())

    def job_by_id(self, job_id: str) -> Job | None:
        return self.session.get(Job, job_id)

    def job_for_update(self, job_id: str) -> Job | None:
        stmt = select(Job).where(Job.id == job_id).with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def job_for_container(self, container_id: str) -> Job | None:
        stmt = select(Job).where(Job.container_id == container_id).limit(1)
        return self.session.scalars(stmt).first()

    def is_cancel_requested(self, job_id: str) -> bool:
        stmt = select(Job.cancel_requested, Job.status).where(Job.id == job_id)
        row = self.session.execute(stmt).one_or_none()
        return row is None or bool(row[0]) or row[1] != "running"

    def update_running_job(self, job_id: str, values: dict[str, Any]) -> bool:
        """Update a job only while it is still running (terminal states never change)."""
        stmt = update(Job).where(Job.id == job_id, Job.status == "running").values(**values)
        return _rowcount(self.session.execute(stmt)) == 1

    def undispatched_jobs(self, limit: int) -> Sequence[tuple[str, str]]:
        """(id, kind) of running jobs no worker has handed to DBOS yet, oldest first."""
        stmt = (
            select(Job.id, Job.kind)
            .where(Job.dispatched_at.is_(None), Job.status == "running")
            .order_by(Job.id)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in self.session.execute(stmt)]

    def mark_dispatched(self, job_ids: Sequence[str], at: datetime) -> None:
        stmt = update(Job).where(Job.id.in_(job_ids)).values(dispatched_at=at)
        self.session.execute(stmt, execution_options={"synchronize_session": False})

    def queued_job_ids(self, older_than: datetime) -> Sequence[str]:
        stmt = select(Job.id).where(Job.status == "running", Job.started_at < older_than)
        return self.session.scalars(stmt).all()
