"""Banned phrases: found in any inflection and case ("sells out" also finds "SOLD OUT",
"link in bio" also "link in my bio"), and *replaced*, never cut.

A match is replaced, in order of preference, by
1. a lexicon stand-in of the same role (`lexicon.py`), chosen by the words around it
   (after a determiner a noun or a modifier, after a subject a verb in the same form, after
   "is"/"so" an adjective, a "link in bio" together with its "via the");
2. a neutral stand-in of the category the surrounding words call for (modifier "great",
   noun "one", verb "help with"/"work", adverb "really", the app's name for a name);
3. when the result fails the grammar check: the whole clause rewritten from a template
   that keeps its intent (hook, claim, call to action, question).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from remixer.pipeline.rewrite.grammar import new_issues
from remixer.pipeline.rewrite.inflect import (
    Form,
    form_of,
    forms,
    inflect_phrase,
    match_case,
    word_set,
)
from remixer.pipeline.rewrite.lexicon import LEXICON, Entry, Kind

Intent = Literal["hook", "claim", "cta", "question"]

DETERMINERS = word_set(
    "a an the this that these those my your our his her their its every each some any no "
    "one two three four five six seven eight nine ten another"
)
SUBJECTS = word_set("i you we they he she it who which that people everyone nobody")
AUX = word_set(
    "will would can could should shall may might must to do does did don't doesn't didn't "
    "won't can't cannot never always just also still i'll you'll we'll they'll it'll "
    "finally actually really"
)
COPULAS = word_set(
    "is are was were be been being am it's that's i'm you're we're they're he's she's "
    "look looks looked feel feels felt seem seems get gets got so too very super totally "
    "how most more less extra pretty quite stay stays become becomes"
)
PREPOSITIONS = word_set(
    "about above after against along among around at before behind below beneath beside "
    "between beyond by down during for from in inside into like near of off on onto out "
    "over past since through throughout till to toward towards under until up upon via "
    "with within without"
)
CONJUNCTIONS = word_set("and or but nor yet if when while because unless than")
NOT_NOUNS = word_set(
    "is are was were don't doesn't isn't aren't wasn't today tonight tomorrow now again "
    "yesterday here there too either already ever forever instead"
)
RELATIVES = word_set("that which who")
FUNCTION = DETERMINERS | SUBJECTS | AUX | COPULAS | PREPOSITIONS | CONJUNCTIONS
OPTIONAL_INSIDE = word_set("my the our your a this")
"""Words a match may have between a banned phrase's words ("link in MY bio")."""

_TOKEN = re.compile(r"[\w][\w'’]*")
_SEPARATOR = re.compile(r"[\s\-–]*")
_CLAUSE_END = re.compile(r"[,.;:!?…]|\s[-–—]\s|[\U0001f300-\U0001faff\u2600-\u27bf]")
CTA_VERBS = word_set(
    "follow save try get grab shop tap click comment share tag send download use join "
    "start subscribe buy order sign check visit watch book find message dm link hit press "
    "swipe see"
)


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower().replace("’", "'")


