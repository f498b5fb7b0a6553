"""The `BlobStore` port and the local-folder implementation (the embedded default).

Callers never assume a shared disk: they read a blob through `local_copy(key)` (a path
valid inside the `with` block) and hand it to browsers through `presigned_url` when the
store can sign its own URLs (S3), else through the API's signed `/v1/media` route.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from remixer.files import copy_private, private_dir


class BlobStore(Protocol):
    """Stores immutable files under content-addressed keys (`sha256/<hex>.<ext>`)."""

    def put_file(self, source: Path, suffix: str) -> str: ...

    def exists(self, key: str) -> bool: ...

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        """A readable local file with the blob's bytes, valid inside the `with` block."""
        ...

    def presigned_url(self, key: str, ttl_s: int, mime_type: str | None = None) -> str | None:
        """A URL of the store itself that GETs the blob until `ttl_s` from now; None when
        the store cannot sign URLs (then the API's signed route serves the file)."""
        ...


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_key(source: Path, suffix: str) -> str:
    """The content-addressed key of a file: `sha256/<first two hex>/<hex><suffix>`."""
    digest = sha256_of(source)
    return f"sha256/{digest[:2]}/{digest}{suffix}"


def check_key(key: str) -> str:
    if ".." in key.split("/") or key.startswith("/"):
        raise ValueError("invalid blob key")
    return key


class LocalBlobStore:
    """A folder on this machine (mode 0700); keys map to files below `root` (mode 0600,
    written to a temporary name and renamed, so a reader never sees half a file)."""

    def __init__(self, root: Path) -> None:
        self.root = private_dir(root)

    def put_file(self, source: Path, suffix: str) -> str:
        key = content_key(source, suffix)
        dest = self.path_of(key)
        if not dest.exists():
            private_dir(dest.parent)
            copy_private(source, dest)
        return key

    def path_of(self, key: str) -> Path:
        """The stored file itself (local store only; callers go through `local_copy`)."""
        return self.root / check_key(key)

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """The stored file itself: no copy on one machine (readers must not write to it)."""
        path = self.path_of(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        yield path

    def presigned_url(self, key: str, ttl_s: int, mime_type: str | None = None) -> str | None:
        return None
