"""ONNX Runtime sessions for the neural face models: the execution providers (TensorRT or
CUDA when onnxruntime-gpu offers them, else CPU), logged with the ones a session really
got, and clear errors for a model file that is missing or cannot be loaded."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from remixer.pipeline.errors import PipelineError

log = logging.getLogger(__name__)

PREFERRED = ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider")


def select_providers(available: Sequence[str]) -> list[str]:
    """The providers to ask for, best first, among those this onnxruntime build offers
    (CPU always last, so a GPU provider that fails to initialise falls back to it)."""
    chosen = [p for p in PREFERRED if p in available and p != "CPUExecutionProvider"]
    return [*chosen, "CPUExecutionProvider"]


def model_file(path: Path, what: str) -> Path:
    """`path` if it names a readable file, else `PipelineError("INTERNAL")` saying which."""
    resolved = path.expanduser()
    if not resolved.is_file():
        raise PipelineError("INTERNAL", f"The {what} {resolved} does not exist or is not a file.")
    try:
        with resolved.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise PipelineError("INTERNAL", f"The {what} {resolved} cannot be read: {exc}.") from exc
    return resolved


def open_session(path: Path, what: str) -> Any:
    """An `InferenceSession` on the best available providers; logs which ones run."""
    import onnxruntime as ort

    resolved = model_file(path, what)
    providers = select_providers(ort.get_available_providers())
    try:
        session = ort.InferenceSession(str(resolved), providers=providers)
    except Exception as exc:
        raise PipelineError(
            "INTERNAL", f"The {what} {resolved} could not be loaded as an ONNX model: {exc}"
        ) from exc
    log.info("%s %s runs on %s", what, resolved.name, ", ".join(session.get_providers()))
    return session