def tokens(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def _split_phrase(phrase: str) -> list[str]:
    return [w for w in re.split(r"[\s\-–]+", phrase.lower().replace("’", "'")) if w]


@dataclass(frozen=True)
class Match:
    first: int
    last: int
    """Token indices, inclusive."""
    phrase: str


def _match_at(toks: Sequence[Token], text: str, i: int, sets: list[set[str]]) -> int | None:
    """Index of the last token when `sets` match from token `i`, else None."""
    j, k = i, 0
    while k < len(sets):
        if j >= len(toks):
            return None
        if j > i and not _SEPARATOR.fullmatch(text[toks[j - 1].end : toks[j].start]):
            return None
        word = toks[j].lower
        if word in sets[k]:
            k, j = k + 1, j + 1
        elif k > 0 and word in OPTIONAL_INSIDE and word not in sets[k - 1]:
            j += 1
        else:
            return None
    return j - 1


def _phrase_sets(phrase: str) -> list[set[str]]:
    return [forms(w) if len(w) >= 3 else {w} for w in _split_phrase(phrase)]


def find_matches(text: str, banned: Sequence[str]) -> list[Match]:
    """Every occurrence of every banned phrase, in any inflection, left to right."""
    toks = tokens(text)
    found: list[Match] = []
    for phrase in banned:
        sets = _phrase_sets(phrase)
        if not sets:
            continue
        for i in range(len(toks)):
            last = _match_at(toks, text, i, sets)
            if last is not None:
                found.append(Match(i, last, phrase))
    return sorted(found, key=lambda m: (m.first, -m.last))


def find_banned(text: str, banned: Sequence[str]) -> str | None:
    """The first banned phrase `text` contains in any inflection or case, if any."""
    matches = find_matches(text, banned)
    return matches[0].phrase if matches else None


# --- choosing a stand-in -------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What surrounds a span: the word before it (if in the same clause), the word after."""

    left: str | None
    left2: str | None
    right: str | None
    right_is_noun: bool
    head_form: Form
    """The form of the span's first word (a verb phrase's head)."""
    last_form: Form
    """The form of the span's last word (a noun phrase's head)."""


def _same_clause(text: str, a: Token, b: Token) -> bool:
    return _SEPARATOR.fullmatch(text[a.end : b.start]) is not None or text[
        a.end : b.start
    ].strip() in ("", "'", '"')


def context_of(text: str, toks: Sequence[Token], first: int, last: int) -> Context:
    left = (
        toks[first - 1] if first > 0 and _same_clause(text, toks[first - 1], toks[first]) else None
    )
    left2 = None
    if left is not None and first > 1 and _same_clause(text, toks[first - 2], left):
        left2 = toks[first - 2].lower
    right = (
        toks[last + 1]
        if last + 1 < len(toks) and _same_clause(text, toks[last], toks[last + 1])
        else None
    )
    right_word = right.lower if right else None
    right_is_noun = bool(
        right_word
        and right_word not in FUNCTION
        and right_word not in NOT_NOUNS
        and not right_word.endswith("ly")
        and not right_word.isdigit()
    )
    return Context(
        left.lower if left else None,
        left2,
        right_word,
        right_is_noun,
        form_of(toks[first].text),
        form_of(toks[last].text),
    )


def kind_order(ctx: Context, head_form: Form) -> list[Kind]:
    """The roles a replacement may play here, most likely first."""
    left = ctx.left
    mod: list[Kind] = ["modifier"] if ctx.right_is_noun else []
    if left is None:
        verbish: list[Kind] = ["verb"] if head_form == "base" else []
        return ["place", "imperative", *mod, *verbish, "noun", "adjective", "adverb", "verb"]
    if left in RELATIVES and head_form in ("s", "past", "ing"):
        return ["place", "verb", "adjective", "adverb", "noun"]
    if left in DETERMINERS and head_form == "past":
        return ["place", *mod, "verb", "noun", "modifier", "adjective"]  # "this went viral"
    if left in DETERMINERS or left.isdigit():
        return ["place", *mod, "noun", "modifier", "adjective"]
    if left in COPULAS:
        return ["place", *mod, "adjective", "noun", "modifier", "adverb"]
    if left in SUBJECTS or left in AUX:
        return ["place", "verb", "adjective", "imperative", "adverb", "noun"]
    if left in PREPOSITIONS or left in CONJUNCTIONS:
        return ["place", *mod, "noun", "verb", "adjective", "adverb"]
    after_det = ctx.left2 is not None and (ctx.left2 in DETERMINERS or ctx.left2.isdigit())
    verb_first = head_form in ("s", "past") and not ctx.right_is_noun
    if head_form in ("s", "past") and ctx.right in DETERMINERS | SUBJECTS:
        verb_first = True
    if after_det and head_form in ("s", "base"):
        verb_first = False
    ordered: list[Kind] = ["place", "adverb"]
    ordered += ["verb", "noun"] if verb_first else ["noun", "verb"]
    return [*ordered, "imperative", "adjective", "modifier"]


def _key_matches(span: Sequence[str], key: Sequence[str]) -> bool:
    core = list(span)
    if len(span) > len(key) > 0 and len(span) > 2:
        inner = [w for w in span[1:-1] if w not in OPTIONAL_INSIDE]
        core = [span[0], *inner, span[-1]]
    if len(core) != len(key):
        return False
    return all(k == w or k in _lemma_set(w) for w, k in zip(core, key, strict=True))


def _lemma_set(word: str) -> set[str]:
    from remixer.pipeline.rewrite.inflect import lemmas

    return lemmas(word)


def _entries_for(span: Sequence[str]) -> list[Entry]:
    return [e for e in LEXICON if _key_matches(span, e.key)]


@dataclass(frozen=True)
class Replacement:
    first: int
    last: int
    text: str
    """The new words for tokens first..last (absorbed context words included)."""


def _plural_subject(word: str | None) -> bool:
    if word is None:
        return False
    if word in ("they", "we", "you", "these", "those", "people"):
        return True
    return (
        word.endswith("s") and not word.endswith(("ss", "'s", "us", "is")) and word not in FUNCTION
    )


def _verb_text(entry: Entry, form: Form, ctx: Context) -> str:
    if "|" in entry.text:
        base, s, past, pp, ing = entry.text.split("|")
        text = {"base": base, "s": s, "past": past, "pp": pp, "ing": ing}[form]
    else:
        text = inflect_phrase(entry.text, form)
    if _plural_subject(ctx.left):
        text = re.sub(r"^is\b", "are", text)
        text = re.sub(r"^was\b", "were", text)
    return text


def _app_words(text: str, app: str) -> str:
    return text.replace("{app}", app or "our page")


def _build(
    entry: Entry, text: str, toks: Sequence[Token], first: int, last: int, ctx: Context, app: str
) -> Replacement:
    start = first
    words = entry.text
    if entry.kind == "verb":
        form = ctx.head_form
        if form == "pp" and ctx.left in COPULAS:
            form = "pp"
        words = _verb_text(entry, form, ctx)
    elif entry.kind == "noun":
        plural = toks[last].lower.endswith("s") and ctx.last_form == "s"
        words = entry.plural if plural and entry.plural else entry.text
        if ctx.left in ("a", "an") and words.startswith("a "):
            start = first - 1
        elif ctx.left in ("a", "an"):
            start = first - 1
            words = ("an " if words[:1].lower() in "aeiou" else "a ") + words
    elif entry.kind == "place":
        if ctx.left in DETERMINERS and first > 1:
            verb = toks[first - 2].lower
            if verb in PREPOSITIONS:
                start = first - 2
            elif verb in CTA_VERBS:
                start, words = first - 2, _place_call(toks[first - 2].text)
            else:
                start, words = first - 1, "{app}"
        elif ctx.left in PREPOSITIONS:
            start = first - 1
        elif ctx.left in CTA_VERBS:
            start, words = first - 1, _place_call(toks[first - 1].text)
        elif ctx.left is None and words.startswith("on "):
            words = "find it " + words
    words = _app_words(words, app)
    source = text[toks[start].start : toks[last].end]
    return Replacement(start, last, match_case(source, words))


POSSESSIVES = word_set("my your our his her their its")
_ADJECTIVE_END = re.compile(r"(ous|ful|ive|able|ible|al|ic|ent|ant|less|ish|est|ier|y)$")


def _place_call(verb: str) -> str:
    """ "Tap the link in bio" → "Tap through to <App>": the call keeps its verb."""
    lower = verb.lower()
    if lower in ("tap", "click", "hit", "press", "swipe"):
        return f"{lower} through to {{app}}"
    if lower == "check":
        return "check out {app}"
    if lower in ("visit", "use", "see", "try"):
        return f"{lower} {{app}}"
    return "find it on {app}"


def _generic(
    text: str, toks: Sequence[Token], first: int, last: int, ctx: Context, app: str
) -> list[Replacement]:
    """Neutral stand-ins of the category the surrounding words call for, most likely first:
    a modifier before a noun ("great"), a noun after a determiner ("one", "favorite" after a
    possessive, "fuss" after "no"), a predicate adjective ("great"), a verb in the same form
    ("helps with", "works"), an adverb ("really"), the app for a name. None when the
    category is unclear: the clause template is better than a guess."""
    head, first_word = toks[last].lower, toks[first].lower
    out: list[Replacement] = []

    def add(words: str, start: int = first) -> None:
        source = text[toks[start].start : toks[last].end]
        out.append(Replacement(start, last, match_case(source, words)))

    def verb(lemma: str) -> str:
        form = ctx.head_form if ctx.head_form != "pp" else "past"
        return _verb_text(Entry((), "verb", lemma), form, ctx)

    plural = ctx.last_form == "s" and not head.endswith("ss")
    span = text[toks[first].start : toks[last].end]
    adjectival = "-" in span or (
        bool(_ADJECTIVE_END.search(head)) and ctx.head_form not in ("s", "ing")
    )
    noun_phrase = last > first and not adjectival and ctx.head_form != "ing"
    modifier_slot = ctx.right_is_noun and not noun_phrase
    before = text[: toks[first].start].rstrip()
    left = ctx.left
    transitive = ctx.right in DETERMINERS | SUBJECTS or ctx.right_is_noun
    if toks[first].text[:1].isupper() and before and not before.endswith((".", "!", "?", ":")):
        add(app or "this")
    if first_word in DETERMINERS and last > first:
        if first_word == "no":
            add("no fuss")
        elif first_word in ("a", "an"):
            add("a great one")
        else:
            add(f"{first_word} {'ones' if plural else 'one'}")
    elif left in ("a", "an"):
        add("a great" if modifier_slot else "a great one", first - 1)
    elif left == "no":
        add("fuss")
    elif left is not None and left in POSSESSIVES:
        add("favorite" if modifier_slot or not plural else "favorites")
    elif left is not None and (left in DETERMINERS or left.isdigit()):
        add("great" if modifier_slot else ("ones" if plural else "one"))
    elif left is not None and (
        left in COPULAS or (left in PREPOSITIONS and (adjectival or ctx.head_form == "ing"))
    ):
        add("great")
    elif ctx.head_form == "ing" and not noun_phrase:
        add(verb("help" if transitive else "work"))
    elif left is not None and left in PREPOSITIONS and (noun_phrase or not ctx.right_is_noun):
        add("them" if plural else "it")
    elif left is not None and (left in SUBJECTS or left in AUX or left in RELATIVES):
        add("great" if adjectival else verb("help with" if transitive else "work"))
    elif modifier_slot:
        add("great")
    if head.endswith("ly"):
        add("really")
    if ctx.head_form in ("s", "past") and transitive and not noun_phrase:
        add(verb("help with"))
    return out


def _apply(text: str, toks: Sequence[Token], rep: Replacement) -> str:
    start, end = toks[rep.first].start, toks[rep.last].end
    return text[:start] + rep.text + text[end:]


def candidates_for(text: str, match: Match, app: str) -> list[str]:
    """Rewrites of `text` with `match` replaced, best first (lexicon, then generic)."""
    toks = tokens(text)
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    for extra in (2, 1, 0):
        if match.last + extra < len(toks):
            spans.append((match.first, match.last + extra))
    if match.first > 0:
        spans.insert(0, (match.first - 1, match.last))  # "went viral" → "go viral"
    size = match.last - match.first + 1
    for width in range(size - 1, 0, -1):
        for a in range(match.first, match.last - width + 2):
            spans.append((a, a + width - 1))
    for first, last in spans:
        words = [t.lower for t in toks[first : last + 1]]
        entries = _entries_for(words)
        if not entries:
            continue
        ctx = context_of(text, toks, first, last)
        by_kind = {e.kind: e for e in entries}
        for kind in kind_order(ctx, ctx.head_form):
            if kind in by_kind:
                rep = _build(by_kind[kind], text, toks, first, last, ctx, app)
                out.append(_tidy(_apply(text, toks, rep)))
        if out:
            break
    ctx = context_of(text, toks, match.first, match.last)
    for rep in _generic(text, toks, match.first, match.last, ctx, app):
        out.append(_tidy(_apply(text, toks, rep)))
    return list(dict.fromkeys(out))


def _tidy(text: str) -> str:
    text = re.sub(r"\b([Aa])n? (?=[aeiouAEIOU])(?!one\b|use)", r"\1n ", text)
    text = re.sub(r"\b([Aa])n (?=[^aeiouAEIOU\W])", r"\1 ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


# --- clause templates ----------------------------------------------------------------

TEMPLATES: dict[Intent, str] = {
    "hook": "you need to see this",
    "claim": "it really works",
    "cta": "find it on {app}",
    "question": "would you try it?",
}


def intent_of(clause: str, role: str) -> Intent:
    toks = tokens(clause)
    if clause.rstrip().endswith("?"):
        return "question"
    if role == "cta" or (toks and toks[0].lower in CTA_VERBS):
        return "cta"
    return "hook" if role == "hook" else "claim"


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around characters start..end: between clause punctuation marks."""
    left = 0
    for m in _CLAUSE_END.finditer(text, 0, start):
        left = m.end()
    right_match = _CLAUSE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    return left, right


def rewrite_clause(text: str, match: Match, role: str, app: str) -> str:
    toks = tokens(text)
    left, right = clause_bounds(text, toks[match.first].start, toks[match.last].end)
    clause = text[left:right]
    tail = text[right:]
    intent = intent_of(clause + tail[:1], role)
    new = _app_words(TEMPLATES[intent], app)
    if intent == "question" and tail.startswith("?"):
        new = new.rstrip("?")
    lead = clause[: len(clause) - len(clause.lstrip())]
    if left == 0 or text[:left].rstrip().endswith((".", "!", "?")):
        new = new[:1].upper() + new[1:]
    return _tidy(text[:left] + lead + new + (" " if tail[:1].isalnum() else "") + tail)


# --- the whole line ------------------------------------------------------------------

Checker = Callable[[str, str], bool]
"""(source, candidate) → is the candidate grammatical enough (no worse than the source)?"""


def heuristic_ok(source: str, candidate: str) -> bool:
    return not new_issues(source, candidate)


def replace_banned(
    text: str,
    banned: Sequence[str],
    role: str = "body",
    app: str = "",
    checker: Checker = heuristic_ok,
) -> str:
    """`text` with every banned phrase replaced by a same-role stand-in (see module doc)."""
    banned = [b for b in banned if b.strip()]
    source = text
    for _round in range(12):
        matches = find_matches(text, banned)
        if not matches:
            return text
        match = matches[0]
        chosen = None
        for candidate in candidates_for(text, match, app):
            if _removes(candidate, text, banned) and checker(source, candidate):
                chosen = candidate
                break
        text = chosen if chosen is not None else rewrite_clause(text, match, role, app)
    return text


def _removes(candidate: str, before: str, banned: Sequence[str]) -> bool:
    return len(find_matches(candidate, banned)) < len(find_matches(before, banned))
