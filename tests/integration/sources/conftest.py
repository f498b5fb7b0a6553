"""Fixtures for source tests: real SQLite catalog, local blob store, small generated videos."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from remixer.blobs.store import LocalBlobStore
from remixer.pipeline.video import VideoWriter
from remixer.store.engine import make_engine, make_session_factory
from remixer.store.tables.catalog import CatalogItem
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

VideoMaker = Callable[..., Path]


def make_video(
    path: Path, *, shade: int = 40, frames: int = 4, size: tuple[int, int] = (64, 112)
) -> Path:
    """A tiny real H.264 MP4; `shade` changes the pixels (and so the checksum)."""
    width, height = size
    writer = VideoWriter(path, width, height, Fraction(12))
    for n in range(frames):
        frame = np.full((height, width, 3), (shade + 10 * n) % 256, dtype=np.uint8)
        writer.write(frame)
    writer.close()
    return path


def write_pair(folder: Path, name: str, sidecar: dict[str, Any] | None, *, shade: int = 40) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    video = make_video(folder / f"{name}.mp4", shade=shade)
    if sidecar is not None:
        (folder / f"{name}.json").write_text(json.dumps(sidecar))
    return video


def create_catalog_table(engine: Engine) -> None:
    CatalogItem.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    create_catalog_table(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> UnitOfWorkFactory:
    sessions = make_session_factory(engine)
    return lambda: UnitOfWork(sessions)


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "media")


@pytest.fixture
def pair_maker() -> Callable[..., Path]:
    """`pair_maker(folder, name, sidecar_or_None, shade=...)` → the video path."""
    return write_pair
