"""Content containers and jobs: what the partner polls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from remixer.store.base import Base, utcnow


class Container(Base):
    __tablename__ = "containers"
    __table_args__ = (Index("ix_containers_project_created", "project_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    format: Mapped[str] = mapped_column(String(32), default="video-remix")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    source_tiktok_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    influencer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    project_layer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    voice: Mapped[str] = mapped_column(String(20), default="authentic")
    language: Mapped[str] = mapped_column(String(35), default="en")
    hook: Mapped[str | None] = mapped_column(Text, nullable=True)
    caption: Mapped[str | None] = mapped_column(Text, nullable=True)
    overlays: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    assets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    quality: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    sandbox: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_org_status", "organization_id", "status"),
        Index("ix_jobs_dispatch", "dispatched_at", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running")
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    progress: Mapped[float] = mapped_column(default=0.0)
    stage_progress: Mapped[float] = mapped_column(default=0.0)
    eta_seconds: Mapped[int | None] = mapped_column(nullable=True)
    container_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    influencer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credits_reserved: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # When a worker handed the job to DBOS; NULL = still in the outbox (see services.jobs).
    dispatched_at: Mapped[datetime | None] = mapped_column(nullable=True)
