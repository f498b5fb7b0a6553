"""Face-swap benchmark: identity reached, original gone, landmark jitter and speed on
generated 1080×1920 30 fps clips with camera motion (pan, zoom, small rotation).

Run: `.venv/bin/python -m benchmarks.bench_faces` (prints and returns a dict)."""

from __future__ import annotations

import json
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from remixer.pipeline.faces import (
    FaceIdentity,
    FaceModels,
    analyze_target,
    build_identity,
    create_swapper,
    load_face_models,
    measure_jitter,
    measure_quality,
)
from remixer.pipeline.synth.faces import FaceShot, write_face_clip
from remixer.pipeline.synth.motion import Motion
from remixer.pipeline.synth.photos import save_photo
from remixer.pipeline.types import StageHooks
from remixer.pipeline.video import VideoWriter, iter_frames_bgr

WIDTH, HEIGHT, FPS, SECONDS = 1080, 1920, 30, 4.0
MOTION = Motion(pan_px=60, zoom_from=1.0, zoom_to=1.1, rotate_deg=3, period_s=2.5)
CASES = (("obama", "obama2", "obama3"), "biden"), (("biden",), "obama")


def _identity(names: tuple[str, ...], models: FaceModels, folder: Path) -> FaceIdentity:
    return build_identity([save_photo(n, folder / f"{n}.jpg") for n in names], models)


def _swap_clip(src: Path, dst: Path, identity: FaceIdentity, models: FaceModels) -> dict[str, Any]:
    started = time.perf_counter()
    track = analyze_target(src, models, StageHooks())
    analysis_s = time.perf_counter() - started
    swapper = create_swapper(identity, track, models)
    swap_s = 0.0
    started = time.perf_counter()
    with VideoWriter(dst, WIDTH, HEIGHT, Fraction(FPS)) as writer:
        for index, frame in enumerate(iter_frames_bgr(src)):
            tick = time.perf_counter()
            out = swapper.swap(frame, index)
            swap_s += time.perf_counter() - tick
            writer.write(out)
    dense_s = time.perf_counter() - started
    swapper.close()
    quality = measure_quality(dst, identity, track, models, sample_every=3)
    return {
        "quality": quality.to_dict(),
        "jitterSourcePx": round(measure_jitter(src, track, models), 4),
        "analysisSecondsPerClipSecond": round(analysis_s / SECONDS, 3),
        "swapSecondsPerClipSecond": round(swap_s / SECONDS, 3),
        "densePassSecondsPerClipSecond": round(dense_s / SECONDS, 3),
    }


def _mean(clips: list[dict[str, Any]], key: str, inner: str | None = None) -> float:
    values = [float(c[inner][key] if inner else c[key]) for c in clips]
    return round(sum(values) / len(values), 4)


def main() -> dict[str, Any]:
    models = load_face_models()
    clips: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for refs, target in CASES:
            identity = _identity(refs, models, folder)
            shot = FaceShot(target, SECONDS, MOTION, face_width=0.42)
            clip = write_face_clip(folder / f"{target}.mp4", [shot], WIDTH, HEIGHT, FPS)
            result = _swap_clip(clip.path, folder / f"{target}_out.mp4", identity, models)
            clips.append({"influencer": refs[0], "target": target, **result})
    report = {
        "clip": f"{WIDTH}x{HEIGHT} {FPS} fps, {SECONDS:g} s, pan/zoom/rotate",
        "identityPassRate": _mean(clips, "identityPassRate", "quality"),
        "originalDistancePassRate": _mean(clips, "originalDistancePassRate", "quality"),
        "faceCoverage": _mean(clips, "faceCoverage", "quality"),
        "jitterSwappedPx": _mean(clips, "jitterPx", "quality"),
        "jitterSourcePx": _mean(clips, "jitterSourcePx"),
        "analysisSecondsPerClipSecond": _mean(clips, "analysisSecondsPerClipSecond"),
        "swapSecondsPerClipSecond": _mean(clips, "swapSecondsPerClipSecond"),
        "densePassSecondsPerClipSecond": _mean(clips, "densePassSecondsPerClipSecond"),
        "clips": clips,
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
