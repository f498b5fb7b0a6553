"""`remixer remix` as a user runs it (a subprocess on local files): the output video keeps
the source's size, rate, duration and audio, the JSON summary on stdout has the overlays
and quality figures, and bad inputs fail non-zero with a clear message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.synth.photos import save_photo
from remixer.pipeline.video import probe_video

pytestmark = pytest.mark.slow


def _run(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMIXER_")}
    env["REMIXER_DATA_DIR"] = str(tmp_path / "data")
    command = [sys.executable, "-m", "remixer.cli.main", "remix", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-clip")
    spec = ClipSpec(
        photo="obama",
        duration_s=2.0,
        audio=True,
        face_width=0.42,
        captions=(CaptionSpec("POV: you finally wake up at 6am", 0.0, 2.0, y_frac=0.12),),
    )
    make_clip(spec, folder / "source.mp4")
    return folder / "source.mp4"


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_photo("biden", tmp_path_factory.mktemp("cli-photo") / "biden.jpg")


def test_remix_writes_the_video_and_prints_a_summary(
    clip: Path, photo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.mp4"
    done = _run(
        tmp_path, clip, "--face", photo, "-o", out, "--voice", "witty", "--app-name", "FitNow"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    src, got = probe_video(clip), probe_video(out)
    assert (got.width, got.height) == (src.width, src.height) == (540, 960)
    assert abs(got.fps - src.fps) < 0.01 and abs(got.duration_s - src.duration_s) <= 0.1
    assert got.has_audio and got.frame_count == src.frame_count
    assert summary["output"] == str(out) and summary["size"] == [540, 960]
    [overlay] = summary["overlays"]
    assert overlay["sourceText"].replace(" ", "") == "POV:youfinallywakeupat6am"
    assert overlay["text"] and overlay["text"] != overlay["sourceText"]
    assert overlay["start"] < 0.1 and abs(overlay["end"] - 2.0) < 0.1
    assert len(overlay["newBox"]) == 4 and overlay["newLines"] and ":" in overlay["font"]
    assert " ".join(overlay["newLines"]).split() == overlay["text"].split()
    quality = summary["quality"]
    assert quality["overlaysReplaced"] == 1
    assert quality["identityPassRate"] >= 0.9 and quality["originalDistancePassRate"] >= 0.9


def test_a_non_video_source_fails_with_source_invalid(photo: Path, tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_text("this is not a video at all\n" * 50)
    out = tmp_path / "out.mp4"
    done = _run(tmp_path, fake, "--face", photo, "-o", out)
    assert done.returncode != 0
    assert "SOURCE_INVALID" in done.stderr
    assert not out.exists()


def test_a_photo_without_a_face_fails_clearly(clip: Path, tmp_path: Path) -> None:
    blank = tmp_path / "wall.jpg"
    ramp = np.linspace(40, 220, 640, dtype=np.uint8)
    Image.fromarray(np.stack([np.tile(ramp, (640, 1))] * 3, axis=2)).save(blank)
    out = tmp_path / "out.mp4"
    done = _run(tmp_path, clip, "--face", blank, "-o", out)
    assert done.returncode != 0
    assert "REFERENCE_PHOTOS_INVALID" in done.stderr and "no face was found" in done.stderr
    assert not out.exists()
