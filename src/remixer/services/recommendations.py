"""Source recommendations (SPEC §6.4): rank catalog items for a project's brand.

Ranking lives in `remixer.sources.ranking` (BM25 via bm25s). This module keeps the
index warm: one index per catalog version, rebuilt when `CatalogRepository.version()`
changes (any import, fetch, update or delete), so each request costs one cheap
`count/max` query plus the ranking itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from remixer.domain.brand import BrandProfile
from remixer.sources.ranking import RECOMMEND_KINDS, RecommendationIndex, build_query
from remixer.store.repositories.catalog import CatalogVersion, SourceRecord
from remixer.store.uow import UnitOfWorkFactory

MAX_LIMIT = 50
MAX_KEYWORD = 200


@dataclass(frozen=True)
class Recommendation:
    tiktok_id: str
    kind: str
    caption: str
    author: str | None
    hashtags: tuple[str, ...]
    duration_ms: int | None
    stats: dict[str, int]
    thumbnail_key: str | None
    score: float
    reason: str


MAX_TENANT_INDEXES = 32


@dataclass
class _Snapshot:
    """One catalog version: its rows, which organizations own fetched rows, and the
    indexes built from it so far (key `None`: the shared catalog alone)."""

    version: CatalogVersion
    records: list[SourceRecord]
    owners: frozenset[str]
    indexes: dict[str | None, RecommendationIndex[SourceRecord]] = field(default_factory=dict)


class IndexCache:
    """Indexes per database, rebuilt when that database's catalog version changes.

    Each index holds only what one audience may see: the shared catalog, or the shared
    catalog plus one organization's own fetches. So another tenant's items never reach
    a ranking, not even through BM25's corpus statistics. Organizations without fetched
    items share the shared index; at most `MAX_TENANT_INDEXES` tenant indexes are kept.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Snapshot] = {}
        self.builds = 0

    def index_for(
        self, uow_factory: UnitOfWorkFactory, organization_id: str | None = None
    ) -> RecommendationIndex[SourceRecord]:
        with uow_factory() as uow:
            version = uow.catalog.version()
        with self._lock:
            snapshot = self._entries.get(version.database)
            if snapshot is None or snapshot.version != version:
                with uow_factory() as uow:
                    version = uow.catalog.version()
                    records = list(uow.catalog.list_all())
                owners = frozenset(r.organization_id for r in records if r.organization_id)
                snapshot = _Snapshot(version, records, owners)
                self._entries[version.database] = snapshot
            audience = organization_id if organization_id in snapshot.owners else None
            index = snapshot.indexes.get(audience)
            if index is None:
                visible = [r for r in snapshot.records if r.visible_to(audience or "")]
                index = RecommendationIndex(visible)
                if len(snapshot.indexes) >= MAX_TENANT_INDEXES:  # keep the shared one
                    shared = snapshot.indexes.get(None)
                    snapshot.indexes = {} if shared is None else {None: shared}
                snapshot.indexes[audience] = index
                self.builds += 1
            return index

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def recommend_sources(
    uow_factory: UnitOfWorkFactory,
    brand: BrandProfile,
    keyword: str | None,
    kind: str,
    limit: int,
    *,
    cache: IndexCache,
    organization_id: str | None = None,
) -> list[Recommendation]:
    """Up to `limit` catalog items, best first; `keyword` keeps only items that match it.

    Only items `organization_id` may see: the shared (imported) catalog plus what its own
    jobs fetched on demand; with no organization, the shared catalog alone.

    Raises `ValueError` for a `kind`, `limit` or `keyword` outside SPEC §6.4 (the API
    validates these first and answers `VALIDATION`).
    """
    _validate(keyword, kind, limit)
    index = cache.index_for(uow_factory, organization_id)
    ranked = index.rank(build_query(brand, keyword), kind, limit)
    return [_recommendation(r.item, r.score, r.reason) for r in ranked]


def _validate(keyword: str | None, kind: str, limit: int) -> None:
    if kind not in RECOMMEND_KINDS:
        raise ValueError(f"kind must be one of {', '.join(RECOMMEND_KINDS)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    if keyword is not None and not 1 <= len(keyword) <= MAX_KEYWORD:
        raise ValueError(f"keyword must be 1-{MAX_KEYWORD} characters")


def _recommendation(item: SourceRecord, score: float, reason: str) -> Recommendation:
    return Recommendation(
        tiktok_id=item.tiktok_id,
        kind=item.kind,
        caption=item.caption,
        author=item.author,
        hashtags=item.hashtags,
        duration_ms=item.duration_ms,
        stats=item.stats,
        thumbnail_key=item.thumbnail_key,
        score=score,
        reason=reason,
    )


def recommendation_to_dict(item: Recommendation) -> dict[str, Any]:
    """Plain dict with the §6.4 field names except `thumbnailUrl` (the API signs the key)."""
    return {
        "tiktokVideoId": item.tiktok_id,
        "kind": item.kind,
        "caption": item.caption,
        "author": item.author,
        "hashtags": list(item.hashtags),
        "durationMs": item.duration_ms,
        "stats": item.stats,
        "thumbnailKey": item.thumbnail_key,
        "score": item.score,
        "reason": item.reason,
    }
