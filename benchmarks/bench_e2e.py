"""End-to-end benchmark, timed the way a user feels it: `remixer remix` as a whole process
(start-up and model loading counted) against the honest floor, a plain PyAV transcode of the
same clip run as its own process (`benchmarks/plain_transcode.py`), alternating A B A B A B.

Run: `.venv/bin/python -m benchmarks.bench_e2e` (prints and returns a dict).

Clips: a 1080×1920 30 fps 8 s synthetic clip (three captions, one public-domain face, camera
motion, audio), and every clip of `../shared/footage` with three captions burned in (skipped
when the folder is absent). `REMIXER_BENCH_E2E_CLIPS` (comma-separated: `synthetic`, `d9`, …)
limits the set; `REMIXER_BENCH_E2E_RUNS` sets the runs per side (default 3).

Per remix run it also reports the cold start (process start → first frame decoded, from the
`first frame decoded at` log line) and the child's peak RSS (`wait4`). The linear-cost
check remixes the same synthetic clip at 60 s once and compares it with the 8 s clip's
median (`REMIXER_BENCH_E2E_LONG_SECONDS`, 0 skips it).

Before/after: `REMIXER_BENCH_E2E_BASELINE_SRC=/path/to/old/src` also times a `remixer remix`
that imports the package from that folder (e.g. `git archive HEAD~3 src | tar -x -C base`),
in the same alternation: new, floor, baseline, new, floor, baseline, …
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.footage_clips import FOOTAGE, burn_captions, footage_clips, three_captions
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.synth.motion import Motion
from remixer.pipeline.synth.photos import save_photo

WIDTH, HEIGHT, FPS = 1080, 1920, 30
SECONDS = float(os.environ.get("REMIXER_BENCH_E2E_SECONDS", "8"))
RUNS = int(os.environ.get("REMIXER_BENCH_E2E_RUNS", "3"))
LONG_SECONDS = float(os.environ.get("REMIXER_BENCH_E2E_LONG_SECONDS", "60"))
TARGET_RATIO = 3.0
TARGET_COLD_START_S = 3.0
TARGET_LONG_RATIO = 8.5
TARGET_RSS_MB = 2560
BIN = Path(sys.executable).parent
BASELINE_SRC = os.environ.get("REMIXER_BENCH_E2E_BASELINE_SRC", "")
FIRST_FRAME = re.compile(r"first frame decoded at (\d+\.\d+)")


def synthetic_clip(folder: Path, seconds: float = SECONDS) -> Path:
    spec = ClipSpec(
        photo="obama",
        width=WIDTH,
        height=HEIGHT,
        fps=FPS,
        duration_s=seconds,
        audio=True,
        face_width=0.42,
        motion=Motion(pan_px=40, zoom_from=1.0, zoom_to=1.06, rotate_deg=2.0),
        captions=three_captions(seconds),
    )
    source = folder / ("synthetic.mp4" if seconds == SECONDS else f"synthetic-{seconds:g}s.mp4")
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


@dataclass(frozen=True)
class Run:
    wall_s: float
    peak_rss_mb: float
    cold_start_s: float | None = None


def timed(command: list[str], src: str | None = None) -> Run:
    """Run `command` to completion: wall time, the child's peak RSS, and the cold start
    (process start → the `first frame decoded at` line it logs at INFO). `src`: import the
    package from there instead."""
    env = {**os.environ, "REMIXER_LOG_LEVEL": "info", "REMIXER_LOG_FORMAT": "text"}
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    with tempfile.TemporaryFile() as stderr:
        start_wall, start = time.time(), time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        log = stderr.read().decode(errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({child.returncode}): {log[-2000:]}")
    found = FIRST_FRAME.search(log)
    cold = float(found.group(1)) - start_wall if found else None
    return Run(wall, usage.ru_maxrss / 1024, cold)


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(values), 2),
        "min_s": round(min(values), 2),
        "max_s": round(max(values), 2),
        "runs_s": [round(v, 2) for v in values],
    }


def alternate(remix_cmd: list[str], floor_cmd: list[str], runs: int) -> dict[str, Any]:
    """A B A B …: the remix process, then the floor process, `runs` times each."""
    remix: list[Run] = []
    floor: list[Run] = []
    baseline: list[Run] = []
    for _ in range(runs):
        remix.append(timed(remix_cmd))
        floor.append(timed(floor_cmd))
        if BASELINE_SRC:
            baseline.append(timed(remix_cmd, BASELINE_SRC))
    remix_s = [r.wall_s for r in remix]
    floor_s = [r.wall_s for r in floor]
    ratio = statistics.median(remix_s) / statistics.median(floor_s)
    colds = [r.cold_start_s for r in remix if r.cold_start_s is not None]
    cold = statistics.median(colds) if colds else None
    before: dict[str, Any] = {}
    if baseline:
        base_s = [r.wall_s for r in baseline]
        before = {
            "baseline": spread(base_s),
            "baseline_ratio": round(statistics.median(base_s) / statistics.median(floor_s), 2),
            "baseline_peak_rss_mb": round(max(r.peak_rss_mb for r in baseline)),
        }
    return {
        "remix": spread(remix_s),
        "floor": spread(floor_s),
        "ratio": round(ratio, 2),
        "ratio_spread": [
            round(min(r / f for r, f in zip(remix_s, floor_s, strict=True)), 2),
            round(max(r / f for r, f in zip(remix_s, floor_s, strict=True)), 2),
        ],
        "cold_start_s": spread(colds) if colds else None,
        "peak_rss_mb": round(max(r.peak_rss_mb for r in remix)),
        "floor_peak_rss_mb": round(max(r.peak_rss_mb for r in floor)),
        "meets_target": ratio <= TARGET_RATIO and cold is not None and cold <= TARGET_COLD_START_S,
        **before,
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


def linear_cost(folder: Path, short_s: float) -> dict[str, Any]:
    """The synthetic clip at `LONG_SECONDS`, remixed once, against the 8 s clip's median."""
    source = synthetic_clip(folder, LONG_SECONDS)
    photo = influencer_photo(folder, "synthetic")
    run = timed(remix_command(source, photo, folder / "long-out.mp4"))
    ratio = run.wall_s / short_s
    return {
        "seconds": LONG_SECONDS,
        "remix_s": round(run.wall_s, 2),
        "short_remix_median_s": round(short_s, 2),
        "time_ratio": round(ratio, 2),
        "length_ratio": round(LONG_SECONDS / SECONDS, 2),
        "peak_rss_mb": round(run.peak_rss_mb),
        "meets_target": ratio <= TARGET_LONG_RATIO and run.peak_rss_mb <= TARGET_RSS_MB,
    }


