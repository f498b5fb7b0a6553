"""Face swap on real footage (`faces-real`): every clip in the shared footage folder × its
two influencer photos and one public-domain photo (NASA's astronaut portrait), judged by
an independent dlib judge (`bench_faces_judge`), with contact sheets (source | output,
8 frames per pair) written to `out/faces-real/`.

Run: `PYTHONPATH=$PWD/src .venv/bin/python -m benchmarks.run_all faces-real`.
Environment (all optional):
- `REMIXER_FOOTAGE`: the footage folder (default `../shared/footage` or `/work/shared/footage`);
- `REMIXER_FACES_REAL_SECONDS`: seconds of each clip used (default: the whole clip);
- `REMIXER_FACES_REAL_CLIPS` / `REMIXER_FACES_REAL_PHOTOS`: comma-separated subsets
  (clip stems such as `d9,s20`; photo names `s42,s1,astronaut`);
- `REMIXER_FACES_REAL_CONTROL=1`: also judge a plain re-encode per clip (the judge's scale).
Skipped (with a reason) when the footage folder is absent."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from benchmarks.bench_faces_judge import (
    Judge,
    Obs,
    PairTally,
    follow_source,
    load_judge,
    observe_output,
    person_embedding,
)
from benchmarks.footage_clips import footage_dir
from remixer.pipeline.faces import (
    FaceModels,
    analyze_target,
    build_identity,
    create_swapper,
    load_face_models,
)
from remixer.pipeline.faces.quality import reference_face_px, target_face_px
from remixer.pipeline.synth.photos import save_photo
from remixer.pipeline.types import Frame, StageHooks
from remixer.pipeline.video import VideoWriter, iter_frames_bgr, probe_video

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ("s42", "s1", "astronaut")
TARGETS = {
    "found": 0.95,
    "infl": 0.90,
    "not_src": 0.90,
    "sharp": 0.5,
    "eyes_corr": 0.8,
    "mouth_corr": 0.85,
}
GLASSES_CLIP, EDGE_KEEP = "d9", 0.6
MAX_JITTER = 1.05
SHEET_FRAMES, CELL_H = 8, 240


def _subset(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    return [p.strip() for p in raw.split(",") if p.strip()] if raw else default


def trim(src: Path, dst: Path, seconds: float | None) -> tuple[Path, float, int]:
    """The first `seconds` of `src` re-encoded near-losslessly (crf 12): what the swap reads."""
    info = probe_video(src)
    limit = None if seconds is None else round(seconds * float(info.frame_rate))
    count = 0
    with VideoWriter(dst, info.width, info.height, info.frame_rate, crf=12) as writer:
        for frame in iter_frames_bgr(src):
            if limit is not None and count >= limit:
                break
            writer.write(frame)
            count += 1
    return dst, count / float(info.frame_rate), count


def swap_clip(src: Path, dst: Path, photo: Path | None, models: FaceModels) -> dict[str, Any]:
    """Analyse, swap and encode (crf 20, as the product does); `photo` None = plain re-encode."""
    info = probe_video(src)
    started = time.perf_counter()
    swapper = None
    reference_px = target_px = None
    if photo is not None:
        identity = build_identity([photo], models)
        track = analyze_target(src, models, StageHooks())
        reference_px = round(reference_face_px(identity))
        target_px = round(target_face_px(track))
        swapper = create_swapper(identity, track, models)
    analysis_s = time.perf_counter() - started
    swap_s = 0.0
    with VideoWriter(dst, info.width, info.height, info.frame_rate) as writer:
        for index, frame in enumerate(iter_frames_bgr(src)):
            tick = time.perf_counter()
            out = frame if swapper is None else swapper.swap(frame, index)
            swap_s += time.perf_counter() - tick
            writer.write(out)
    extra: dict[str, Any] = {}
    if swapper is not None:
        stats = getattr(swapper, "stats", None)
        if stats is not None:
            extra = {k: v for k, v in vars(stats).items() if isinstance(v, int | float)}
        swapper.close()
    return {
        "analysis_s": round(analysis_s, 2),
        "swap_s": round(swap_s, 2),
        "reference_px": reference_px,
        "target_px": target_px,
        **extra,
    }


def _frames(path: Path) -> list[Frame]:
    return list(iter_frames_bgr(path))


def judge_pair(
    judge: Judge,
    src: Path,
    out: Path,
    src_obs: list[Obs | None],
    influencer: np.ndarray[Any, Any] | None,
    sheet: Path | None,
) -> dict[str, Any]:
    tally = PairTally(person=person_embedding(src_obs))
    wanted = {int(i) for i in np.linspace(0, max(len(src_obs) - 1, 0), SHEET_FRAMES).round()}
    cells: list[np.ndarray[Any, Any]] = []
    for index, (a, b) in enumerate(zip(iter_frames_bgr(src), iter_frames_bgr(out), strict=False)):
        s = src_obs[index] if index < len(src_obs) else None
        o = observe_output(judge, b, s, index)
        tally.add(a, b, s, o, influencer)
        if sheet is not None and index in wanted:
            cells.append(_cell(a, b))
    if sheet is not None and cells:
        _write_sheet(sheet, cells)
    return tally.figures()


def _cell(a: Frame, b: Frame) -> np.ndarray[Any, Any]:
    k = CELL_H / a.shape[0]
    pair = [cv2.resize(x, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) for x in (a, b)]
    gap = np.full((pair[0].shape[0], 4, 3), 255, np.uint8)
    return np.hstack([pair[0], gap, pair[1]])


def _write_sheet(path: Path, cells: list[np.ndarray[Any, Any]]) -> None:
    width = max(c.shape[1] for c in cells)
    cells = [np.pad(c, ((0, 0), (0, width - c.shape[1]), (0, 0))) for c in cells]
    while len(cells) % 2:
        cells.append(np.zeros_like(cells[0]))
    rows = [
        np.hstack([cells[i], np.full((CELL_H, 12, 3), 255, np.uint8), cells[i + 1]])
        for i in range(0, len(cells), 2)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.vstack(rows))


def influencer_embedding(judge: Judge, photo: Path) -> np.ndarray[Any, Any] | None:
    from benchmarks.bench_faces_judge import _observe

    image = cv2.imread(str(photo))
    obs = None if image is None else _observe(judge, np.asarray(image, np.uint8), None, True)
    return None if obs is None else obs.embedding


def misses(clip: str, figures: dict[str, Any]) -> list[str]:
    """The targets a pair misses (a missing figure counts as a miss)."""
    out = []
    for key, bar in TARGETS.items():
        value = figures.get(key)
        if value is None or value < bar:
            out.append(key)
    if clip == GLASSES_CLIP and (figures.get("edge_keep") or 0.0) < EDGE_KEEP:
        out.append("edge_keep")
    jitter = figures.get("jitter")
    if jitter is None or jitter > MAX_JITTER:
        out.append("jitter")
    return out


def main() -> dict[str, Any]:
    folder = footage_dir()
    if folder is None:
        return {"skipped": "no footage folder (set REMIXER_FOOTAGE or provide ../shared/footage)"}
    raw_seconds = os.environ.get("REMIXER_FACES_REAL_SECONDS", "").strip()
    seconds = float(raw_seconds) if raw_seconds else None
    clips = _subset("REMIXER_FACES_REAL_CLIPS", sorted(p.stem for p in folder.glob("*.mp4")))
    photos = _subset("REMIXER_FACES_REAL_PHOTOS", list(PHOTOS))
    control = os.environ.get("REMIXER_FACES_REAL_CONTROL", "") == "1"
    sheets = ROOT / "out" / "faces-real"
    models = load_face_models()
    judge = load_judge()
    pairs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="faces-real-") as tmp_name:
        tmp = Path(tmp_name)
        photo_paths = {
            name: (
                folder / f"{name}.jpg"
                if (folder / f"{name}.jpg").is_file()
                else save_photo(name, tmp / f"{name}.jpg")
            )
            for name in photos
        }
        for clip in clips:
            src, used_s, _frames = trim(folder / f"{clip}.mp4", tmp / f"{clip}_src.mp4", seconds)
            src_obs = list(follow_source(judge, iter_frames_bgr(src)))
            runs: list[tuple[str, Path | None]] = [("control", None)] if control else []
            runs += [(name, photo_paths[name]) for name in photos]
            for name, photo in runs:
                out = tmp / f"{clip}_{name}.mp4"
                timing = swap_clip(src, out, photo, models)
                infl = None if photo is None else influencer_embedding(judge, photo)
                figures = judge_pair(judge, src, out, src_obs, infl, sheets / f"{clip}_{name}.png")
                row = {
                    "clip": clip,
                    "photo": name,
                    "seconds": round(used_s, 2),
                    **figures,
                    "swap_s_per_clip_s": round(timing["swap_s"] / max(used_s, 1e-6), 3),
                    **{k: v for k, v in timing.items() if k not in ("swap_s",)},
                }
                if photo is not None:
                    row["misses"] = misses(clip, figures)
                pairs.append(row)
                print(json.dumps(row), flush=True)
    swapped = [p for p in pairs if p["photo"] != "control"]
    report = {
        "footage": str(folder),
        "secondsPerClip": seconds or "whole clip",
        "targets": {**TARGETS, "edge_keep (d9)": EDGE_KEEP, "jitter_max": MAX_JITTER},
        "pairsMeetingAll": sum(1 for p in swapped if not p["misses"]),
        "pairs": len(swapped),
        "contactSheets": str(sheets),
        "results": pairs,
    }
    print(json.dumps({k: v for k, v in report.items() if k != "results"}, indent=2))
    return report


if __name__ == "__main__":
    main()
