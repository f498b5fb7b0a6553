"""The `BlobStore` port and the local-folder implementation (the embedded default)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from remixer.files import copy_private, private_dir


class BlobStore(Protocol):
    """Stores immutable files under content-addressed keys (`sha256/<hex>.<ext>`)."""

    def put_file(self, source: Path, suffix: str) -> str: ...

    def path_of(self, key: str) -> Path: ...

    def exists(self, key: str) -> bool: ...


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class LocalBlobStore:
    """A folder on this machine (mode 0700); keys map to files below `root` (mode 0600,
    written to a temporary name and renamed, so a reader never sees half a file)."""

    def __init__(self, root: Path) -> None:
        self.root = private_dir(root)

    def put_file(self, source: Path, suffix: str) -> str:
        digest = sha256_of(source)
        key = f"sha256/{digest[:2]}/{digest}{suffix}"
        dest = self.path_of(key)
        if not dest.exists():
            private_dir(dest.parent)
            copy_private(source, dest)
        return key

    def path_of(self, key: str) -> Path:
        if ".." in key.split("/") or key.startswith("/"):
            raise ValueError("invalid blob key")
        return self.root / key

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()
