"""TikTok provider pieces that need no server: URL template, factory, info → metadata mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from yt_dlp.utils import DownloadError

from remixer.sources.errors import SourceError
from remixer.sources.providers import build_source_providers
from remixer.sources.tiktok import (
    DEFAULT_URL_TEMPLATE,
    TikTokProvider,
    _describe,
    metadata_from_info,
)

ID = "7234567890123456789"


def test_factory_builds_providers_in_order_and_rejects_unknown_names() -> None:
    assert build_source_providers(["catalog"]) == []
    (tiktok,) = build_source_providers(["catalog", "tiktok"], tiktok_url_template="http://x/{id}")
    assert isinstance(tiktok, TikTokProvider)
    assert tiktok.name == "tiktok"
    assert tiktok.url_for(ID) == f"http://x/{ID}"
    with pytest.raises(ValueError, match="youtube"):
        build_source_providers(["catalog", "youtube"])


def test_url_template_needs_an_id_slot_and_ids_are_checked() -> None:
    with pytest.raises(ValueError, match=r"\{id\}"):
        TikTokProvider(url_template="https://www.tiktok.com/")
    provider = TikTokProvider()
    assert provider.url_for(ID) == DEFAULT_URL_TEMPLATE.format(id=ID)
    with pytest.raises(SourceError) as info:
        provider.url_for("12345")
    assert info.value.code == "INVALID_TIKTOK_ID"
    with pytest.raises(SourceError):
        provider.fetch("not-an-id", Path("/nonexistent"))


def test_offline_check_accepts_any_well_formed_id() -> None:
    provider = TikTokProvider(check_online=False)
    assert provider.can_fetch(ID) is True
    with pytest.raises(SourceError):
        provider.can_fetch("12")


def test_info_maps_onto_catalog_metadata() -> None:
    info = {
        "description": "20 minute #HomeWorkout for beginners #fitness",
        "uploader": "coachmia",
        "tags": ["fitness", "gym", 7],
        "timestamp": 1772366400,
        "view_count": 120000,
        "like_count": 5400,
        "comment_count": 120,
        "repost_count": 80,
        "language": "en",
    }
    meta = metadata_from_info(ID, info)
    assert meta.tiktok_id == ID
    assert meta.caption == "20 minute #HomeWorkout for beginners #fitness"
    assert meta.author == "@coachmia"
    assert meta.hashtags == ("fitness", "gym", "homeworkout")
    assert meta.posted_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert meta.stats.to_dict() == {"views": 120000, "likes": 5400, "comments": 120, "shares": 80}
    assert meta.language == "en"


def test_missing_or_badly_typed_info_fields_become_defaults() -> None:
    meta = metadata_from_info(
        ID,
        {
            "title": "t",
            "view_count": "many",
            "like_count": -3,
            "language": "not a tag",
            "timestamp": "x",
        },
    )
    assert (meta.caption, meta.author, meta.hashtags, meta.language) == ("t", None, (), None)
    assert meta.stats.views == 0 and meta.stats.likes == 0 and meta.posted_at is None


def test_yt_dlp_errors_read_cleanly() -> None:
    text = _describe(DownloadError("\x1b[0;31mERROR:\x1b[0m [generic] HTTP Error 404: Not Found"))
    assert text == "The source video could not be fetched: [generic] HTTP Error 404: Not Found"
