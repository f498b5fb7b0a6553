"""The built-in, offline copy adapter: deterministic voice styling, brand terms woven in,
banned phrases removed, length fitted. It keeps the source language and cannot translate:
a target language other than the detected source language is `ADAPTATION_FAILED`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite.brief import CopyBrief, CopyItem, Voice
from remixer.pipeline.rewrite.fit import detect_language, fits, remove_banned, shorten

_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f\u200d]+")
_GENERIC_APP = re.compile(r"\b(this|that|my|the|an|our|a)\s+(app|tool|trick|hack)\b", re.I)
_HOOK_PREFIX_EN: dict[Voice, str] = {"educational": "Quick lesson: ", "witty": "Plot twist: "}
_CTA_SUFFIX: dict[Voice, str] = {"warm": " 💛", "witty": " 😉"}


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _professional(text: str) -> str:
    text = " ".join(_EMOJI.sub(" ", text).split())
    return _sentence_case(re.sub(r"!+", ".", text))


def _casual(text: str) -> str:
    return text.lower().rstrip(".")


_BODY_STYLE: dict[Voice, Callable[[str], str]] = {
    "professional": _professional,
    "casual": _casual,
}


def _keep(text: str) -> str:
    return text


def style_text(text: str, item: CopyItem, brief: CopyBrief) -> str:
    """Apply the voice to one text (English phrasing only when the language is English)."""
    styled = _BODY_STYLE.get(brief.voice, _keep)(text)
    if item.role == "hook" and brief.language == "en":
        prefix = _HOOK_PREFIX_EN.get(brief.voice, "")
        styled = prefix + (styled[:1].lower() + styled[1:] if prefix else styled)
    if item.role == "cta":
        styled += _CTA_SUFFIX.get(brief.voice, "")
    return styled


def weave_brand(text: str, item: CopyItem, brief: CopyBrief) -> str:
    """Name the app where the text says 'this app'; the call to action also mentions it."""
    if not brief.app_name:
        return text
    woven = _GENERIC_APP.sub(brief.app_name, text, count=1)
    if woven == text and item.role == "cta" and brief.app_name.lower() not in text.lower():
        joiner = " with " if brief.language == "en" else " · "
        woven = text.rstrip(".!") + joiner + brief.app_name
    return woven


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
        plain = remove_banned(item.text, banned)
        styled = style_text(plain, item, brief)
        candidates = [
            weave_brand(styled, item, brief),
            styled,
            weave_brand(plain, item, brief),
            plain,
        ]
        for candidate in candidates:
            cleaned = remove_banned(candidate, banned)
            if cleaned and fits(cleaned, item):
                return cleaned
        fallback = plain or remove_banned(brief.app_name or brief.tagline, banned) or "…"
        return shorten(fallback, item)
