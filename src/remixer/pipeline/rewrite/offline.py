"""The built-in, offline copy adapter: deterministic rewriting in the brand voice (idiom
reframes, hook openers, call-to-action closers, first person for `authentic`), the app name
or a keyword woven in where it fits, banned phrases removed, length fitted to the box.

Every overlay comes back visibly changed (more than its letter case), in the source
language. It cannot translate: a target language other than the detected source
language is `ADAPTATION_FAILED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite.brief import CopyBrief, CopyItem, Voice, with_shrink
from remixer.pipeline.rewrite.fit import detect_language, fits, remove_banned, shorten
from remixer.pipeline.rewrite.voices import (
    CTA_CLOSER,
    FILLERS,
    HOOK_OPENER,
    SIGNATURE,
    brand_variants,
    reframe,
)

_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f\u200d]+")
_NEUTRAL_MARK: dict[Voice, tuple[str, str]] = {
    "witty": ("", " 😉"),
    "professional": ("→ ", ""),
    "warm": ("", " 💛"),
    "casual": ("", " ✌️"),
    "educational": ("💡 ", ""),
    "authentic": ("", " 🙌"),
}
"""Language-neutral voice marks for text the English phrase tables cannot touch."""

_SHORT_OPENER: dict[Voice, str] = {
    "witty": "Twist: ",
    "professional": "Note: ",
    "warm": "Aww, ",
    "casual": "ok so ",
    "educational": "Tip: ",
    "authentic": "Real: ",
}
"""Short voice openers for a hook that has little room: the words still change."""


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if len(text) > 1 and (text[1].isupper() or any(ch.isupper() for ch in first[1:])):
        return text  # an acronym or a name ("FitNow", "iPhone"): keep it
    return text[:1].lower() + text[1:]


def _finish(text: str, voice: Voice, app: str) -> str:
    """Voice-wide typography: professional = sentence case, no emoji, no '!', a full
    stop; casual = lowercase (the app name keeps its spelling), no full stop."""
    text = " ".join(text.split())
    if voice == "professional":
        text = " ".join(_EMOJI.sub(" ", text).split())
        text = re.sub(r"!+", ".", text)
        text = text[:1].upper() + text[1:]
        if text and text[-1] not in ".?:":
            text += "."
    elif voice == "casual":
        text = text.lower().rstrip(".")
        if app:
            text = re.sub(re.escape(app), app, text, flags=re.IGNORECASE)
    return text


def _compress(text: str) -> str:
    """Drop filler words ('really', 'finally', …) to save room."""
    kept = [w for w in text.split() if w.lower().strip(",.!?") not in FILLERS]
    return " ".join(kept) if kept else text


def _key(text: str) -> str:
    return " ".join(_EMOJI.sub(" ", text).lower().split()).strip(" .!?")


class OfflineCopyAdapter:
    """Rule-based adaptation that never leaves the machine."""

    def adapt(self, items: Sequence[CopyItem], brief: CopyBrief) -> list[str]:
        self._check_language(items, brief)
        return [self._adapt_one(item, brief) for item in items]

    @staticmethod
    def _check_language(items: Sequence[CopyItem], brief: CopyBrief) -> None:
        source = detect_language(" ".join(item.text for item in items))
        if source is not None and source != brief.language:
            raise PipelineError(
                "ADAPTATION_FAILED",
                f"The built-in copy adapter cannot translate ({source} → {brief.language}); "
                "configure an OpenAI-compatible chat-completions server to translate.",
                {"sourceLanguage": source, "targetLanguage": brief.language},
            )

    @staticmethod
    def _adapt_one(item: CopyItem, brief: CopyBrief) -> str:
        banned = brief.banned_phrases
        base = remove_banned(item.text, banned) or remove_banned(brief.tagline, banned)
        base = base or brief.app_name or item.text
        source = _key(item.text)
        for candidate in _candidates(base, item, brief):
            text = remove_banned(_finish(candidate, brief.voice, brief.app_name), banned)
            if text and _key(text) != source and fits(text, item):
                return text
        return _last_resort(base, item, brief)


def _candidates(base: str, item: CopyItem, brief: CopyBrief) -> Iterator[str]:
    """Rewrites from the most to the least voiced; the first that fits wins."""
    english = brief.language == "en"
    voiced = reframe(base, brief.voice) if english else base
    branded = brand_variants(voiced, brief.app_name, brief.keywords)
    if not branded and item.role != "cta":
        branded = brand_variants(voiced, "", brief.keywords)
    for text in [*branded, voiced, *map(_compress, branded), _compress(voiced)]:
        yield from _framed(text, voiced != base, item, brief)
    yield from _framed(_compress(base), False, item, brief)


def _framed(text: str, reframed: bool, item: CopyItem, brief: CopyBrief) -> Iterator[str]:
    """`text` dressed for its role: a voice opener on a hook the reframes left alone, the
    app and a voice closer on the call to action; then plainer versions."""
    voice, app, english = brief.voice, brief.app_name, brief.language == "en"
    if item.role == "hook" and english and not reframed:
        yield HOOK_OPENER[voice] + _lower_first(text)
    if item.role == "cta":
        closer = CTA_CLOSER[voice] if english else _NEUTRAL_MARK[voice][1]
        if app and app.lower() not in text.lower():
            joiner = " with " if english else " · "
            yield text.rstrip(".!") + joiner + app + closer
            yield text.rstrip(".!") + joiner + app
        yield text.rstrip(".") + closer
    yield text
    prefix, suffix = SIGNATURE[voice] if english else _NEUTRAL_MARK[voice]
    yield prefix + (_lower_first(text) if prefix else text) + suffix


def _keep_meaning(base: str, item: CopyItem, brief: CopyBrief) -> str | None:
    """Before any word is cut: the voiced full text in the room the redraw gains by
    shrinking the font (same line count). Never just an added emoji: the old words
    would still be on screen."""
    roomier = with_shrink(item)
    short = [_SHORT_OPENER[brief.voice] + _lower_first(base)] if brief.language == "en" else []
    for text in [*_framed(base, False, item, brief), *short]:
        finished = _finish(text, brief.voice, brief.app_name)
        if _key(finished) != _key(item.text) and fits(finished, roomier):
            return finished
    return None


def _last_resort(base: str, item: CopyItem, brief: CopyBrief) -> str:
    """Keep the meaning if at all possible; else shorten the plain text and add the
    voice's signature so it still changes."""
    kept = _keep_meaning(base, item, brief)
    if kept is not None:
        return kept
    english = brief.language == "en"
    prefix, suffix = SIGNATURE[brief.voice] if english else _NEUTRAL_MARK[brief.voice]
    words = _compress(base).split()
    while len(words) > 1:
        text = prefix + (_lower_first(" ".join(words)) if prefix else " ".join(words)) + suffix
        if fits(text, item):
            return text
        words.pop()
    return shorten(prefix + " ".join(words) + suffix, item)
