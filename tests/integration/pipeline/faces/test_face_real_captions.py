"""A caption across the face on real footage (`s18.mp4`, a woman filmed indoors by a
window): the face is still found and swapped under it, and the new text is drawn over the
swapped face. Before, HOG lost the face wherever the caption crossed it (two thirds of a
captioned clip went out unswapped), and the erase filled the old text's box from frames
that were never swapped. Judged by the benchmark's independent dlib judge against the
clean clip, on the frames under the caption only: how much the face below the caption
changed (the judge's own detector does not see a face under the new caption, and text
over the forehead moves its identity embedding as much as the swap does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from benchmarks.bench_faces_judge import follow_source, load_judge
from benchmarks.bench_faces_real import trim
from benchmarks.footage_clips import burn_captions, footage_dir
from benchmarks.text_metrics import cer
from numpy.typing import NDArray

from remixer.pipeline.faces import FaceModels, analyze_target
from remixer.pipeline.overlays import load_ocr_engine
from remixer.pipeline.overlays.ocr import read_lines
from remixer.pipeline.remix import remix
from remixer.pipeline.rewrite import CopyBrief
from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.types import Frame, StageHooks
from remixer.pipeline.video import iter_frames_bgr, probe_video
from remixer.workflows.runtime import ModelCache

FOOTAGE = footage_dir()
pytestmark = pytest.mark.skipif(
    FOOTAGE is None,
    reason="real footage folder absent (../shared/footage or REMIXER_FOOTAGE): "
    "the clips are not shipped with the repository",
)
SECONDS = 3.0
CAPTION_END_S = 2.0
CAPTION = CaptionSpec(
    "POV: you finally fixed\nyour morning routine", 0.0, CAPTION_END_S, y_frac=0.2
)
"""Two lines of white text with a black stroke across her forehead and brows."""


@pytest.fixture(scope="module")
def captioned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    assert FOOTAGE is not None
    tmp = tmp_path_factory.mktemp("real-captioned")
    clean, _seconds, _count = trim(FOOTAGE / "s18.mp4", tmp / "clean.mp4", SECONDS)
    source = burn_captions(clean, tmp / "captioned.mp4", (CAPTION,))
    return {"clean": clean, "source": source, "photo": FOOTAGE / "s42.jpg", "tmp": tmp}


def test_the_face_is_tracked_under_the_caption(
    captioned: dict[str, Path], models: FaceModels
) -> None:
    track = analyze_target(captioned["source"], models, StageHooks())
    assert float(track.visible.mean()) >= 0.95, f"visible in {track.visible.mean():.0%} of frames"


def lower_face_change(clean: Frame, out: Frame, points: NDArray[np.float64]) -> float:
    """Mean absolute change (grey levels, BGR averaged) from the clean frame to the output
    over the face below the middle of the nose (68-point jaw 2–14 and nose 29): below the
    caption, where the swap shows and no text is drawn."""
    hull = cv2.convexHull(np.round(np.vstack([points[2:15], points[[29]]])).astype(np.int32))
    mask = np.zeros(clean.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, hull, 1)
    change = np.abs(clean.astype(np.int16) - out.astype(np.int16)).mean(axis=2)
    return float(change[mask > 0].mean())


@pytest.fixture(scope="module")
def remixed(captioned: dict[str, Path]) -> dict[str, Any]:
    out = captioned["tmp"] / "out.mp4"
    result = remix(captioned["source"], [captioned["photo"]], out, CopyBrief(), models=ModelCache())
    clean = captioned["clean"]
    source_faces = list(follow_source(load_judge(), iter_frames_bgr(clean)))
    last = round(CAPTION_END_S * probe_video(clean).fps) - 1
    under: list[float] = []
    after: list[float] = []
    frames = zip(iter_frames_bgr(clean), iter_frames_bgr(out), strict=True)
    for index, (a, b) in enumerate(frames):
        seen = source_faces[index]
        if seen is not None and index % 3 == 0:
            (under if index < last else after).append(lower_face_change(a, b, seen.points))
    return {"result": result, "under": under, "after": after}


def test_the_face_under_the_caption_is_swapped(remixed: dict[str, Any]) -> None:
    """The lower face changes under the caption about as much as after it (the code
    before: 4.3 grey levels under it, the re-encode alone, against 32 after; now 19–27)."""
    under, after = remixed["under"], remixed["after"]
    assert len(under) >= 15 and len(after) >= 5
    assert float(np.mean(after)) > 15.0, after
    assert min(under) >= 0.5 * float(np.mean(after)), (under, after)


def test_the_new_caption_is_drawn_over_the_swapped_face(
    remixed: dict[str, Any], captioned: dict[str, Path]
) -> None:
    result = remixed["result"]
    assert len(result.overlays) == 1 and len(result.copy.texts) == 1
    middle = round(CAPTION_END_S / 2 * probe_video(captioned["clean"]).fps)
    frame = next(f for i, f in enumerate(iter_frames_bgr(result.output)) if i == middle)
    read = " ".join(line.text for line in read_lines(load_ocr_engine(), frame))
    assert cer(result.copy.texts[0].replace(" ", ""), read.replace(" ", "")) <= 0.1, read


def test_the_quality_gate_is_not_misled_by_the_new_caption(remixed: dict[str, Any]) -> None:
    """Quality skips the frames where our own caption covers the face: read there, the
    recogniser found no face or one far from the influencer, and the text an occluder."""
    quality = remixed["result"].quality
    assert quality["passed"] is True, quality
    assert "occluded" not in quality["warnings"], quality
    assert quality["sampledFrames"] >= 6  # the plan made denser around the caption
