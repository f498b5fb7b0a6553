"""Erase from time on generated frames: a textured scene panning under a caption, so the
clean frame is known exactly. The temporal fill must beat inpainting by a wide margin,
plates must go as whole shapes, and a scene that changed since the reference must not be
pasted back from it."""

from __future__ import annotations

import threading
from dataclasses import replace

import cv2
import numpy as np
import pytest

from remixer.pipeline.overlays.model import Overlay, OverlayStyle
from remixer.pipeline.render import OverlayPainter, temporal
from remixer.pipeline.render.compose import composite_rgba
from remixer.pipeline.render.erase import colour_hole, erase_area
from remixer.pipeline.render.temporal import CleanPlate
from remixer.pipeline.typeset.text import TextStyle, render_block, render_plated

W, H = 360, 640
SPAN = (20, 50)


def _texture() -> np.ndarray:
    rng = np.random.default_rng(3)
    noise = rng.random((H + 40, W + 200, 3)).astype(np.float32)
    fine = cv2.GaussianBlur(noise, (0, 0), 2.0)
    coarse = cv2.GaussianBlur(noise, (0, 0), 9.0)
    return np.clip(128 + 900 * (fine - 0.5) + 1500 * (coarse - 0.5), 0, 255).astype(np.float32)


TEXTURE = _texture()


def _scene(shift: float) -> np.ndarray:
    """A random texture (like foliage or fabric) panned by `shift` px."""
    matrix = np.array([[1, 0, -shift], [0, 1, 0]], dtype=np.float32)
    moved = cv2.warpAffine(TEXTURE, matrix, (W + 200, H + 40), flags=cv2.INTER_LINEAR)
    return np.asarray(moved[:H, :W], dtype=np.float32).clip(0, 255).astype(np.uint8)


def _style(plate: tuple[int, int, int, int] | None) -> OverlayStyle:
    return OverlayStyle(
        fill_rgb=(255, 255, 255) if plate is None else (10, 10, 10),
        stroke_rgb=(0, 0, 0) if plate is None else None,
        stroke_px=3 if plate is None else 0,
        plate_rgb=(255, 255, 255) if plate else None,
        plate_box=plate,
        plate_radius_px=10 if plate else 0,
        font_size_px=30,
        line_height_px=38,
        align="center",
    )


def _clip(plate: bool) -> tuple[list[np.ndarray], list[np.ndarray], Overlay]:
    style = TextStyle(
        font_size=30,
        fill_rgb=(10, 10, 10) if plate else (255, 255, 255),
        stroke_rgb=None if plate else (0, 0, 0),
        stroke_px=0 if plate else 3,
        plate_rgb=(255, 255, 255) if plate else None,
        plate_radius_px=10,
        family="montserrat",
        weight="extrabold",
    )
    lines = ["the miracle", "habit nobody"]
    sprite = render_plated(lines, style, 18, 12) if plate else render_block(lines, style)
    h, w = sprite.rgba.shape[:2]
    x, y = (W - w) // 2, 200
    tx, ty, tw, th = sprite.text_box
    plate_box = (x, y, w, h) if plate else None
    overlay = Overlay(
        "ovl_1",
        " ".join(lines),
        lines,
        (x + tx, y + ty, tw, th),
        SPAN[0],
        SPAN[1],
        SPAN[0] / 30,
        (SPAN[1] + 1) / 30,
        _style(plate_box),
    )
    clean = [_scene(1.2 * i) for i in range(70)]
    burned = []
    for i, frame in enumerate(clean):
        frame = frame.copy()
        if SPAN[0] <= i <= SPAN[1]:
            composite_rgba(frame, sprite.rgba, x, y)
        burned.append(frame)
    return clean, burned, overlay


def _psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    diff = a[mask].astype(np.float64) - b[mask].astype(np.float64)
    return float(10 * np.log10(255**2 / max(np.mean(diff**2), 1e-6)))


def _erased(burned: list[np.ndarray], overlay: Overlay, feed_before: bool) -> list[np.ndarray]:
    painter = OverlayPainter([overlay], [""], W, H)  # no new text: judge the erase alone
    out = []
    for i, frame in enumerate(burned):
        if i < SPAN[0] and not feed_before:
            continue
        out.append(painter.paint(frame, i))
    return out if feed_before else [np.zeros_like(burned[0])] * SPAN[0] + out


