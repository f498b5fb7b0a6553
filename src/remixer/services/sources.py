"""Source use cases: import video/sidecar pairs, resolve ids at accept time, fetch for a job.

The catalog (in the store) is always consulted first; providers (`remixer.sources`)
are tried after a miss, and whatever they fetch is added to the catalog. Probing and
thumbnails are media work, so they come in as callables (`ProbeFn`, `ThumbnailFn`)
from the composition root; a probe signals an undecodable file by raising
`SourceError("SOURCE_INVALID", ...)`.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from remixer.blobs.store import BlobStore, sha256_of
from remixer.sources.errors import SourceError
from remixer.sources.metadata import SourceMetadata, is_valid_tiktok_id, parse_sidecar
from remixer.sources.providers import SourceProvider
from remixer.store.repositories.catalog import SourceRecord
from remixer.store.uow import UnitOfWorkFactory

log = logging.getLogger("remixer.sources")

__all__ = [
    "VIDEO_SUFFIXES",
    "ImportReport",
    "ProbeFn",
    "ProgressFn",
    "Rejection",
    "SourceRecord",
    "ThumbnailFn",
    "fetch_source",
    "import_sources",
    "is_resolvable",
]

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm")
ProbeFn = Callable[[Path], dict[str, Any]]
ThumbnailFn = Callable[[Path, Path], None]
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Rejection:
    path: str
    reason: str


@dataclass
class ImportReport:
    """What one import did; `unchanged` (re-imported identical pairs) is not printed by the CLI."""

    imported: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "rejected": [{"path": r.path, "reason": r.reason} for r in self.rejected],
        }


def import_sources(
    uow_factory: UnitOfWorkFactory,
    blobs: BlobStore,
    paths: Sequence[Path],
    probe: ProbeFn,
    progress: ProgressFn | None = None,
    *,
    thumbnail: ThumbnailFn | None = None,
) -> ImportReport:
    """Import each video with its `NAME.json` sidecar (folders are searched recursively).

    One transaction per file, so one bad pair never blocks the rest. An identical
    re-import (same id, file checksum and metadata) is a no-op listed in `unchanged`.
    """
    report = ImportReport()
    videos = _collect(paths, report)
    seen: dict[str, Path] = {}
    if progress:
        progress(0, len(videos))
    for done, video in enumerate(videos, start=1):
        try:
            outcome, tiktok_id = _import_one(uow_factory, blobs, video, probe, thumbnail, seen)
            getattr(report, outcome).append(tiktok_id)
        except SourceError as exc:
            report.rejected.append(Rejection(str(video), exc.message))
        if progress:
            progress(done, len(videos))
    return report


def _collect(paths: Sequence[Path], report: ImportReport) -> list[Path]:
    """Video files to import; missing paths, lone sidecars and other types are rejected."""
    videos: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            videos += [p for p in files if p.suffix.lower() in VIDEO_SUFFIXES]
            for lone in (p for p in files if p.suffix.lower() == ".json"):
                if not any(lone.with_suffix(s).is_file() for s in _suffix_variants()):
                    report.rejected.append(Rejection(str(lone), "sidecar without a video file"))
        elif not path.is_file():
            report.rejected.append(Rejection(str(path), "no such file or folder"))
        elif path.suffix.lower() not in VIDEO_SUFFIXES:
            allowed = ", ".join(VIDEO_SUFFIXES)
            report.rejected.append(Rejection(str(path), f"not a video file ({allowed})"))
        else:
            videos.append(path)
    return list(dict.fromkeys(videos))


def _suffix_variants() -> list[str]:
    return [v for s in VIDEO_SUFFIXES for v in (s, s.upper())]


def _read_sidecar(video: Path) -> SourceMetadata:
    sidecar = video.with_suffix(".json")
    if not sidecar.is_file():
        raise SourceError("SOURCE_INVALID", f"missing sidecar {sidecar.name}")
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError("SOURCE_INVALID", f"sidecar is not valid JSON: {exc}") from exc
    return parse_sidecar(data)


def _import_one(
    uow_factory: UnitOfWorkFactory,
    blobs: BlobStore,
    video: Path,
    probe: ProbeFn,
    thumbnail: ThumbnailFn | None,
    seen: dict[str, Path],
) -> tuple[str, str]:
    meta = _read_sidecar(video)
    if meta.tiktok_id in seen:
        raise SourceError(
            "SOURCE_INVALID", f"tiktokVideoId {meta.tiktok_id} also used by {seen[meta.tiktok_id]}"
        )
    seen[meta.tiktok_id] = video
    checksum = sha256_of(video)
    with uow_factory() as uow:
        existing = uow.catalog.get(meta.tiktok_id)
    if existing is not None and _unchanged(existing, meta, checksum, blobs):
        return "unchanged", meta.tiktok_id
    record = _store_file(blobs, video, meta, probe, thumbnail, origin="import")
    with uow_factory() as uow:
        outcome = uow.catalog.save(record)
        uow.commit()
    return outcome, meta.tiktok_id


def _unchanged(
    existing: SourceRecord, meta: SourceMetadata, checksum: str, blobs: BlobStore
) -> bool:
    if existing.checksum_sha256 != checksum or not blobs.exists(existing.blob_key):
        return False
    candidate = _record_of(meta, existing.blob_key, checksum, existing.probe, None, "import")
    return existing.same_content(candidate)


def _store_file(
    blobs: BlobStore,
    video: Path,
    meta: SourceMetadata,
    probe: ProbeFn,
    thumbnail: ThumbnailFn | None,
    origin: str,
) -> SourceRecord:
    """Probe (rejecting undecodable files), then copy the video and its thumbnail into blobs."""
    info = probe(video)
    checksum = sha256_of(video)
    blob_key = blobs.put_file(video, video.suffix.lower())
    thumb_key = _thumbnail_key(blobs, video, thumbnail)
    return _record_of(meta, blob_key, checksum, info, thumb_key, origin)


def _thumbnail_key(blobs: BlobStore, video: Path, thumbnail: ThumbnailFn | None) -> str | None:
    if thumbnail is None:
        return None
    with tempfile.TemporaryDirectory(prefix="remixer-thumb-") as tmp:
        dest = Path(tmp) / "thumbnail.jpg"
        thumbnail(video, dest)
        return blobs.put_file(dest, ".jpg") if dest.is_file() else None


def _record_of(
    meta: SourceMetadata,
    blob_key: str,
    checksum: str,
    probe: dict[str, Any],
    thumbnail_key: str | None,
    origin: str,
) -> SourceRecord:
    duration_s = probe.get("duration_s")
    return SourceRecord(
        tiktok_id=meta.tiktok_id,
        blob_key=blob_key,
        checksum_sha256=checksum,
        probe=probe,
        kind=meta.kind,
        caption=meta.caption,
        author=meta.author,
        hashtags=meta.hashtags,
        language=meta.language,
        posted_at=meta.posted_at,
        duration_ms=round(duration_s * 1000) if isinstance(duration_s, int | float) else None,
        thumbnail_key=thumbnail_key,
        origin=origin,
        views=meta.stats.views,
        likes=meta.stats.likes,
        comments=meta.stats.comments,
        shares=meta.stats.shares,
    )


def is_resolvable(
    uow_factory: UnitOfWorkFactory, providers: Sequence[SourceProvider], tiktok_id: str
) -> bool:
    """Accept-time check: a well-formed id that is in the catalog or that a provider can fetch."""
    if not is_valid_tiktok_id(tiktok_id):
        return False
    with uow_factory() as uow:
        if uow.catalog.get(tiktok_id) is not None:
            return True
    return any(_can_fetch(p, tiktok_id) for p in providers)


def _can_fetch(provider: SourceProvider, tiktok_id: str) -> bool:
    try:
        return provider.can_fetch(tiktok_id)
    except SourceError:
        return False


def fetch_source(
    uow_factory: UnitOfWorkFactory,
    blobs: BlobStore,
    providers: Sequence[SourceProvider],
    tiktok_id: str,
    *,
    probe: ProbeFn | None = None,
    thumbnail: ThumbnailFn | None = None,
    organization_id: str | None = None,
) -> SourceRecord:
    """The catalog item for `tiktok_id`, fetching it through the providers on a miss.

    Raises `SourceError`: `INVALID_TIKTOK_ID` for a malformed id, `SOURCE_INVALID` when
    the fetched file does not probe, `SOURCE_UNAVAILABLE` when nothing could fetch it.
    Without `probe` the record's probe data stays empty (the job probes the file anyway).

    A fetched item belongs to `organization_id` (recommended to it alone); the messages
    name the `tiktokVideoId` and the provider, never a provider's error text (which can
    hold file paths): that goes to the log.
    """
    if not is_valid_tiktok_id(tiktok_id):
        raise SourceError("INVALID_TIKTOK_ID", "tiktokVideoId must be a string of 15-21 digits.")
    with uow_factory() as uow:
        record = uow.catalog.get(tiktok_id)
    if record is not None and blobs.exists(record.blob_key):
        return record
    failure = "is not in the source catalog and no fetching source is configured"
    for provider in providers:
        try:
            return _fetch_into_catalog(
                uow_factory, blobs, provider, tiktok_id, probe, thumbnail, organization_id
            )
        except SourceError as exc:
            log.warning("source %s: %s fetch failed: %s", tiktok_id, provider.name, exc.message)
            if exc.code == "SOURCE_INVALID":
                raise SourceError(
                    "SOURCE_INVALID",
                    f"Source video {tiktok_id} ({provider.name}) is not a decodable video.",
                ) from exc
            failure = f"could not be fetched ({provider.name})"
    raise SourceError("SOURCE_UNAVAILABLE", f"Source video {tiktok_id} {failure}.")


def _fetch_into_catalog(
    uow_factory: UnitOfWorkFactory,
    blobs: BlobStore,
    provider: SourceProvider,
    tiktok_id: str,
    probe: ProbeFn | None,
    thumbnail: ThumbnailFn | None,
    organization_id: str | None,
) -> SourceRecord:
    with tempfile.TemporaryDirectory(prefix="remixer-fetch-") as tmp:
        try:
            fetched = provider.fetch(tiktok_id, Path(tmp))
        except OSError as exc:
            raise SourceError("SOURCE_UNAVAILABLE", f"local I/O error: {exc}") from exc
        record = _store_file(
            blobs, fetched.path, fetched.metadata, probe or _no_probe, thumbnail, provider.name
        )
    record = replace(record, organization_id=organization_id)
    with uow_factory() as uow:
        uow.catalog.save(record)
        uow.commit()
    return record


def _no_probe(_path: Path) -> dict[str, Any]:
    return {}
