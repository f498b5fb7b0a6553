"""Brand-safe stand-ins for phrases short-video marketing copy often has to avoid, each
with its syntactic role, so a banned phrase is *replaced* by a phrase that plays the same
part in the sentence ("link in bio" → "on <App>", "sells out" → "is gone",
"miracle cream" → "go-to cream").

Keys are lemmas ("sell out" matches "sold out", "selling out"); a verb's replacement is
written in its base form, or as `base|s|past|pp|ing` when the forms are not regular.
`{app}` is the brand's app name (or `our page`/`it` when the brief has none). Phrases not
listed here get a neutral stand-in of the same category (see `banned.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["verb", "noun", "modifier", "adjective", "adverb", "place", "imperative"]


@dataclass(frozen=True)
class Entry:
    """One stand-in: what it replaces (lemmas), the role it plays, the new words."""

    key: tuple[str, ...]
    kind: Kind
    text: str
    plural: str = ""


def _entries(kind: Kind, rows: dict[str, str]) -> list[Entry]:
    out = []
    for key, text in rows.items():
        singular, _, plural = text.partition(" / ")
        out.append(Entry(tuple(key.split()), kind, singular, plural))
    return out


PLACES = {
    "link in bio": "on {app}",
    "link in description": "on {app}",
    "link in comment": "on {app}",
    "link below": "on {app}",
    "swipe up": "find it on {app}",
    "click the link": "find it on {app}",
    "tap the link": "find it on {app}",
}
VERBS = {
    "sell out": "be gone|is gone|ran out|gone|running out",
    "change my life": "make a real difference",
    "change your life": "make a real difference",
    "change everything": "make a real difference",
    "lose weight": "get in shape",
    "burn fat": "build strength",
    "melt fat": "build strength",
    "get rich quick": "grow savings steadily",
    "get rich": "grow your savings",
    "cure": "calm",
    "heal": "soothe",
    "fix": "help",
    "guarantee": "promise",
    "ace": "nail",
    "cheat": "skip ahead",
    "hack": "simplify",
    "obsess": "love",
    "crush": "nail",
    "kill": "nail",
    "detox": "reset",
    "go viral": "get noticed",
    "blow up": "take off",
    "slay": "nail",
    "spoil": "pamper",
    "get hired fast": "get job-ready",
    "get hired": "land a job",
    "knock out": "send to sleep",
    "lose fat": "get in shape",
    "make money": "grow savings",
    "make money online": "earn online",
    "go broke": "overspend",
    "wake up": "get up",
}
IMPERATIVES = {
    "dm me": "message us",
    "dm us": "message us",
    "use my code": "grab the deal",
    "use code": "grab the deal",
    "use my link": "find it on {app}",
    "buy now": "get it today",
    "shop now": "take a look",
    "order now": "get yours today",
    "act now": "try it today",
    "act fast": "try it soon",
    "don't miss out": "take a look",
    "click here": "find it on {app}",
    "sign up now": "join today",
}
NOUNS = {
    "cheat code": "shortcut / shortcuts",
    "cheat sheet": "study guide / study guides",
    "hack": "trick / tricks",
    "life hack": "life tip / life tips",
    "miracle": "gem / gems",
    "miracle cure": "go-to fix / go-to fixes",
    "cure": "fix / fixes",
    "game changer": "big help / big helps",
    "must have": "favorite / favorites",
    "holy grail": "favorite / favorites",
    "free money": "easy savings / easy savings",
    "passive income": "side income / side incomes",
    "weight loss": "fitness progress / fitness progress",
    "fat loss": "fitness progress / fitness progress",
    "easy a": "top grade / top grades",
    "genius": "pro / pros",
    "secret": "tip / tips",
    "giveaway": "surprise / surprises",
    "discount code": "deal / deals",
    "promo code": "deal / deals",
    "coupon code": "deal / deals",
    "free trial": "first week / first weeks",
    "no excuse": "no shortcuts / no shortcuts",
    "no pain no gain": "steady effort / steady effort",
    "detox": "reset / resets",
    "influencer": "creator / creators",
    "scam": "trap / traps",
    "diet": "meal plan / meal plans",
    "cheating": "a shortcut / shortcuts",
    "hidden gem": "lovely find / lovely finds",
    "bucket list": "wish list / wish lists",
    "best friend": "buddy / buddies",
    "bestie": "buddy / buddies",
    "tourist trap": "crowded spot / crowded spots",
    "six figures": "a great salary / great salaries",
    "bootcamp": "course / courses",
    "glow up": "fresh look / fresh looks",
    "best seller": "favorite / favorites",
    "bestseller": "favorite / favorites",
    "money back": "full refund / full refunds",
    "side hustle": "side project / side projects",
    "dream body": "strong body / strong bodies",
    "quick fix": "simple step / simple steps",
    "best ever": "top pick / top picks",
    "limited time": "short while / short whiles",
}
MODIFIERS = {
    "miracle": "go-to",
    "anti aging": "nourishing",
    "anti-aging": "nourishing",
    "fat burning": "high-energy",
    "fat-burning": "high-energy",
    "skinny": "strong",
    "flawless": "radiant",
    "guaranteed": "real",
    "clinically proven": "tested",
    "get rich quick": "overnight",
    "free money": "easy savings",
    "passive income": "side income",
    "risk free": "low-risk",
    "risk-free": "low-risk",
    "debt free": "debt-light",
    "debt-free": "debt-light",
    "guilt free": "feel-good",
    "guilt-free": "feel-good",
    "addictive": "irresistible",
    "easy a": "easy-grade",
    "genius": "top",
    "life changing": "helpful",
    "life-changing": "helpful",
    "viral": "popular",
    "best ever": "favorite",
    "cheap": "affordable",
    "toxic": "harsh",
    "insane": "wild",
    "crazy": "wild",
    "perfect": "great",
    "magic": "handy",
    "sold out": "popular",
    "limited time": "short-term",
    "weight loss": "fitness",
    "detox": "reset",
    "must have": "favorite",
    "must-have": "favorite",
    "free": "included",
    "secret": "little-known",
    "cheat": "shortcut",
    "lazy": "busy",
    "vet approved": "vet-recommended",
    "doctor approved": "expert-backed",
    "dermatologist approved": "expert-backed",
    "life saving": "handy",
    "six figure": "well-paid",
    "best selling": "popular",
    "100% natural": "natural",
    "all natural": "natural",
    "chemical free": "gentle",
    "organic": "fresh",
}
ADJECTIVES = {
    "obsessed": "hooked",
    "addicted": "hooked",
    "obsessed with": "hooked on",
    "addicted to": "hooked on",
    "flawless": "radiant",
    "guaranteed": "likely",
    "clinically proven": "tested",
    "sold out": "gone",
    "risk free": "low-risk",
    "risk-free": "low-risk",
    "debt free": "debt-light",
    "debt-free": "debt-light",
    "guilt free": "feel-good",
    "guilt-free": "feel-good",
    "addictive": "irresistible",
    "skinny": "strong",
    "insane": "wild",
    "crazy": "wild",
    "perfect": "great",
    "life changing": "helpful",
    "life-changing": "helpful",
    "free": "included",
    "viral": "popular",
    "anti-aging": "nourishing",
    "anti aging": "nourishing",
    "genius": "clever",
    "toxic": "harsh",
    "cheap": "affordable",
    "lazy": "busy",
    "spoiled": "pampered",
    "obedient": "calm",
    "unreal": "stunning",
    "ripped": "strong",
    "shredded": "strong",
    "back in stock": "available again",
    "magic": "brilliant",
}
ADVERBS = {
    "instantly": "quickly",
    "overnight": "fast",
    "without studying": "without cramming",
    "without dieting": "without strict rules",
    "without exercise": "with little effort",
    "for free": "at no extra cost",
    "in no time": "soon",
    "effortlessly": "easily",
    "limited time only": "only for now",
    "for a limited time": "for a short while",
}

LEXICON: list[Entry] = [
    *_entries("place", PLACES),
    *_entries("imperative", IMPERATIVES),
    *_entries("verb", VERBS),
    *_entries("noun", NOUNS),
    *_entries("modifier", MODIFIERS),
    *_entries("adjective", ADJECTIVES),
    *_entries("adverb", ADVERBS),
]
"""Every stand-in; longer keys are tried first (see `banned.candidates_for`)."""
