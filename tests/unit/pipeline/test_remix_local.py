"""`remixer remix`'s in-memory work (`LocalRemix`): the swapper is built in the face lane,
handed to the dense pass, and closed when a failed stage means the dense pass never runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

import remixer.pipeline.remix as local
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite import CopyBrief
from remixer.pipeline.types import Frame
from remixer.pipeline.video import VideoInfo

T = TypeVar("T")

INFO = VideoInfo(
    width=64,
    height=64,
    fps=25.0,
    fps_num=25,
    fps_den=1,
    frame_count=3,
    duration_s=0.12,
    rotation=0,
    has_audio=False,
    video_codec="h264",
)


@dataclass
class FakeSwapper:
    closed: int = 0

    def swap(self, frame_bgr: Frame, frame_index: int) -> Frame:
        return frame_bgr

    def close(self) -> None:
        self.closed += 1


class FakeModels:
    def get(self, name: str, loader: Callable[[], T]) -> T:
        return name  # type: ignore[return-value]  # a name stands in for each model


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[FakeSwapper]:
    """Every step stubbed; the swappers `create_swapper` built, in order."""
    swappers: list[FakeSwapper] = []

    def create_swapper(*args: Any, **kwargs: Any) -> FakeSwapper:
        swappers.append(FakeSwapper())
        return swappers[-1]

    monkeypatch.setattr(local, "probe_video", lambda source: INFO)
    monkeypatch.setattr(local, "extract_overlays", lambda *args: [])
    monkeypatch.setattr(local, "build_identity", lambda faces, models: "identity")
    monkeypatch.setattr(local, "analyze_target", lambda source, models, hooks: "track")
    monkeypatch.setattr(local, "create_swapper", create_swapper)
    monkeypatch.setattr(local, "measure_quality", lambda *args, **kwargs: _NoQuality())
    return swappers


class _NoQuality:
    def to_dict(self) -> dict[str, Any]:
        return {}


def _remix(tmp_path: Path) -> local.RemixResult:
    return local.remix(
        tmp_path / "in.mp4", [tmp_path / "face.jpg"], tmp_path / "out.mp4", CopyBrief(),
        models=FakeModels(),
    )  # fmt: skip


def test_the_dense_pass_gets_the_swapper_the_face_lane_built(
    built: list[FakeSwapper], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rendered: list[Any] = []

    def render_remix(
        source: Path, out: Path, info: VideoInfo, overlays: Sequence[Any], texts: Sequence[str],
        swapper: FakeSwapper, hooks: Any,
    ) -> None:  # fmt: skip
        rendered.append(swapper)
        swapper.swap(np.zeros((4, 4, 3), np.uint8), 0)
        swapper.close()

    monkeypatch.setattr(local, "render_remix", render_remix)
    _remix(tmp_path)
    assert len(built) == 1 and rendered == built
    assert built[0].closed == 1  # by the dense pass only


def test_a_swapper_the_dense_pass_never_got_is_closed(
    built: list[FakeSwapper], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def extract_overlays(*args: Any) -> list[Any]:
        raise PipelineError("INTERNAL", "no text engine")

    monkeypatch.setattr(local, "extract_overlays", extract_overlays)
    with pytest.raises(PipelineError, match="no text engine"):
        _remix(tmp_path)
    assert len(built) == 1 and built[0].closed == 1
