"""End-to-end benchmark, timed the way a user feels it: `remixer remix` as a whole process
(start-up and model loading counted) against the honest floor, a plain PyAV transcode of the
same clip run as its own process (`benchmarks/plain_transcode.py`), alternating A B A B A B.

Run: `.venv/bin/python -m benchmarks.bench_e2e` (prints and returns a dict).

Clips: a 1080×1920 30 fps 8 s synthetic clip (three captions, one public-domain face, camera
motion, audio), and every clip of `../shared/footage` with three captions burned in (skipped
when the folder is absent). `REMIXER_BENCH_E2E_CLIPS` (comma-separated: `synthetic`, `d9`, …)
limits the set; `REMIXER_BENCH_E2E_RUNS` sets the runs per side (default 3).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.footage_clips import FOOTAGE, burn_captions, footage_clips, three_captions
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.synth.motion import Motion
from remixer.pipeline.synth.photos import save_photo

WIDTH, HEIGHT, FPS = 1080, 1920, 30
SECONDS = float(os.environ.get("REMIXER_BENCH_E2E_SECONDS", "8"))
RUNS = int(os.environ.get("REMIXER_BENCH_E2E_RUNS", "3"))
TARGET_RATIO = 3.0
BIN = Path(sys.executable).parent


def synthetic_clip(folder: Path) -> Path:
    spec = ClipSpec(
        photo="obama",
        width=WIDTH,
        height=HEIGHT,
        fps=FPS,
        duration_s=SECONDS,
        audio=True,
        face_width=0.42,
        motion=Motion(pan_px=40, zoom_from=1.0, zoom_to=1.06, rotate_deg=2.0),
        captions=three_captions(SECONDS),
    )
    source = folder / "synthetic.mp4"
    make_clip(spec, source)
    return source


def bench_clips(folder: Path) -> dict[str, Path]:
    """Name → captioned clip, limited by `REMIXER_BENCH_E2E_CLIPS`."""
    wanted = {c.strip() for c in os.environ.get("REMIXER_BENCH_E2E_CLIPS", "").split(",") if c}
    clips: dict[str, Path] = {}
    if not wanted or "synthetic" in wanted:
        clips["synthetic"] = synthetic_clip(folder)
    for path in footage_clips():
        if not wanted or path.stem in wanted:
            clips[path.stem] = burn_captions(path, folder / f"{path.stem}-captioned.mp4")
    return clips


def influencer_photo(folder: Path, clip: str) -> Path:
    """Biden for the synthetic clip; the footage's own influencer photo for real clips."""
    photo = FOOTAGE / "s1.jpg"
    if clip != "synthetic" and photo.exists():
        return photo
    return save_photo("biden", folder / "biden.jpg")


def floor_command(source: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "benchmarks.plain_transcode", str(source), str(out)]


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(values), 2),
        "min_s": round(min(values), 2),
        "max_s": round(max(values), 2),
        "runs_s": [round(v, 2) for v in values],
    }


def alternate(remix_cmd: list[str], floor_cmd: list[str], runs: int) -> dict[str, Any]:
    """A B A B …: the remix process, then the floor process, `runs` times each."""
    remix_s: list[float] = []
    floor_s: list[float] = []
    for _ in range(runs):
        remix_s.append(timed(remix_cmd))
        floor_s.append(timed(floor_cmd))
    ratio = statistics.median(remix_s) / statistics.median(floor_s)
    return {
        "remix": spread(remix_s),
        "floor": spread(floor_s),
        "ratio": round(ratio, 2),
        "ratio_spread": [
            round(min(r / f for r, f in zip(remix_s, floor_s, strict=True)), 2),
            round(max(r / f for r, f in zip(remix_s, floor_s, strict=True)), 2),
        ],
        "meets_target": ratio <= TARGET_RATIO,
    }


def remix_command(source: Path, photo: Path, out: Path) -> list[str]:
    return [
        str(BIN / "remixer"),
        "remix",
        str(source),
        "--face",
        str(photo),
        "--voice",
        "witty",
        "--app-name",
        "FitNow",
        "-o",
        str(out),
    ]


def main() -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="remixer-bench-e2e-") as tmp:
        folder = Path(tmp)
        for name, source in bench_clips(folder).items():
            photo = influencer_photo(folder, name)
            cmd = remix_command(source, photo, folder / f"{name}-out.mp4")
            results[name] = alternate(cmd, floor_command(source, folder / "floor.mp4"), RUNS)
            print(name, json.dumps(results[name]), flush=True)
    figures: dict[str, Any] = {
        "what": "`remixer remix` process ÷ plain PyAV transcode process (decode → libx264 "
        "veryfast crf 20 yuv420p, audio copied), medians of alternating runs",
        "runs_per_side": RUNS,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "target_ratio": TARGET_RATIO,
        "clips": results,
        "worst_ratio": max((r["ratio"] for r in results.values()), default=None),
        "meets_target": all(r["meets_target"] for r in results.values()),
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
