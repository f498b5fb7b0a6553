"""Word spaces put back from the fill mask's ink gaps (`overlays.spacing.spaced`)."""

from __future__ import annotations

from remixer.pipeline.overlays.spacing import spaced

LETTER = 10
"""Ink columns per letter in these lines (every letter as wide)."""


def _line(words: list[str], gaps: list[int]) -> tuple[list[tuple[int, int]], list[float]]:
    """Column ranges of `words` set with the given gaps, and the character boundaries as
    shares of the ink width (equal letters)."""
    ranges, x = [], 0
    for index, word in enumerate(words):
        ranges.append((x, x + LETTER * len(word)))
        x += LETTER * len(word) + (gaps[index] if index < len(gaps) else 0)
    count = sum(len(w) for w in words)
    return ranges, [i / count for i in range(1, count)]


def test_dropped_spaces_come_back_at_gaps_as_wide_as_the_read_ones() -> None:
    words, bounds = _line(["save", "it", "for", "later"], [9, 10, 9])
    assert spaced("saveit forlater", words, bounds) == "save it for later"


def test_a_letter_gap_widened_by_the_stroke_is_not_a_word_gap() -> None:
    # "n obody": 6 px between n and o, against word gaps of 8-10 px read by OCR.
    words, bounds = _line(["n", "obody", "talks", "about", "this"], [6, 8, 10, 9])
    assert spaced("nobody talks about this", words, bounds) == "nobody talks about this"


def test_with_no_space_read_every_wide_gap_is_a_word_gap() -> None:
    words, bounds = _line(["save", "it", "for", "later"], [9, 7, 9])
    assert spaced("saveitforlater", words, bounds) == "save it for later"


def test_spaces_read_by_ocr_stay_where_the_mask_shows_no_gap() -> None:
    words, bounds = _line(["saveit", "for", "later"], [9, 10])
    assert spaced("save itfor later", words, bounds) == "save it for later"
