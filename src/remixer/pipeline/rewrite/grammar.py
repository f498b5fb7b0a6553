"""Is a rewritten line still grammatical? Two judges:

- `issues`: fast token rules that catch what cutting or replacing words breaks (a doubled
  word, a determiner or preposition left dangling at the end of a clause, a determiner
  before a determiner or a preposition); `new_issues` counts those the source did not have.
- `LinkGrammar`: Debian's `link-parser` (package `link-grammar`), when installed: the number
  of words it cannot link in each sentence. Optional everywhere: `LinkGrammar.find()` is
  None when the binary is absent, and callers fall back to the token rules.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from remixer.pipeline.rewrite.inflect import word_set

_WORD = re.compile(r"[\w][\w'’]*|[,.;:!?…]")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d\u2190-\u21ff\u2b00-\u2bff]+")
STRICT_DETERMINERS = word_set("a an the my your our their his her its every each")
DANGLING_PREPOSITIONS = word_set("of with via through from for into at the by")
LINKERS = word_set("and or but")
NOT_AFTER_DET = LINKERS | word_set(
    "of with via through from for into at by before after if when while because is are was "
    "were to in on"
)
"""Words a determiner cannot stand right before ("the before it", "a is")."""
_PUNCT = frozenset(",.;:!?…")


def issues(text: str) -> Counter[str]:
    """Token-level grammar problems of `text`, by kind."""
    toks = [t.lower().replace("’", "'") for t in _WORD.findall(_EMOJI.sub(" ", text))]
    found: Counter[str] = Counter()
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is not None and tok == nxt and tok not in _PUNCT and not tok.isdigit():
            found["doubled word"] += 1
        if tok in STRICT_DETERMINERS and (
            nxt is None or nxt in _PUNCT or nxt in STRICT_DETERMINERS or nxt in NOT_AFTER_DET
        ):
            found["dangling determiner"] += 1
        if tok in DANGLING_PREPOSITIONS and (nxt is None or nxt in _PUNCT):
            found["dangling preposition"] += 1
        if tok in LINKERS and (nxt is None or nxt in _PUNCT) and i > 0:
            found["dangling conjunction"] += 1
        if tok in _PUNCT and nxt in _PUNCT and tok == nxt == ",":
            found["empty clause"] += 1
    return found


def new_issues(source: str, candidate: str) -> list[str]:
    """Problems `candidate` has that `source` did not."""
    return sorted((issues(candidate) - issues(source)).elements())


def parse_text(text: str) -> str:
    """What the parser is given: emoji removed (they are not words), one line."""
    return " ".join(_EMOJI.sub(" ", text).split()).lstrip("!")


class LinkGrammar:
    """`link-parser` in batch mode: unlinked-word counts, one process per batch."""

    MARK = "!verbosity=1"
    ECHO = "verbosity set to 1"

    def __init__(self, binary: str, timeout_s: float = 60.0) -> None:
        self.binary = binary
        self.timeout_s = timeout_s

    @staticmethod
    def find() -> LinkGrammar | None:
        path = shutil.which("link-parser")
        return LinkGrammar(path) if path else None

    def unlinked(self, texts: Sequence[str]) -> list[int]:
        """Words link-parser leaves unlinked in each text (its null count)."""
        if not texts:
            return []
        lines = ["!verbosity=1", "!graphics=0", "!limit=1", "!timeout=3", "!spell=0"]
        wanted = [parse_text(t) for t in texts]
        for text in wanted:
            lines += [self.MARK, text or "."]
        out = subprocess.run(
            [self.binary, "en"],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            timeout=self.timeout_s,
            check=False,
        ).stdout
        # chunk 0 precedes the settings' first echo, chunk 1 holds the other settings
        chunks = out.split(self.ECHO)[2:]
        counts: list[int] = []
        for index, text in enumerate(wanted):
            found = re.findall(r"UNUSED=(\d+)", chunks[index]) if index < len(chunks) else []
            if not text:
                counts.append(0)
            else:
                counts.append(int(found[0]) if found else len(text.split()))
        return counts


@lru_cache(maxsize=1)
def default_link_grammar() -> LinkGrammar | None:
    return LinkGrammar.find()
