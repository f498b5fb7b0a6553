"""The offline copy adapter: voices, brand weaving, banned phrases, length fit, no translation.

Exact outputs are pinned with `grammar=None` (the token rules only), so they hold on a
machine with or without link-parser."""

from __future__ import annotations

from dataclasses import replace

import pytest

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite import (
    VOICES,
    CopyBrief,
    OfflineCopyAdapter,
    copy_items,
    create_copy_provider,
)
from remixer.pipeline.rewrite.brief import with_shrink
from remixer.pipeline.rewrite.fit import fits

OFFLINE = OfflineCopyAdapter(grammar=None)

SOURCE = [
    ["POV: you finally found", "the morning routine"],
    ["this app changed my whole week"],
    ["Follow for more tips", "and daily tricks"],
]


def test_items_carry_roles_and_capacity() -> None:
    items = copy_items(SOURCE)
    assert [i.role for i in items] == ["hook", "body", "cta"]
    assert items[0].max_lines == 2
    assert items[0].max_chars_per_line >= len("POV: you finally found")


@pytest.mark.parametrize("voice", VOICES)
def test_every_voice_returns_one_fitting_text_per_item(voice: str) -> None:
    items = copy_items(SOURCE)
    texts = OFFLINE.adapt(items, CopyBrief(voice=voice, app_name="Remixer"))  # type: ignore[arg-type]
    assert len(texts) == len(items)
    assert all(text and fits(text, item) for text, item in zip(texts, items, strict=True))


def test_voices_are_distinct_and_deterministic() -> None:
    items = copy_items(SOURCE)
    outputs = {v: tuple(OFFLINE.adapt(items, CopyBrief(voice=v))) for v in VOICES}
    assert outputs["casual"][0] == "ok pov: you finally found the morning routine"
    assert outputs["warm"][2].endswith("💛")
    assert outputs["authentic"][0].startswith("Real talk: I ")
    assert len(set(outputs.values())) == len(VOICES)
    assert outputs == {v: tuple(OFFLINE.adapt(items, CopyBrief(voice=v))) for v in VOICES}


DEMO = [["POV: you finally wake up at 6am"], ["this routine changed everything"]]
DEMO_BRIEF = CopyBrief(
    app_name="FitNow",
    tagline="Move more, every morning",
    keywords=("fitness", "morning routine"),
    banned_phrases=("changed my life",),
)


def _words(text: str) -> set[str]:
    return {w.strip(".,!?:").lower() for w in text.split()}


@pytest.mark.parametrize("voice", VOICES)
def test_every_overlay_is_visibly_rewritten_keeping_its_meaning(voice: str) -> None:
    items = copy_items(DEMO)
    brief = replace(DEMO_BRIEF, voice=voice)  # type: ignore[arg-type]
    texts = OFFLINE.adapt(items, brief)
    for text, item in zip(texts, items, strict=True):
        assert text.lower() != item.text.lower()
        assert fits(text, with_shrink(item))
    assert {"wake", "6am"} <= _words(texts[0])
    assert "FitNow" in texts[1]
    assert texts == OFFLINE.adapt(items, brief)


def test_demo_copy_per_voice() -> None:
    items = copy_items(DEMO)
    witty = OFFLINE.adapt(items, replace(DEMO_BRIEF, voice="witty"))
    assert witty == [
        "Plot twist: you finally wake up at 6am",
        "FitNow changed absolutely everything 😉",
    ]
    pro = OFFLINE.adapt(items, replace(DEMO_BRIEF, voice="professional"))
    assert pro == [
        "Scenario: you finally wake up at 6am.",
        "The FitNow routine changed everything.",
    ]


def test_brand_is_woven_in() -> None:
    texts = OFFLINE.adapt(copy_items(SOURCE), CopyBrief(app_name="Remixer"))
    assert texts[1] == "Remixer honestly changed my week"
    cta = [["Hi there"], ["Join thousands of people who wake up early every day"]]
    texts = OFFLINE.adapt(copy_items(cta), CopyBrief(app_name="Remixer"))
    assert texts[1].endswith("with Remixer")


