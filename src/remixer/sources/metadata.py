"""Source metadata as plain data, and the validation of sidecar JSON (SPEC §7.1).

A sidecar is a JSON object; only `tiktokVideoId` is required. Everything else is
checked for type and range so the catalog never holds half-valid rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from remixer.sources.errors import SourceError

TIKTOK_ID_RE = re.compile(r"[0-9]{15,21}")
SOURCE_KINDS = ("video", "slideshow")
STAT_NAMES = ("views", "likes", "comments", "shares")
KNOWN_FIELDS = frozenset(
    {"tiktokVideoId", "kind", "caption", "author", "hashtags", "language", "postedAt", "stats"}
)
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
MAX_CAPTION = 4000
MAX_HASHTAGS = 100


@dataclass(frozen=True)
class SourceStats:
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0

    def to_dict(self) -> dict[str, int]:
        return {n: getattr(self, n) for n in STAT_NAMES}


@dataclass(frozen=True)
class SourceMetadata:
    """What the catalog knows about a post besides its video file."""

    tiktok_id: str
    kind: str = "video"
    caption: str = ""
    author: str | None = None
    hashtags: tuple[str, ...] = ()
    language: str | None = None
    posted_at: datetime | None = None
    stats: SourceStats = field(default_factory=SourceStats)


@dataclass(frozen=True)
class FetchedSource:
    """A video file a provider downloaded (into a caller-owned folder) and the post's metadata."""

    path: Path
    metadata: SourceMetadata


def is_language_tag(value: object) -> bool:
    return isinstance(value, str) and _LANGUAGE_RE.fullmatch(value) is not None


def is_valid_tiktok_id(value: object) -> bool:
    """A TikTok post id: a string of 15–21 digits."""
    return isinstance(value, str) and TIKTOK_ID_RE.fullmatch(value) is not None


def require_tiktok_id(value: object) -> str:
    if not is_valid_tiktok_id(value):
        raise SourceError("INVALID_TIKTOK_ID", "tiktokVideoId must be a string of 15-21 digits.")
    return str(value)


def normalize_hashtag(tag: str) -> str:
    return tag.strip().lstrip("#").lower()


def parse_sidecar(data: Any) -> SourceMetadata:
    """Validate a decoded sidecar; raise `SourceError` naming the first bad field."""
    if not isinstance(data, dict):
        raise SourceError("SOURCE_INVALID", "sidecar must be a JSON object")
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise SourceError("SOURCE_INVALID", f"unknown sidecar field(s): {', '.join(unknown)}")
    kind = data.get("kind", "video")
    if kind not in SOURCE_KINDS:
        raise SourceError("SOURCE_INVALID", "kind must be 'video' or 'slideshow'")
    return SourceMetadata(
        tiktok_id=require_tiktok_id(data.get("tiktokVideoId")),
        kind=kind,
        caption=_optional_str(data, "caption", MAX_CAPTION) or "",
        author=_optional_str(data, "author", 255),
        hashtags=_hashtags(data.get("hashtags", [])),
        language=_language(data.get("language")),
        posted_at=_posted_at(data.get("postedAt")),
        stats=_stats(data.get("stats", {})),
    )


def _optional_str(data: dict[str, Any], name: str, max_len: int) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceError("SOURCE_INVALID", f"{name} must be a string")
    if len(value) > max_len:
        raise SourceError("SOURCE_INVALID", f"{name} is longer than {max_len} characters")
    return value


def _hashtags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise SourceError("SOURCE_INVALID", "hashtags must be a list of strings")
    if len(value) > MAX_HASHTAGS:
        raise SourceError("SOURCE_INVALID", f"more than {MAX_HASHTAGS} hashtags")
    tags = [normalize_hashtag(t) for t in value]
    if any(not t or len(t) > 100 or any(c.isspace() for c in t) for t in tags):
        raise SourceError("SOURCE_INVALID", "hashtags must be non-empty words of 100 chars or less")
    return tuple(dict.fromkeys(tags))


def _language(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not is_language_tag(value):
        raise SourceError("SOURCE_INVALID", "language must be a BCP 47 tag such as 'en' or 'pt-BR'")
    return value


def _posted_at(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceError("SOURCE_INVALID", "postedAt must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SourceError("SOURCE_INVALID", "postedAt must be an ISO 8601 timestamp") from exc
    if parsed.tzinfo is None:
        raise SourceError("SOURCE_INVALID", "postedAt must carry a time zone (e.g. 'Z')")
    return parsed.astimezone(UTC)


def _stats(value: Any) -> SourceStats:
    if not isinstance(value, dict):
        raise SourceError("SOURCE_INVALID", "stats must be an object")
    unknown = sorted(set(value) - set(STAT_NAMES))
    if unknown:
        raise SourceError("SOURCE_INVALID", f"unknown stats field(s): {', '.join(unknown)}")
    counts: dict[str, int] = {}
    for name in STAT_NAMES:
        count = value.get(name, 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SourceError("SOURCE_INVALID", f"stats.{name} must be a non-negative integer")
        counts[name] = count
    return SourceStats(**counts)
