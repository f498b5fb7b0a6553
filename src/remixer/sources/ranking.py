"""Rank catalog items for a brand: BM25 relevance (bm25s), language match and engagement.

`RecommendationIndex` is built once from a catalog snapshot and queried many times;
callers cache it and rebuild when the catalog changes. Scores lie in [0, 1]:
`0.60 * relevance + 0.25 * engagement + 0.15 * language`, where relevance is the
weighted BM25 score of the brand terms against caption and hashtags, scaled by the
best candidate; engagement grows with log(views) and saturates with engagement rate
(diminishing returns on both); language is 1 for a match, 0.5 when unknown, else 0.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import bm25s  # type: ignore[import-untyped]
from bm25s.stopwords import STOPWORDS_EN  # type: ignore[import-untyped]

from remixer.domain.brand import BrandProfile

RECOMMEND_KINDS = ("video", "slideshow", "mixed")
WEIGHT_RELEVANCE, WEIGHT_ENGAGEMENT, WEIGHT_LANGUAGE = 0.60, 0.25, 0.15
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(STOPWORDS_EN) | {"my", "your", "our", "you", "we", "i", "app", "that"}


class Rankable(Protocol):
    """What the index reads of a catalog item (a `SourceRecord` satisfies it)."""

    @property
    def tiktok_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def caption(self) -> str: ...
    @property
    def hashtags(self) -> tuple[str, ...]: ...
    @property
    def language(self) -> str | None: ...
    @property
    def views(self) -> int: ...
    @property
    def likes(self) -> int: ...
    @property
    def comments(self) -> int: ...
    @property
    def shares(self) -> int: ...


T = TypeVar("T", bound=Rankable)


@dataclass(frozen=True)
class Ranked(Generic[T]):
    item: T
    score: float
    reason: str


@dataclass(frozen=True)
class BrandQuery:
    """Brand terms in three weight groups, plus the optional narrowing keyword's terms."""

    strong: tuple[str, ...]
    medium: tuple[str, ...]
    weak: tuple[str, ...]
    keyword: tuple[str, ...]
    language: str

    @property
    def all_terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.keyword + self.strong + self.medium + self.weak))


def tokenize(text: str) -> list[str]:
    """Lower-case words minus stop words and numbers, plurals folded (workouts → workout)."""
    words = (w for w in _WORD_RE.findall(text.lower()) if _is_term(w))
    return [_fold(w) for w in words]


def _is_term(word: str) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in _STOPWORDS


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def build_query(brand: BrandProfile, keyword: str | None) -> BrandQuery:
    ctx = brand.context
    return BrandQuery(
        strong=tuple(tokenize(" ".join(ctx.keywords))),
        medium=tuple(tokenize(f"{ctx.app_name or ''} {ctx.tagline or ''}")),
        weak=tuple(tokenize(f"{ctx.app_description or ''} {ctx.audience or ''}")),
        keyword=tuple(dict.fromkeys(tokenize(keyword or ""))),
        language=brand.language,
    )


def engagement_of(item: Rankable) -> tuple[float, float]:
    """(score in [0, 1], engagement rate): log-scaled views, saturating rate, damped when tiny."""
    views_score = min(1.0, math.log10(1 + item.views) / 7.0)
    rate = (item.likes + item.comments + item.shares) / item.views if item.views else 0.0
    rate_score = (1.0 - math.exp(-rate / 0.06)) * min(1.0, item.views / 1000)
    return 0.6 * views_score + 0.4 * rate_score, rate


def language_score(item_language: str | None, wanted: str) -> float:
    if not item_language:
        return 0.5
    same = item_language.split("-")[0].lower() == wanted.split("-")[0].lower()
    return 1.0 if same else 0.0


class RecommendationIndex(Generic[T]):
    """An immutable BM25 index over a catalog snapshot; `rank` is safe to call from threads."""

    def __init__(self, items: Sequence[T]) -> None:
        self.items = list(items)
        self._tokens = [frozenset(tokenize(_document(i))) for i in self.items]
        self._engagement = [engagement_of(i) for i in self.items]
        self._by_kind = {
            k: [n for n, i in enumerate(self.items) if i.kind == k] for k in ("video", "slideshow")
        }
        self._postings: dict[str, set[int]] = {}
        self._tag_postings: dict[str, set[int]] = {}
        for n, item in enumerate(self.items):
            for token in self._tokens[n]:
                self._postings.setdefault(token, set()).add(n)
            for tag in item.hashtags:
                self._tag_postings.setdefault(tag, set()).add(n)
        self._bm25 = bm25s.BM25()
        if self.items:
            corpus = [tokenize(_document(i)) or ["\x00"] for i in self.items]
            self._bm25.index(corpus, show_progress=False)

    def __len__(self) -> int:
        return len(self.items)

    def rank(self, query: BrandQuery, kind: str, limit: int) -> list[Ranked[T]]:
        if kind not in RECOMMEND_KINDS:
            raise ValueError(f"kind must be one of {', '.join(RECOMMEND_KINDS)}")
        candidates = self._candidates(query.keyword, kind)
        if not candidates:
            return []
        relevance = self._relevance(query)
        best = max((relevance[n] for n in candidates), default=0.0) or 1.0

        def total(n: int) -> float:
            lang = language_score(self.items[n].language, query.language)
            return (
                WEIGHT_RELEVANCE * relevance[n] / best
                + WEIGHT_ENGAGEMENT * self._engagement[n][0]
                + WEIGHT_LANGUAGE * lang
            )

        top = heapq.nlargest(limit, candidates, key=lambda n: (total(n), -n))
        return [Ranked(self.items[n], round(total(n), 4), self._reason(n, query)) for n in top]

    def _candidates(self, keyword: tuple[str, ...], kind: str) -> list[int]:
        allowed = self._by_kind.get(kind)
        pool: set[int] | None = None
        for term in keyword:
            matches = set(self._postings.get(term, ()))
            for tag, posting in self._tag_postings.items():
                if term in tag:
                    matches |= posting
            pool = matches if pool is None else pool & matches
        if pool is None:
            return list(range(len(self.items))) if allowed is None else list(allowed)
        return sorted(pool if allowed is None else pool.intersection(allowed))

    def _relevance(self, query: BrandQuery) -> list[float]:
        groups = ((query.keyword, 4.0), (query.strong, 3.0), (query.medium, 2.0), (query.weak, 1.0))
        total = [0.0] * len(self.items)
        for terms, weight in groups:
            if not terms:
                continue
            scores = self._bm25.get_scores(list(terms)).tolist()
            total = [t + weight * s for t, s in zip(total, scores, strict=True)]
        return total

    def _reason(self, n: int, query: BrandQuery) -> str:
        item, tokens = self.items[n], self._tokens[n]
        matched = [t for t in query.all_terms if t in tokens][:3]
        parts = [f"matches {', '.join(matched)}" if matched else "no direct brand match"]
        rate = self._engagement[n][1]
        parts.append(f"{_compact(item.views)} views, {rate:.1%} engagement")
        if not item.language:
            parts.append("language unknown")
        elif language_score(item.language, query.language) == 1.0:
            parts.append(f"in {item.language}")
        else:
            parts.append(f"in {item.language}, not {query.language}")
        return "; ".join(parts)


def _document(item: Rankable) -> str:
    # Hashtags count twice: they are the author's own topic labels.
    tags = " ".join(item.hashtags)
    return f"{item.caption} {tags} {tags}"


def _compact(count: int) -> str:
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if count >= size:
            return f"{count / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(count)
