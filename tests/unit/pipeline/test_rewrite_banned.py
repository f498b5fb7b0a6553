"""Banned phrases are found in any inflection and case and replaced by a same-role phrase:
lexicon stand-ins, neutral stand-ins by syntactic category, and clause templates."""

from __future__ import annotations

import pytest

from remixer.pipeline.rewrite.banned import (
    find_banned,
    find_matches,
    replace_banned,
    rewrite_clause,
)
from remixer.pipeline.rewrite.grammar import issues, new_issues
from remixer.pipeline.rewrite.inflect import forms, inflect, match_case


def test_inflections_are_generated_and_recognised() -> None:
    assert {"sell", "sells", "sold", "selling"} <= forms("sells")
    assert {"hack", "hacks", "hacked", "hacking"} <= forms("hack")
    assert {"cure", "cured", "curing"} <= forms("cured")
    assert inflect("get", "ing") == "getting" and inflect("stop", "past") == "stopped"
    assert inflect("be", "s") == "is"
    assert match_case("SOLD OUT", "is gone") == "IS GONE"
    assert match_case("Link", "find it") == "Find it"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("It SOLD OUT in a day", "sells out"),
        ("5 money hacks", "hack"),
        ("Link in my bio", "link in bio"),
        ("this anti aging serum", "anti-aging"),
        ("She's selling out again", "sell out"),
    ],
)
def test_banned_phrase_is_found_in_any_form(text: str, phrase: str) -> None:
    assert find_banned(text, [phrase]) == phrase


def test_words_that_only_look_alike_are_not_banned() -> None:
    assert find_banned("the outlet sells outdoor gear", ["sells out"]) is None
    assert find_banned("this is a hackathon", ["hack"]) is None
    assert find_matches("", ["x"]) == []


APP = "Glowly"
CASES = [
    ("Grab yours via the link in bio", ["link in bio"], "Grab yours on Glowly"),
    ("before it sells out again", ["sells out"], "before it is gone again"),
    ("It sold out twice in 2 weeks", ["sell out"], "It ran out twice in 2 weeks"),
    ("They SOLD OUT in 3 hours", ["sold out"], "They RAN OUT in 3 hours"),
    ("Get it before it's sold out", ["sold out"], "Get it before it's gone"),
    ("Nobody talks about this miracle cream", ["miracle cream"], "go-to cream"),
    ("POV: my miracle routine", ["miracle"], "POV: my go-to routine"),
    ("This serum is a miracle in a bottle", ["miracle"], "This serum is a gem in a bottle"),
    ("5 money hacks for your 20s", ["hack"], "5 money tricks for your 20s"),
    ("This money hack saved me $400", ["hack"], "This money trick saved me $400"),
    ("Tap the link in bio", ["link in bio"], "Tap through to Glowly"),
    ("Check the link in my bio", ["link in bio"], "Check out Glowly"),
    ("Link in bio 💧", ["link in bio"], "Find it on Glowly 💧"),
    ("I'm obsessed with the mango chips", ["obsessed"], "I'm hooked on the mango chips"),
    ("3 things that cured my acne", ["cure"], "3 things that calmed my acne"),
    ("How I lost weight without a gym", ["lose weight"], "How I got in shape without a gym"),
    ("Guaranteed results in 2 weeks", ["guaranteed"], "Real results in 2 weeks"),
    ("Use my code for 20% off", ["use my code"], "Grab the deal for 20% off"),
    ("This went viral for a reason", ["viral"], "This got noticed for a reason"),
    ("DM me for the full list", ["dm me"], "Message us for the full list"),
]


@pytest.mark.parametrize(("text", "banned", "expected"), CASES)
def test_lexicon_stand_ins_keep_the_role(text: str, banned: list[str], expected: str) -> None:
    out = replace_banned(text, banned, app=APP)
    assert expected in out, out
    assert find_banned(out, banned) is None
    assert not new_issues(text, out)


@pytest.mark.parametrize(
    ("text", "banned", "expected"),
    [
        ("Try Glowskin today", ["Glowskin"], "Try Glowly today"),
        ("this zorbly serum is great", ["zorbly"], "this great serum is great"),
        ("it zorbles your skin", ["zorble"], "it helps with your skin"),
        ("you will love the blorp", ["blorp"], "you will love the one"),
        ("my skin went from dull to glowing", ["glowing"], "from dull to great"),
        ("it is frobulous", ["frobulous"], "it is great"),
        ("Say goodbye to acne forever", ["acne forever"], "Say goodbye to it"),
        ("No melatonin, no pills", ["melatonin"], "No fuss, no pills"),
        ("Is your dog blorping you back?", ["blorping"], "Is your dog helping you back?"),
    ],
)
def test_unknown_phrases_get_a_neutral_stand_in_of_their_category(
    text: str, banned: list[str], expected: str
) -> None:
    out = replace_banned(text, banned, app=APP)
    assert expected in out, out
    assert find_banned(out, banned) is None


@pytest.mark.parametrize(
    ("text", "role", "expected"),
    [
        ("Best blorp ever, trust me", "hook", "You need to see this, trust me"),
        ("Shop the blorp now", "cta", "Find it on Glowly"),
        ("Is the blorp worth it?", "body", "Would you try it?"),
        ("Day 3: the blorp works", "body", "Day 3: it really works"),
    ],
)
def test_clause_template_keeps_the_intent(text: str, role: str, expected: str) -> None:
    # a checker that refuses every stand-in forces the clause rewrite
    out = replace_banned(text, ["blorp"], role, APP, checker=lambda source, cand: False)
    assert out == expected
    match = find_matches(text, ["blorp"])[0]
    assert rewrite_clause(text, match, role, APP) == expected


def test_every_occurrence_is_replaced_and_case_follows_the_source() -> None:
    out = replace_banned("HACKS. More hacks? Hack it.", ["hack"], app=APP)
    assert find_banned(out, ["hack"]) is None
    assert out.startswith("TRICKS.")


def test_grammar_rules_catch_cut_damage() -> None:
    assert issues("Grab yours via the before it again")["dangling determiner"] == 1
    assert issues("a routine that that works")["doubled word"] == 1
    assert issues("Get it via")["dangling preposition"] == 1
    assert not issues("Grab yours on Glowly before it is gone again")
    assert new_issues("Get it via", "Get it via") == []
