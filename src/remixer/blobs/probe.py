"""The media-inspection port and its sandbox: uploaded bytes are probed in a child process.

The web process never imports PyAV or Pillow. `SandboxedInspector` runs
`python -m remixer.blobs.inspect` on the file, and that child caps its own CPU time
(`RLIMIT_CPU`) and address space (`RLIMIT_AS`) before it imports any decoder; the parent
kills it after a wall-clock limit. A child that dies, is killed or answers nonsense is a
`ProbeLimitError`: the upload is refused (415) and nothing is stored.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class UnsupportedMediaError(Exception):
    """The bytes are not an allowed image or video."""


class TooManyPixelsError(Exception):
    """An image over the pixel limit (decompression-bomb guard)."""


class ProbeLimitError(UnsupportedMediaError):
    """The probe ran out of CPU time, memory or wall-clock time, or crashed."""


@dataclass(frozen=True)
class MediaFacts:
    kind: str
    mime_type: str
    width: int
    height: int
    duration_ms: int | None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "mimeType": self.mime_type,
            "width": self.width,
            "height": self.height,
            "durationMs": self.duration_ms,
        }


class MediaInspector(Protocol):
    """Decides what a file is from its bytes; raises the errors above."""

    def inspect(self, path: Path, max_pixels: int) -> MediaFacts: ...


@dataclass(frozen=True)
class ProbeLimits:
    cpu_s: int = 10
    memory_bytes: int = 1024 * 1024 * 1024
    wall_s: float = 20.0


def _facts(data: object) -> MediaFacts:
    if not isinstance(data, dict):
        raise ProbeLimitError("probe answered no object")
    kind, mime = data.get("kind"), data.get("mimeType")
    width, height, duration = data.get("width"), data.get("height"), data.get("durationMs")
    if not (isinstance(kind, str) and isinstance(mime, str)):
        raise ProbeLimitError("probe answered no type")
    if not (isinstance(width, int) and isinstance(height, int)):
        raise ProbeLimitError("probe answered no size")
    if duration is not None and not isinstance(duration, int):
        raise ProbeLimitError("probe answered a bad duration")
    return MediaFacts(kind, mime, width, height, duration)


@dataclass(frozen=True)
class SandboxedInspector:
    """`MediaInspector` over a child process with CPU, memory and wall-clock limits."""

    limits: ProbeLimits = ProbeLimits()

    def command(self, path: Path, max_pixels: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "remixer.blobs.inspect",
            str(path),
            str(max_pixels),
            str(self.limits.cpu_s),
            str(self.limits.memory_bytes),
        ]

    def inspect(self, path: Path, max_pixels: int) -> MediaFacts:
        proc = subprocess.Popen(
            self.command(path, max_pixels),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            out, _ = proc.communicate(timeout=self.limits.wall_s)
        except subprocess.TimeoutExpired as exc:
            _kill(proc)
            raise ProbeLimitError("probe exceeded its wall-clock limit") from exc
        if proc.returncode != 0:
            raise ProbeLimitError(f"probe exited with {proc.returncode}")
        try:
            answer = json.loads(out)
        except ValueError as exc:
            raise ProbeLimitError("probe answered no JSON") from exc
        error = answer.get("error") if isinstance(answer, dict) else None
        if error == "too_many_pixels":
            raise TooManyPixelsError("image over the pixel limit")
        if error is not None:
            raise UnsupportedMediaError(str(error))
        return _facts(answer.get("facts") if isinstance(answer, dict) else None)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
