"""Decide what an uploaded file is from its bytes (not its header) and measure it.

Images through Pillow, videos through PyAV. This module is the child side of
`remixer.blobs.probe.SandboxedInspector`: run as `python -m remixer.blobs.inspect PATH
MAX_PIXELS CPU_S MEMORY_BYTES`, it limits its own CPU time and address space before
importing any decoder, and prints one JSON object. The web process never imports it.
A video whose header gives no duration is demuxed to find one, or refused. Width and
height are the displayed ones: a photo's EXIF orientation and a video's display matrix
(a phone's portrait clip stored landscape) can swap the stored sides.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any

from remixer.blobs.probe import MediaFacts, TooManyPixelsError, UnsupportedMediaError

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
VIDEO_TYPES = {"mov,mp4,m4a,3gp,3g2,mj2": "video/mp4", "matroska,webm": "video/webm"}
EXIF_ORIENTATION = 0x0112
TURNED_ORIENTATIONS = {5, 6, 7, 8}
"""EXIF orientations that show the stored image a quarter turn round (sides swapped)."""


def _displayed(width: int, height: int, sideways: bool) -> tuple[int, int]:
    return (height, width) if sideways else (width, height)


def _exif_sideways(img: Any) -> bool:
    """Whether the EXIF orientation turns the image a quarter; unreadable EXIF turns nothing."""
    try:
        return img.getexif().get(EXIF_ORIENTATION) in TURNED_ORIENTATIONS
    except (OSError, ValueError, SyntaxError):
        return False


def _sniff_image(path: Path, max_pixels: int) -> MediaFacts | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            fmt = img.format or ""
            width, height = _displayed(*img.size, _exif_sideways(img))
    except Image.DecompressionBombError as exc:
        raise TooManyPixelsError(str(exc)) from exc
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if fmt not in IMAGE_TYPES:
        raise UnsupportedMediaError(f"image format {fmt or 'unknown'} is not allowed")
    if width * height > max_pixels:
        raise TooManyPixelsError(f"{width}x{height} is over {max_pixels} pixels")
    return MediaFacts("image", IMAGE_TYPES[fmt], width, height, None)


def _demuxed_duration_ms(container: Any, stream: Any) -> int | None:
    """The end of the last packet of `stream` (header said nothing): demux, no decode."""
    end = None
    for packet in container.demux(stream):
        pts = packet.pts if packet.pts is not None else packet.dts
        if pts is None or packet.time_base is None:
            continue
        stop = float((pts + (packet.duration or 0)) * packet.time_base)
        end = stop if end is None else max(end, stop)
    return round(end * 1000) if end is not None and end > 0 else None


def _sniff_video(path: Path) -> MediaFacts | None:
    import av

    try:
        with av.open(str(path)) as container:
            name = container.format.name
            if name not in VIDEO_TYPES or not container.streams.video:
                return None
            stream = container.streams.video[0]
            frame = next(container.decode(stream), None)
            if frame is None:
                return None
            sideways = round(float(frame.rotation or 0) / 90) % 2 == 1
            width, height = _displayed(frame.width, frame.height, sideways)
            if container.duration:
                duration_ms: int | None = int(container.duration / 1000)
            elif stream.duration and stream.time_base:
                duration_ms = round(float(stream.duration * stream.time_base) * 1000)
            else:
                container.seek(0)
                duration_ms = _demuxed_duration_ms(container, stream)
            if not duration_ms:
                raise UnsupportedMediaError("the video's duration cannot be determined")
            return MediaFacts("video", VIDEO_TYPES[name], width, height, duration_ms)
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


def _limit(cpu_s: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    path, max_pixels, cpu_s, memory_bytes = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    _limit(cpu_s, memory_bytes)
    try:
        answer: dict[str, Any] = {"facts": inspect_media(path, max_pixels).to_dict()}
    except TooManyPixelsError:
        answer = {"error": "too_many_pixels"}
    except UnsupportedMediaError:
        answer = {"error": "unsupported"}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
