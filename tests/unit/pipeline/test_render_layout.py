"""Layout of new caption text in an old caption's place: size kept, wrapped before
shrinking, anchored like the source, plates sized to the new text, reveal timing."""

from __future__ import annotations

from remixer.pipeline.overlays.model import Overlay, OverlayStyle
from remixer.pipeline.render import placement_fields, text_over
from remixer.pipeline.render.layout import (
    max_lines_for,
    place_text,
    plate_pads,
    reveal_frames,
    vertical_anchor,
)
from remixer.pipeline.typeset.text import TextStyle, wrap_text

W, H = 1080, 1920


def _overlay(
    text: str,
    box: tuple[int, int, int, int],
    size: int = 40,
    plate: tuple[int, int, int, int] | None = None,
    lines: list[str] | None = None,
    align: str = "center",
    word_frames: list[int] | None = None,
) -> Overlay:
    style = OverlayStyle(
        fill_rgb=(255, 255, 255) if plate is None else (0, 0, 0),
        stroke_rgb=(0, 0, 0) if plate is None else None,
        stroke_px=3 if plate is None else 0,
        plate_rgb=(255, 255, 255) if plate else None,
        plate_box=plate,
        plate_radius_px=12 if plate else 0,
        font_size_px=size,
        line_height_px=round(size * 1.25),
        align=align,
        weight="extrabold",
        family="montserrat",
    )
    return Overlay(
        id="ovl_1",
        text=text,
        lines=lines or [text],
        box=box,
        start_frame=10,
        end_frame=70,
        start_s=0.333,
        end_s=2.367,
        style=style,
        word_frames=word_frames,
    )


def test_a_longer_hook_wraps_at_the_source_size_instead_of_shrinking() -> None:
    old = _overlay("the miracle habit nobody uses", (200, 900, 680, 48))
    placed = place_text(old, "Plot twist: the miracle habit nobody uses", W, H)
    assert placed.font_size == 40
    assert len(placed.lines) == 2
    assert placed.family == "montserrat" and placed.weight == "extrabold"


def test_type_shrinks_only_past_one_and_a_half_times_the_source_lines() -> None:
    assert max_lines_for(1) == 2 and max_lines_for(2) == 3 and max_lines_for(4) == 6
    old = _overlay("short", (500, 900, 120, 48))
    long_text = " ".join(["remarkably"] * 12)
    placed = place_text(old, long_text, W, H)
    assert placed.font_size < 40
    assert placed.font_size >= 24  # never below 60 %
    assert len(placed.lines) <= 2 or placed.font_size == 24


def test_wrapped_lines_are_balanced() -> None:
    old = _overlay("a caption of some length here", (200, 900, 680, 48))
    placed = place_text(old, "one two three four five six seven eight nine ten eleven", W, H)
    lengths = [len(line) for line in placed.lines]
    assert max(lengths) - min(lengths) <= 12


def test_block_keeps_its_top_edge_near_the_top_and_bottom_edge_near_the_bottom() -> None:
    assert vertical_anchor((0, 100, 10, 50), H) == "top"
    assert vertical_anchor((0, 900, 10, 50), H) == "center"
    assert vertical_anchor((0, 1700, 10, 50), H) == "bottom"
    text = "Plot twist: the miracle habit nobody uses"
    top = place_text(_overlay("the miracle habit nobody uses", (200, 200, 680, 48)), text, W, H)
    assert abs(top.new_box[1] - 200) <= 4 and top.new_box[3] > 80
    low = place_text(_overlay("the miracle habit nobody uses", (200, 1600, 680, 48)), text, W, H)
    assert abs(low.new_box[1] + low.new_box[3] - 1648) <= 4
    mid = place_text(_overlay("the miracle habit nobody uses", (200, 900, 680, 48)), text, W, H)
    assert abs(mid.new_box[1] + mid.new_box[3] / 2 - 924) <= 4


def test_left_aligned_blocks_keep_their_left_edge() -> None:
    old = _overlay("Save this for", (90, 1200, 300, 48), align="left")
    placed = place_text(old, "Keep it for later, seriously", W, H)
    assert abs(placed.new_box[0] - 90) <= 3


def test_plates_are_sized_to_the_new_text_with_the_source_padding() -> None:
    old = _overlay("the miracle habit nobody uses", (200, 300, 680, 40), plate=(176, 282, 728, 76))
    assert plate_pads(old) == (24, 18)
    placed = place_text(old, "Try it", W, H)
    bx, by, bw, _bh = placed.block_box
    nx, ny, _nw, _nh = placed.new_box
    assert abs((nx - bx) - 24) <= 1 and abs((ny - by) - 18) <= 1
    assert bw < 728 / 2  # a short text gets a short plate, not the old one
    corner = placed.rgba[0, 0, 3]
    assert corner == 0  # rounded corners


def test_word_reveal_spreads_new_words_over_the_old_times() -> None:
    assert reveal_frames([10, 18, 26, 34], 4) == [10, 18, 26, 34]
    assert reveal_frames([10, 18, 26, 34], 2) == [10, 34]
    assert reveal_frames([10, 20], 3) == [10, 10, 20]
    old = _overlay("this changed my mornings", (200, 900, 680, 48), word_frames=[10, 18, 26, 34])
    placed = place_text(old, "Remixer made mornings easy", W, H)
    firsts = [first for first, _ in placed.reveal]
    assert firsts == sorted(firsts) and firsts[0] == 10 and firsts[-1] == 34
    early, late = placed.sprite_at(11), placed.sprite_at(40)
    assert early.shape == late.shape
    assert (early[:, :, 3] > 0).sum() < (late[:, :, 3] > 0).sum()


def test_cjk_text_wraps_between_characters_in_a_cjk_font() -> None:
    style = TextStyle(font_size=40, family="noto-sans-cjk")
    lines = wrap_text("早起改变了我的生活每天早上的习惯", style, 200)
    assert len(lines) > 1 and all(" " not in line for line in lines)
    old = _overlay("每天早上的习惯", (300, 900, 300, 48))
    placed = place_text(old, "早起改变了我的生活", W, H)
    assert placed.family == "noto-sans-cjk"


def test_container_fields() -> None:
    old = _overlay("the miracle habit nobody uses", (200, 900, 680, 48))
    fields = placement_fields(old, "Plot twist: the miracle habit nobody uses", W, H)
    assert set(fields) == {"newBox", "newLines", "font"}
    assert (
        len(fields["newBox"]) == 4
        and fields["newLines"]
        and fields["font"] == "montserrat:extrabold"
    )


def test_text_over_a_face_is_told_on_the_frames_it_is_drawn() -> None:
    """The quality measure skips frames where our own new caption covers the face."""
    old = _overlay("the miracle habit nobody uses", (200, 900, 680, 48))
    covers = text_over([old], ["Plot twist: the miracle habit nobody uses"], W, H)
    face_under = (400, 850, 300, 300)
    face_above = (400, 300, 300, 300)
    assert covers(40, face_under)
    assert not covers(40, face_above)
    assert not covers(5, face_under) and not covers(90, face_under)
    assert not text_over([old], [""], W, H)(40, face_under)
