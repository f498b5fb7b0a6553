"""Real public-domain face photos available offline.

`astronaut` is NASA's portrait of Eileen Collins shipped in scikit-image. The
others are official White House photos (US-government works) that `make venv`
copies out of the face_recognition 1.3.0 sdist into `.venv/share/remixer/photos`
(override with the `REMIXER_PHOTOS_DIR` argument of `photo_dir`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from remixer.pipeline.types import Frame

DEFAULT_PHOTO_DIR = Path(sys.prefix) / "share" / "remixer" / "photos"
PHOTO_NAMES = ("astronaut", "obama", "obama2", "biden")


def photo_dir(override: Path | None = None) -> Path:
    """Folder holding the White House photos (see module docstring)."""
    return override if override is not None else DEFAULT_PHOTO_DIR


def load_photo_rgb(name: str, folder: Path | None = None) -> Frame:
    """Load a named public-domain photo as an RGB uint8 array."""
    if name == "astronaut":
        from skimage import data

        return np.ascontiguousarray(data.astronaut(), dtype=np.uint8)  # type: ignore[no-untyped-call]
    path = photo_dir(folder) / f"{name}.jpg"
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f"photo {name!r} not found at {path}; run `make venv`")
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def save_photo(name: str, dest: Path, folder: Path | None = None) -> Path:
    """Write a named photo as JPEG to `dest` (used to feed reference uploads)."""
    rgb = load_photo_rgb(name, folder)
    dest.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(dest), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
    return dest
