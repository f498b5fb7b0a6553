"""The sources' one exception type, with the stable codes callers map onto API and job errors.

`INVALID_TIKTOK_ID`: the id is malformed, or no configured source can resolve it (accept time).
`SOURCE_UNAVAILABLE`: a fetch failed (network, removed or private video, provider switched off).
`SOURCE_INVALID`: the file or its metadata is not acceptable (not a decodable video, bad sidecar).
"""

from __future__ import annotations

from typing import Literal

SourceErrorCode = Literal["INVALID_TIKTOK_ID", "SOURCE_UNAVAILABLE", "SOURCE_INVALID"]


class SourceError(Exception):
    """A source failure with a stable `code` and a message fit for people (no paths, no secrets)."""

    def __init__(self, code: SourceErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: SourceErrorCode = code
        self.message = message

    def __repr__(self) -> str:
        return f"SourceError({self.code!r}, {self.message!r})"
