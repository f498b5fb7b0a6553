"""Upload probing: a video whose header has no duration is demuxed to find one, so the
duration limit cannot be bypassed by leaving it out."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import av
import numpy as np
from api_harness import Api, assert_error


class _NoSeek(io.RawIOBase):
    """A write-only, non-seekable sink: the WebM muxer cannot go back to write a duration."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, b: Any) -> int:
        self.data += bytes(b)
        return len(b)


def webm_without_duration(frames: int = 10, fps: int = 10) -> bytes:
    sink = _NoSeek()
    with av.open(sink, "w", format="webm") as out:
        stream = out.add_stream("libvpx", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(frames):
            rgb = np.full((64, 64, 3), i * 20, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return bytes(sink.data)


def _upload(api: Api, project_id: str, data: bytes) -> Any:
    return api.client.post(
        f"/v1/projects/{project_id}/media",
        headers=api.headers(),
        files={"file": ("clip.webm", data, "video/webm")},
    )


def test_video_without_header_duration_is_measured(api: Api, tmp_path: Path) -> None:
    data = webm_without_duration()
    (tmp_path / "clip.webm").write_bytes(data)
    with av.open(str(tmp_path / "clip.webm")) as probe:
        assert probe.duration is None and probe.streams.video[0].duration is None
    p = api.project()
    resp = _upload(api, p["id"], data)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["kind"] == "video" and body["mimeType"] == "video/webm"
    assert body["durationMs"] == 1000


def test_duration_limit_applies_to_videos_without_header_duration(api: Api) -> None:
    p = api.project()
    object.__setattr__(api.components.settings, "max_video_seconds", 0.5)
    assert_error(_upload(api, p["id"], webm_without_duration()), 413, "PAYLOAD_TOO_LARGE")
