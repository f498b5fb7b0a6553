"""`api.bodies`: every malformed JSON body is `422 VALIDATION` (or `415`), never an error
of another kind; well-formed bodies come out as the model."""

from __future__ import annotations

import pytest

from remixer.api.bodies import parse_json_model
from remixer.api.schemas.requests import VideoRemixBody
from remixer.domain.errors import ErrorCode, RemixerError

JSON = "application/json"
INF = "inf_0b0f6f3e-1234-4abc-8def-0123456789ab"


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 5000,
        b'{"a":' * 100_000,
        b"\xff\xfe",
        b'{"tiktokVideoId": "\\ud800"}',
        b'{"tiktokVideoId": "1"',
        b"",
        b"[]",
        b'{"tiktokVideoId": 1}',
        b'{"tiktokVideoId": "1", "extra": true}',
        b'{"tiktokVideoId": "1", "influencerId": "inf_bad"}',
        b'{"tiktokVideoId": "1", "socialAccountId": ""}',
    ],
)
def test_malformed_bodies_are_validation(raw: bytes) -> None:
    with pytest.raises(RemixerError) as caught:
        parse_json_model(VideoRemixBody, raw, JSON)
    assert caught.value.code == ErrorCode.VALIDATION
    assert caught.value.details["issues"], "every refusal names what was wrong"


def test_issue_paths_name_the_fields() -> None:
    with pytest.raises(RemixerError) as caught:
        parse_json_model(VideoRemixBody, b'{"tiktokVideoId": 1, "x": 2, "influencerId": "y"}', JSON)
    paths = sorted(i["path"] for i in caught.value.details["issues"])
    assert paths == ["body.influencerId", "body.tiktokVideoId", "body.x"]


def test_other_content_types_are_415() -> None:
    with pytest.raises(RemixerError) as caught:
        parse_json_model(VideoRemixBody, b"{}", "text/plain")
    assert caught.value.code == ErrorCode.UNSUPPORTED_MEDIA_TYPE


def test_ids_come_out_canonical() -> None:
    bare = INF.removeprefix("inf_").upper()
    body = parse_json_model(
        VideoRemixBody,
        b'{"tiktokVideoId": "7", "influencerId": "%s"}' % bare.encode(),
        JSON + "; charset=utf-8",
    )
    assert body.influencerId == INF and body.socialAccountId is None
