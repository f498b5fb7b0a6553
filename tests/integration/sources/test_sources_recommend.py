"""`recommend_sources` on a real SQLite catalog: fields, validation, cached index, invalidation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from remixer.domain.brand import BrandContext, BrandProfile
from remixer.services.recommendations import (
    IndexCache,
    recommend_sources,
    recommendation_to_dict,
)
from remixer.store.repositories.catalog import SourceRecord
from remixer.store.uow import UnitOfWorkFactory

BRAND = BrandProfile(
    BrandContext(app_name="FitPulse", tagline="Get fit at home", keywords=("fitness", "workout"))
)
BASE = SourceRecord(
    tiktok_id="7100000000000000000",
    blob_key="sha256/00/x.mp4",
    checksum_sha256="0" * 64,
    probe={"duration_s": 1.5},
    duration_ms=1500,
    language="en",
    views=50_000,
    likes=2_500,
    thumbnail_key="sha256/00/x.jpg",
)


def seed(uow_factory: UnitOfWorkFactory, *records: SourceRecord) -> None:
    with uow_factory() as uow:
        for record in records:
            uow.catalog.save(record)
        uow.commit()


@pytest.fixture
def seeded(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    seed(
        uow_factory,
        replace(BASE, tiktok_id="7100000000000000001", caption="pasta night", hashtags=("food",)),
        replace(
            BASE,
            tiktok_id="7100000000000000002",
            caption="10 minute home workout",
            hashtags=("fitness",),
            author="@coach",
        ),
        replace(BASE, tiktok_id="7100000000000000003", caption="fitness slides", kind="slideshow"),
    )
    return uow_factory


def test_items_carry_every_field_and_rank_the_brand_first(seeded: UnitOfWorkFactory) -> None:
    items = recommend_sources(seeded, BRAND, None, "mixed", 20, cache=IndexCache())
    assert [i.tiktok_id for i in items][:2] == ["7100000000000000002", "7100000000000000003"]
    top = recommendation_to_dict(items[0])
    assert top == {
        "tiktokVideoId": "7100000000000000002",
        "kind": "video",
        "caption": "10 minute home workout",
        "author": "@coach",
        "hashtags": ["fitness"],
        "durationMs": 1500,
        "stats": {"views": 50_000, "likes": 2_500, "comments": 0, "shares": 0},
        "thumbnailKey": "sha256/00/x.jpg",
        "score": items[0].score,
        "reason": "matches fitness, workout, home; 50K views, 5.0% engagement; in en",
    }
    assert items[0].score > items[1].score > items[2].score


def test_kind_keyword_and_limit(seeded: UnitOfWorkFactory) -> None:
    cache = IndexCache()
    slides = recommend_sources(seeded, BRAND, None, "slideshow", 20, cache=cache)
    assert [i.tiktok_id for i in slides] == ["7100000000000000003"]
    pasta = recommend_sources(seeded, BRAND, "pasta", "mixed", 20, cache=cache)
    assert [i.tiktok_id for i in pasta] == ["7100000000000000001"]
    assert len(recommend_sources(seeded, BRAND, None, "mixed", 1, cache=cache)) == 1


@pytest.mark.parametrize(
    ("keyword", "kind", "limit", "message"),
    [
        (None, "reel", 5, "kind"),
        (None, "mixed", 0, "limit"),
        (None, "mixed", 51, "limit"),
        ("", "mixed", 5, "keyword"),
        ("x" * 201, "mixed", 5, "keyword"),
    ],
)
def test_out_of_range_queries_raise(
    seeded: UnitOfWorkFactory, keyword: str | None, kind: str, limit: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        recommend_sources(seeded, BRAND, keyword, kind, limit, cache=IndexCache())


def test_index_is_cached_and_rebuilt_when_the_catalog_changes(seeded: UnitOfWorkFactory) -> None:
    cache = IndexCache()
    recommend_sources(seeded, BRAND, None, "mixed", 5, cache=cache)
    recommend_sources(seeded, BRAND, "workout", "video", 5, cache=cache)
    assert cache.builds == 1

    seed(
        seeded,
        replace(
            BASE,
            tiktok_id="7100000000000000009",
            caption="home fitness workout plan",
            hashtags=("fitness", "workout"),
            views=900_000,
            likes=90_000,
        ),
    )
    fresh = recommend_sources(seeded, BRAND, None, "mixed", 5, cache=cache)
    assert cache.builds == 2
    assert fresh[0].tiktok_id == "7100000000000000009"

    with seeded() as uow:
        uow.catalog.delete("7100000000000000009")
        uow.commit()
    after = recommend_sources(seeded, BRAND, None, "mixed", 5, cache=cache)
    assert cache.builds == 3
    assert "7100000000000000009" not in [i.tiktok_id for i in after]


def test_empty_catalog_recommends_nothing(uow_factory: UnitOfWorkFactory) -> None:
    assert recommend_sources(uow_factory, BRAND, None, "mixed", 20, cache=IndexCache()) == []
