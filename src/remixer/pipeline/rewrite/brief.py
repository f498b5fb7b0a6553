"""What copy adaptation takes and gives: the brand brief, one item per overlay (text, role,
line structure, box capacity), and the `CopyProvider` protocol every adapter implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from remixer.pipeline.overlays.model import Overlay

Voice = Literal["authentic", "witty", "professional", "warm", "casual", "educational"]
VOICES: tuple[Voice, ...] = ("authentic", "witty", "professional", "warm", "casual", "educational")
Role = Literal["hook", "body", "cta"]

CAPACITY_SLACK = 1.25
"""New lines may be this much longer than the longest source line (fonts differ in width)."""

SHRINK_SLACK = 1.25
"""The redraw keeps a caption's line count by shrinking its font down to 80 %
(`render.layout.KEEP_LINES_SHRINK`), so a line may hold this many times more characters."""


@dataclass(frozen=True)
class CopyBrief:
    """The brand voice, language and context the copy is rewritten for."""

    voice: Voice = "authentic"
    target_language: str = "en"
    """BCP 47 tag; only the primary subtag is compared with detected languages."""
    app_name: str = ""
    app_description: str = ""
    tagline: str = ""
    audience: str = ""
    keywords: tuple[str, ...] = ()
    banned_phrases: tuple[str, ...] = ()

    @property
    def language(self) -> str:
        return primary_subtag(self.target_language)


@dataclass(frozen=True)
class CopyItem:
    """One overlay's text to adapt, with its role and how much fits in its box."""

    text: str
    role: Role
    lines: tuple[str, ...]
    max_chars_per_line: int
    max_lines: int

    @property
    def max_chars(self) -> int:
        return self.max_chars_per_line * self.max_lines


class CopyProvider(Protocol):
    """Rewrites overlay texts for a brief: one text per item, same order, each fitting."""

    def adapt(self, items: Sequence[CopyItem], brief: CopyBrief) -> list[str]: ...


def with_shrink(item: CopyItem) -> CopyItem:
    """`item` with the room the redraw gains by shrinking the font (same line count)."""
    return replace(item, max_chars_per_line=int(item.max_chars_per_line * SHRINK_SLACK))


def primary_subtag(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].strip().lower()


def role_of(index: int, count: int) -> Role:
    if index == 0:
        return "hook"
    return "cta" if index == count - 1 else "body"


def copy_items(texts: Sequence[Sequence[str]]) -> list[CopyItem]:
    """Items from each overlay's source lines: the first is the hook, the last (of several)
    the call to action; capacity from the longest source line and the line count."""
    items: list[CopyItem] = []
    for index, lines in enumerate(texts):
        longest = max((len(line) for line in lines), default=0)
        items.append(
            CopyItem(
                text=" ".join(lines),
                role=role_of(index, len(texts)),
                lines=tuple(lines),
                max_chars_per_line=max(int(longest * CAPACITY_SLACK) + 1, 8),
                max_lines=max(len(lines), 1),
            )
        )
    return items


def copy_items_from_overlays(overlays: Sequence[Overlay]) -> list[CopyItem]:
    return copy_items([overlay.lines for overlay in overlays])
