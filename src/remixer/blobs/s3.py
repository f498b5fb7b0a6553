"""`S3BlobStore`: the blob port on any S3-compatible object store (AWS S3, MinIO, Ceph, moto).

Objects live at `<prefix>/<content key>` in one bucket, so a key means the same bytes on
every machine. Uploads stream from disk through boto3's transfer manager, in parts of
`part_size` bytes above that size (S3 multipart). Reads download into a local
read-through cache: keys are content-addressed and never rewritten, so a cached file is
never stale; the cache is trimmed, least recently used first, to `cache_max_bytes`
(files being read through `local_copy` in this process are kept). Browsers get
pre-signed GET URLs of the store itself (range requests are the store's own).
"""

from __future__ import annotations

import logging
import mimetypes
import os
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from remixer.blobs.store import check_key, content_key

log = logging.getLogger(__name__)

PART_SIZE = 8 * 1024 * 1024
_MIME = {".mp4": "video/mp4", ".webm": "video/webm", ".npz": "application/octet-stream"}


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        """`s3://bucket/optional/prefix` → bucket and prefix (no leading/trailing slash)."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"not an s3://bucket/prefix URL: {url!r}")
        return cls(parts.netloc, parts.path.strip("/"))

    def object_key(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key


def s3_client(endpoint_url: str | None) -> Any:
    """A client from the standard AWS chain (AWS_ACCESS_KEY_ID, AWS_REGION, profiles, roles).

    A custom endpoint (MinIO, moto) gets path-style addressing, which they all accept.
    """
    addressing = "path" if endpoint_url else "auto"
    config = Config(signature_version="s3v4", s3={"addressing_style": addressing})
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url, region_name=region, config=config
    )


def _is_missing(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class S3BlobStore:
    """Content-addressed blobs in an S3 bucket, with a local read-through cache."""

    def __init__(
        self,
        location: S3Location,
        client: Any,
        cache_dir: Path,
        *,
        presign_client: Any | None = None,
        cache_max_bytes: int = 5 * 1024**3,
        part_size: int = PART_SIZE,
    ) -> None:
        self.location = location
        self._client = client
        self._presign = presign_client or client
        self.cache_dir = cache_dir
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._cache_max = cache_max_bytes
        self._transfer = TransferConfig(
            multipart_threshold=part_size, multipart_chunksize=part_size, max_concurrency=4
        )
        self._in_use: Counter[Path] = Counter()
        self._lock = threading.Lock()

    def put_file(self, source: Path, suffix: str) -> str:
        key = content_key(source, suffix)
        if not self.exists(key):
            mime = _MIME.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0]
            extra = {"ContentType": mime} if mime else {}
            self._client.upload_file(
                str(source),
                self.location.bucket,
                self.location.object_key(key),
                ExtraArgs=extra,
                Config=self._transfer,
            )
        self._cache_from(source, key)
        return key

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self.location.bucket, Key=self.location.object_key(key))
        except ClientError as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """The cached copy, downloaded first when this machine has not read the key yet."""
        cached = self.cache_dir / check_key(key)
        with self._lock:
            self._in_use[cached] += 1
        try:
            if not cached.is_file():
                self._download(key, cached)
            else:
                os.utime(cached)
            yield cached
        finally:
            with self._lock:
                self._in_use[cached] -= 1
                if self._in_use[cached] <= 0:
                    del self._in_use[cached]

    def presigned_url(self, key: str, ttl_s: int, mime_type: str | None = None) -> str | None:
        params: dict[str, str] = {
            "Bucket": self.location.bucket,
            "Key": self.location.object_key(key),
        }
        if mime_type:
            params["ResponseContentType"] = mime_type
        url: str = self._presign.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=ttl_s
        )
        return url

    def _download(self, key: str, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
        os.close(fd)
        try:
            self._client.download_file(
                self.location.bucket, self.location.object_key(key), tmp, Config=self._transfer
            )
        except ClientError as exc:
            Path(tmp).unlink(missing_ok=True)
            if _is_missing(exc):
                raise FileNotFoundError(key) from exc
            raise
        Path(tmp).replace(dest)
        self._trim()

    def _cache_from(self, source: Path, key: str) -> None:
        dest = self.cache_dir / key
        if dest.is_file():
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
        os.close(fd)
        shutil.copyfile(source, tmp)
        Path(tmp).replace(dest)
        self._trim()

    def _trim(self) -> None:
        """Evict the least recently used files until the cache fits; files a `local_copy`
        of this process is reading are kept."""
        files = [p for p in self.cache_dir.rglob("*") if p.is_file() and p.suffix != ".part"]
        stats = [(p.stat().st_mtime, p.stat().st_size, p) for p in files]
        total = sum(size for _, size, _ in stats)
        for _, size, path in sorted(stats):
            if total <= self._cache_max:
                break
            with self._lock:
                if path in self._in_use:
                    continue
                path.unlink(missing_ok=True)
            total -= size
            log.debug("blob cache: evicted %s", path.name)
