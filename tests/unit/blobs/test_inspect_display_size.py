"""Uploads report the size they are shown at: a photo's EXIF orientation and a phone video's
display matrix swap the stored width and height."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from remixer.blobs.inspect import inspect_media

MAX_PIXELS = 40_000_000


@pytest.mark.parametrize(
    ("orientation", "shown"), [(1, (60, 40)), (3, (60, 40)), (6, (40, 60)), (8, (40, 60))]
)
def test_a_photo_reports_its_displayed_size(
    tmp_path: Path, orientation: int, shown: tuple[int, int]
) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (60, 40), (200, 100, 50)).save(path, exif=exif)
    facts = inspect_media(path, MAX_PIXELS)
    assert (facts.width, facts.height) == shown


def _phone_clip(path: Path, rotation: int) -> None:
    """A 64×32 (stored landscape) clip whose display matrix turns it by `rotation` degrees."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 32, "yuv420p"
        stream.set_display_rotation(rotation)
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((32, 64, 3), i * 40, np.uint8), "rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


@pytest.mark.parametrize(
    ("rotation", "shown"), [(0, (64, 32)), (-90, (32, 64)), (90, (32, 64)), (180, (64, 32))]
)
def test_a_phone_video_reports_its_displayed_size(
    tmp_path: Path, rotation: int, shown: tuple[int, int]
) -> None:
    path = tmp_path / "clip.mp4"
    _phone_clip(path, rotation)
    facts = inspect_media(path, MAX_PIXELS)
    assert facts.kind == "video" and (facts.width, facts.height) == shown
