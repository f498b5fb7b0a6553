"""Decide what an uploaded file is from its bytes (not its header) and measure it.

Images through Pillow, videos through PyAV; neither pulls numpy into the web process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
VIDEO_TYPES = {"mov,mp4,m4a,3gp,3g2,mj2": "video/mp4", "matroska,webm": "video/webm"}


class UnsupportedMediaError(Exception):
    """The bytes are not an allowed image or video."""


class TooManyPixelsError(Exception):
    """An image over the pixel limit (decompression-bomb guard)."""


@dataclass(frozen=True)
class MediaFacts:
    kind: str
    mime_type: str
    width: int
    height: int
    duration_ms: int | None


def _sniff_image(path: Path, max_pixels: int) -> MediaFacts | None:
    try:
        with Image.open(path) as img:
            fmt = img.format or ""
            width, height = img.size
    except Image.DecompressionBombError as exc:
        raise TooManyPixelsError(str(exc)) from exc
    except (UnidentifiedImageError, OSError):
        return None
    if fmt not in IMAGE_TYPES:
        raise UnsupportedMediaError(f"image format {fmt or 'unknown'} is not allowed")
    if width * height > max_pixels:
        raise TooManyPixelsError(f"{width}x{height} is over {max_pixels} pixels")
    return MediaFacts("image", IMAGE_TYPES[fmt], width, height, None)


def _sniff_video(path: Path) -> MediaFacts | None:
    try:
        with av.open(str(path)) as container:
            name = container.format.name
            if name not in VIDEO_TYPES or not container.streams.video:
                return None
            stream = container.streams.video[0]
            frame = next(container.decode(stream), None)
            if frame is None:
                return None
            duration = container.duration / 1000 if container.duration else None
            return MediaFacts(
                "video",
                VIDEO_TYPES[name],
                frame.width,
                frame.height,
                int(duration) if duration is not None else None,
            )
    except (av.FFmpegError, OSError, ValueError, StopIteration):
        return None


def inspect_media(path: Path, max_pixels: int) -> MediaFacts:
    """Classify `path` as an allowed image or video, or raise `UnsupportedMediaError`."""
    facts = _sniff_image(path, max_pixels)
    if facts is None:
        facts = _sniff_video(path)
    if facts is None:
        raise UnsupportedMediaError("the file is not an allowed image or video")
    return facts
