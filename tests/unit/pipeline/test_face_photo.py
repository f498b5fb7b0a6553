"""Reference photos in odd encodings are read upright as 8-bit RGB; a canvas over the pixel
limit is refused from its header, before anything is decoded."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from remixer.pipeline.faces.photo import PhotoUnusableError, read_photo_rgb


def _marked_rgb() -> np.ndarray:
    """A 60×40 (w×h) image, red in the top-left corner, so turns and channel order show."""
    rgb = np.full((40, 60, 3), 90, dtype=np.uint8)
    rgb[:10, :10] = (255, 0, 0)
    return rgb


@pytest.mark.parametrize(
    ("orientation", "transpose"),
    [
        (6, Image.Transpose.ROTATE_90),
        (8, Image.Transpose.ROTATE_270),
        (3, Image.Transpose.ROTATE_180),
    ],
)
def test_exif_orientation_is_applied(
    tmp_path: Path, orientation: int, transpose: Image.Transpose
) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "turned.jpg"
    Image.fromarray(_marked_rgb()).transpose(transpose).save(path, quality=95, exif=exif)
    rgb = read_photo_rgb(path)
    assert rgb.shape == (40, 60, 3)
    assert rgb[:10, :10].mean(axis=(0, 1)) == pytest.approx((255, 0, 0), abs=25)


def _save_variant(kind: str, path: Path) -> None:
    rgb = _marked_rgb()
    if kind == "grey.jpg":
        Image.fromarray(rgb).convert("L").save(path)
    elif kind == "cmyk.jpg":
        Image.fromarray(rgb).convert("CMYK").save(path, quality=95)
    elif kind == "rgba.png":
        Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 128, np.uint8)])).save(path)
    elif kind == "rgb16.png":
        cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR).astype(np.uint16) * 257)
    else:
        Image.fromarray(rgb).save(path, quality=95)


@pytest.mark.parametrize("kind", ["grey.jpg", "cmyk.jpg", "rgba.png", "rgb16.png", "photo.webp"])
def test_odd_encodings_read_as_8_bit_rgb(tmp_path: Path, kind: str) -> None:
    path = tmp_path / kind
    _save_variant(kind, path)
    rgb = read_photo_rgb(path)
    assert rgb.dtype == np.uint8 and rgb.shape == (40, 60, 3)
    if kind != "grey.jpg":
        assert rgb[:10, :10].mean(axis=(0, 1)) == pytest.approx((255, 0, 0), abs=25)


def test_a_huge_canvas_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    Image.new("L", (8000, 6000)).save(path)  # 48 MP of zeros: a few hundred kB on disk
    started = time.monotonic()
    with pytest.raises(PhotoUnusableError) as caught:
        read_photo_rgb(path)
    assert caught.value.reason == "too_large"
    assert time.monotonic() - started < 0.5


def test_the_limit_is_the_callers(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    Image.fromarray(_marked_rgb()).save(path)
    with pytest.raises(PhotoUnusableError, match="too_large"):
        read_photo_rgb(path, max_pixels=100)


@pytest.mark.parametrize("content", [b"", b"not an image\n" * 10, b"\xff\xd8\xff\xe0" + b"\0" * 64])
def test_what_is_no_image_is_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)
    with pytest.raises(PhotoUnusableError, match="unreadable"):
        read_photo_rgb(path)


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(PhotoUnusableError, match="unreadable"):
        read_photo_rgb(tmp_path / "gone.jpg")
