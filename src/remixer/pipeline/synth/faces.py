"""Face clips for tests and benchmarks: shots of real public-domain portraits with camera
motion, hard cuts between shots, an optional second (smaller) person, and an optional
occluder passing over the face, written as H.264 MP4 with the ground truth beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from remixer.pipeline.synth.motion import Motion, render_motion_frames_bgr
from remixer.pipeline.synth.photos import load_photo_rgb
from remixer.pipeline.types import Box, Frame
from remixer.pipeline.video import VideoWriter


@dataclass(frozen=True)
class FaceShot:
    """One shot: `photo` framed so its face spans `face_width` of the frame width and sits
    at the frame centre; `extra` adds a second person bottom-left; `occlude` = (start_s,
    end_s) covers the face with a grey card."""

    photo: str
    duration_s: float
    motion: Motion = field(default_factory=Motion)
    face_width: float = 0.45
    extra: str | None = None
    occlude: tuple[float, float] | None = None


@dataclass(frozen=True)
class FaceClip:
    """A written clip and its ground truth: per shot its first frame, per frame the photo
    whose face is at the centre (None while occluded)."""

    path: Path
    width: int
    height: int
    fps: int
    shot_starts: list[int]
    main_face: list[str | None]

    @property
    def frame_count(self) -> int:
        return len(self.main_face)


@lru_cache(maxsize=8)
def _face_box(name: str) -> Box:
    import dlib

    rgb = load_photo_rgb(name)
    found = dlib.get_frontal_face_detector()(rgb, 1)
    if not found:
        raise ValueError(f"no face in photo {name!r}")
    r = max(found, key=lambda d: d.width())
    return int(r.left()), int(r.top()), int(r.width()), int(r.height())


def portrait_rgb(name: str, width: int, height: int, face_width: float) -> Frame:
    """`name` scaled and shifted so its face is `face_width`×`width` wide at the centre."""
    x, y, w, h = _face_box(name)
    scale = face_width * width / w
    matrix = np.array(
        [[scale, 0, width / 2 - scale * (x + w / 2)], [0, scale, height / 2 - scale * (y + h / 2)]]
    )
    return np.ascontiguousarray(
        cv2.warpAffine(
            load_photo_rgb(name), matrix, (width, height), borderMode=cv2.BORDER_REPLICATE
        )
    )


def _shot_frames(shot: FaceShot, width: int, height: int, fps: int) -> list[Frame]:
    photo = portrait_rgb(shot.photo, width, height, shot.face_width)
    frames = list(render_motion_frames_bgr(photo, width, height, fps, shot.duration_s, shot.motion))
    if shot.extra is not None:
        ew, eh = width * 2 // 5, height * 3 // 10
        small = cv2.cvtColor(portrait_rgb(shot.extra, ew, eh, 0.5), cv2.COLOR_RGB2BGR)
        for frame in frames:
            frame[
                height - eh - height // 40 : height - height // 40, width // 40 : width // 40 + ew
            ] = small
    return frames


def _occluded(shot: FaceShot, index: int, fps: int) -> bool:
    return shot.occlude is not None and shot.occlude[0] <= index / fps < shot.occlude[1]


def write_face_clip(
    path: Path, shots: Sequence[FaceShot], width: int = 540, height: int = 960, fps: int = 30
) -> FaceClip:
    """Render `shots` back to back (hard cuts) into `path`."""
    starts: list[int] = []
    truth: list[str | None] = []
    card = (width // 2 - int(0.45 * width), height // 2 - int(0.3 * width))
    with VideoWriter(path, width, height, Fraction(fps)) as writer:
        for shot in shots:
            starts.append(len(truth))
            for index, frame in enumerate(_shot_frames(shot, width, height, fps)):
                hidden = _occluded(shot, index, fps)
                if hidden:
                    end = (card[0] + int(0.9 * width), card[1] + int(0.6 * width))
                    cv2.rectangle(frame, card, end, (128, 128, 128), thickness=-1)
                writer.write(frame)
                truth.append(None if hidden else shot.photo)
    return FaceClip(path, width, height, fps, starts, truth)
