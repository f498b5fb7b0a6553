"""The pipeline's one exception type, carrying a stable code callers can branch on."""

from __future__ import annotations

from typing import Literal

PipelineCode = Literal[
    "SOURCE_INVALID",
    "SOURCE_UNAVAILABLE",
    "NO_FACE_FOUND",
    "ADAPTATION_FAILED",
    "REFERENCE_PHOTOS_INVALID",
    "CANCELED",
    "INTERNAL",
]


class PipelineError(Exception):
    """A media failure with a stable `code` and a message fit for people."""

    def __init__(self, code: PipelineCode, message: str, details: dict[str, object] | None = None):
        super().__init__(message)
        self.code: PipelineCode = code
        self.message = message
        self.details: dict[str, object] = details or {}


class PipelineCanceled(PipelineError):  # noqa: N818 - reads as the event, like KeyboardInterrupt
    """Raised from a frame loop when the caller's cancel check says stop."""

    def __init__(self, message: str = "Canceled.") -> None:
        super().__init__("CANCELED", message)
