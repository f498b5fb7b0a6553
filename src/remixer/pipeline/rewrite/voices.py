"""Per-voice English phrasing for the offline adapter: phrase reframes of common short-video
caption idioms, role frames (hook openers, call-to-action closers) and a last-resort
signature, so every overlay is visibly rewritten in the voice while keeping its meaning.

Everything is a plain table lookup: the same text and voice always give the same result.
"""

from __future__ import annotations

import re

from remixer.pipeline.rewrite.brief import Voice
from remixer.pipeline.rewrite.inflect import word_set

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
            "casual": "ok pov: ",
            "educational": "Lesson: ",
            "authentic": "Real talk: ",
        },
    ),
    (
        _p(r"\bchanged everything\b"),
        {
            "witty": "changed absolutely everything",
            "professional": "changed everything for the better",
            "warm": "changed everything for me",
            "casual": "lowkey changed everything",
            "educational": "changed everything, and here is why",
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
    (_p(r"\byou['’]re\b"), "I'm"),
    (_p(r"\byou are\b"), "I am"),
    (_p(r"\byou were\b"), "I was"),
    (_p(r"\byou['’](ve|ll|d)\b"), r"I'\1"),
    (_p(r"\byourself\b"), "myself"),
    (_p(r"\byour\b"), "my"),
]
"""The authentic voice speaks for itself in a POV hook: second person becomes first person
("you" as a subject → "I", as an object → "me")."""

HOOK_OPENER: dict[Voice, str] = {
    "witty": "Plot twist: ",
    "professional": "Key insight: ",
    "warm": "Friendly reminder: ",
    "casual": "real talk: ",
    "educational": "Quick tip: ",
    "authentic": "Real talk: ",
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
    "casual": ("", ", for real"),
    "educational": ("Tip: ", ""),
    "authentic": ("Honestly, ", ""),
}
"""(prefix, suffix) added when nothing else changed the text; works in any language."""

BRAND_NOUNS = ("app", "tool", "trick", "hack", "routine", "habit", "workout", "method")
FILLERS = frozenset(
    {"really", "actually", "literally", "very", "totally", "truly", "genuinely", "honestly"}
)
"""Words dropped first when a rewrite is too long for its box."""


def reframe(text: str, voice: Voice) -> str:
    """The text with every known idiom reframed in the voice."""
    pov = bool(re.match(r"\s*POV\b", text, re.IGNORECASE))
    for pattern, by_voice in REFRAMES:
        text = pattern.sub(by_voice[voice], text, count=1)
    if voice == "authentic" and pov:
        for pattern, replacement in FIRST_PERSON:
            text = pattern.sub(replacement, text)
        text = _YOU.sub(_you_to_first_person, text)
    return text


_YOU = re.compile(r"(\b[\w']+\W+)?\byou\b(?=(\s*(?:[,.!?;]|$))?)", re.IGNORECASE)
_OBJECT_AFTER = word_set(
    "to for with at of about from thank tell show help make let give send love like want "
    "need see get got changed makes made told showed helps"
)


def _you_to_first_person(match: re.Match[str]) -> str:
    before = match.group(1) or ""
    word = before.strip(" ,:;").lower()
    at_end = match.group(2) is not None
    return before + ("me" if at_end or word in _OBJECT_AFTER else "I")


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


Frame = tuple[str, str]
"""("open", "Psst, ") goes before the line, ("tail", ", no joke") after it (before its
closing punctuation and emoji). Ordered by how rarely they break a parse (link-parser over
the benchmark corpus), so a machine without link-parser gets the safest first."""

STATEMENT_FRAMES: dict[Voice, tuple[Frame, ...]] = {
    "witty": (("tail", ", no joke"), ("open", "Plot twist: "), ("open", "Psst, ")),
    "professional": (("open", "In short, "), ("open", "Key point: "), ("open", "Note: ")),
    "warm": (("open", "Friendly reminder: "), ("tail", ", promise"), ("open", "Psst, ")),
    "casual": (("tail", ", for real"), ("tail", ", seriously"), ("open", "real talk: ")),
    "educational": (("open", "Quick tip: "), ("open", "Key point: "), ("open", "Note: ")),
    "authentic": (("open", "Real talk: "), ("tail", ", honestly"), ("open", "Truth is, ")),
}
QUESTION_FRAMES: dict[Voice, tuple[Frame, ...]] = {
    "witty": (("open", "So, "), ("tail", ", no joke"), ("open", "Be honest: ")),
    "professional": (("open", "Quick question: "), ("open", "So, "), ("open", "Note: ")),
    "warm": (("open", "So, "), ("tail", ", promise"), ("open", "Tell me, ")),
    "casual": (("tail", ", for real"), ("open", "so, "), ("tail", ", no joke")),
    "educational": (("open", "Quick question: "), ("open", "So, "), ("open", "Quick tip: ")),
    "authentic": (("open", "So, "), ("open", "Tell me, "), ("tail", ", honestly")),
}
CTA_FRAMES: dict[Voice, tuple[Frame, ...]] = {
    "witty": (("tail", ", seriously"), ("open", "Go on, "), ("tail", ", no joke")),
    "professional": (("open", "Next step: "), ("open", "In short, ")),
    "warm": (("tail", ", promise"), ("open", "Go on, "), ("open", "Friendly reminder: ")),
    "casual": (("tail", ", for real"), ("tail", ", seriously"), ("open", "go on, ")),
    "educational": (("open", "Next step: "), ("open", "Quick tip: ")),
    "authentic": (("open", "Go on, "), ("tail", ", seriously"), ("open", "Trust me, ")),
}
LIST_LABELS: dict[Voice, tuple[str, ...]] = {
    "witty": ("Number", "Tip"),
    "professional": ("Step", "Point"),
    "warm": ("Step", "Tip"),
    "casual": ("step", "tip"),
    "educational": ("Rule", "Step"),
    "authentic": ("Tip", "Step"),
}
CALL_VERBS = word_set(
    "follow save try get grab shop tap click comment share tag send download use join start "
    "subscribe buy order sign check visit watch book find message dm hit press swipe see "
    "drop let go read learn stop grab"
)
"""A line that starts with one of these is a call to action ("Go on, …" fits it)."""
JOIN_APP_VERBS = word_set(
    "try start join get grab download begin train learn plan track order study"
)
"""A call to action that starts with one of these reads well with "… with <App>"."""

_LIST_ITEM = re.compile(
    r"^\s*(?:(step|tip|rule|day|part|number|no\.|point|#)\s*)?(\d+)(?:[.):]|\s*[-–—])\s+(.+)$",
    re.IGNORECASE,
)
_CONJUNCTION = re.compile(r"^\s*(and|but|or|so|plus)\b[,]?\s+(.+)$", re.IGNORECASE)
_KEEP_CAPITAL = re.compile(r"^(?:I|I'm|I've|I'll|I'd|I’m|POV|OK)\b")


_LABEL = re.compile(r"^\s*[\w'’#]+(?:\s[\w'’#]+)?\s*:\s")
_WORDS = re.compile(r"[a-z']+")


def has_label(text: str) -> bool:
    """Does `text` open with a label ("POV: …", "Step 1: …")? No opener goes before one."""
    return bool(_LABEL.match(text))


def shares_words(frame: str, text: str) -> bool:
    """Would `frame` repeat a word of `text` ("Real talk: real results")?"""
    return bool(set(_WORDS.findall(frame.lower())) & set(_WORDS.findall(text.lower())))


def lower_first(text: str) -> str:
    """`text` with its first letter lowered, unless it starts a name, an acronym or "I"."""
    first = text.split(" ", 1)[0]
    if len(text) > 1 and (text[1].isupper() or any(ch.isupper() for ch in first[1:])):
        return text
    if _KEEP_CAPITAL.match(text):
        return text
    return text[:1].lower() + text[1:]


CONTRACTIONS: dict[str, str] = {
    "I'll": "I will",
    "I'm": "I am",
    "I've": "I have",
    "I'd": "I would",
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "won't": "will not",
    "can't": "cannot",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "it's": "it is",
    "that's": "that is",
    "here's": "here is",
    "what's": "what is",
    "who's": "who is",
    "you're": "you are",
    "you'll": "you will",
    "you've": "you have",
    "we're": "we are",
    "they're": "they are",
    "there's": "there is",
}
_CONTRACTED = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in CONTRACTIONS) + r")\b", re.IGNORECASE
)
_EXPANDED = {v.lower(): k for k, v in CONTRACTIONS.items()}
_EXPANDABLE = re.compile(
    r"\b(" + "|".join(re.escape(v) for v in CONTRACTIONS.values()) + r")\b", re.IGNORECASE
)


