"""The offline copy adapter: voices, brand weaving, banned phrases, length fit, no translation."""

from __future__ import annotations

import pytest

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite import (
    VOICES,
    CopyBrief,
    OfflineCopyAdapter,
    copy_items,
    create_copy_provider,
)
from remixer.pipeline.rewrite.fit import fits

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
    texts = OfflineCopyAdapter().adapt(items, CopyBrief(voice=voice, app_name="Remixer"))  # type: ignore[arg-type]
    assert len(texts) == len(items)
    assert all(text and fits(text, item) for text, item in zip(texts, items, strict=True))


def test_voices_are_distinct_and_deterministic() -> None:
    items = copy_items(SOURCE)
    outputs = {v: tuple(OfflineCopyAdapter().adapt(items, CopyBrief(voice=v))) for v in VOICES}
    assert outputs["casual"][0] == "pov: you finally found the morning routine"
    assert outputs["warm"][2].endswith("💛")
    assert len(set(outputs.values())) >= 3
    assert outputs == {
        v: tuple(OfflineCopyAdapter().adapt(items, CopyBrief(voice=v))) for v in VOICES
    }


def test_brand_is_woven_in() -> None:
    texts = OfflineCopyAdapter().adapt(copy_items(SOURCE), CopyBrief(app_name="Remixer"))
    assert texts[1] == "Remixer changed my whole week"
    assert texts[2].endswith("with Remixer")


def test_banned_phrases_are_removed_case_insensitively() -> None:
    brief = CopyBrief(banned_phrases=("MORNING routine", "whole"))
    texts = OfflineCopyAdapter().adapt(copy_items(SOURCE), brief)
    joined = " ".join(texts).lower()
    assert "morning routine" not in joined and "whole" not in joined
    assert texts[0] == "POV: you finally found the"


def test_long_text_is_shortened_to_fit() -> None:
    items = copy_items([["Short line"]])
    long_brief = CopyBrief(voice="educational")
    text = OfflineCopyAdapter().adapt(items, long_brief)[0]
    assert fits(text, items[0])


def test_other_target_language_fails_saying_it_cannot_translate() -> None:
    with pytest.raises(PipelineError) as caught:
        OfflineCopyAdapter().adapt(copy_items(SOURCE), CopyBrief(target_language="fr-FR"))
    assert caught.value.code == "ADAPTATION_FAILED"
    assert "cannot translate" in caught.value.message


def test_same_language_with_region_subtag_is_accepted() -> None:
    texts = OfflineCopyAdapter().adapt(copy_items(SOURCE), CopyBrief(target_language="en-GB"))
    assert len(texts) == 3


def test_factory_picks_the_adapter_from_configuration() -> None:
    assert isinstance(create_copy_provider(None, None, None), OfflineCopyAdapter)
    chat = create_copy_provider("http://127.0.0.1:9/v1", "m", "k", 5.0)
    assert type(chat).__name__ == "ChatCompletionsCopyAdapter"
