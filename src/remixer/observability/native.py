"""Silence the native libraries' console chatter (MediaPipe/absl, TensorFlow Lite, onnxruntime).

Their C++ loggers write straight to file descriptor 2, so no Python logging setting reaches
them. `filter_native_stderr` points fd 2 at a pipe read by a thread that drops the known
noise lines (handing them to the `remixer.native` logger at debug level) and forwards
everything else to the real stderr. Python's own `sys.stderr` keeps writing to the
terminal directly, so progress bars still see a TTY.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import sys
import threading

log = logging.getLogger("remixer.native")

NOISE = re.compile(
    rb"^(?:"
    rb"[IW]\d{4} [\d:.]+\s+\d+ [\w.\-]+:\d+\]"  # absl / glog INFO and WARNING lines
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    rb"|INFO: Created TensorFlow Lite"  # TFLite's minimal logger
    rb"|INFO: Initialized TensorFlow Lite"
    rb"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[[VIW]:onnxruntime:"  # ORT below error
    rb")"
)

ENVIRONMENT = {
    "GLOG_minloglevel": "2",
    "TF_CPP_MIN_LOG_LEVEL": "3",
}

_installed = False


def quiet_environment() -> None:
    """Environment switches the native libraries read at load time (set before import)."""
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    logging.getLogger("absl").setLevel(logging.ERROR)


def is_noise(line: bytes) -> bool:
    return NOISE.match(line) is not None


def _pump(read_fd: int, out_fd: int) -> None:
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        pending = b""
        while chunk := pipe.read(65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                _forward(line, out_fd)
        if pending:
            _forward(pending, out_fd)


def _forward(line: bytes, out_fd: int) -> None:
    if is_noise(line):
        log.debug("native: %s", line.decode("utf-8", "replace"))
        return
    os.write(out_fd, line + b"\n")


def filter_native_stderr() -> bool:
    """Install the fd-2 filter once per process; False where stderr is not a real fd 2
    (pytest's capture, Typer's test runner), in which case nothing changes."""
    global _installed
    if _installed:
        return True
    try:
        if sys.stderr.fileno() != 2:
            return False
    except (AttributeError, OSError, ValueError):
        return False
    sys.stderr.flush()
    real = os.dup(2)
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, 2)
    os.close(write_fd)
    sys.stderr = os.fdopen(
        real, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False
    )
    thread = threading.Thread(target=_pump, args=(read_fd, real), name="stderr-filter", daemon=True)
    thread.start()

    def restore() -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os.dup2(real, 2)  # the pipe's last writer closes: the pump drains and ends
        thread.join(timeout=2)

    atexit.register(restore)
    _installed = True
    return True
