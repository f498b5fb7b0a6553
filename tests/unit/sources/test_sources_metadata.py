"""Sidecar validation (SPEC §7.1): every field's type and range, ids of 15–21 digits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from remixer.sources.errors import SourceError
from remixer.sources.metadata import SourceStats, is_valid_tiktok_id, parse_sidecar

SPEC_EXAMPLE: dict[str, Any] = {
    "tiktokVideoId": "7234567890123456789",
    "kind": "video",
    "caption": "morning routine that changed my life",
    "author": "@handle",
    "hashtags": ["fitness", "morningroutine"],
    "language": "en",
    "postedAt": "2026-03-01T12:00:00.000Z",
    "stats": {"views": 120000, "likes": 5400, "comments": 120, "shares": 80},
}


def test_spec_example_parses_into_every_field() -> None:
    meta = parse_sidecar(SPEC_EXAMPLE)
    assert meta.tiktok_id == "7234567890123456789"
    assert meta.kind == "video"
    assert meta.caption == "morning routine that changed my life"
    assert meta.author == "@handle"
    assert meta.hashtags == ("fitness", "morningroutine")
    assert meta.language == "en"
    assert meta.posted_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert meta.stats == SourceStats(views=120000, likes=5400, comments=120, shares=80)


def test_only_the_id_is_required() -> None:
    meta = parse_sidecar({"tiktokVideoId": "123456789012345"})
    assert (meta.kind, meta.caption, meta.author, meta.hashtags) == ("video", "", None, ())
    assert meta.stats == SourceStats()
    assert meta.posted_at is None and meta.language is None


def test_hashtags_are_normalised_and_deduplicated() -> None:
    meta = parse_sidecar({"tiktokVideoId": "123456789012345", "hashtags": ["#Fitness", "fitness"]})
    assert meta.hashtags == ("fitness",)


def test_posted_at_with_offset_is_converted_to_utc() -> None:
    meta = parse_sidecar(
        {"tiktokVideoId": "123456789012345", "postedAt": "2026-03-01T14:00:00+02:00"}
    )
    assert meta.posted_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("123456789012345", True),
        ("123456789012345678901", True),
        ("12345678901234", False),
        ("1234567890123456789012", False),
        ("72345678901234567a9", False),
        (" 7234567890123456789", False),
        (7234567890123456789, False),
        (None, False),
    ],
)
def test_tiktok_id_shape(value: object, valid: bool) -> None:
    assert is_valid_tiktok_id(value) is valid
    data = {"tiktokVideoId": value} if value is not None else {}
    if valid:
        assert parse_sidecar(data).tiktok_id == value
    else:
        with pytest.raises(SourceError) as info:
            parse_sidecar(data)
        assert info.value.code == "INVALID_TIKTOK_ID"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"kind": "story"}, "kind must be"),
        ({"caption": 12}, "caption must be a string"),
        ({"caption": "x" * 4001}, "caption is longer"),
        ({"author": ["@a"]}, "author must be a string"),
        ({"hashtags": "fitness"}, "hashtags must be a list"),
        ({"hashtags": ["ok", 3]}, "hashtags must be a list"),
        ({"hashtags": ["two words"]}, "non-empty words"),
        ({"hashtags": ["#"]}, "non-empty words"),
        ({"language": "english!"}, "language must be"),
        ({"language": 5}, "language must be"),
        ({"postedAt": "yesterday"}, "postedAt must be an ISO 8601 timestamp"),
        ({"postedAt": "2026-03-01T12:00:00"}, "time zone"),
        ({"postedAt": 1700000000}, "postedAt must be an ISO 8601 string"),
        ({"stats": []}, "stats must be an object"),
        ({"stats": {"views": "120000"}}, "stats.views must be"),
        ({"stats": {"likes": -1}}, "stats.likes must be"),
        ({"stats": {"shares": 1.5}}, "stats.shares must be"),
        ({"stats": {"comments": True}}, "stats.comments must be"),
        ({"stats": {"saves": 3}}, "unknown stats field"),
        ({"tiktokId": "1"}, "unknown sidecar field"),
    ],
)
def test_bad_metadata_is_rejected_with_the_field_named(patch: dict[str, Any], message: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_sidecar({**SPEC_EXAMPLE, **patch})
    assert info.value.code == "SOURCE_INVALID"
    assert message in info.value.message


@pytest.mark.parametrize("data", [[], "7234567890123456789", None])
def test_sidecar_must_be_an_object(data: object) -> None:
    with pytest.raises(SourceError, match="JSON object"):
        parse_sidecar(data)
