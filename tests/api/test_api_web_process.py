"""The web process stays light: importing the ASGI app loads no media stack and no job
engine (the probe runs in a child process; workflows load in the worker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FORBIDDEN = [
    "av",
    "cv2",
    "PIL",
    "onnxruntime",
    "mediapipe",
    "dlib",
    "remixer.pipeline",
    "remixer.blobs.inspect",
    "dbos",
    "remixer.workflows",
]

SRC = Path(__file__).resolve().parents[2] / "src"


def test_importing_the_asgi_app_loads_no_media_or_job_modules() -> None:
    code = (
        "import json, sys\n"
        "import remixer.api.app\n"
        f"bad = {FORBIDDEN!r}\n"
        "print(json.dumps(sorted(m for m in bad if m in sys.modules)))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