@pytest.mark.parametrize("plate", [False, True])
def test_temporal_fill_restores_the_scene_and_beats_inpainting(plate: bool) -> None:
    clean, burned, overlay = _clip(plate)
    region = np.zeros((H, W), bool)
    bx, by, bw, bh = overlay.style.plate_box or overlay.box
    region[by - 3 : by + bh + 3, bx - 3 : bx + bw + 3] = True
    from_time = _erased(burned, overlay, feed_before=True)
    inpainted = _erased(burned, overlay, feed_before=False)
    frames = range(SPAN[0], SPAN[1] + 1, 5)
    temporal = np.median([_psnr(from_time[i], clean[i], region) for i in frames])
    telea = np.median([_psnr(inpainted[i], clean[i], region) for i in frames])
    assert temporal >= 30, temporal
    assert temporal >= telea + 6, (temporal, telea)


def test_a_plate_is_removed_as_a_whole_shape() -> None:
    clean, burned, overlay = _clip(plate=True)
    out = _erased(burned, overlay, feed_before=True)
    bx, by, bw, bh = overlay.style.plate_box or overlay.box
    middle = (SPAN[0] + SPAN[1]) // 2
    crop = out[middle][by : by + bh, bx : bx + bw].astype(int)
    white = (crop.min(axis=2) > 235).mean()
    scene_white = (clean[middle][by : by + bh, bx : bx + bw].min(axis=2) > 235).mean()
    assert white <= scene_white + 0.01, (white, scene_white)


def test_the_nearest_clean_frame_on_each_side_is_blended_by_closeness_in_time() -> None:
    plate = CleanPlate((0, 0, 8, 8))
    for index in (10, 14, 60, 64):
        plate.add(index, np.full((8, 8, 3), index, np.uint8), np.zeros((8, 8), bool))
    order = plate.blend_order(30)
    assert [(r.frame_index, round(w, 3)) for r, w in order[:2]] == [
        (14, round(30 / 46, 3)),
        (60, round(16 / 46, 3)),
    ]
    assert [w for _r, w in order[2:]] == [0.0, 0.0]
    # Much nearer one side (the other would weigh < 0.2): that side alone, no second flow.
    assert [(r.frame_index, w) for r, w in plate.blend_order(16)][:2] == [(14, 1.0), (10, 0.0)]
    after_only = CleanPlate((0, 0, 8, 8))
    for index in (60, 64):
        after_only.add(index, np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), bool))
    assert [(r.frame_index, w) for r, w in after_only.blend_order(20)] == [(60, 1.0), (64, 0.0)]


def test_a_frame_changes_only_inside_the_caption_window() -> None:
    _clean, burned, overlay = _clip(plate=False)
    painter = OverlayPainter([overlay], [""], W, H)
    for i in range(SPAN[0]):
        painter.paint(burned[i], i)
    middle = (SPAN[0] + SPAN[1]) // 2
    for i in range(SPAN[0], middle):
        painter.paint(burned[i], i)
    out = painter.paint(burned[middle], middle)
    changed = np.abs(out.astype(int) - burned[middle].astype(int)).max(axis=2) > 0
    geo = erase_area(overlay, W, H)
    x0, y0, _x1, _y1 = geo.region
    wy0, wy1, wx0, wx1 = geo.window
    inside = np.zeros((H, W), bool)
    inside[y0 + wy0 : y0 + wy1, x0 + wx0 : x0 + wx1] = True
    assert changed.any() and not (changed & ~inside).any()
    assert inside.sum() < 0.6 * (geo.region[2] - x0) * (geo.region[3] - y0)


