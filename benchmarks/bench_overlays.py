"""Overlay benchmark: extraction accuracy (CER, span error), erase+redraw quality (old text
still readable, new text CER) and speed per stage, on generated caption clips including
1080×1920 30 fps ones.

Run: `.venv/bin/python -m benchmarks.bench_overlays` (prints and returns a dict).

Erase + redraw runs as `remixer remix` runs it (clean references from after a span read
from the source); its time is reported as wall seconds inside `paint` (inflated by other
jobs on a shared box) and as that thread's CPU seconds.

CER ignores whitespace (OCR drops word spaces on some stroked captions) and emoji (not
text). The redraw uses fixed replacement texts that share no long word with the
originals, so "old text readable" cannot be fooled by copy that kept a word.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.text_metrics import cer as text_cer
from remixer.pipeline.overlays import Overlay, extract_overlays, load_ocr_engine
from remixer.pipeline.overlays.ocr import read_lines
from remixer.pipeline.render import OverlayPainter
from remixer.pipeline.rewrite import CopyBrief, OfflineCopyAdapter, copy_items_from_overlays
from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.synth.clips import ClipSpec, ClipTruth, caption_suite, make_clip
from remixer.pipeline.synth.motion import Motion
from remixer.pipeline.types import Box, Frame, StageHooks
from remixer.pipeline.typeset.fonts import strip_emoji
from remixer.pipeline.video import iter_frames_bgr, probe_video, transcode

NEW_TEXTS = ["Mornings made easy", "Remixer does the work", "Try Remixer today"]
SIZES = [(1080, 1920, 4.0), (540, 960, 3.0)]
DEMO = ClipSpec(
    "obama",
    540,
    960,
    30,
    4,
    Motion(pan_px=12, zoom_from=1.0, zoom_to=1.05, rotate_deg=1.5),
    (
        CaptionSpec("POV: you finally wake up at 6am", 0, 2, y_frac=0.12),
        CaptionSpec("this routine changed everything", 2, 4, "yellow_stroke", y_frac=0.84),
    ),
    audio=True,
    face_width=0.42,
)
"""`remixer demo`'s clip: stroke captions over a bright wall and over a dark suit."""


def cer(truth: str, read: str) -> float:
    """Character error rate, whitespace and emoji ignored, letter case kept."""
    return text_cer(truth, read, ignore_case=False)


def _ocr_text(frame: Frame) -> str:
    return " ".join(line.text for line in read_lines(load_ocr_engine(), frame))


def _match(truth: ClipTruth, found: list[Overlay]) -> list[tuple[dict[str, Any], Overlay | None]]:
    pairs: list[tuple[dict[str, Any], Overlay | None]] = []
    for caption in truth.captions:
        best = min(found, key=lambda o: abs(o.start_frame - caption["start_frame"]), default=None)
        pairs.append((caption, best))
    return pairs


