"""`overlays-real` benchmark: captions of every kind burned onto real footage
(`../shared/footage`), extracted, erased and redrawn; the clean clip is the ground truth.

Per caption: erase PSNR (output vs clean over the old caption's box minus everything the
new block draws, over the caption's frames), residue (old words OCR still reads in the
output), size ratio (new font size ÷ source font size, with the line counts), read-back
CER of the new text, the font picked. Plus font-match top-1 on a synthetic suite
(every family and weight drawn on real frames) and erase+redraw speed.

Run: `.venv/bin/python -m benchmarks.bench_overlays_real [--short]` (the short mode: one
clip, a small font suite; for development on a shared 2-core box). Contact sheets of the
caption regions (source | clean | output, mid-span and near the end) go to
`out/overlays-real/`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from benchmarks.footage_clips import footage_dir
from benchmarks.text_metrics import cer
from remixer.pipeline.overlays import Overlay, extract_overlays, load_ocr_engine
from remixer.pipeline.overlays.blocks import group_blocks
from remixer.pipeline.overlays.ocr import read_lines
from remixer.pipeline.overlays.style import measure_block
from remixer.pipeline.render import OverlayPainter
from remixer.pipeline.render.compose import composite_rgba
from remixer.pipeline.synth.burn import BurnedClip, burn_captions
from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.types import Box, Frame, StageHooks
from remixer.pipeline.typeset.fonts import CJK_FAMILY, FAMILIES, strip_emoji, weights_of
from remixer.pipeline.typeset.text import TextStyle, render_block
from remixer.pipeline.video import iter_frames_bgr, probe_video, transcode

SHEETS = Path(__file__).resolve().parents[1] / "out" / "overlays-real"


@dataclass(frozen=True)
class Case:
    """One caption to burn and the text it is to be replaced with."""

    kind: str
    spec: CaptionSpec
    new_text: str


@dataclass(frozen=True)
class ClipCase:
    footage: str
    seconds: float
    cases: tuple[Case, ...]
    width: int | None = None


CLIPS = (
    ClipCase(
        "s20.mp4",
        5.6,
        (
            Case(
                "plate (white)",
                CaptionSpec(
                    "the miracle habit nobody uses", 0.0, 1.8, "white_plate", 0.18, size_frac=0.05
                ),
                "Plot twist: the miracle habit nobody uses",
            ),
            Case(
                "stroke, multi-line, emoji",
                CaptionSpec("POV: you finally\nwake up early 🔥", 1.8, 3.6, "white_stroke", 0.72),
                "Try Remixer today 😉",
            ),
            Case(
                "word by word",
                CaptionSpec(
                    "this changed my mornings",
                    3.6,
                    5.6,
                    "white_stroke",
                    0.3,
                    reveal="word",
                    anim_s=0.25,
                ),
                "Remixer made mornings easy",
            ),
        ),
    ),
    ClipCase(
        "d9.mp4",
        6.0,
        (
            Case(
                "coloured fill + stroke (Anton)",
                CaptionSpec(
                    "THREE HABITS THAT WORK",
                    0.0,
                    2.0,
                    "yellow_stroke",
                    0.14,
                    family="anton",
                    weight="regular",
                ),
                "TWO HABITS THAT MATTER",
            ),
            Case(
                "plate (black), left, multi-line",
                CaptionSpec(
                    "Save this for\nyour next workout",
                    2.0,
                    4.0,
                    "black_plate",
                    0.8,
                    align="left",
                    family="noto-sans",
                    weight="bold",
                ),
                "Keep it for later",
            ),
            Case(
                "fade in/out (Poppins)",
                CaptionSpec(
                    "Wait for the end",
                    4.0,
                    6.0,
                    "white_stroke",
                    0.2,
                    family="poppins",
                    weight="bold",
                    reveal="fade",
                ),
                "Stay until the finale",
            ),
        ),
    ),
    ClipCase(
        "d3.mp4",
        5.0,
        (
            Case(
                "slide in (Oswald, cyan)",
                CaptionSpec(
                    "Nobody tells you this",
                    0.4,
                    2.4,
                    "cyan_stroke",
                    0.2,
                    family="oswald",
                    weight="bold",
                    reveal="slide",
                ),
                "Here is the secret",
            ),
            Case(
                "CJK",
                CaptionSpec(
                    "每天早上的习惯",
                    2.4,
                    4.6,
                    "white_stroke",
                    0.8,
                    family=CJK_FAMILY,
                    weight="bold",
                ),
                "早起改变了我的生活",
            ),
        ),
    ),
    ClipCase(
        "s13.mp4",
        4.0,
        (
            Case(
                "plate (pink, Bebas Neue)",
                CaptionSpec(
                    "LIFE HACK OF THE DAY",
                    0.2,
                    2.0,
                    "pink_plate",
                    0.22,
                    family="bebas-neue",
                    weight="regular",
                ),
                "Smart move for today",
            ),
            Case(
                "serif, red/white stroke",
                CaptionSpec(
                    "Follow for part two",
                    2.0,
                    4.0,
                    "red_stroke",
                    0.75,
                    family="playfair",
                    weight="black",
                ),
                "Part two drops soon",
            ),
        ),
    ),
)
FONT_SUITE_TEXTS = ("Morning routine tips", "Nobody talks about this", "Three habits that work")


def _grow(box: Box, pad: int, width: int, height: int) -> tuple[int, int, int, int]:
    x, y, w, h = box
    return max(x - pad, 0), max(y - pad, 0), min(x + w + pad, width), min(y + h + pad, height)


def _old_region(truth: dict[str, Any]) -> Box:
    box = truth["plate_box"] or truth["box"]
    return (int(box[0]), int(box[1]), int(box[2]), int(box[3]))


def _match(truth: dict[str, Any], found: list[Overlay]) -> Overlay | None:
    """The extracted overlay that overlaps the caption's box most during its span."""
    tx, ty, tw, th = truth["box"]
    best, best_iou = None, 0.1
    for overlay in found:
        if overlay.end_frame < truth["start_frame"] or overlay.start_frame > truth["end_frame"]:
            continue
        ox, oy, ow, oh = overlay.box
        ix = max(0, min(tx + tw, ox + ow) - max(tx, ox))
        iy = max(0, min(ty + th, oy + oh) - max(ty, oy))
        iou = ix * iy / max(tw * th + ow * oh - ix * iy, 1)
        if iou > best_iou:
            best, best_iou = overlay, iou
    return best


