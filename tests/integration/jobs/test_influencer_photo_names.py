"""The influencer job's failure message names photos by the `mediaId` the partner uploaded,
never by the internal blob file name (the real identity builder, on unreadable photos,
which it rejects before any model runs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from remixer.blobs.store import LocalBlobStore
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import StageHooks
from remixer.workflows import influencer


class _Models:
    def get(self, name: str, loader: Any) -> object:
        return object()


@dataclass
class _Runtime:
    blobs: LocalBlobStore
    models: _Models


def test_failure_message_names_photos_by_media_id(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path / "media")
    photos = []
    for n, media_id in enumerate(
        ["med_01HXA1NHKJZXPV8R7Q6WSM5BC1", "med_01HXA1NHKJZXPV8R7Q6WSM5BC2"]
    ):
        src = tmp_path / f"p{n}.jpg"
        src.write_bytes(b"not an image %d" % n)
        photos.append({"mediaId": media_id, "blobKey": blobs.put_file(src, ".jpg")})
    job = SimpleNamespace(id="job_x", state={"checking_photos": {"photos": photos}})
    hooks = StageHooks(progress=lambda f: None, check_cancel=lambda: None)
    with pytest.raises(PipelineError) as info:
        influencer.build_identity(_Runtime(blobs, _Models()), job, hooks)  # type: ignore[arg-type]
    message = info.value.message
    assert info.value.code == "REFERENCE_PHOTOS_INVALID"
    assert "photo 1 (med_01HXA1NHKJZXPV8R7Q6WSM5BC1)" in message
    assert "photo 2 (med_01HXA1NHKJZXPV8R7Q6WSM5BC2)" in message
    for photo in photos:
        blob_name = Path(photo["blobKey"]).name
        assert blob_name not in message and blob_name[:6] not in message
    assert "sha256" not in message and str(tmp_path) not in message