def _old_readable(caption: dict[str, Any], read: str, new: str) -> bool:
    words = [w for w in strip_emoji(caption["text"]).lower().split() if len(w) > 3]
    words = [w for w in words if w not in new.lower()]
    hits = sum(w in read.lower() for w in words)
    return bool(words) and hits >= max(1, len(words) // 2)


def _render(
    path: Path, overlays: list[Overlay], out: Path
) -> tuple[float, float, float, list[Frame], list[Box]]:
    """Paint as `remixer remix` does (references after a span read from the source):
    wall and CPU seconds inside `paint`, the whole pass's wall seconds, the frames and
    the new blocks' boxes."""
    info = probe_video(path)
    painter = OverlayPainter(
        overlays,
        NEW_TEXTS[: len(overlays)],
        info.width,
        info.height,
        source=path,
        frame_count=info.frame_count,
    )
    spent = [0.0, 0.0]

    def process(index: int, frame: Frame) -> Frame:
        start, start_cpu = time.perf_counter(), time.thread_time()
        painted = painter.paint(frame, index)
        spent[0] += time.perf_counter() - start
        spent[1] += time.thread_time() - start_cpu
        return painted

    start = time.perf_counter()
    try:
        transcode(path, out, process, info, StageHooks())
    finally:
        painter.close()
    boxes = [placed.block_box for placed in painter.placements]
    return spent[0], spent[1], time.perf_counter() - start, list(iter_frames_bgr(out)), boxes


def _floor(path: Path, out: Path) -> float:
    start = time.perf_counter()
    transcode(path, out, lambda i, f: f, probe_video(path), StageHooks())
    return time.perf_counter() - start


def _bench_clip(truth: ClipTruth, work: Path) -> dict[str, Any]:
    info = probe_video(truth.path)
    start = time.perf_counter()
    found = extract_overlays(truth.path, info, load_ocr_engine(), StageHooks())
    extract_s = time.perf_counter() - start
    start = time.perf_counter()
    OfflineCopyAdapter().adapt(copy_items_from_overlays(found), CopyBrief(app_name="Remixer"))
    adapt_s = time.perf_counter() - start
    paint_s, paint_cpu_s, render_s, frames, boxes = _render(
        truth.path, found, work / f"{truth.path.stem}-out.mp4"
    )
    floor_s = _floor(truth.path, work / f"{truth.path.stem}-floor.mp4")
    rows = []
    for caption, overlay in _match(truth, found):
        row: dict[str, Any] = {"truth": caption["text"], "found": overlay.text if overlay else None}
        if overlay is not None:
            number = found.index(overlay)
            middle = (overlay.start_frame + overlay.end_frame) // 2
            read = _ocr_text(frames[middle])
            _x, y, _w, h = overlay.box
            # The band around the old box, grown to hold the whole new block (a rewrite
            # that wraps onto more lines grows up or down from the old place).
            _bx, by, _bw, bh = boxes[number]
            top, bottom = min(max(y - h, 0), max(by - 4, 0)), max(y + 2 * h, by + bh + 4)
            region = np.ascontiguousarray(frames[middle][top:bottom])
            row |= {
                "cer": cer(caption["text"], overlay.text),
                "span_error": max(
                    abs(overlay.start_frame - caption["start_frame"]),
                    abs(overlay.end_frame - caption["end_frame"]),
                ),
                "old_readable": _old_readable(caption, read, NEW_TEXTS[number]),
                "new_cer": cer(NEW_TEXTS[number], _ocr_text(region)),
                "plate_on_stroke": caption["style"]["stroke_rgb"] is not None
                and overlay.style.plate_rgb is not None,
            }
        rows.append(row)
    seconds = info.frame_count / info.fps
    return {
        "clip": f"{info.width}x{info.height}@{info.fps:g} {seconds:.1f}s",
        "captions": rows,
        "extra_overlays": len(found) - sum(1 for _, o in _match(truth, found) if o),
        "s_per_s": {
            "extract": extract_s / seconds,
            "adapt": adapt_s / seconds,
            "erase_redraw": paint_s / seconds,
            "erase_redraw_cpu": paint_cpu_s / seconds,
            "render_total": render_s / seconds,
            "decode_encode_floor": floor_s / seconds,
        },
    }


def _summary(clips: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [r for c in clips for r in c["captions"]]
    matched = [r for r in rows if r.get("found") is not None]
    full_hd = [c for c in clips if c["clip"].startswith("1080x1920")]

    def mean_speed(key: str) -> float:
        return round(float(np.mean([c["s_per_s"][key] for c in full_hd])), 3)

    return {
        "captions": len(rows),
        "captions_found": len(matched),
        "stroke_captions_given_a_plate": sum(r.get("plate_on_stroke", False) for r in matched),
        "extra_overlays": sum(c["extra_overlays"] for c in clips),
        "extraction_cer": round(float(np.mean([r["cer"] for r in matched])), 4),
        "span_error_frames_mean": round(float(np.mean([r["span_error"] for r in matched])), 2),
        "span_error_frames_max": max(r["span_error"] for r in matched),
        "old_text_readable_fraction": round(
            float(np.mean([r["old_readable"] for r in matched])), 3
        ),
        "new_text_cer": round(float(np.mean([r["new_cer"] for r in matched])), 4),
        "s_per_clip_s_1080p": {
            key: mean_speed(key)
            for key in (
                "extract",
                "adapt",
                "erase_redraw",
                "erase_redraw_cpu",
                "render_total",
                "decode_encode_floor",
            )
        },
    }


def main() -> dict[str, Any]:
    load_ocr_engine()
    with tempfile.TemporaryDirectory(prefix="bench-overlays-") as tmp:
        work = Path(tmp)
        clips = []
        for width, height, seconds in SIZES:
            for n, spec in enumerate(caption_suite(width, height, 30, seconds)):
                truth = make_clip(spec, work / f"clip{width}-{n}.mp4")
                clips.append(_bench_clip(truth, work))
        clips.append(_bench_clip(make_clip(DEMO, work / "demo.mp4"), work))
    result = {"summary": _summary(clips), "clips": clips}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