def test_a_fade_measured_short_is_still_erased_to_its_real_end() -> None:
    """Fades are measured short: a caption that fades out over 8 frames but was measured
    with 4 is erased beyond them too (its faint last frames used to stay)."""
    clean, _burned, overlay = _clip(plate=False)
    style = TextStyle(
        font_size=30, stroke_rgb=(0, 0, 0), stroke_px=3, family="montserrat", weight="extrabold"
    )
    sprite = render_block(overlay.lines, style)
    tx, ty, _tw, _th = sprite.text_box
    x, y = overlay.box[0] - tx, overlay.box[1] - ty
    fading = replace(overlay, fade_out_frames=4)
    burned, glyphs = [], np.zeros((H, W), bool)
    for i, frame in enumerate(clean):
        frame = frame.copy()
        opacity = 1.0 if SPAN[0] <= i <= SPAN[1] else max(0.0, 1 - (i - SPAN[1]) / 9)
        if i >= SPAN[0] and opacity > 0:
            rgba = sprite.rgba.copy()
            rgba[:, :, 3] = (rgba[:, :, 3] * opacity).astype(np.uint8)
            composite_rgba(frame, rgba, x, y)
        burned.append(frame)
    h, w = sprite.rgba.shape[:2]
    glyphs[y : y + h, x : x + w] = sprite.rgba[:, :, 3] > 128
    painter = OverlayPainter([fading], [""], W, H)
    late = SPAN[1] + 6
    out = [painter.paint(frame, i) for i, frame in enumerate(burned[: late + 1])]
    before = np.abs(burned[late].astype(int) - clean[late].astype(int))[glyphs].mean()
    after = np.abs(out[late].astype(int) - clean[late].astype(int))[glyphs].mean()
    assert before > 10 and after < 0.4 * before, (before, after)


def test_of_two_references_as_near_the_earlier_comes_first_whatever_was_added_first() -> None:
    # The painter's reader thread adds the references after a span, the painting thread
    # those before it: which lands first in the list is a race and must not decide.
    frame = np.zeros((8, 8, 3), np.uint8)
    clear = np.zeros((8, 8), bool)
    orders = []
    for added in ((40, 20), (20, 40)):
        plate = CleanPlate((0, 0, 8, 8))
        for index in added:
            plate.add(index, frame, clear)
        orders.append([r.frame_index for r in plate.ordered(30)])
    assert orders == [[20, 40], [20, 40]]


def test_each_thread_gets_its_own_dis_object() -> None:
    # One DIS object keeps its buffers between calls: shared by two threads it mixed
    # their flows up or crashed OpenCV.
    mine = (temporal._dis(False), temporal._dis(True))
    theirs: list[object] = []
    worker = threading.Thread(
        target=lambda: theirs.extend((temporal._dis(False), temporal._dis(True)))
    )
    worker.start()
    worker.join()
    assert mine == (temporal._dis(False), temporal._dis(True))
    assert mine[0] is not mine[1] and not {id(d) for d in mine} & {id(d) for d in theirs}


def test_a_pale_sky_beside_white_stroked_text_is_not_taken_for_the_caption() -> None:
    """White text with a black stroke over a pale, flat sky (s20's first caption): the sky
    is within the fill colour's tolerance, and the whole caption box was made a hole,
    filled from references where the head had moved (a grey block beside the new
    caption). Fill-coloured pixels count only within half a stem of the stroke now."""
    style = TextStyle(
        font_size=30,
        fill_rgb=(255, 255, 255),
        stroke_rgb=(0, 0, 0),
        stroke_px=3,
        family="montserrat",
        weight="extrabold",
    )
    lines = ["the miracle", "habit nobody"]
    sprite = render_block(lines, style)
    h, w = sprite.rgba.shape[:2]
    x, y = (W - w) // 2, 200
    tx, ty, tw, th = sprite.text_box
    overlay = Overlay(
        "ovl_1", " ".join(lines), lines, (x + tx, y + ty, tw, th), 0, 10, 0.0, 0.4, _style(None)
    )
    frame = np.full((H, W, 3), (227, 232, 228), np.uint8)  # BGR of a pale sky
    composite_rgba(frame, sprite.rgba, x, y)
    caption = np.zeros((H, W), np.uint8)
    caption[y : y + h, x : x + w] = sprite.rgba[:, :, 3] > 0
    geo = erase_area(overlay, W, H)
    x0, y0, x1, y1 = geo.region
    wy0, wy1, wx0, wx1 = geo.window
    crop = frame[y0:y1, x0:x1][wy0:wy1, wx0:wx1]
    hole = colour_hole(crop, overlay, geo.in_window(), None)
    near = cv2.dilate(caption, np.ones((21, 21), np.uint8))[y0:y1, x0:x1][wy0:wy1, wx0:wx1] > 0
    assert hole[near].mean() > 0.5  # the text and its rim are still the hole
    assert hole[~near].mean() < 0.01  # the sky around them is not (half of it before)
