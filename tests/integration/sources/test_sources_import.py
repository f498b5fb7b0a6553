"""`import_sources` and `remixer sources import` on real files, a real SQLite store and blobs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from remixer.blobs.store import LocalBlobStore, sha256_of
from remixer.cli.sources import probe_source, sources_app, write_thumbnail
from remixer.services.sources import import_sources
from remixer.store.uow import UnitOfWorkFactory

PairMaker = Callable[..., Path]
ID_A, ID_B, ID_C = "7234567890123456789", "7234567890123456790", "123456789012345"


def sidecar(tiktok_id: str, **extra: Any) -> dict[str, Any]:
    return {"tiktokVideoId": tiktok_id, "caption": "home workout", "hashtags": ["fitness"], **extra}


def run(uow: UnitOfWorkFactory, blobs: LocalBlobStore, *paths: Path) -> Any:
    return import_sources(uow, blobs, list(paths), probe_source, thumbnail=write_thumbnail)


def test_import_stores_file_probe_thumbnail_and_metadata(
    tmp_path: Path, uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore, pair_maker: PairMaker
) -> None:
    video = pair_maker(tmp_path / "in", "a", sidecar(ID_A, stats={"views": 10, "likes": 2}))
    report = run(uow_factory, blobs, video)
    assert report.to_dict() == {"imported": [ID_A], "updated": [], "rejected": []}
    with uow_factory() as uow:
        record = uow.catalog.get(ID_A)
    assert record is not None
    assert record.checksum_sha256 == sha256_of(video)
    assert blobs.path_of(record.blob_key).read_bytes() == video.read_bytes()
    assert (record.probe["width"], record.probe["height"], record.probe["frame_count"]) == (
        64,
        112,
        4,
    )
    assert record.duration_ms == round(record.probe["duration_s"] * 1000) > 0
    assert record.thumbnail_key is not None
    assert blobs.path_of(record.thumbnail_key).read_bytes()[:2] == b"\xff\xd8"
    assert (record.caption, record.hashtags, record.views, record.likes) == (
        "home workout",
        ("fitness",),
        10,
        2,
    )


def test_reimport_is_a_no_op_and_changes_are_updates(
    tmp_path: Path, uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore, pair_maker: PairMaker
) -> None:
    folder = tmp_path / "in"
    pair_maker(folder, "a", sidecar(ID_A))
    pair_maker(folder, "b", sidecar(ID_B))
    assert sorted(run(uow_factory, blobs, folder).imported) == [ID_A, ID_B]
    again = run(uow_factory, blobs, folder)
    assert again.to_dict() == {"imported": [], "updated": [], "rejected": []}
    assert sorted(again.unchanged) == [ID_A, ID_B]

    (folder / "a.json").write_text(json.dumps(sidecar(ID_A, caption="new words")))
    pair_maker(folder, "b", sidecar(ID_B), shade=200)
    changed = run(uow_factory, blobs, folder)
    assert sorted(changed.updated) == [ID_A, ID_B] and changed.imported == []
    with uow_factory() as uow:
        a, b = uow.catalog.get(ID_A), uow.catalog.get(ID_B)
    assert a is not None and a.caption == "new words"
    assert b is not None and b.checksum_sha256 == sha256_of(folder / "b.mp4")


def test_every_bad_pair_is_rejected_with_a_reason(
    tmp_path: Path, uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore, pair_maker: PairMaker
) -> None:
    folder = tmp_path / "in"
    pair_maker(folder, "a_good", sidecar(ID_A))
    pair_maker(folder, "nosidecar", None)
    pair_maker(folder, "badid", {"tiktokVideoId": "12345"})
    pair_maker(folder, "badtypes", sidecar(ID_B, stats={"views": "lots"}))
    pair_maker(folder, "dupe", sidecar(ID_A))
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 this is not a video")
    (folder / "broken.json").write_text(json.dumps(sidecar(ID_C)))
    pair_maker(folder, "badjson", None)
    (folder / "badjson.json").write_text("{not json")
    (folder / "lonely.json").write_text(json.dumps(sidecar("7" * 19)))
    (folder / "notes.txt").write_text("ignored")
    report = run(uow_factory, blobs, folder, tmp_path / "missing.mp4", folder / "notes.txt")

    reasons = {Path(r.path).name: r.reason for r in report.rejected}
    assert report.imported == [ID_A]
    assert reasons["nosidecar.mp4"] == "missing sidecar nosidecar.json"
    assert "15-21 digits" in reasons["badid.mp4"]
    assert reasons["badtypes.mp4"] == "stats.views must be a non-negative integer"
    assert reasons["dupe.mp4"].startswith(f"tiktokVideoId {ID_A} also used by")
    assert reasons["broken.mp4"] == "The file is not a decodable video."
    assert reasons["badjson.mp4"].startswith("sidecar is not valid JSON")
    assert reasons["lonely.json"] == "sidecar without a video file"
    assert reasons["missing.mp4"] == "no such file or folder"
    assert reasons["notes.txt"].startswith("not a video file")
    assert len(report.rejected) == 9
    with uow_factory() as uow:
        assert uow.catalog.count() == 1


def test_progress_reports_each_file(
    tmp_path: Path, uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore, pair_maker: PairMaker
) -> None:
    folder = tmp_path / "in"
    pair_maker(folder, "a", sidecar(ID_A))
    pair_maker(folder, "b", sidecar(ID_B))
    calls: list[tuple[int, int]] = []
    import_sources(uow_factory, blobs, [folder], probe_source, lambda d, t: calls.append((d, t)))
    assert calls == [(0, 2), (1, 2), (2, 2)]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"REMIXER_DATA_DIR": str(tmp_path / "data"), "REMIXER_DATABASE_URL": ""}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return env


def test_cli_prints_one_json_object_and_exit_codes(
    tmp_path: Path, cli_env: dict[str, str], pair_maker: PairMaker
) -> None:
    folder = tmp_path / "in"
    pair_maker(folder, "a", sidecar(ID_A))
    runner = CliRunner()

    first = runner.invoke(sources_app, ["import", str(folder)])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"imported": [ID_A], "updated": [], "rejected": []}
    assert "imported 1" in first.stderr

    again = runner.invoke(sources_app, ["import", str(folder / "a.mp4")])
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {"imported": [], "updated": [], "rejected": []}
    assert "unchanged 1" in again.stderr

    pair_maker(folder, "b", None)
    bad = runner.invoke(sources_app, ["import", str(folder)])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["rejected"] == [
        {"path": str(folder / "b.mp4"), "reason": "missing sidecar b.json"}
    ]
    assert (tmp_path / "data" / "media" / "sha256").is_dir()


def test_cli_migrates_a_fresh_data_dir(
    tmp_path: Path, cli_env: dict[str, str], pair_maker: PairMaker
) -> None:
    pair_maker(tmp_path / "in", "a", sidecar(ID_A))
    result = CliRunner().invoke(sources_app, ["import", str(tmp_path / "in")])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["imported"] == [ID_A]
