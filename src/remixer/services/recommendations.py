"""Source recommendations (SPEC §6.4): rank catalog items for a project's brand.

Ranking lives in `remixer.sources.ranking` (BM25 via bm25s). This module keeps the
index warm: one index per catalog version, rebuilt when `CatalogRepository.version()`
changes (any import, fetch, update or delete), so each request costs one cheap
`count/max` query plus the ranking itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
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


class IndexCache:
    """The current index per database, rebuilt when that database's catalog version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[CatalogVersion, RecommendationIndex[SourceRecord]]] = {}
        self.builds = 0

    def index_for(self, uow_factory: UnitOfWorkFactory) -> RecommendationIndex[SourceRecord]:
        with uow_factory() as uow:
            version = uow.catalog.version()
        with self._lock:
            entry = self._entries.get(version.database)
            if entry is not None and entry[0] == version:
                return entry[1]
            with uow_factory() as uow:
                version = uow.catalog.version()
                records = uow.catalog.list_all()
            index = RecommendationIndex(records)
            self._entries[version.database] = (version, index)
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
) -> list[Recommendation]:
    """Up to `limit` catalog items, best first; `keyword` keeps only items that match it.

    Raises `ValueError` for a `kind`, `limit` or `keyword` outside SPEC §6.4 (the API
    validates these first and answers `VALIDATION`).
    """
    _validate(keyword, kind, limit)
    index = cache.index_for(uow_factory)
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
