"""Opaque list cursors: base64url JSON, validated on the way back in."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from remixer.domain.errors import validation
from remixer.domain.time import iso, parse_iso
from remixer.services.bodies import loads_bounded


def encode_cursor(payload: dict[str, str]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, str] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = loads_bounded(base64.urlsafe_b64decode(padded.encode("utf-8", "replace")))
    except ValueError as exc:  # bad base64, bad JSON, NUL or lone surrogates in strings
        raise validation("query.cursor", "invalid cursor") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise validation("query.cursor", "invalid cursor")
    return data


def encode_time_cursor(created: datetime, row_id: str) -> str:
    return encode_cursor({"t": iso(created) or "", "id": row_id})


def decode_time_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    data = decode_cursor(cursor)
    if data is None:
        return None
    try:
        return parse_iso(data["t"]), data["id"]
    except (KeyError, ValueError) as exc:
        raise validation("query.cursor", "invalid cursor") from exc


def decode_id_cursor(cursor: str | None) -> str | None:
    data = decode_cursor(cursor)
    if data is None:
        return None
    if "id" not in data:
        raise validation("query.cursor", "invalid cursor")
    return data["id"]


class _Row(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...


class _IdRow(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_IdRow)
T = TypeVar("T", bound=_Row)


def id_page(rows: Sequence[R], limit: int, view: Callable[[R], dict[str, Any]]) -> dict[str, Any]:
    """A list response from `limit + 1` rows ordered by id (the extra row means more)."""
    nxt = encode_cursor({"id": rows[limit - 1].id}) if len(rows) > limit else None
    return {"items": [view(r) for r in rows[:limit]], "nextCursor": nxt}


def time_page(rows: Sequence[T], limit: int, view: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """A list response from `limit + 1` rows ordered newest first."""
    last = rows[limit - 1] if len(rows) > limit else None
    nxt = encode_time_cursor(last.created_at, last.id) if last is not None else None
    return {"items": [view(r) for r in rows[:limit]], "nextCursor": nxt}
