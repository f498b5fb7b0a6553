"""The chat messages that ask a model to adapt overlay copy: the brief, the rules (same
order, same meaning, line structure, capacity, banned phrases, target language) and the
items as JSON. A retry adds what was wrong with the previous reply."""

from __future__ import annotations

import json
from collections.abc import Sequence

from remixer.pipeline.rewrite.brief import CopyBrief, CopyItem

SYSTEM = (
    "You adapt the burned-in text overlays of a short vertical video for a brand. "
    "Keep each overlay's meaning, order and line structure; the first overlay is the hook. "
    "Write in the brand voice and in the target language, weave in the brand where it "
    "fits naturally, and keep each text within its capacity (max_lines lines of at most "
    "max_chars_per_line characters). Never use a banned phrase in any form (plural, past "
    "tense, other case): replace it with a brand-safe phrase playing the same part in the "
    "sentence, never just delete it. Keep at least half of each overlay's words, keep "
    "every number, keep a question a question, and write whole, grammatical sentences. "
    "Every text must visibly differ from its source. Reply with JSON only: "
    '{"texts": ["...", ...]} with exactly one text per overlay, in the same order.'
)


def _brief_json(brief: CopyBrief) -> dict[str, object]:
    return {
        "voice": brief.voice,
        "target_language": brief.target_language,
        "app_name": brief.app_name,
        "app_description": brief.app_description,
        "tagline": brief.tagline,
        "audience": brief.audience,
        "keywords": list(brief.keywords),
        "banned_phrases": list(brief.banned_phrases),
    }


def _item_json(item: CopyItem) -> dict[str, object]:
    return {
        "text": item.text,
        "role": item.role,
        "lines": list(item.lines),
        "max_lines": item.max_lines,
        "max_chars_per_line": item.max_chars_per_line,
    }


def build_messages(
    items: Sequence[CopyItem], brief: CopyBrief, feedback: str | None = None
) -> list[dict[str, str]]:
    request = {"brief": _brief_json(brief), "overlays": [_item_json(i) for i in items]}
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": json.dumps(request, ensure_ascii=False)},
    ]
    if feedback:
        messages.append(
            {"role": "user", "content": f"Your previous reply was rejected: {feedback}. Try again."}
        )
    return messages
