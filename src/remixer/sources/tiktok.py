"""TikTok provider on yt-dlp (used as a library): fetch a public post's video and metadata.

The URL template is injectable so tests can point yt-dlp's generic extractor at a
local HTTP server; in production it is TikTok's canonical video URL. Every yt-dlp
failure becomes `SourceError("SOURCE_UNAVAILABLE", ...)` with a short message.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yt_dlp
from yt_dlp.utils import YoutubeDLError

from remixer.sources.errors import SourceError
from remixer.sources.metadata import (
    MAX_CAPTION,
    MAX_HASHTAGS,
    FetchedSource,
    SourceMetadata,
    SourceStats,
    is_language_tag,
    normalize_hashtag,
    require_tiktok_id,
)

DEFAULT_URL_TEMPLATE = "https://www.tiktok.com/@_/video/{id}"
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
_HASHTAG_RE = re.compile(r"#(\w{1,100})")
_CHECK_TTL_S = 600.0


class _SilentLogger:
    """yt-dlp reports through this instead of printing to our stdout (which carries JSON)."""

    def debug(self, msg: str) -> None:
        return None

    def info(self, msg: str) -> None:
        return None

    def warning(self, msg: str) -> None:
        return None

    def error(self, msg: str) -> None:
        return None


class TikTokProvider:
    """Fetch by id through yt-dlp; `can_fetch` asks yt-dlp for metadata only (cached)."""

    name = "tiktok"

    def __init__(
        self,
        *,
        url_template: str = DEFAULT_URL_TEMPLATE,
        timeout_s: float = 30.0,
        check_online: bool = True,
    ) -> None:
        if "{id}" not in url_template:
            raise ValueError("url_template must contain '{id}'")
        self.url_template = url_template
        self.timeout_s = timeout_s
        self.check_online = check_online
        self._checked: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def url_for(self, tiktok_id: str) -> str:
        return self.url_template.format(id=require_tiktok_id(tiktok_id))

    def can_fetch(self, tiktok_id: str) -> bool:
        """Whether the post exists and is public; without `check_online`, any well-formed id."""
        url = self.url_for(tiktok_id)
        if not self.check_online:
            return True
        now = time.monotonic()
        with self._lock:
            hit = self._checked.get(tiktok_id)
        if hit is not None and now - hit[0] < _CHECK_TTL_S:
            return hit[1]
        try:
            self._extract(url, download=False, dest_dir=None)
            ok = True
        except SourceError:
            ok = False
        with self._lock:
            self._checked[tiktok_id] = (now, ok)
        return ok

    def fetch(self, tiktok_id: str, dest_dir: Path) -> FetchedSource:
        """Download the post's video into `dest_dir` and read its metadata."""
        info = self._extract(self.url_for(tiktok_id), download=True, dest_dir=dest_dir)
        path = _downloaded_path(info)
        if path is None or not path.is_file():
            raise SourceError("SOURCE_UNAVAILABLE", f"TikTok video {tiktok_id}: no file downloaded")
        return FetchedSource(path=path, metadata=metadata_from_info(tiktok_id, info))

    def _extract(self, url: str, *, download: bool, dest_dir: Path | None) -> dict[str, Any]:
        options: dict[str, Any] = {
            "quiet": True,
            "no_warnings": True,
            "noprogress": True,
            "noplaylist": True,
            "logger": _SilentLogger(),
            "socket_timeout": self.timeout_s,
            "retries": 1,
            "format": "best[vcodec^=h264]/best[ext=mp4]/best",
        }
        if dest_dir is not None:
            options["outtmpl"] = str(dest_dir / "source.%(ext)s")
            options["paths"] = {"home": str(dest_dir), "temp": str(dest_dir)}
        try:
            with yt_dlp.YoutubeDL(options) as ydl:
                info = ydl.extract_info(url, download=download)
        except (YoutubeDLError, OSError) as exc:
            raise SourceError("SOURCE_UNAVAILABLE", _describe(exc)) from exc
        if not isinstance(info, dict):
            raise SourceError("SOURCE_UNAVAILABLE", "The source returned no video information.")
        if info.get("vcodec") == "none":
            raise SourceError("SOURCE_UNAVAILABLE", "The post has no video stream (slideshow?).")
        return info


def _downloaded_path(info: dict[str, Any]) -> Path | None:
    for item in info.get("requested_downloads") or []:
        filepath = item.get("filepath")
        if filepath:
            return Path(filepath)
    filename = info.get("filepath") or info.get("_filename")
    return Path(filename) if filename else None


def _describe(exc: BaseException) -> str:
    text = _ANSI_RE.sub("", str(exc)).strip()
    text = text.removeprefix("ERROR:").strip()
    text = text.split(";")[0].strip()
    if not text:
        text = type(exc).__name__
    return f"The source video could not be fetched: {text[:300]}"


def metadata_from_info(tiktok_id: str, info: dict[str, Any]) -> SourceMetadata:
    """Map a yt-dlp info dict onto catalog metadata, keeping only well-typed values."""
    caption = _text(info.get("description")) or _text(info.get("title")) or ""
    tags = [t for t in info.get("tags") or [] if isinstance(t, str)]
    tags += _HASHTAG_RE.findall(caption)
    hashtags = tuple(dict.fromkeys(h for h in map(normalize_hashtag, tags) if h))[:MAX_HASHTAGS]
    author = _text(info.get("uploader")) or _text(info.get("channel"))
    if author and not author.startswith("@"):
        author = "@" + author
    timestamp = info.get("timestamp")
    posted_at = (
        datetime.fromtimestamp(timestamp, UTC) if isinstance(timestamp, int | float) else None
    )
    language = info.get("language")
    return SourceMetadata(
        tiktok_id=tiktok_id,
        kind="video",
        caption=caption[:MAX_CAPTION],
        author=author[:255] if author else None,
        hashtags=hashtags,
        language=language if is_language_tag(language) else None,
        posted_at=posted_at,
        stats=SourceStats(
            views=_count(info.get("view_count")),
            likes=_count(info.get("like_count")),
            comments=_count(info.get("comment_count")),
            shares=_count(info.get("repost_count")),
        ),
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
