"""Streaming multipart uploads: the `file` part goes straight to a 0600 temporary file.

Unlike `Request.form()`, which spools the whole body before anyone can look at it,
this parser counts the file's bytes as they arrive and stops reading with `413` the
moment they pass the limit. Other parts are ignored (at most `MAX_PARTS`, each at most
`MAX_FIELD_BYTES`); a malformed body is `422 VALIDATION`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from remixer.domain.errors import ErrorCode, RemixerError, validation

MAX_PARTS = 5
MAX_FIELD_BYTES = 64 * 1024


def _too_large(limit: int) -> RemixerError:
    return RemixerError(
        ErrorCode.PAYLOAD_TOO_LARGE, "The upload is larger than allowed.", {"limit": limit}
    )


def _malformed(reason: str) -> RemixerError:
    return validation("body", f"malformed multipart body: {reason}")


class _FilePart:
    """Parser callbacks that keep the first part named `field` and count every byte."""

    def __init__(self, out: IO[bytes], field: str, limit: int) -> None:
        self.out = out
        self.field = field.encode()
        self.limit = limit
        self.parts = 0
        self.found = False
        self.done = False
        self._header = b""
        self._value = b""
        self._disposition = b""
        self._current = False
        self._size = 0

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _malformed("too many parts")
        self._disposition, self._current, self._size = b"", False, 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        if self._header.lower() == b"content-disposition":
            self._disposition = self._value
        self._header, self._value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._current = options.get(b"name") == self.field and not self.found

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._size += end - start
        if self._current:
            if self._size > self.limit:
                raise _too_large(self.limit)
            self.out.write(data[start:end])
        elif self._size > MAX_FIELD_BYTES:
            raise _malformed("a non-file part is too large")

    def on_part_end(self) -> None:
        if self._current:
            self.found, self._current = True, False

    def on_end(self) -> None:
        self.done = True


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise RemixerError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Upload with multipart/form-data and a `file` field."
        )
    if len(boundary) > 200:
        raise _malformed("boundary too long")
    return boundary


def require_multipart(request: Request) -> bytes:
    """The multipart boundary, or 415 (checked before any byte of the body is read)."""
    return _boundary(request.headers.get("content-type", ""))


async def spool_file_part(
    request: Request, boundary: bytes, limit: int, field: str = "file"
) -> Path:
    """Stream the body, writing part `field` to a 0600 temp file; its path (caller deletes)."""
    fd, name = tempfile.mkstemp(suffix=".upload")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            part = _FilePart(out, field, limit)
            callbacks = {
                "on_part_begin": part.on_part_begin,
                "on_part_data": part.on_part_data,
                "on_part_end": part.on_part_end,
                "on_header_field": part.on_header_field,
                "on_header_value": part.on_header_value,
                "on_header_end": part.on_header_end,
                "on_headers_finished": part.on_headers_finished,
                "on_end": part.on_end,
            }
            parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
            try:
                async for chunk in request.stream():
                    parser.write(chunk)
                parser.finalize()
            except MultipartParseError as exc:
                raise _malformed("unparseable") from exc
        if not part.found:
            raise validation("body.file", "a file field named `file` is required")
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return path
