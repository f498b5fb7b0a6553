"""English inflection for the copy rewriter: the forms a word takes ("sell" → sells, sold,
selling), the form a surface word is in ("sold" → past), a lemma put in that form, and
case matching. Rules plus a small irregular table; over-generation is harmless because
the forms are only used to *find* banned phrases and to inflect known replacements."""

from __future__ import annotations

import re
from typing import Literal

Form = Literal["base", "s", "past", "pp", "ing"]

# lemma: (past, past participle)
IRREGULAR: dict[str, tuple[str, str]] = {
    "be": ("was", "been"),
    "begin": ("began", "begun"),
    "break": ("broke", "broken"),
    "bring": ("brought", "brought"),
    "buy": ("bought", "bought"),
    "choose": ("chose", "chosen"),
    "come": ("came", "come"),
    "cut": ("cut", "cut"),
    "do": ("did", "done"),
    "drink": ("drank", "drunk"),
    "eat": ("ate", "eaten"),
    "feel": ("felt", "felt"),
    "find": ("found", "found"),
    "get": ("got", "gotten"),
    "give": ("gave", "given"),
    "go": ("went", "gone"),
    "grow": ("grew", "grown"),
    "have": ("had", "had"),
    "hit": ("hit", "hit"),
    "keep": ("kept", "kept"),
    "know": ("knew", "known"),
    "lose": ("lost", "lost"),
    "make": ("made", "made"),
    "pay": ("paid", "paid"),
    "put": ("put", "put"),
    "run": ("ran", "run"),
    "see": ("saw", "seen"),
    "sell": ("sold", "sold"),
    "send": ("sent", "sent"),
    "sleep": ("slept", "slept"),
    "spend": ("spent", "spent"),
    "take": ("took", "taken"),
    "teach": ("taught", "taught"),
    "tell": ("told", "told"),
    "think": ("thought", "thought"),
    "win": ("won", "won"),
    "write": ("wrote", "written"),
}
_IRREGULAR_BACK = {form: lemma for lemma, pair in IRREGULAR.items() for form in pair}
_VOWELS = "aeiou"
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def lemmas(word: str) -> set[str]:
    """Plausible dictionary forms of `word` (lower case), itself included."""
    w = word.lower()
    found = {w}
    if w in _IRREGULAR_BACK:
        found.add(_IRREGULAR_BACK[w])
    if len(w) < 4:
        return found
    if w.endswith("ies"):
        found.add(w[:-3] + "y")
    if w.endswith("es"):
        found.add(w[:-2])
    if w.endswith("s") and not w.endswith("ss"):
        found.add(w[:-1])
    if w.endswith("ied"):
        found.add(w[:-3] + "y")
    if w.endswith("ed"):
        found |= {w[:-2], w[:-1]}
        if len(w) > 4 and w[-3] == w[-4]:
            found.add(w[:-3])
    if w.endswith("ing") and len(w) > 5:
        found |= {w[:-3], w[:-3] + "e"}
        if w[-4] == w[-5]:
            found.add(w[:-4])
    return found


def inflect(lemma: str, form: Form) -> str:
    """`lemma` (one word) in `form`: ("sell", "past") → "sold", ("hack", "s") → "hacks"."""
    w = lemma.lower()
    if form == "base":
        return lemma
    if form in ("past", "pp") and w in IRREGULAR:
        return IRREGULAR[w][0 if form == "past" else 1]
    if w == "be":
        return {"s": "is", "ing": "being"}[form]
    if w == "have" and form == "s":
        return "has"
    if form == "s":
        if re.search(r"(s|x|z|ch|sh|o)$", w):
            return lemma + "es"
        if w.endswith("y") and len(w) > 1 and w[-2] not in _VOWELS:
            return lemma[:-1] + "ies"
        return lemma + "s"
    double = len(w) <= 4 and bool(re.fullmatch(r"[^aeiou]+[aeiou][^aeiouwxy]", w))
    if form == "ing":
        if double:
            return lemma + lemma[-1] + "ing"
        if w.endswith("ie"):
            return lemma[:-2] + "ying"
        if w.endswith("e") and not w.endswith(("ee", "ye", "oe")):
            return lemma[:-1] + "ing"
        return lemma + "ing"
    if double:
        return lemma + lemma[-1] + "ed"
    if w.endswith("e"):
        return lemma + "d"
    if w.endswith("y") and len(w) > 1 and w[-2] not in _VOWELS:
        return lemma[:-1] + "ied"
    return lemma + "ed"


def forms(word: str) -> set[str]:
    """Every surface form of every plausible lemma of `word` (lower case)."""
    out: set[str] = set()
    for lemma in lemmas(word):
        if len(lemma) < 3 and lemma != word.lower():
            continue
        out.add(lemma)
        if len(lemma) >= 3 or lemma in IRREGULAR:
            for form in ("s", "past", "pp", "ing"):
                out.add(inflect(lemma, form))  # type: ignore[arg-type]
    return out


def form_of(word: str) -> Form:
    """The inflectional form `word` appears in (a guess from its ending)."""
    w = word.lower()
    if w in _IRREGULAR_BACK:
        lemma = _IRREGULAR_BACK[w]
        return "past" if IRREGULAR[lemma][0] == w else "pp"
    if w.endswith("ing") and len(w) > 4:
        return "ing"
    if w.endswith("ed") and len(w) > 3:
        return "past"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return "s"
    return "base"


def inflect_phrase(phrase: str, form: Form) -> str:
    """The first word of `phrase` (its head verb) put in `form`: ("be gone", "s") → "is gone"."""
    head, _, rest = phrase.partition(" ")
    word = inflect(head, form)
    return f"{word} {rest}" if rest else word


def match_case(source: str, replacement: str) -> str:
    """`replacement` in the case of `source`: ALL CAPS, Capitalised, or as written."""
    letters = [ch for ch in source if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return replacement.upper()
    if letters and source[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (readable tables)."""
    return frozenset(words.split())
