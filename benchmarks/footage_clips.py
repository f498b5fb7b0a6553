"""Real clips from `../shared/footage` with TikTok-style captions burned in, for benchmarks.

The footage is read where it lies and the captioned copies go to a temporary folder: neither
the clips nor frames of them ever enter the repository.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from remixer.pipeline.render.compose import composite_rgba
from remixer.pipeline.synth.captions import CaptionSpec, place_caption
from remixer.pipeline.video import iter_frames_bgr, probe_video
from remixer.pipeline.video.writer import VideoWriter

ROOT = Path(__file__).resolve().parent.parent


def footage_dir() -> Path | None:
    """The shared footage folder: `REMIXER_FOOTAGE`, else `../shared/footage` beside the
    checkout (or beside its parent, for a worktree), else `/work/shared/footage`; None
    when none of them holds the footage README."""
    env = os.environ.get("REMIXER_FOOTAGE")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "footage", ROOT.parent.parent / "shared" / "footage"]
    candidates.append(Path("/work/shared/footage"))
    return next((c for c in candidates if (c / "README.md").is_file()), None)


FOOTAGE = footage_dir() or ROOT.parent / "shared" / "footage"
CLIPS = ("d9", "d6", "d3", "d14", "d0", "s20", "s18", "s13")


def footage_clips() -> list[Path]:
    """The shared clips that are present (empty when the folder is absent)."""
    return [FOOTAGE / f"{name}.mp4" for name in CLIPS if (FOOTAGE / f"{name}.mp4").exists()]


def three_captions(duration_s: float) -> tuple[CaptionSpec, ...]:
    """A hook, a claim on a plate and a call to action, one after another."""
    third = duration_s / 3
    return (
        CaptionSpec("POV: you finally fixed\nyour morning routine", 0.0, third, y_frac=0.15),
        CaptionSpec("nobody talks about this", third, 2 * third, style="white_plate", y_frac=0.8),
        CaptionSpec("try it for 7 days", 2 * third, duration_s, style="yellow_stroke", y_frac=0.2),
    )


def burn_captions(source: Path, dest: Path, specs: tuple[CaptionSpec, ...] | None = None) -> Path:
    """`source` with `specs` (default: three captions) drawn over their spans, audio copied."""
    info = probe_video(source)
    captions = specs if specs is not None else three_captions(info.duration_s)
    placed = [place_caption(c, info.width, info.height, info.fps) for c in captions]
    rate = Fraction(info.fps).limit_denominator(1001)
    with VideoWriter(dest, info.width, info.height, rate, audio_from=source) as writer:
        for index, frame in enumerate(iter_frames_bgr(source)):
            for caption in placed:
                if caption.start_frame <= index <= caption.end_frame:
                    composite_rgba(frame, caption.sprite.rgba, caption.x, caption.y)
            writer.write(frame)
    return dest
