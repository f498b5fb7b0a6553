"""Private files at rest: folders `0700`, files `0600` from the moment they exist.

Nothing here widens a mode after the fact: files are created with their final mode
(`os.open(..., 0o600)`, so the umask can only narrow it) under a temporary name and
renamed into place, and a secret is never written to a file someone else could
have opened first. Used for the data dir, the signing key, SQLite databases (whose
`-wal`/`-shm` files SQLite creates with the database file's mode) and media blobs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
_CHUNK = 1 << 20


def private_dir(path: Path) -> Path:
    """`path` (and missing parents) as a folder only the owner can enter."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def _temp_beside(dest: Path) -> tuple[int, Path]:
    for _ in range(100):
        tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {dest.name}")


def write_private(dest: Path, data: bytes) -> None:
    """Write `data` to `dest` atomically, mode 0600 from creation."""
    fd, tmp = _temp_beside(dest)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def copy_private(source: Path, dest: Path) -> None:
    """Copy `source` to `dest` atomically, mode 0600 from creation."""
    fd, tmp = _temp_beside(dest)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 if missing, or narrow an existing file to 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    if path.stat().st_mode & 0o777 != FILE_MODE:
        path.chmod(FILE_MODE)
    return path


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///` URL (None for memory databases and other dialects)."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    path = rest.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def private_sqlite(url: str) -> None:
    """Before the first connection: the database file exists, mode 0600, so SQLite gives
    its `-wal` and `-shm` files the same mode; existing side files are narrowed too."""
    path = sqlite_path(url)
    if path is None:
        return
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists() and side.stat().st_mode & 0o777 != FILE_MODE:
            side.chmod(FILE_MODE)
