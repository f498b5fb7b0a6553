"""Copy benchmark: the offline adapter over a corpus of TikTok-style overlay lines
(benchmarks/data/copy_corpus.json: POV, listicles, "nobody talks about", questions, calls to
action, numbers, emoji; five brands with banned phrases), in every voice.

Per output line: banned phrases left (any inflection), words link-parser cannot link
compared with the source line (emoji removed from both), share of the source's non-banned
content words kept, visibly changed (the word sequence differs, not just case, emoji or
punctuation), question kept a question, numbers kept, kept words in the source's order.
Run both with link-parser helping the adapter choose (when installed) and with the token
rules only (a machine without it).
Prints the 10 worst lines for a person to read.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remixer.pipeline.rewrite import VOICES, CopyBrief, OfflineCopyAdapter, copy_items
from remixer.pipeline.rewrite.banned import find_banned, tokens
from remixer.pipeline.rewrite.grammar import LinkGrammar, default_link_grammar
from remixer.pipeline.rewrite.meaning import check_meaning

CORPUS = Path(__file__).resolve().parent / "data" / "copy_corpus.json"


@dataclass
class Row:
    brand: str
    voice: str
    role: str
    source: str
    text: str
    banned: str | None
    kept: float
    changed: bool
    question_kept: bool
    numbers_kept: bool
    order_kept: bool
    source_unlinked: int = 0
    unlinked: int = 0

    @property
    def parse_ok(self) -> bool:
        return self.unlinked <= self.source_unlinked

    def badness(self) -> float:
        return (
            (10.0 if self.banned else 0.0)
            + (5.0 if not self.changed else 0.0)
            + max(0, self.unlinked - self.source_unlinked) * 2.0
            + max(0.0, 0.5 - self.kept) * 8.0
            + (1.0 - self.kept)
            + (2.0 if not self.question_kept or not self.numbers_kept else 0.0)
        )


def _word_key(text: str) -> list[str]:
    return [t.lower for t in tokens(text)]


def load_corpus() -> list[dict[str, Any]]:
    brands: list[dict[str, Any]] = json.loads(CORPUS.read_text())["brands"]
    return brands


def run(adapter: OfflineCopyAdapter, parser: LinkGrammar | None) -> tuple[list[Row], float]:
    rows: list[Row] = []
    start = time.perf_counter()
    for brand in load_corpus():
        banned = tuple(brand["banned"])
        for voice in VOICES:
            brief = CopyBrief(
                voice=voice,
                app_name=brand["app"],
                keywords=tuple(brand["keywords"]),
                banned_phrases=banned,
            )
            for video in brand["videos"]:
                items = copy_items([overlay.split("\n") for overlay in video])
                for item, text in zip(items, adapter.adapt(items, brief), strict=True):
                    meaning = check_meaning(item.text, text, banned)
                    rows.append(
                        Row(
                            brand["app"],
                            voice,
                            item.role,
                            item.text,
                            text,
                            find_banned(text, banned),
                            meaning.kept,
                            _word_key(text) != _word_key(item.text),
                            meaning.question_kept,
                            meaning.numbers_kept,
                            meaning.order_kept,
                        )
                    )
    seconds = time.perf_counter() - start
    if parser is not None:
        counts = parser.unlinked([r.source for r in rows] + [r.text for r in rows])
        for row, source, out in zip(rows, counts[: len(rows)], counts[len(rows) :], strict=True):
            row.source_unlinked, row.unlinked = source, out
    return rows, seconds


def _pct(rows: list[Row], ok: Any) -> float:
    return round(100.0 * sum(1 for r in rows if ok(r)) / max(len(rows), 1), 1)


def figures(rows: list[Row], seconds: float, parsed: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "outputLines": len(rows),
        "bannedLeft": sum(1 for r in rows if r.banned),
        "keptHalfPct": _pct(rows, lambda r: r.kept >= 0.5),
        "meanKeptPct": round(100.0 * sum(r.kept for r in rows) / max(len(rows), 1), 1),
        "changedPct": _pct(rows, lambda r: r.changed),
        "questionKeptPct": _pct(rows, lambda r: r.question_kept),
        "numbersKeptPct": _pct(rows, lambda r: r.numbers_kept),
        "orderKeptPct": _pct(rows, lambda r: r.order_kept),
        "msPerLine": round(1000.0 * seconds / max(len(rows), 1), 2),
    }
    if parsed:
        out["parseNoWorsePct"] = _pct(rows, lambda r: r.parse_ok)
    return out


def worst(rows: list[Row], count: int = 10) -> list[str]:
    ranked = sorted(rows, key=lambda r: -r.badness())[:count]
    return [
        f"[{r.brand}/{r.voice}/{r.role}] {r.source!r} -> {r.text!r} "
        f"(unlinked {r.source_unlinked}->{r.unlinked}, kept {r.kept:.0%}"
        + (f", BANNED {r.banned!r}" if r.banned else "")
        + ("" if r.changed else ", UNCHANGED")
        + ")"
        for r in ranked
    ]


def main() -> dict[str, Any]:
    parser = default_link_grammar()
    corpus = load_corpus()
    lines = sum(len(video) for brand in corpus for video in brand["videos"])
    result: dict[str, Any] = {
        "corpus": {
            "sourceLines": lines,
            "brands": len(corpus),
            "bannedPhrases": sum(len(b["banned"]) for b in corpus),
            "voices": len(VOICES),
        },
        "linkParser": parser is not None,
    }
    rows, seconds = run(OfflineCopyAdapter(grammar=parser), parser)
    result["withLinkParser" if parser else "tokenRulesOnly"] = figures(rows, seconds, bool(parser))
    result["worst"] = worst(rows)
    if parser is not None:
        plain, plain_s = run(OfflineCopyAdapter(grammar=None), parser)
        result["tokenRulesOnly"] = figures(plain, plain_s, True)
        result["worstTokenRulesOnly"] = worst(plain, 5)
    print("\n".join(["worst lines:", *result["worst"]]))
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2, ensure_ascii=False))
