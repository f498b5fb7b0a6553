"""Did a rewrite keep the line's meaning? Content words (not function words, not part of a
banned phrase) that survive, in order; a question still a question; every number kept.
Shared by the offline adapter, the chat adapter's reply check and the copy benchmark."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from remixer.pipeline.rewrite.banned import FUNCTION, find_matches, tokens
from remixer.pipeline.rewrite.inflect import lemmas, word_set

MIN_KEPT = 0.5
"""At least this share of the source's non-banned content words must survive."""

STOP = FUNCTION | word_set(
    "it's i'm you're we're they're that's there's here's what's don't isn't aren't wasn't "
    "me us them him what why where when which how all more most much many so not just "
    "than then there here thing things one ones yours mine ours oh ok okay yes pov who's "
    "i'll i've i'd you'll you've we'll they'll it'll won't can't didn't doesn't weren't"
)
_NUMBER = re.compile(r"\d+(?:[.,/:]\d+)*")


def content_words(text: str, banned: Sequence[str] = ()) -> list[str]:
    """Lower-cased content words of `text`, in order, leaving out banned spans."""
    toks = tokens(text)
    skip: set[int] = set()
    for match in find_matches(text, banned):
        skip.update(range(match.first, match.last + 1))
    out = []
    for index, tok in enumerate(toks):
        word = tok.lower
        if index in skip or word in STOP or word.isdigit() or len(word) < 2:
            continue
        out.append(word)
    return out


def _present(word: str, pool: set[str]) -> bool:
    return word in pool or bool(lemmas(word) & pool)


def _pool(text: str) -> set[str]:
    out: set[str] = set()
    for tok in tokens(text):
        out |= lemmas(tok.lower)
    return out


def kept_share(source: str, rewrite: str, banned: Sequence[str] = ()) -> float:
    """Share of the source's non-banned content words found in the rewrite (1.0 if none)."""
    words = content_words(source, banned)
    if not words:
        return 1.0
    pool = _pool(rewrite)
    return sum(_present(w, pool) for w in words) / len(words)


def numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


@dataclass(frozen=True)
class MeaningCheck:
    kept: float
    question_kept: bool
    numbers_kept: bool
    order_kept: bool

    @property
    def ok(self) -> bool:
        return self.kept >= MIN_KEPT and self.question_kept and self.numbers_kept

    def problems(self) -> list[str]:
        out = []
        if self.kept < MIN_KEPT:
            out.append(f"kept only {self.kept:.0%} of the source's content words")
        if not self.question_kept:
            out.append("a question must stay a question")
        if not self.numbers_kept:
            out.append("every number must be kept")
        if not self.order_kept:
            out.append("the order of ideas changed")
        return out


def check_meaning(source: str, rewrite: str, banned: Sequence[str] = ()) -> MeaningCheck:
    words = content_words(source, banned)
    pool = _pool(rewrite)
    kept_words = [w for w in words if _present(w, pool)]
    kept = len(kept_words) / len(words) if words else 1.0
    question = "?" not in source or "?" in rewrite
    source_numbers = numbers(source)
    new_numbers = numbers(rewrite)
    numbers_ok = all(n in new_numbers for n in source_numbers)
    return MeaningCheck(kept, question, numbers_ok, _in_order(kept_words, rewrite))


def _in_order(words: Sequence[str], rewrite: str) -> bool:
    """Do the kept words appear in the rewrite in the source's order (first occurrences)?"""
    positions = []
    toks = [t.lower for t in tokens(rewrite)]
    for word in words:
        forms = lemmas(word) | {word}
        at = next((i for i, t in enumerate(toks) if t in forms or lemmas(t) & forms), None)
        if at is not None:
            positions.append(at)
    return all(a <= b for a, b in pairwise(positions))
