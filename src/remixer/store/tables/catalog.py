"""The source catalog: one row per TikTok post id, its video blob, probe data and metadata."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from remixer.store.base import Base, utcnow


class CatalogItem(Base):
    __tablename__ = "source_catalog"

    tiktok_id: Mapped[str] = mapped_column(String(21), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="video", index=True)
    blob_key: Mapped[str] = mapped_column(String(200))
    checksum_sha256: Mapped[str] = mapped_column(String(64))
    probe: Mapped[dict[str, Any]] = mapped_column(default=dict)
    duration_ms: Mapped[int | None] = mapped_column(nullable=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    caption: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(255), nullable=True)
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(35), nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    likes: Mapped[int] = mapped_column(BigInteger, default=0)
    comments: Mapped[int] = mapped_column(BigInteger, default=0)
    shares: Mapped[int] = mapped_column(BigInteger, default=0)
    origin: Mapped[str] = mapped_column(String(16), default="import")
    # NULL: the operator's imported catalog, shared by every organization; otherwise the
    # organization whose job fetched the item on demand (only it sees it recommended).
    organization_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
