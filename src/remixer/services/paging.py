"""Opaque list cursors: base64url JSON, validated on the way back in."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from remixer.domain.errors import validation
from remixer.domain.time import iso, parse_iso


def encode_cursor(payload: dict[str, str]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, str] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
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


def page_by_id(rows: list[object], limit: int, last_id: str | None) -> str | None:
    return encode_cursor({"id": last_id}) if len(rows) > limit and last_id else None