def _old_words_read(old: str, new: str, read: str) -> list[str]:
    """Old words (4+ characters, or CJK pairs) that OCR read in the output and the new
    text does not contain."""
    old_clean = strip_emoji(old).lower()
    if any(ord(ch) > 0x2E80 for ch in old_clean):
        pairs = {old_clean[i : i + 2] for i in range(len(old_clean) - 1)}
        return sorted(p for p in pairs if p not in new and p in read)
    words = {w.strip(".,:!?") for w in old_clean.split()}
    return sorted(w for w in words if len(w) > 3 and w not in new.lower() and w in read.lower())


def _sheet(rows: list[Frame], path: Path) -> None:
    width = max(r.shape[1] for r in rows)
    padded = [np.pad(r, ((4, 4), (0, width - r.shape[1]), (0, 0))) for r in rows]
    cv2.imwrite(str(path), np.vstack(padded))


def _bench_clip(clip: ClipCase, footage: Path, work: Path) -> dict[str, Any]:
    name = Path(clip.footage).stem
    burned = burn_captions(
        footage / clip.footage,
        [c.spec for c in clip.cases],
        work,
        name,
        max_s=clip.seconds,
        width=clip.width,
    )
    info = probe_video(burned.path)
    start = time.perf_counter()
    found = extract_overlays(burned.path, info, load_ocr_engine(), StageHooks())
    extract_s = time.perf_counter() - start
    pairs = [
        (case, truth, _match(truth, found))
        for case, truth in zip(clip.cases, burned.captions, strict=True)
    ]
    used = [o for _c, _t, o in pairs if o is not None]
    extra = [o for o in found if o not in used]
    texts = [case.new_text for case, _t, o in pairs if o is not None]
    painter = OverlayPainter(
        used, texts, info.width, info.height, source=burned.path, frame_count=info.frame_count
    )
    spent = [0.0, 0.0]

    def process(index: int, frame: Frame) -> Frame:
        begin, begin_cpu = time.perf_counter(), time.thread_time()
        painted = painter.paint(frame, index)
        spent[0] += time.perf_counter() - begin
        spent[1] += time.thread_time() - begin_cpu
        return painted

    out = work / f"{name}-out.mp4"
    start = time.perf_counter()
    try:
        transcode(burned.path, out, process, info, StageHooks())
    finally:
        painter.close()
    render_s = time.perf_counter() - start
    rows = _measure(burned, pairs, painter, used, out, name)
    seconds = info.frame_count / info.fps
    per_1080p = (1080 * 1920) / (info.width * info.height)
    return {
        "clip": f"{clip.footage} {info.width}x{info.height}@{info.fps:g} {seconds:.1f}s",
        "captions": rows,
        "extra_overlays": [o.text for o in extra],
        "s_per_clip_s": {
            "extract": round(extract_s / seconds, 3),
            "erase_redraw_wall": round(spent[0] / seconds, 3),
            "erase_redraw_cpu": round(spent[1] / seconds, 3),
            "erase_redraw_cpu_scaled_to_1080p": round(spent[1] / seconds * per_1080p, 3),
            "render_total": round(render_s / seconds, 3),
        },
    }


