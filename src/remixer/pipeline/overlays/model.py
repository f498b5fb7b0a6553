"""The overlay value types the extraction stage produces and later steps persist as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from remixer.pipeline.types import Box

RGB = tuple[int, int, int]


def _rgb(value: Any) -> RGB | None:
    if value is None:
        return None
    r, g, b = (int(v) for v in value)
    return (r, g, b)


def _box(value: Any) -> Box | None:
    if value is None:
        return None
    x, y, w, h = (int(v) for v in value)
    return (x, y, w, h)


@dataclass(frozen=True)
class OverlayStyle:
    """The look of a caption block, measured on the source frames (colours in RGB)."""

    fill_rgb: RGB
    stroke_rgb: RGB | None
    stroke_px: int
    plate_rgb: RGB | None
    plate_box: Box | None
    plate_radius_px: int
    font_size_px: int
    line_height_px: int
    align: str
    weight: str = "bold"
    family: str = "poppins"
    """The closest of our caption fonts to the source's (`render.fonts.FAMILIES`)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "fill_rgb": list(self.fill_rgb),
            "stroke_rgb": list(self.stroke_rgb) if self.stroke_rgb else None,
            "stroke_px": self.stroke_px,
            "plate_rgb": list(self.plate_rgb) if self.plate_rgb else None,
            "plate_box": list(self.plate_box) if self.plate_box else None,
            "plate_radius_px": self.plate_radius_px,
            "font_size_px": self.font_size_px,
            "line_height_px": self.line_height_px,
            "align": self.align,
            "weight": self.weight,
            "family": self.family,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OverlayStyle:
        fill = _rgb(data["fill_rgb"])
        assert fill is not None
        return cls(
            fill_rgb=fill,
            stroke_rgb=_rgb(data.get("stroke_rgb")),
            stroke_px=int(data.get("stroke_px", 0)),
            plate_rgb=_rgb(data.get("plate_rgb")),
            plate_box=_box(data.get("plate_box")),
            plate_radius_px=int(data.get("plate_radius_px", 0)),
            font_size_px=int(data["font_size_px"]),
            line_height_px=int(data["line_height_px"]),
            align=str(data.get("align", "center")),
            weight=str(data.get("weight", "bold")),
            family=str(data.get("family", "poppins")),
        )


@dataclass(frozen=True)
class Overlay:
    """One burned-in caption block: its text, tight box, exact frame span and style."""

    id: str
    text: str
    lines: list[str]
    box: Box
    start_frame: int
    end_frame: int
    """Inclusive."""
    start_s: float
    end_s: float
    """Exclusive: the time the caption disappears, `(end_frame + 1) / fps`."""
    style: OverlayStyle
    word_frames: list[int] | None = None
    """Word-by-word captions: the frame each word of `text` appears at (None: all at once)."""
    fade_in_frames: int = 0
    """Frames before `start_frame` where the caption is fading (or sliding) in."""
    fade_out_frames: int = 0

    def shown_at(self, frame_index: int) -> bool:
        return self.start_frame <= frame_index <= self.end_frame

    def drawn_at(self, frame_index: int) -> bool:
        """Shown, or fading in or out on that frame."""
        first = self.start_frame - self.fade_in_frames
        return first <= frame_index <= self.end_frame + self.fade_out_frames

    def opacity_at(self, frame_index: int) -> float:
        """1 inside the span, ramping over the fade frames, 0 elsewhere."""
        if self.shown_at(frame_index):
            return 1.0
        if not self.drawn_at(frame_index):
            return 0.0
        if frame_index < self.start_frame:
            return (frame_index - self.start_frame + self.fade_in_frames + 1) / (
                self.fade_in_frames + 1
            )
        return (self.end_frame + self.fade_out_frames + 1 - frame_index) / (
            self.fade_out_frames + 1
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "lines": list(self.lines),
            "box": list(self.box),
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "style": self.style.to_dict(),
            "word_frames": list(self.word_frames) if self.word_frames else None,
            "fade_in_frames": self.fade_in_frames,
            "fade_out_frames": self.fade_out_frames,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Overlay:
        box = _box(data["box"])
        assert box is not None
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            lines=[str(line) for line in data["lines"]],
            box=box,
            start_frame=int(data["start_frame"]),
            end_frame=int(data["end_frame"]),
            start_s=float(data["start_s"]),
            end_s=float(data["end_s"]),
            style=OverlayStyle.from_dict(data["style"]),
            word_frames=[int(f) for f in data["word_frames"]] if data.get("word_frames") else None,
            fade_in_frames=int(data.get("fade_in_frames", 0)),
            fade_out_frames=int(data.get("fade_out_frames", 0)),
        )
