"""Secrets and data at rest: data dir 0700; databases (with their WAL/SHM), the signing key
and media 0600 from creation, whatever the umask; short signing secrets refused."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from remixer.blobs.store import LocalBlobStore
from remixer.bootstrap import build_components
from remixer.config import Settings
from remixer.files import write_private
from remixer.workflows.names import use_wal_for_sqlite


class _NoScheduler:
    def enqueue(self, job_id: str, kind: str) -> None:
        return None

    def cancel(self, job_id: str) -> None:
        return None


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run with umask 000: every mode below must come from the code, not the umask."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_everything_at_rest_is_private_even_with_an_open_umask(
    tmp_path: Path, open_umask: None
) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    components = build_components(settings, scheduler=_NoScheduler())
    try:
        data = tmp_path / "data"
        assert mode(data) == 0o700
        key = settings.signing_key()
        assert len(key) == 64 and mode(data / "signing.key") == 0o600
        with components.engine.connect() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS t (x)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.commit()
            db = data / "remixer.sqlite3"
            wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
            assert wal.exists() and shm.exists()
            assert (mode(db), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
        source = tmp_path / "upload.bin"
        source.write_bytes(b"hello")
        blob = components.blobs.put_file(source, ".jpg")
        stored = components.blobs.path_of(blob)
        assert mode(stored) == 0o600 and mode(stored.parent) == 0o700
        assert mode(settings.media_dir) == 0o700
        assert [p.name for p in stored.parent.iterdir()] == [stored.name], "no temp left over"
        dbos_url = f"sqlite:///{data / 'dbos.sqlite3'}"
        use_wal_for_sqlite(dbos_url)
        assert mode(data / "dbos.sqlite3") == 0o600
    finally:
        components.engine.dispose()


def test_existing_wide_folders_and_files_are_narrowed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    db = data / "remixer.sqlite3"
    db.touch()
    db.chmod(0o644)
    settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
    components = build_components(settings, scheduler=_NoScheduler())
    components.engine.dispose()
    assert mode(data) == 0o700 and mode(db) == 0o600
    media = LocalBlobStore(data / "media2")
    assert mode(media.root) == 0o700


def test_write_private_never_exposes_a_partial_or_wide_file(
    tmp_path: Path, open_umask: None
) -> None:
    dest = tmp_path / "secret"
    write_private(dest, b"s3cret")
    assert dest.read_bytes() == b"s3cret" and mode(dest) == 0o600
    write_private(dest, b"again")
    assert dest.read_bytes() == b"again" and [p.name for p in tmp_path.iterdir()] == ["secret"]


@pytest.mark.parametrize("secret", ["short", "x" * 31, "é" * 15])
def test_short_signing_secrets_are_refused_at_start_up(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(data_dir=tmp_path, signing_secret=secret, _env_file=None)  # type: ignore[call-arg]


def test_long_signing_secrets_are_used(tmp_path: Path) -> None:
    secret = "é" * 16  # 32 bytes
    settings = Settings(data_dir=tmp_path, signing_secret=secret, _env_file=None)  # type: ignore[call-arg]
    assert settings.signing_key() == secret.encode()