def _measure(
    burned: BurnedClip,
    pairs: list[tuple[Case, dict[str, Any], Overlay | None]],
    painter: OverlayPainter,
    used: list[Overlay],
    out: Path,
    name: str,
) -> list[dict[str, Any]]:
    width, height = burned.width, burned.height
    placements = {id(o): p for o, p in zip(used, painter.placements, strict=True)}
    masks: list[np.ndarray] = []
    for _case, truth, overlay in pairs:
        mask = np.zeros((height, width), bool)
        x0, y0, x1, y1 = _grow(_old_region(truth), 2, width, height)
        mask[y0:y1, x0:x1] = True
        if overlay is not None:
            bx, by, bw, bh = placements[id(overlay)].block_box
            mask[max(by - 2, 0) : by + bh + 2, max(bx - 2, 0) : bx + bw + 2] = False
        masks.append(mask)
    sq = [0.0] * len(pairs)
    count = [0] * len(pairs)
    worst = [99.0] * len(pairs)
    keep: dict[int, tuple[Frame, Frame, Frame]] = {}
    marks = {}
    for n, (_case, truth, _o) in enumerate(pairs):
        s, e = truth["start_frame"], truth["end_frame"]
        marks[n] = ((s + e) // 2, max(e - 3, s))
    wanted = {f for pair in marks.values() for f in pair}
    streams = zip(
        iter_frames_bgr(burned.path),
        iter_frames_bgr(burned.clean),
        iter_frames_bgr(out),
        strict=False,
    )
    for index, (src, clean, result) in enumerate(streams):
        for n, (_case, truth, _o) in enumerate(pairs):
            if truth["start_frame"] <= index <= truth["end_frame"] and masks[n].any():
                diff = result[masks[n]].astype(np.float64) - clean[masks[n]].astype(np.float64)
                mse = float(np.mean(diff**2))
                sq[n] += mse
                count[n] += 1
                worst[n] = min(worst[n], 10 * np.log10(255**2 / max(mse, 1e-6)))
        if index in wanted:
            keep[index] = (src, clean, result)
    rows: list[dict[str, Any]] = []
    sheet_rows: list[Frame] = []
    ocr = load_ocr_engine()
    for n, (case, truth, overlay) in enumerate(pairs):
        mid, late = marks[n]
        row: dict[str, Any] = {
            "kind": case.kind,
            "truth": truth["text"],
            "found": overlay is not None,
        }
        mse = sq[n] / max(count[n], 1)
        scored = count[n] > 0
        row["erase_psnr_db"] = round(10 * np.log10(255**2 / max(mse, 1e-6)), 2) if scored else None
        row["erase_psnr_worst_frame_db"] = round(worst[n], 2) if scored else None
        row["erase_pixels"] = int(masks[n].sum())
        region = _old_region(truth)
        x0, y0, x1, y1 = _grow(region, max(region[3] // 2, 12), width, height)
        if overlay is not None:
            placed = placements[id(overlay)]
            bx, by, bw, bh = placed.block_box
            x0, y0 = min(x0, bx), min(y0, by)
            x1, y1 = max(x1, bx + bw), max(y1, by + bh)
        frames = keep.get(mid)
        read_old = ""
        read_new = ""
        if frames is not None:
            crop = np.ascontiguousarray(frames[2][y0:y1, x0:x1])
            read = " ".join(line.text for line in read_lines(ocr, crop))
            read_old = read
            read_new = read
            sheet_rows.append(np.hstack([f[y0:y1, x0:x1] for f in frames]))
        late_frames = keep.get(late)
        if late_frames is not None:
            sheet_rows.append(np.hstack([f[y0:y1, x0:x1] for f in late_frames]))
        residue = _old_words_read(truth["text"], case.new_text if overlay else "", read_old)
        row["residue_words"] = residue
        if overlay is not None:
            placed = placements[id(overlay)]
            source_lines = len(truth["lines"])
            row |= {
                "found_text": overlay.text,
                "new_lines": placed.lines,
                "size_ratio": round(placed.font_size / truth["style"]["font_size_px"], 3),
                "lines_source_new": [source_lines, len(placed.lines)],
                "wrapped_beyond_1_5x": len(placed.lines) > 1.5 * source_lines,
                "new_cer": round(cer(case.new_text, read_new), 3),
                "read_back": read_new,
                "font_truth": f"{truth['style']['family']}:{truth['style']['weight']}",
                "font_picked": placed.font,
                "span_error_frames": max(
                    abs(overlay.start_frame - truth["start_frame"]),
                    abs(overlay.end_frame - truth["end_frame"]),
                ),
            }
        rows.append(row)
    if sheet_rows:
        SHEETS.mkdir(parents=True, exist_ok=True)
        _sheet(sheet_rows, SHEETS / f"{name}.png")
    return rows


def font_suite(frames: list[Frame], short: bool) -> dict[str, Any]:
    """Top-1 family (and family+weight) of the font match on captions drawn in every
    candidate family/weight over real frames."""
    ocr = load_ocr_engine()
    total = family_hits = exact_hits = 0
    misses: list[str] = []
    families = [f for f in FAMILIES if f != CJK_FAMILY]
    for number, family in enumerate(families):
        for weight in weights_of(family)[:: 2 if short else 1]:
            text = FONT_SUITE_TEXTS[number % len(FONT_SUITE_TEXTS)]
            frame = frames[(number * 7 + len(weight)) % len(frames)].copy()
            width = frame.shape[1]
            style = TextStyle(
                font_size=max(int(width * 0.06), 16),
                family=family,
                weight=weight,
                stroke_rgb=(0, 0, 0),
                stroke_px=max(int(width * 0.005), 1),
            )
            if family in ("anton", "bebas-neue", "oswald"):
                text = text.upper()
            sprite = render_block([text], style)
            composite_rgba(
                frame, sprite.rgba, (width - sprite.rgba.shape[1]) // 2, frame.shape[0] // 3
            )
            blocks = group_blocks(read_lines(ocr, frame))
            looks = [measure_block(frame, b) for b in blocks]
            picked = [lk.style for lk in looks if lk is not None]
            total += 1
            if not picked:
                misses.append(f"{family}:{weight} -> not found")
                continue
            best = max(picked, key=lambda s: s.font_size_px)
            family_hits += best.family == family
            exact_hits += best.family == family and best.weight == weight
            if best.family != family:
                misses.append(f"{family}:{weight} -> {best.family}:{best.weight}")
    return {
        "cases": total,
        "family_top1": round(family_hits / max(total, 1), 3),
        "family_and_weight_top1": round(exact_hits / max(total, 1), 3),
        "misses": misses,
    }


def _summary(clips: list[dict[str, Any]], fonts: dict[str, Any]) -> dict[str, Any]:
    rows = [r for c in clips for r in c["captions"]]
    found = [r for r in rows if r["found"]]
    psnr = [r["erase_psnr_db"] for r in rows if r["erase_psnr_db"] is not None]
    sized = [r["size_ratio"] for r in found if not r["wrapped_beyond_1_5x"]]
    return {
        "captions": len(rows),
        "captions_found": len(found),
        "erase_psnr_db_median": round(float(np.median(psnr)), 2),
        "erase_psnr_db_worst": round(float(np.min(psnr)), 2),
        "residue_captions": sum(1 for r in rows if r["residue_words"]),
        "size_ratio_min": round(float(np.min(sized)), 3) if sized else None,
        "new_cer_mean": round(float(np.mean([r["new_cer"] for r in found])), 4) if found else None,
        "new_cer_max": round(float(np.max([r["new_cer"] for r in found])), 4) if found else None,
        "font_match": fonts,
        "erase_redraw_cpu_s_per_clip_s_scaled_to_1080p": round(
            float(np.mean([c["s_per_clip_s"]["erase_redraw_cpu_scaled_to_1080p"] for c in clips])),
            3,
        ),
        "targets": "PSNR median >= 30 dB, worst >= 26 dB; residue 0; size ratio >= 0.85; "
        "font top-1 >= 80 %; new CER <= 5 %; erase+redraw <= 1.5 s/s at 1080x1920",
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = sys.argv[1:] if argv is None else argv
    short = "--short" in args
    footage = footage_dir()
    if footage is None:
        result: dict[str, Any] = {"skipped": "no real footage at ../shared/footage"}
        print(json.dumps(result))
        return result
    load_ocr_engine()
    clips_to_run = CLIPS[:1] if short else CLIPS
    with tempfile.TemporaryDirectory(prefix="bench-overlays-real-") as tmp:
        work = Path(tmp)
        clips = [_bench_clip(clip, footage, work) for clip in clips_to_run]
        sample = [f for n, f in enumerate(iter_frames_bgr(footage / "s20.mp4")) if n % 40 == 0][:6]
        fonts = font_suite(sample, short)
    result = {"summary": _summary(clips, fonts), "clips": clips}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
