"""Finished-video helpers for the finalizing stage: thumbnail and the container's asset entry."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from remixer.blobs.store import BlobStore, sha256_of
from remixer.pipeline.video import iter_frames_bgr, probe_video


def store_thumbnail(blobs: BlobStore, video: Path) -> tuple[str, int, str]:
    """A JPEG of the video's first frame in the blob store: (key, size in bytes, sha256)."""
    import cv2

    frames = iter_frames_bgr(video)
    try:
        frame = next(frames)
    finally:
        frames.close()
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise RuntimeError("thumbnail encoding failed")
    with tempfile.TemporaryDirectory(prefix="remixer-thumb-") as tmp:
        file = Path(tmp) / "thumb.jpg"
        file.write_bytes(data.tobytes())
        return blobs.put_file(file, ".jpg"), file.stat().st_size, sha256_of(file)


def asset_of(blobs: BlobStore, video_key: str, asset_id: str) -> dict[str, Any]:
    """The SPEC §6.3 asset entry for a stored video (URLs are signed later from the keys)."""
    with blobs.local_copy(video_key) as path:
        info = probe_video(path)
        thumb_key, thumb_size, thumb_sha = store_thumbnail(blobs, path)
        size, checksum = path.stat().st_size, sha256_of(path)
    return {
        "assetId": asset_id,
        "kind": "video",
        "blobKey": video_key,
        "thumbnailKey": thumb_key,
        "thumbnailSizeBytes": thumb_size,
        "thumbnailChecksumSha256": thumb_sha,
        "durationMs": round(info.duration_s * 1000),
        "width": info.width,
        "height": info.height,
        "mimeType": "video/mp4",
        "sizeBytes": size,
        "checksumSha256": checksum,
    }
