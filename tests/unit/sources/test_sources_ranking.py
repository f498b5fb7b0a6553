"""Recommendation ranking: BM25 brand relevance, keyword narrowing, kind, language, engagement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from remixer.domain.brand import BrandContext, BrandProfile
from remixer.sources.ranking import (
    Ranked,
    RecommendationIndex,
    build_query,
    engagement_of,
    language_score,
    tokenize,
)


@dataclass(frozen=True)
class Item:
    tiktok_id: str
    caption: str
    hashtags: tuple[str, ...] = ()
    kind: str = "video"
    language: str | None = "en"
    views: int = 10_000
    likes: int = 500
    comments: int = 20
    shares: int = 10


FITNESS = BrandProfile(
    BrandContext(
        app_name="FitPulse",
        app_description="Home workout plans and strength training for busy people",
        tagline="Get fit in 20 minutes",
        audience="gym beginners",
        keywords=("fitness", "workout", "strength"),
    )
)
COOKING = BrandProfile(
    BrandContext(app_name="Panful", app_description="Quick recipes", keywords=("recipe", "cooking"))
)

ITEMS = [
    Item("100000000000001", "easy pasta recipe for dinner", ("cooking", "recipe"), views=900_000),
    Item("100000000000002", "my 20 minute home workout", ("fitness", "homeworkout")),
    Item("100000000000003", "leg day strength training", ("gym", "strength"), kind="slideshow"),
    Item("100000000000004", "budget travel tips for europe", ("travel",), views=2_000_000),
    Item("100000000000005", "morning routine that changed my life", ("morningroutine",)),
    Item("100000000000006", "rutina de ejercicio en casa", ("fitness",), language="es"),
]


def ids(results: Sequence[Ranked[Item]]) -> list[str]:
    return [r.item.tiktok_id for r in results]


def test_brand_relevance_beats_raw_views() -> None:
    index = RecommendationIndex(ITEMS)
    fitness = ids(index.rank(build_query(FITNESS, None), "mixed", 3))
    assert set(fitness) == {"100000000000002", "100000000000003", "100000000000006"}
    assert ids(index.rank(build_query(COOKING, None), "mixed", 1)) == ["100000000000001"]


def test_language_match_breaks_a_relevance_tie() -> None:
    pair = [
        Item("200000000000001", "home workout", ("fitness",), language="es"),
        Item("200000000000002", "home workout", ("fitness",), language="en"),
    ]
    ranked = RecommendationIndex(pair).rank(build_query(FITNESS, None), "mixed", 2)
    assert ids(ranked) == ["200000000000002", "200000000000001"]
    assert ranked[0].score > ranked[1].score


def test_keyword_narrows_to_matching_items_including_inside_hashtags() -> None:
    index = RecommendationIndex(ITEMS)
    assert ids(index.rank(build_query(FITNESS, "routine"), "mixed", 10)) == ["100000000000005"]
    assert ids(index.rank(build_query(FITNESS, "Europe travel"), "mixed", 10)) == [
        "100000000000004"
    ]
    assert index.rank(build_query(FITNESS, "skateboarding"), "mixed", 10) == []


def test_kind_filters_and_limit_caps() -> None:
    index = RecommendationIndex(ITEMS)
    assert ids(index.rank(build_query(FITNESS, None), "slideshow", 10)) == ["100000000000003"]
    videos = index.rank(build_query(FITNESS, None), "video", 10)
    assert len(videos) == 5 and all(r.item.kind == "video" for r in videos)
    assert len(index.rank(build_query(FITNESS, None), "mixed", 2)) == 2
    with pytest.raises(ValueError, match="kind"):
        index.rank(build_query(FITNESS, None), "reel", 2)


def test_without_brand_terms_engagement_orders_the_list() -> None:
    empty = BrandProfile(BrandContext())
    items = [
        Item("300000000000001", "a", views=5_000, likes=250),
        Item("300000000000002", "b", views=500_000, likes=25_000),
        Item("300000000000003", "c", views=500_000, likes=500),
    ]
    ranked = RecommendationIndex(items).rank(build_query(empty, None), "mixed", 3)
    assert ids(ranked) == ["300000000000002", "300000000000001", "300000000000003"]


def test_engagement_has_diminishing_returns() -> None:
    def score(views: int, rate: float) -> float:
        likes = int(views * rate)
        return engagement_of(Item("1" * 15, "", views=views, likes=likes, comments=0, shares=0))[0]

    assert score(10_000, 0.05) < score(100_000, 0.05) < score(1_000_000, 0.05)
    assert score(1_000_000, 0.05) - score(100_000, 0.05) < 0.1
    assert score(100_000, 0.2) - score(100_000, 0.1) < score(100_000, 0.1) - score(100_000, 0.0)
    assert score(0, 0.0) == 0.0
    assert score(50, 1.0) < score(50_000, 1.0)


def test_reason_names_matches_views_engagement_and_language() -> None:
    ranked = RecommendationIndex(ITEMS).rank(build_query(FITNESS, None), "mixed", 6)
    by_id = {r.item.tiktok_id: r for r in ranked}
    assert by_id["100000000000002"].reason == (
        "matches fitness, workout, minute; 10K views, 5.3% engagement; in en"
    )
    assert "in es, not en" in by_id["100000000000006"].reason
    assert by_id["100000000000004"].reason.startswith("no direct brand match; 2M views")
    assert all(0.0 <= r.score <= 1.0 for r in ranked)


def test_empty_catalog_gives_nothing() -> None:
    assert RecommendationIndex([]).rank(build_query(FITNESS, None), "mixed", 5) == []


def test_tokenize_drops_stop_words_and_folds_plurals() -> None:
    assert tokenize("The Workouts for my FITNESS class!") == ["workout", "fitness", "class"]
    assert language_score("en-US", "en") == 1.0
    assert language_score(None, "en") == 0.5
    assert language_score("es", "en") == 0.0
