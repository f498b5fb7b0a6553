"""The source catalog repository: plain `SourceRecord` values in and out, all SQL here.

`version()` is a cheap fingerprint (row count, last change) that in-process caches
such as the recommendation index compare to know when to rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remixer.store.base import utcnow
from remixer.store.tables.catalog import CatalogItem

SaveOutcome = Literal["imported", "updated", "unchanged"]


@dataclass(frozen=True)
class SourceRecord:
    """One catalog item as plain data (what services, jobs and the ranking index read)."""

    tiktok_id: str
    blob_key: str
    checksum_sha256: str
    probe: dict[str, Any]
    kind: str = "video"
    caption: str = ""
    author: str | None = None
    hashtags: tuple[str, ...] = ()
    language: str | None = None
    posted_at: datetime | None = None
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    duration_ms: int | None = None
    thumbnail_key: str | None = None
    origin: str = "import"
    organization_id: str | None = None

    def visible_to(self, org_id: str) -> bool:
        """Imported items (no owner) are shared; an on-demand fetch only by its organization."""
        return self.organization_id is None or self.organization_id == org_id

    @property
    def stats(self) -> dict[str, int]:
        return {
            "views": self.views,
            "likes": self.likes,
            "comments": self.comments,
            "shares": self.shares,
        }

    def same_content(self, other: SourceRecord) -> bool:
        """Equal file and metadata; `origin` and the derived thumbnail do not count."""
        skip = {"origin", "thumbnail_key"}
        return all(
            getattr(self, f.name) == getattr(other, f.name)
            for f in fields(self)
            if f.name not in skip
        )


@dataclass(frozen=True)
class CatalogVersion:
    """Changes whenever a row is added, updated or deleted (updates stamp `updated_at`).

    `database` names the database (URL without password) so caches can tell stores apart.
    """

    database: str
    count: int
    last_change: datetime | None


_RECORD_FIELDS = tuple(f.name for f in fields(SourceRecord))


def _to_record(row: CatalogItem) -> SourceRecord:
    values = {name: getattr(row, name) for name in _RECORD_FIELDS}
    values["hashtags"] = tuple(row.hashtags or ())
    values["probe"] = dict(row.probe or {})
    return SourceRecord(**values)


def _row_values(record: SourceRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in _RECORD_FIELDS}
    values["hashtags"] = list(record.hashtags)
    return values


class CatalogRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, tiktok_id: str) -> SourceRecord | None:
        row = self.session.get(CatalogItem, tiktok_id)
        return None if row is None else _to_record(row)

    def save(self, record: SourceRecord) -> SaveOutcome:
        """Insert or update by id; a record with the same content is left alone."""
        row = self.session.get(CatalogItem, record.tiktok_id)
        if row is None:
            self.session.add(CatalogItem(**_row_values(record)))
            self.session.flush()
            return "imported"
        if _to_record(row).same_content(record):
            return "unchanged"
        for name, value in _row_values(record).items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        self.session.flush()
        return "updated"

    def add_many(self, records: Iterable[SourceRecord]) -> int:
        """Bulk insert of new ids (benchmarks, seeding); existing ids raise on flush."""
        rows = [CatalogItem(**_row_values(r)) for r in records]
        self.session.add_all(rows)
        self.session.flush()
        return len(rows)

    def delete(self, tiktok_id: str) -> bool:
        row = self.session.get(CatalogItem, tiktok_id)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def list_all(self) -> Sequence[SourceRecord]:
        rows = self.session.scalars(select(CatalogItem).order_by(CatalogItem.tiktok_id)).all()
        return [_to_record(r) for r in rows]

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(CatalogItem)) or 0)

    def version(self) -> CatalogVersion:
        stmt = select(func.count(), func.max(CatalogItem.updated_at)).select_from(CatalogItem)
        count, last = self.session.execute(stmt).one()
        if isinstance(last, str):  # SQLite returns the aggregate untyped
            last = datetime.fromisoformat(last)
        if isinstance(last, datetime) and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        url = self.session.get_bind().engine.url.render_as_string(hide_password=True)
        return CatalogVersion(database=url, count=int(count or 0), last_change=last)
