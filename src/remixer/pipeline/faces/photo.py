"""Read a reference photo as upright RGB, refusing before any decode what is not an image
or has more pixels than a photo needs (a small PNG can declare a 30000×30000 canvas: decoded
it takes gigabytes and half a minute). The size comes from the header through Pillow; the
decode is OpenCV's, which applies the EXIF orientation and turns grey, CMYK, 16-bit and
alpha photos into 8-bit colour."""

from __future__ import annotations

import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from remixer.pipeline.types import Frame

MAX_PHOTO_PIXELS = 40_000_000
"""The SPEC's default upload limit for images (40 megapixels)."""


class PhotoUnusableError(Exception):
    """The photo cannot be used; `reason` is an `identity.REASON_TEXT` key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def declared_pixels(path: Path) -> int | None:
    """Width × height from the image header (nothing decoded); None when Pillow cannot
    identify the file (OpenCV may still read it). Over Pillow's own bomb limit, that limit
    plus one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return 2 * (Image.MAX_IMAGE_PIXELS or 0) + 1
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return int(width) * int(height)


def read_photo_rgb(path: Path, max_pixels: int = MAX_PHOTO_PIXELS) -> Frame:
    """The photo as an upright H×W×3 RGB uint8 array.

    Raises `PhotoUnusableError("too_large")` over `max_pixels`, `("unreadable")` when it
    is no decodable image."""
    if not path.is_file():
        raise PhotoUnusableError("unreadable")
    pixels = declared_pixels(path)
    if pixels is not None and pixels > max_pixels:
        raise PhotoUnusableError("too_large")
    data = np.fromfile(str(path), dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if bgr is None:
        raise PhotoUnusableError("unreadable")
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