def test_keyword_is_woven_in_without_an_app() -> None:
    brief = CopyBrief(voice="witty", keywords=("fitness", "morning routine"))
    texts = OFFLINE.adapt(
        copy_items([["this routine is great for busy people"], ["bye now"]]), brief
    )
    assert "morning routine" in texts[0]


def test_banned_phrases_are_replaced_case_insensitively() -> None:
    brief = CopyBrief(banned_phrases=("MORNING routine", "whole"))
    texts = OFFLINE.adapt(copy_items(SOURCE), brief)
    joined = " ".join(texts).lower()
    assert "morning routine" not in joined and "whole" not in joined
    items = copy_items([["this app changed my life"], ["Changed My Life, try it"]])
    for voice in VOICES:
        brief = CopyBrief(voice=voice, app_name="FitNow", banned_phrases=("changed my life",))
        texts = OFFLINE.adapt(items, brief)
        assert all("changed my life" not in t.lower() and t for t in texts), texts
        assert all("made a real difference" in t.lower() for t in texts), texts
        assert all(fits(t, with_shrink(i)) for t, i in zip(texts, items, strict=True))


def test_other_language_is_styled_without_english_phrases() -> None:
    items = copy_items([["Trois habitudes qui marchent vraiment"], ["Suivez pour plus d'astuces"]])
    brief = CopyBrief(voice="warm", target_language="fr", app_name="FitNow")
    texts = OFFLINE.adapt(items, brief)
    assert texts[0] != items[0].text and "Picture" not in texts[0]
    assert texts[1] != items[1].text and all(
        fits(t, with_shrink(i)) for t, i in zip(texts, items, strict=True)
    )


def test_long_text_is_shortened_to_fit() -> None:
    items = copy_items([["Short line"]])
    long_brief = CopyBrief(voice="educational")
    text = OFFLINE.adapt(items, long_brief)[0]
    assert fits(text, with_shrink(items[0]))


def test_meaning_is_kept_in_the_room_the_redraw_gains() -> None:
    items = copy_items([["this app fixed my mornings"]])
    for voice in ("authentic", "witty", "warm", "educational"):
        text = OFFLINE.adapt(items, CopyBrief(voice=voice))[0]
        assert "mornings" in text, (voice, text)
        assert text.rstrip(" 🙌😉💛📚") != "this app fixed my mornings", (voice, text)
        assert fits(text, with_shrink(items[0]))


def test_other_target_language_fails_saying_it_cannot_translate() -> None:
    with pytest.raises(PipelineError) as caught:
        OFFLINE.adapt(copy_items(SOURCE), CopyBrief(target_language="fr-FR"))
    assert caught.value.code == "ADAPTATION_FAILED"
    assert "cannot translate" in caught.value.message


def test_same_language_with_region_subtag_is_accepted() -> None:
    texts = OFFLINE.adapt(copy_items(SOURCE), CopyBrief(target_language="en-GB"))
    assert len(texts) == 3


def test_factory_picks_the_adapter_from_configuration() -> None:
    assert isinstance(create_copy_provider(None, None, None), OfflineCopyAdapter)
    chat = create_copy_provider("http://127.0.0.1:9/v1", "m", "k", 5.0)
    assert type(chat).__name__ == "ChatCompletionsCopyAdapter"


def test_replacing_a_banned_phrase_leaves_no_dangling_words() -> None:
    from remixer.pipeline.rewrite.banned import replace_banned

    assert replace_banned("my morning routine that changed my life", ["Changed my life"]) == (
        "my morning routine that made a real difference"
    )
    assert replace_banned("go to the gym", ["changed my life"]) == "go to the gym"


def test_issue_examples_read_as_a_person_would_write_them() -> None:
    brief = CopyBrief(
        voice="witty", app_name="Glowly", banned_phrases=("link in bio", "sells out", "miracle")
    )
    items = copy_items(
        [
            ["POV: my miracle routine"],
            ["Grab yours via the link in bio", "before it sells out again"],
        ]
    )
    hook, cta = OFFLINE.adapt(items, brief)
    assert hook == "Plot twist: my go-to routine"
    assert cta.startswith("Grab yours on Glowly before it is gone again")
