"""Caption blocks: OCR lines grouped into blocks per frame, and block-to-block similarity.

A block is a set of vertically adjacent lines of similar height that overlap
horizontally, which is how multi-line captions are laid out.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from remixer.pipeline.overlays.ocr import TextLine
from remixer.pipeline.types import Box


@dataclass(frozen=True)
class Block:
    """Lines read together on one frame."""

    lines: tuple[TextLine, ...]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def box(self) -> Box:
        return union_box([line.box for line in self.lines])


def union_box(boxes: list[Box]) -> Box:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def _joins(upper: TextLine, lower: TextLine) -> bool:
    ux, uy, uw, uh = upper.box
    lx, ly, lw, lh = lower.box
    if max(uh, lh) > 1.6 * min(uh, lh):
        return False
    if ly - (uy + uh) > 0.6 * min(uh, lh):
        return False
    overlap = min(ux + uw, lx + lw) - max(ux, lx)
    return overlap > 0.3 * min(uw, lw)


def group_blocks(lines: list[TextLine]) -> list[Block]:
    """Group a frame's lines into blocks, top to bottom."""
    groups: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: item.box[1]):
        target = next((g for g in groups if _joins(g[-1], line)), None)
        if target is None:
            groups.append([line])
        else:
            target.append(line)
    return [Block(tuple(group)) for group in groups]


def iou(a: Box, b: Box) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(x1 - x0, 0) * max(y1 - y0, 0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def text_similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


def same_caption(a: Block, b: Block) -> bool:
    """Two readings of the same caption: boxes overlap well and texts nearly agree."""
    return iou(a.box, b.box) > 0.5 and text_similarity(a.text, b.text) > 0.7
