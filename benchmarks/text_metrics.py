"""Character error rate, the one copy the overlay benchmarks and tests share."""

from __future__ import annotations

from remixer.pipeline.typeset.fonts import strip_emoji


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions cost 1)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[len(b)]


def cer(truth: str, read: str, *, ignore_emoji: bool = True, ignore_case: bool = True) -> float:
    """Edit distance ÷ truth length, whitespace always ignored; emoji and letter case too
    unless asked otherwise (all-caps faces such as Bebas Neue draw lower case as capitals)."""

    def norm(text: str) -> str:
        text = strip_emoji(text) if ignore_emoji else text
        text = text.lower() if ignore_case else text
        return "".join(text.split())

    a = norm(truth)
    return edit_distance(a, norm(read)) / max(len(a), 1)
