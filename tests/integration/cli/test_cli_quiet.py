"""Library noise (DBOS banner, absl/TFLite, onnxruntime) never reaches an operator's console."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from remixer.observability.native import is_noise

REMIXER = str(Path(sys.executable).parent / "remixer")
NOISE_WORDS = (
    "Conductor",
    "console.dbos.dev",
    "TensorFlow Lite",
    "absl::InitializeLog",
    "inference_feedback_manager",
    "landmark_projection_calculator",
    ":onnxruntime:",
    "[    INFO] (dbos",
    "[debug ",
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "REMIXER_DATA_DIR": str(tmp_path / "data")}
    env.pop("REMIXER_DATABASE_URL", None)
    env.pop("REMIXER_LOG_LEVEL", None)
    return env


def _noise_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(w in line for w in NOISE_WORDS)]


def test_noise_patterns() -> None:
    assert is_noise(
        b"W0000 00:00:1796115466.691679   11419 inference_feedback_manager.cc:114] Feedback"
    )
    assert is_noise(b"I0000 00:00:1796115466.691679   11419 gl_context.cc:357] GL version")
    assert is_noise(b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.")
    assert is_noise(b"WARNING: All log messages before absl::InitializeLog() is called are")
    assert is_noise(
        b"2026-12-01 09:00:00.123456789 [W:onnxruntime:, graph.cc:4285 CleanUnusedInitializers]"
    )
    # Errors and our own lines pass through.
    assert not is_noise(b"E0000 00:00:1796115466.691679   11419 calculator.cc:1] broken")
    assert not is_noise(b"2026-12-01 09:00:00.123456789 [E:onnxruntime:, session.cc:1 Run] failed")
    assert not is_noise(b"remixer worker running; Ctrl-C to stop")


def test_filter_drops_native_lines_and_keeps_the_rest(tmp_path: Path) -> None:
    """C-level writes to fd 2 (how absl/TFLite/ORT print) are filtered; Python's stay."""
    code = textwrap.dedent(
        """
        import os, sys
        from remixer.observability.native import filter_native_stderr
        assert filter_native_stderr()
        os.write(2, b"W0000 00:00:1.5   7 inference_feedback_manager.cc:114] noise\\n")
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\\n")
        os.write(2, b"E0000 00:00:1.5   7 calculator.cc:9] a real native error\\n")
        print("python stderr line", file=sys.stderr)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "a real native error" in out.stderr
    assert "python stderr line" in out.stderr
    assert "noise" not in out.stderr and "TensorFlow" not in out.stderr


@pytest.mark.slow
def test_demo_prints_no_library_noise(tmp_path: Path) -> None:
    """The real `remixer demo` (≈ 25 s here): the DBOS worker, MediaPipe and OCR all run."""
    out = subprocess.run(
        [REMIXER, "demo", "--data-dir", str(tmp_path / "demo"), "-o", str(tmp_path / "o.mp4")],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert (tmp_path / "o.mp4").stat().st_size > 10_000
    assert _noise_in(out.stdout + out.stderr) == []
    assert "partner flow over HTTP" in out.stderr  # our own progress lines still show


def test_admin_command_prints_only_its_json(tmp_path: Path) -> None:
    out = subprocess.run(
        [REMIXER, "admin", "create-org", "--name", "Quiet"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith("{") and out.stdout.strip().endswith("}")
    assert _noise_in(out.stderr) == []
