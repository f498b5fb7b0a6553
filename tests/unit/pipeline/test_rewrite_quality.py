"""What the copy must keep: meaning (content words, questions, numbers) and grammar, the
latter judged by Debian's link-parser where it is installed."""

from __future__ import annotations

import pytest

from remixer.pipeline.rewrite import VOICES, CopyBrief, OfflineCopyAdapter, copy_items
from remixer.pipeline.rewrite.banned import find_banned
from remixer.pipeline.rewrite.grammar import LinkGrammar, parse_text
from remixer.pipeline.rewrite.meaning import check_meaning, content_words, kept_share

LINK = LinkGrammar.find()
needs_link_parser = pytest.mark.skipif(
    LINK is None, reason="link-parser is not installed (Debian package link-grammar)"
)


def test_content_words_leave_out_function_words_and_banned_spans() -> None:
    words = content_words("Grab yours via the link in bio before it sells out", ["link in bio"])
    assert words == ["grab", "sells"]
    assert kept_share("3 habits that actually work", "3 habits that help") == 0.5


def test_meaning_check_names_what_was_lost() -> None:
    ok = check_meaning("Would you try it?", "So, would you try it?")
    assert ok.ok and ok.kept == 1.0
    lost = check_meaning("Which one do you skip?", "Skip one.")
    assert not lost.question_kept and not lost.ok
    assert not check_meaning("Save $400 in 3 months", "Save money in months").numbers_kept
    assert "order" in " ".join(check_meaning("sleep then train", "train then sleep").problems())


LINES = [
    ["POV: my miracle routine"],
    ["Grab yours via the link in bio", "before it sells out again"],
    ["3 things that cured my acne 🧴"],
    ["Why is nobody talking about", "this anti-aging serum?"],
    ["It sold out twice in 2 weeks"],
    ["Follow for more skincare tips"],
]
BANNED = ("link in bio", "sells out", "miracle", "cure", "anti-aging")


@pytest.mark.parametrize("voice", VOICES)
def test_offline_copy_keeps_meaning_changes_visibly_and_leaves_no_banned_phrase(
    voice: str,
) -> None:
    items = copy_items(LINES)
    brief = CopyBrief(voice=voice, app_name="Glowly", banned_phrases=BANNED)  # type: ignore[arg-type]
    texts = OfflineCopyAdapter(grammar=None).adapt(items, brief)
    for item, text in zip(items, texts, strict=True):
        assert find_banned(text, BANNED) is None, text
        assert check_meaning(item.text, text, BANNED).ok, (item.text, text)
        assert text.lower() != item.text.lower()


@needs_link_parser
def test_link_parser_counts_unlinked_words() -> None:
    assert LINK is not None
    good, broken, empty = LINK.unlinked(
        [
            "Get it before it is gone",
            "Get it before the is gone 😉",
            "",
        ]
    )
    assert good == 0 and broken >= 1 and empty == 0
    assert parse_text("!save this 📌") == "save this"


@needs_link_parser
@pytest.mark.parametrize("voice", VOICES)
def test_offline_copy_parses_no_worse_than_its_source(voice: str) -> None:
    assert LINK is not None
    items = copy_items(LINES)
    brief = CopyBrief(voice=voice, app_name="Glowly", banned_phrases=BANNED)  # type: ignore[arg-type]
    texts = OfflineCopyAdapter(grammar=LINK).adapt(items, brief)
    counts = LINK.unlinked([i.text for i in items] + texts)
    sources, outputs = counts[: len(items)], counts[len(items) :]
    worse = [
        (i.text, t) for i, t, s, o in zip(items, texts, sources, outputs, strict=True) if o > s
    ]
    assert not worse, worse


def test_unsure_language_detection_does_not_block_short_english_copy() -> None:
    from remixer.pipeline.rewrite.fit import detect_language

    assert detect_language("Hi Say goodbye to acne forever Bye now", "en") in (None, "en")
    assert detect_language("Bonjour à tous mes amis, merci beaucoup", "en") == "fr"
    items = copy_items([["Hi"], ["Say goodbye to acne forever"], ["Bye now"]])
    assert len(OfflineCopyAdapter(grammar=None).adapt(items, CopyBrief())) == 3


def test_adapter_works_when_link_parser_fails() -> None:
    class Broken(LinkGrammar):
        def unlinked(self, texts: object) -> list[int]:
            raise OSError("no parser")

    items = copy_items(LINES)
    brief = CopyBrief(voice="warm", app_name="Glowly", banned_phrases=BANNED)
    texts = OfflineCopyAdapter(grammar=Broken("/nonexistent")).adapt(items, brief)
    assert texts == OfflineCopyAdapter(grammar=None).adapt(items, brief)
