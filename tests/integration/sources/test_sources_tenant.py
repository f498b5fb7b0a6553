"""Fetched sources belong to the organization that fetched them; failures name the post.

An on-demand fetch is recommended only to its organization, the operator's imported
catalog to everyone; a provider's failure text (which can hold local paths) never
reaches the job's public message, which names the `tiktokVideoId` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from remixer.blobs.store import LocalBlobStore
from remixer.domain.brand import BrandContext, BrandProfile
from remixer.services.recommendations import IndexCache, recommend_sources
from remixer.services.sources import fetch_source, import_sources
from remixer.sources.errors import SourceError
from remixer.sources.metadata import FetchedSource, SourceMetadata
from remixer.store.repositories.catalog import SourceRecord
from remixer.store.uow import UnitOfWorkFactory

FETCHED, SHARED = "7300000000000000001", "7300000000000000002"
BRAND = BrandProfile(BrandContext(app_name="FitPulse", keywords=("fitness",)))
SECRET_PATH = "/srv/remixer/.remixer/tmp/remixer-fetch-abc/source.mp4"


class ServingProvider:
    """A port fake that 'downloads' a real small video file."""

    name = "tiktok"

    def __init__(self, video: Path) -> None:
        self.video = video

    def can_fetch(self, tiktok_id: str) -> bool:
        return True

    def fetch(self, tiktok_id: str, dest_dir: Path) -> FetchedSource:
        out = dest_dir / "source.mp4"
        out.write_bytes(self.video.read_bytes())
        meta = SourceMetadata(tiktok_id=tiktok_id, caption="fitness at home", hashtags=("fitness",))
        return FetchedSource(out, meta)


class FailingProvider:
    name = "tiktok"

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def can_fetch(self, tiktok_id: str) -> bool:
        return True

    def fetch(self, tiktok_id: str, dest_dir: Path) -> FetchedSource:
        raise self.exc


def _ids(uow_factory: UnitOfWorkFactory, org: str | None) -> set[str]:
    found = recommend_sources(
        uow_factory, BRAND, None, "mixed", 50, cache=IndexCache(), organization_id=org
    )
    return {r.tiktok_id for r in found}


def test_fetched_sources_are_recommended_only_to_their_organization(
    uow_factory: UnitOfWorkFactory,
    blobs: LocalBlobStore,
    tmp_path: Path,
    pair_maker: Callable[..., Path],
) -> None:
    video = pair_maker(tmp_path / "src", "clip", None)
    with uow_factory() as uow:
        uow.catalog.save(
            SourceRecord(SHARED, "sha256/00/x.mp4", "0" * 64, {}, caption="fitness", views=10)
        )
        uow.commit()
    record = fetch_source(
        uow_factory, blobs, [ServingProvider(video)], FETCHED, organization_id="org_a"
    )
    assert record.organization_id == "org_a"
    with uow_factory() as uow:
        assert uow.catalog.get(FETCHED) == record
    assert _ids(uow_factory, "org_a") == {FETCHED, SHARED}
    assert _ids(uow_factory, "org_b") == {SHARED}
    assert _ids(uow_factory, None) == {SHARED}
    again = fetch_source(uow_factory, blobs, [], FETCHED, organization_id="org_b")
    assert again.blob_key == record.blob_key, "another org's job may still use the file"
    assert _ids(uow_factory, "org_b") == {SHARED}


def test_an_operator_import_makes_a_fetched_item_shared(
    uow_factory: UnitOfWorkFactory,
    blobs: LocalBlobStore,
    tmp_path: Path,
    pair_maker: Callable[..., Path],
) -> None:
    from remixer.cli.sources import probe_source

    base = SourceRecord(FETCHED, "sha256/00/x.mp4", "0" * 64, {}, caption="fitness")
    with uow_factory() as uow:
        uow.catalog.save(replace(base, organization_id="org_a", origin="tiktok"))
        uow.commit()
    assert _ids(uow_factory, "org_b") == set()
    pair_maker(tmp_path / "import", "clip", {"tiktokVideoId": FETCHED, "caption": "fitness"})
    report = import_sources(uow_factory, blobs, [tmp_path / "import"], probe_source)
    assert report.updated == [FETCHED] and not report.rejected
    with uow_factory() as uow:
        shared = uow.catalog.get(FETCHED)
    assert shared is not None and shared.organization_id is None
    assert _ids(uow_factory, "org_b") == {FETCHED}


@pytest.mark.parametrize(
    "exc",
    [
        OSError(28, "No space left on device", SECRET_PATH),
        SourceError("SOURCE_UNAVAILABLE", f"ERROR: unable to open for writing: {SECRET_PATH}"),
        PermissionError(13, "Permission denied", SECRET_PATH),
    ],
)
def test_a_failed_fetch_names_the_post_not_the_error(
    uow_factory: UnitOfWorkFactory, blobs: LocalBlobStore, exc: Exception
) -> None:
    with pytest.raises(SourceError) as info:
        fetch_source(uow_factory, blobs, [FailingProvider(exc)], FETCHED)
    assert info.value.code == "SOURCE_UNAVAILABLE"
    message = info.value.message
    assert FETCHED in message and "(tiktok)" in message
    for leak in (SECRET_PATH, "/srv", "No space", "Permission", "ERROR"):
        assert leak not in message


def test_another_tenants_fetches_do_not_change_scores(uow_factory: UnitOfWorkFactory) -> None:
    """Indexes hold only what the audience may see, so BM25 statistics cannot leak."""
    shared = [
        SourceRecord(f"73000000000000001{n}", "sha256/00/x.mp4", "0" * 64, {}, caption=c, views=v)
        for n, (c, v) in enumerate(
            [("fitness at home", 1000), ("fitpulse app review", 900), ("pasta", 9)]
        )
    ]
    with uow_factory() as uow:
        for record in shared:
            uow.catalog.save(record)
        uow.commit()

    def scores(org: str) -> list[tuple[str, float, str]]:
        found = recommend_sources(
            uow_factory, BRAND, None, "mixed", 50, cache=IndexCache(), organization_id=org
        )
        return [(r.tiktok_id, r.score, r.reason) for r in found]

    before = scores("org_b")
    with uow_factory() as uow:
        for n in range(20):
            uow.catalog.save(
                SourceRecord(
                    f"73000000000000009{n:02d}",
                    "sha256/00/y.mp4",
                    "0" * 64,
                    {},
                    caption="fitness fitness fitness workout",
                    hashtags=("fitness",),
                    views=10**7,
                    organization_id="org_a",
                    origin="tiktok",
                )
            )
        uow.commit()
    assert scores("org_b") == before
    assert len(scores("org_a")) == len(before) + 20
    cache = IndexCache()
    for org in ("org_b", "org_c", None):
        recommend_sources(uow_factory, BRAND, None, "mixed", 5, cache=cache, organization_id=org)
    assert cache.builds == 1, "organizations without fetches share the shared index"
