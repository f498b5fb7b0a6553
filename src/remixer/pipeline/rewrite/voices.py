"""Per-voice English phrasing for the offline adapter: phrase reframes of common short-video
caption idioms, role frames (hook openers, call-to-action closers) and a last-resort
signature, so every overlay is visibly rewritten in the voice while keeping its meaning.

Everything is a plain table lookup: the same text and voice always give the same result.
"""

from __future__ import annotations

import re

from remixer.pipeline.rewrite.brief import Voice

Reframe = tuple[re.Pattern[str], dict[Voice, str]]


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


REFRAMES: list[Reframe] = [
    (
        _p(r"^\s*POV:\s*"),
        {
            "witty": "Plot twist: ",
            "professional": "Scenario: ",
            "warm": "Picture this: ",
            "casual": "pov: ",
            "educational": "Lesson: ",
            "authentic": "Real talk: ",
        },
    ),
    (
        _p(r"\bchanged everything\b"),
        {
            "witty": "rewrote the plot",
            "professional": "delivers real results",
            "warm": "made every day lighter",
            "casual": "lowkey changed everything",
            "educational": "makes the real difference",
            "authentic": "truly changed everything",
        },
    ),
    (
        _p(r"\bchanged my whole (week|day|month|year|life)\b"),
        {
            "witty": r"rebooted my whole \1",
            "professional": r"improved my entire \1",
            "warm": r"brightened my whole \1",
            "casual": r"fixed my whole \1 ngl",
            "educational": r"restructured my \1",
            "authentic": r"honestly changed my \1",
        },
    ),
    (
        _p(r"\bnobody talks about\b"),
        {
            "witty": "Nobody warned me about",
            "professional": "Few people discuss",
            "warm": "Let's talk about",
            "casual": "no one talks abt",
            "educational": "Rarely taught:",
            "authentic": "I never hear about",
        },
    ),
    (
        _p(r"\bfollow for more\b"),
        {
            "witty": "Smash follow for more",
            "professional": "Follow for further",
            "warm": "Stay with us for more",
            "casual": "follow 4 more",
            "educational": "Follow to learn more",
            "authentic": "Follow along for more",
        },
    ),
    (
        _p(r"\bsave (it|this) for later\b"),
        {
            "witty": "Save this, thank me later",
            "professional": "Bookmark this for later",
            "warm": "Keep this one close",
            "casual": "save this for l8r",
            "educational": "Save this to review later",
            "authentic": "Saving this for myself too",
        },
    ),
    (
        _p(r"\bactually work\b"),
        {
            "witty": "shockingly work",
            "professional": "deliver results",
            "warm": "truly help",
            "casual": "actually slap",
            "educational": "are proven to work",
            "authentic": "really work for me",
        },
    ),
    (
        _p(r"\b(trick|hack)\b"),
        {
            "witty": "cheat code",
            "professional": "technique",
            "warm": "little secret",
            "casual": "hack",
            "educational": "method",
            "authentic": "habit",
        },
    ),
    (
        _p(r"\bdaily tricks\b|\bdaily tips\b"),
        {
            "witty": "daily mischief",
            "professional": "daily insights",
            "warm": "daily kindness",
            "casual": "daily stuff",
            "educational": "daily lessons",
            "authentic": "my daily notes",
        },
    ),
]

FIRST_PERSON: list[tuple[re.Pattern[str], str]] = [
    (_p(r"\byou're\b"), "I'm"),
    (_p(r"\byou are\b"), "I am"),
    (_p(r"\byour\b"), "my"),
    (_p(r"\byou\b"), "I"),
]
"""The authentic voice speaks for itself: second person becomes first person."""

HOOK_OPENER: dict[Voice, str] = {
    "witty": "Plot twist: ",
    "professional": "Key insight: ",
    "warm": "Gentle reminder: ",
    "casual": "ok but ",
    "educational": "Tip: ",
    "authentic": "Honestly, ",
}
CTA_CLOSER: dict[Voice, str] = {
    "witty": " 😉",
    "professional": ".",
    "warm": " 💛",
    "casual": " ✌️",
    "educational": " 📚",
    "authentic": " 🙌",
}
SIGNATURE: dict[Voice, tuple[str, str]] = {
    "witty": ("", " 😉"),
    "professional": ("Note: ", ""),
    "warm": ("", " 💛"),
    "casual": ("", " fr"),
    "educational": ("Tip: ", ""),
    "authentic": ("Honestly, ", ""),
}
"""(prefix, suffix) added when nothing else changed the text; works in any language."""

BRAND_NOUNS = ("app", "tool", "trick", "hack", "routine", "habit", "workout", "method")
FILLERS = frozenset(
    {"really", "actually", "literally", "just", "so", "very", "totally", "truly"}
    | {"genuinely", "honestly", "finally"}
)
"""Words dropped first when a rewrite is too long for its box."""


def reframe(text: str, voice: Voice) -> str:
    """The text with every known idiom reframed in the voice."""
    for pattern, by_voice in REFRAMES:
        text = pattern.sub(by_voice[voice], text, count=1)
    if voice == "authentic":
        for pattern, replacement in FIRST_PERSON:
            text = pattern.sub(replacement, text)
    return text


def brand_variants(text: str, app: str, keywords: tuple[str, ...]) -> list[str]:
    """'this app' → the app's name; 'this routine' → 'the <App> routine', then just
    '<App>' (shorter); without an app, the keyword ending in that noun ('this routine' →
    'this morning routine'). Empty when nothing in `text` can carry the brand."""
    nouns = "|".join(BRAND_NOUNS)
    generic = re.compile(rf"\b(this|that|my|the|an|our|a)\s+({nouns})\b", re.IGNORECASE)
    found = generic.search(text)
    if found is None:
        return []
    head, tail = text[: found.start()], text[found.end() :]
    noun = found.group(2)
    if app and noun.lower() in ("app", "tool"):
        return [head + app + tail]
    if app:
        return [head + f"the {app} {noun}" + tail, head + app + tail]
    for keyword in keywords:
        words = keyword.lower().split()
        if len(words) > 1 and words[-1] == noun.lower():
            return [head + f"{found.group(1)} {keyword}" + tail]
    return []
