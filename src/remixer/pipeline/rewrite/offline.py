"""The built-in, offline copy adapter: deterministic rewriting in the brand voice (idiom
reframes, hook openers, call-to-action closers, first person for `authentic`), the app name
or a keyword woven in where it fits, banned phrases removed, length fitted to the box.

Every overlay comes back visibly changed (more than its letter case), in the source
language. It cannot translate: a target language other than the detected source
language is `ADAPTATION_FAILED`.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Sequence
from typing import Literal

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite.banned import find_banned, replace_banned
from remixer.pipeline.rewrite.brief import CopyBrief, CopyItem, Voice, with_shrink
from remixer.pipeline.rewrite.fit import detect_language, fits, shorten
from remixer.pipeline.rewrite.grammar import LinkGrammar, default_link_grammar, new_issues
from remixer.pipeline.rewrite.meaning import check_meaning
from remixer.pipeline.rewrite.voices import (
    CTA_CLOSER,
    FILLERS,
    HOOK_OPENER,
    JOIN_APP_VERBS,
    SIGNATURE,
    added_frame,
    brand_variants,
    has_label,
    lower_first,
    reframe,
    shares_words,
    voice_frames,
)

_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d\u2b00-\u2bff]+")
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
    return lower_first(text)


def _finish(text: str, voice: Voice, app: str) -> str:
    """Voice-wide typography: professional = sentence case, no emoji, no '!', a full
    stop; casual = a lower-case start, no full stop."""
    text = " ".join(text.split())
    if voice == "professional":
        text = " ".join(_EMOJI.sub(" ", text).split())
        text = re.sub(r"\?[!?]+|![!?]*\?[!?]*", "?", text)
        text = re.sub(r"!+", ".", text)
        text = text[:1].upper() + text[1:]
        if text and text[-1] not in ".?:":
            text += "."
    elif voice == "casual":
        if not (app and text.startswith(app)):
            text = _lower_first(text)
        text = text.rstrip(".")
    return text


def _split_trailing_emoji(text: str) -> tuple[str, str]:
    """('Save this', ' 📌') from 'Save this 📌'."""
    found = re.search(r"(\s*" + _EMOJI.pattern + r")+$", text)
    return (text[: found.start()], text[found.start() :]) if found else (text, "")


def _compress(text: str) -> str:
    """Drop filler words ('really', 'finally', …) to save room."""
    kept = [w for w in text.split() if w.lower().strip(",.!?") not in FILLERS]
    return " ".join(kept) if kept else text


def _key(text: str) -> str:
    return " ".join(_EMOJI.sub(" ", text).lower().split()).strip(" .!?")


class OfflineCopyAdapter:
    """Rule-based adaptation that never leaves the machine.

    `grammar` judges candidates by the words link-parser cannot link (none worse than the
    source wins); "auto" uses `link-parser` when installed, None the token rules only.
    """

    def __init__(self, grammar: LinkGrammar | Literal["auto"] | None = "auto") -> None:
        self.grammar = default_link_grammar() if grammar == "auto" else grammar

    def adapt(self, items: Sequence[CopyItem], brief: CopyBrief) -> list[str]:
        self._check_language(items, brief)
        pools = [_acceptable(item, brief) for item in items]
        chosen = self._choose(items, pools)
        return [
            text if text is not None else _last_resort(_safe_base(item, brief), item, brief)
            for text, item in zip(chosen, items, strict=True)
        ]

    def _choose(self, items: Sequence[CopyItem], pools: list[list[str]]) -> list[str | None]:
        """With link-parser, the first candidate that parses no worse than its source (else
        the one with the fewest unlinked words); without it, see `_without_parser`."""
        if self.grammar is None:
            return _without_parser(items, pools)
        texts = [t for item, pool in zip(items, pools, strict=True) for t in (item.text, *pool)]
        try:
            counts = iter(self.grammar.unlinked(texts))
        except (OSError, subprocess.SubprocessError):
            return _without_parser(items, pools)
        chosen: list[str | None] = []
        for pool in pools:
            source = next(counts)
            scored = [(next(counts), text) for text in pool]
            good = [text for count, text in scored if count <= source]
            if good:
                chosen.append(good[0])
            elif scored:
                chosen.append(min(scored, key=lambda pair: pair[0])[1])
            else:
                chosen.append(None)
        return chosen

    @staticmethod
    def _check_language(items: Sequence[CopyItem], brief: CopyBrief) -> None:
        source = detect_language(" ".join(item.text for item in items), brief.language)
        if source is not None and source != brief.language:
            raise PipelineError(
                "ADAPTATION_FAILED",
                f"The built-in copy adapter cannot translate ({source} → {brief.language}); "
                "configure an OpenAI-compatible chat-completions server to translate.",
                {"sourceLanguage": source, "targetLanguage": brief.language},
            )


MAX_CANDIDATES = 12


def _without_parser(items: Sequence[CopyItem], pools: list[list[str]]) -> list[str | None]:
    """Without link-parser: the first candidate that is not the line with a voice frame
    added before or after it (`added_frame`), else the first. Words added at a line's ends
    are what most often break its grammar; swaps, the voice's adverb, its register, the
    brand and the idiom reframes keep the sentence as it was built."""
    chosen: list[str | None] = []
    for item, pool in zip(items, pools, strict=True):
        kept = [text for text in pool if not added_frame(item.text, text)]
        chosen.append(kept[0] if kept else (pool[0] if pool else None))
    return chosen


def _safe_base(item: CopyItem, brief: CopyBrief) -> str:
    """The source text with every banned phrase replaced by a same-role stand-in."""
    return replace_banned(item.text, brief.banned_phrases, item.role, brief.app_name)


def _acceptable(item: CopyItem, brief: CopyBrief) -> list[str]:
    """Voiced rewrites that changed visibly, hold no banned phrase, added no grammar problem
    and kept the meaning; most voiced first. Those that fit the box come first, then those
    that fit only in the room the redraw gains by shrinking the font (no word is cut)."""
    banned = brief.banned_phrases
    base = _safe_base(item, brief)
    source = _key(item.text)
    out: list[str] = []
    roomier: list[str] = []
    shrunk = with_shrink(item)
    for candidate in _candidates(base, item, brief):
        text = _finish(candidate, brief.voice, brief.app_name)
        if find_banned(text, banned) is not None:
            text = replace_banned(text, banned, item.role, brief.app_name)
        if (
            not text
            or text in out
            or text in roomier
            or _key(text) == source
            or find_banned(text, banned) is not None
            or new_issues(item.text, text)
            or not check_meaning(item.text, text, banned).ok
        ):
            continue
        if fits(text, item):
            out.append(text)
            if len(out) >= MAX_CANDIDATES:
                break
        elif len(roomier) < MAX_CANDIDATES and fits(text, shrunk):
            roomier.append(text)
    return out + roomier


def _candidates(base: str, item: CopyItem, brief: CopyBrief) -> Iterator[str]:
    """Rewrites from the most to the least voiced; the first that fits wins."""
    english = brief.language == "en"
    voiced = reframe(base, brief.voice) if english else base
    if find_banned(voiced, brief.banned_phrases) is not None:
        voiced = base  # a reframe must not bring a banned word back ("hack" → "cheat code")
    branded = brand_variants(voiced, brief.app_name, brief.keywords)
    if not branded and item.role != "cta":
        branded = brand_variants(voiced, "", brief.keywords)
    for text in [*branded, voiced, *map(_compress, branded), _compress(voiced)]:
        yield from _framed(text, voiced != base, item, brief)
    plain = brand_variants(base, brief.app_name, brief.keywords) if voiced != base else []
    for text in [*plain, base, _compress(base)]:
        yield from _framed(text, False, item, brief)


def _framed(text: str, reframed: bool, item: CopyItem, brief: CopyBrief) -> Iterator[str]:
    """`text` dressed for its role: a voice opener on a hook the reframes left alone, the
    app and a voice closer on the call to action, a voice frame on any line (see
    `voice_frames`); then plainer versions."""
    voice, app, english = brief.voice, brief.app_name, brief.language == "en"
    question = text.rstrip().rstrip("!").endswith("?")
    opener = HOOK_OPENER[voice]
    hook = item.role == "hook" and english and not reframed and not question
    if hook and not has_label(text) and not shares_words(opener, text):
        yield opener + _lower_first(text)
    if item.role == "cta":
        closer = CTA_CLOSER[voice] if english else _NEUTRAL_MARK[voice][1]
        body, emoji = _split_trailing_emoji(text)
        words = body.split()
        first = words[0].lower().strip(",.!") if words else ""
        if (
            app
            and english
            and app.lower() not in text.lower()
            and first in JOIN_APP_VERBS
            and " with " not in body
            and not question
        ):
            joined = body.rstrip(".!") + " with " + app + emoji
            if not emoji:
                yield joined + closer
            yield joined
        if not english and app and app.lower() not in text.lower():
            yield body.rstrip(".!") + " · " + app + emoji
        if not emoji:
            yield text.rstrip(".") + closer
    if english and not reframed:
        yield from voice_frames(text, voice, item.role)
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
