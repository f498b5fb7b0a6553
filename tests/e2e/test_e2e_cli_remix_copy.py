"""`remixer remix --banned/--keyword`: the brand's banned phrases never reach the redrawn
overlay, and the summary says which adapter wrote the copy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from remixer.pipeline.rewrite.banned import find_banned
from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.synth.photos import save_photo

pytestmark = pytest.mark.slow


def test_banned_phrases_are_replaced_in_the_remix(tmp_path: Path) -> None:
    clip = tmp_path / "source.mp4"
    spec = ClipSpec(
        photo="obama",
        duration_s=1.0,
        audio=True,
        face_width=0.42,
        captions=(CaptionSpec("POV: you finally wake up at 6am", 0.0, 1.0, y_frac=0.12),),
    )
    make_clip(spec, clip)
    photo = save_photo("biden", tmp_path / "biden.jpg")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMIXER_")}
    env["REMIXER_DATA_DIR"] = str(tmp_path / "data")
    out = tmp_path / "out.mp4"
    args = ["--face", photo, "-o", out, "--voice", "warm", "--app-name", "FitNow"]
    args += ["--banned", "wake up", "--keyword", "morning routine"]
    command = [sys.executable, "-m", "remixer.cli.main", "remix", clip, *args]
    done = subprocess.run(
        [str(a) for a in command], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["copyProvider"] == "offline"
    [overlay] = summary["overlays"]
    assert find_banned(overlay["text"], ["wake up"]) is None, overlay["text"]
    assert "6am" in overlay["text"] and overlay["text"] != overlay["sourceText"]