def _cased(source: str, word: str) -> str:
    return word[:1].upper() + word[1:] if source[:1].isupper() else word


def expand_contractions(text: str) -> str:
    """ "I'll send it" → "I will send it" (the professional register)."""
    lookup = {k.lower(): v for k, v in CONTRACTIONS.items()}

    def expand(m: re.Match[str]) -> str:
        return _cased(m.group(), lookup[m.group().lower().replace("’", "'")])

    return _CONTRACTED.sub(expand, text.replace("’", "'"))


def contract(text: str) -> str:
    """ "I will send it" → "I'll send it" (the casual register)."""

    def shorten(m: re.Match[str]) -> str:
        return _cased(m.group(), _EXPANDED[m.group().lower()])

    return _EXPANDABLE.sub(shorten, text)


def register_variants(text: str, voice: Voice) -> list[str]:
    """The line in the voice's register: contractions expanded (professional, educational)
    or made (casual, witty, warm, authentic), when that changes any word; then the other
    register, the last resort for a line nothing else rewrites cleanly."""
    formal = voice in ("professional", "educational")
    changed = expand_contractions(text) if formal else contract(text)
    other = contract(text) if formal else expand_contractions(text)
    return [t for t in dict.fromkeys([changed, other]) if t != text]


SWAPS: dict[str, str] = {
    "amazing": "incredible",
    "awesome": "great",
    "easy": "simple",
    "easier": "simpler",
    "easiest": "simplest",
    "hard": "tough",
    "harder": "tougher",
    "hardest": "toughest",
    "quick": "fast",
    "start": "begin",
    "starts": "begins",
    "started": "began",
    "starting": "beginning",
    "stop": "quit",
    "stops": "quits",
    "stopped": "quit",
    "stopping": "quitting",
    "love": "adore",
    "loves": "adores",
    "mistake": "slip-up",
    "mistakes": "slip-ups",
    "big": "huge",
    "small": "little",
    "happy": "glad",
    "friend": "pal",
    "friends": "pals",
    "buddy": "pal",
    "promise": "swear",
    "boring": "dull",
    "smart": "clever",
    "matter": "count",
    "matters": "counts",
    "tired": "worn out",
    "tips": "pointers",
    "tip": "pointer",
    "favorite": "top pick",
    "favourite": "top pick",
    "every day": "daily",
    "every single day": "each and every day",
    "gentle": "soft",
    "daily": "everyday",
    "rule": "guideline",
    "results": "outcomes",
    "happened": "went down",
    "exactly": "precisely",
    "honestly": "truly",
    "really": "truly",
    "very": "super",
    "great": "solid",
    "best": "top",
    "worst": "weakest",
    "ready": "set",
    "fast": "quick",
    "huge": "massive",
    "tiny": "little",
    "cheap": "low-cost",
    "save": "keep",
    "works": "delivers",
    "work": "deliver",
    "crunchy": "crispy",
}
"""Same-role word swaps (same part of speech and form): a visible rewrite that leaves the
sentence's structure, and so its grammar, as it was."""
_SWAP = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(k) for k in sorted(SWAPS, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


def swap_variants(text: str, limit: int = 2) -> list[str]:
    """`text` with one word swapped for a same-role synonym, for up to `limit` words."""
    out = []
    for found in [f for f in _SWAP.finditer(text) if not f.group().isupper()][:limit]:
        new = SWAPS[found.group().lower()]
        out.append(text[: found.start()] + _cased(found.group(), new) + text[found.end() :])
    return out


EMPHASIS: dict[Voice, str] = {
    "witty": "actually",
    "professional": "truly",
    "warm": "really",
    "casual": "literally",
    "educational": "actually",
    "authentic": "honestly",
}
"""The voice's adverb, put before the first verb after a subject ("you wake up" → "you
actually wake up"): a visible change that keeps the sentence's structure."""
_SUBJECT_VERB = re.compile(
    r"\b(I|you|we|they|he|she|nobody|everyone|people)\s+(?!(?:the|a|an|to|and|or|but|for|of|in|"
    r"on|at|with|guys|all|both|too|also|just|really|actually|literally|honestly|truly)\b)"
    r"(?=[a-z]+\b(?<!ly\b))",
    re.IGNORECASE,
)


def emphasis_variants(text: str, voice: Voice) -> list[str]:
    adverb = EMPHASIS[voice]
    if re.search(rf"\b{adverb}\b", text, re.IGNORECASE):
        return []
    found = _SUBJECT_VERB.search(text)
    if not found:
        return []
    return [text[: found.end()] + adverb + " " + text[found.end() :]]


def _apply_frame(text: str, frame: Frame) -> str:
    kind, words = frame
    if kind == "open":
        return words + lower_first(text)
    found = _TAIL_END.search(text)
    end = found.start() if found else len(text)
    return text[:end].rstrip(" ,") + words + text[end:]


_TAIL_END = re.compile(r"[\s.!?…]*(?:[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]+[\s.!?]*)*$")


def _frame_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    tables = (STATEMENT_FRAMES, QUESTION_FRAMES, CTA_FRAMES)
    frames = [f for table in tables for by_voice in table.values() for f in by_voice]
    openers = {w.lower() for kind, w in frames if kind == "open"}
    openers |= {w.lower() for w in HOOK_OPENER.values()}
    openers |= {prefix.lower() for prefix, _ in SIGNATURE.values() if prefix}
    tails = {w.lower() for kind, w in frames if kind == "tail"}
    tails |= {suffix.lower() for _, suffix in SIGNATURE.values() if suffix.strip(" ,")}
    return tuple(sorted(openers)), tuple(sorted(tails))


def added_frame(source: str, candidate: str) -> bool:
    """Is `candidate` the line with a voice opener or tail added (not a label replaced,
    "POV:" → "Plot twist:")?"""
    openers, tails = _FRAME_WORDS
    lower = candidate.lower()
    end = _TAIL_END.search(lower)
    body = lower[: end.start()] if end else lower
    opened = lower.startswith(openers) and not has_label(source)
    tailed = body.endswith(tails) and not source.lower().rstrip(" .!?").endswith(tails)
    return opened or tailed


def voice_frames(text: str, voice: Voice, role: str) -> list[str]:
    """`text` framed in the voice for what it is: a list item gets a voice label ("Step 2:
    …"), a question, a call to action or any other line its voice frames; a line that
    starts with a conjunction only tails (an opener would cut it from what it continues)."""
    item = _LIST_ITEM.match(text)
    if item:
        had, number, rest = item.groups()
        labels = [lab for lab in LIST_LABELS[voice] if lab.lower() != (had or "").lower()]
        return [f"{label} {number}: {rest}" for label in labels] + swap_variants(text)
    if text.rstrip().rstrip("!").endswith("?"):
        frames = QUESTION_FRAMES[voice]
    elif role == "cta" and text.split()[0].lower().strip(",.!") in CALL_VERBS:
        frames = CTA_FRAMES[voice]
    else:
        frames = STATEMENT_FRAMES[voice]
    if _CONJUNCTION.match(text) or has_label(text):
        frames = tuple(f for f in frames if f[0] == "tail") or (("tail", ", really"),)
    frames = tuple(f for f in frames if not shares_words(f[1], text))
    framed = [_apply_frame(text, frame) for frame in frames]
    register = register_variants(text, voice)
    swapped = swap_variants(text) + emphasis_variants(text, voice)
    if voice == "professional":
        return [*register[:1], *framed, *swapped, *register[1:]]
    return [*framed, *swapped, *register]


_FRAME_WORDS = _frame_words()
