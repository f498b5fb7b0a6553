"""The `BlobStore` port and the local-folder implementation (the embedded default)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Protocol


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
    """A folder on this machine; keys map to files below `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def put_file(self, source: Path, suffix: str) -> str:
        digest = sha256_of(source)
        key = f"sha256/{digest[:2]}/{digest}{suffix}"
        dest = self.path_of(key)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".part")
            shutil.copyfile(source, tmp)
            tmp.replace(dest)
        return key

    def path_of(self, key: str) -> Path:
        if ".." in key.split("/") or key.startswith("/"):
            raise ValueError("invalid blob key")
        return self.root / key

    def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()
