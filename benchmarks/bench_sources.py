"""Source recommendations benchmark: latency on 10,000 catalog items in SQLite, and relevance.

Run: `.venv/bin/python -m benchmarks.bench_sources`. Builds a synthetic catalog of
topical posts (fitness, cooking, finance, travel, beauty, pets) with random engagement
and languages, then measures `recommend_sources` latency (cold index build, warm
p50/p95 over varied queries; target p95 ≤ 50 ms) and precision@10 per labelled brand
(a fitness brand must get fitness sources first).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from remixer.domain.brand import BrandContext, BrandProfile
from remixer.services.recommendations import IndexCache, recommend_sources
from remixer.store.engine import make_engine, make_session_factory
from remixer.store.repositories.catalog import SourceRecord
from remixer.store.tables.catalog import CatalogItem
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

CATALOG_SIZE = 10_000
TARGET_P95_MS = 50.0
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "fitness": (
        ["workout", "gym", "squat", "cardio", "strength", "abs", "training", "fit"],
        ["fitness", "workout", "gymtok", "homeworkout", "fitnessmotivation"],
    ),
    "cooking": (
        ["recipe", "pasta", "dinner", "bake", "kitchen", "chef", "meal", "easy"],
        ["cooking", "recipe", "foodtok", "mealprep", "dinnerideas"],
    ),
    "finance": (
        ["money", "budget", "invest", "savings", "stocks", "debt", "income", "tips"],
        ["finance", "moneytok", "investing", "budgeting", "personalfinance"],
    ),
    "travel": (
        ["trip", "flight", "beach", "hotel", "europe", "backpacking", "city", "guide"],
        ["travel", "traveltok", "wanderlust", "vacation", "travelguide"],
    ),
    "beauty": (
        ["makeup", "skincare", "glow", "lipstick", "routine", "serum", "look", "tutorial"],
        ["beauty", "skincare", "makeuptutorial", "grwm", "glowup"],
    ),
    "pets": (
        ["dog", "puppy", "cat", "kitten", "vet", "walk", "cute", "trick"],
        ["pets", "dogsoftiktok", "catsoftiktok", "puppy", "petcare"],
    ),
}
FILLER = ["my", "day", "life", "this", "changed", "best", "try", "today", "you", "need", "pov"]
BRANDS: dict[str, BrandProfile] = {
    "fitness": BrandProfile(
        BrandContext(
            app_name="FitPulse",
            app_description="Strength training and home workout plans",
            tagline="Get fit in 20 minutes a day",
            audience="gym beginners",
            keywords=("fitness", "workout", "gym"),
        )
    ),
    "cooking": BrandProfile(
        BrandContext(
            app_name="Panful",
            app_description="Easy dinner recipes",
            keywords=("recipe", "cooking", "meal prep"),
        )
    ),
    "finance": BrandProfile(
        BrandContext(
            app_name="Coinly",
            tagline="Budget smarter, invest earlier",
            keywords=("money", "budget", "investing"),
        )
    ),
    "travel": BrandProfile(
        BrandContext(
            app_name="Roamer",
            app_description="Cheap flights and city guides",
            keywords=("travel", "trip", "flight"),
        )
    ),
}


def _record(n: int, rng: random.Random) -> SourceRecord:
    topic = rng.choice(list(TOPICS))
    words, tags = TOPICS[topic]
    caption = " ".join(rng.sample(words, 3) + rng.sample(FILLER, 3))
    views = int(10 ** rng.uniform(2, 7))
    return SourceRecord(
        tiktok_id=f"7{n:018d}",
        blob_key=f"sha256/00/{n}.mp4",
        checksum_sha256=f"{n:064d}",
        probe={"duration_s": 12.0},
        kind=rng.choices(["video", "slideshow"], [0.8, 0.2])[0],
        caption=caption,
        author=f"@{topic}{n}",
        hashtags=tuple(rng.sample(tags, 2)),
        language=rng.choices(["en", "es", None], [0.7, 0.2, 0.1])[0],
        views=views,
        likes=int(views * rng.uniform(0.0, 0.12)),
        comments=int(views * rng.uniform(0.0, 0.01)),
        shares=int(views * rng.uniform(0.0, 0.01)),
        duration_ms=12_000,
    )


def build_catalog(folder: Path, size: int = CATALOG_SIZE) -> tuple[UnitOfWorkFactory, Any]:
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    CatalogItem.__table__.create(engine)  # type: ignore[attr-defined]
    sessions = make_session_factory(engine)
    rng = random.Random(7)
    with UnitOfWork(sessions) as uow:
        uow.catalog.add_many(_record(n, rng) for n in range(size))
        uow.commit()
    return (lambda: UnitOfWork(sessions)), engine


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_latency(uow_factory: UnitOfWorkFactory, rounds: int = 300) -> dict[str, float]:
    cache = IndexCache()
    start = time.perf_counter()
    recommend_sources(uow_factory, BRANDS["fitness"], None, "mixed", 20, cache=cache)
    cold_ms = (time.perf_counter() - start) * 1000
    queries = [
        (b, k, kind)
        for b in BRANDS
        for k in (None, "routine", "easy")
        for kind in ("mixed", "video", "slideshow")
    ]
    samples: list[float] = []
    for n in range(rounds):
        brand, keyword, kind = queries[n % len(queries)]
        start = time.perf_counter()
        recommend_sources(uow_factory, BRANDS[brand], keyword, kind, 20, cache=cache)
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "cold_build_ms": round(cold_ms, 1),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_percentile(samples, 0.95), 2),
        "max_ms": round(max(samples), 2),
        "index_builds": float(cache.builds),
    }


def measure_relevance(uow_factory: UnitOfWorkFactory) -> dict[str, float]:
    """precision@10 per brand: share of the top 10 whose author's topic is the brand's."""
    figures: dict[str, float] = {}
    for topic, brand in BRANDS.items():
        items = recommend_sources(uow_factory, brand, None, "mixed", 10, cache=IndexCache())
        on_topic = [i for i in items if (i.author or "").startswith(f"@{topic}")]
        figures[f"precision_at_10_{topic}"] = len(on_topic) / max(1, len(items))
        if topic == "fitness":
            figures["fitness_top1_is_fitness"] = float(on_topic[:1] == items[:1] and bool(items))
    return figures


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-sources-") as tmp:
        start = time.perf_counter()
        uow_factory, engine = build_catalog(Path(tmp))
        seed_s = time.perf_counter() - start
        latency = measure_latency(uow_factory)
        relevance = measure_relevance(uow_factory)
        engine.dispose()
    result: dict[str, Any] = {
        "catalog_items": CATALOG_SIZE,
        "seed_s": round(seed_s, 2),
        **latency,
        "target_p95_ms": TARGET_P95_MS,
        "p95_within_target": latency["p95_ms"] <= TARGET_P95_MS,
        **relevance,
    }
    for key, value in result.items():
        print(f"{key:28} {value}")
    return result


if __name__ == "__main__":
    main()