def main() -> dict[str, Any]:
    results: dict[str, Any] = {}
    linear: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="remixer-bench-e2e-") as tmp:
        folder = Path(tmp)
        for name, source in bench_clips(folder).items():
            photo = influencer_photo(folder, name)
            cmd = remix_command(source, photo, folder / f"{name}-out.mp4")
            results[name] = alternate(cmd, floor_command(source, folder / "floor.mp4"), RUNS)
            print(name, json.dumps(results[name]), flush=True)
        if LONG_SECONDS > 0 and "synthetic" in results:
            linear = linear_cost(folder, results["synthetic"]["remix"]["median_s"])
            print("linear", json.dumps(linear), flush=True)
    colds = [r["cold_start_s"]["max_s"] for r in results.values() if r["cold_start_s"]]
    figures: dict[str, Any] = {
        "what": "`remixer remix` process ÷ plain PyAV transcode process (decode → libx264 "
        "veryfast crf 20 yuv420p, audio copied), medians of alternating runs; cold start = "
        "process start → first frame decoded",
        "runs_per_side": RUNS,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "target_ratio": TARGET_RATIO,
        "target_cold_start_s": TARGET_COLD_START_S,
        "clips": results,
        "worst_ratio": max((r["ratio"] for r in results.values()), default=None),
        "worst_cold_start_s": max(colds, default=None),
        "linear": linear,
        "meets_target": all(r["meets_target"] for r in results.values())
        and (linear is None or linear["meets_target"]),
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
