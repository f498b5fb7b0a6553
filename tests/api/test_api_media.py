"""Uploads decided from bytes, size/pixel limits, influencer creation, signed range URLs."""

from __future__ import annotations

import io
import time
import uuid
from fractions import Fraction
from pathlib import Path

import numpy as np
from api_harness import Api, assert_error
from PIL import Image

from remixer.pipeline.video import VideoWriter


def _jpeg(width: int = 64, height: int = 48) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 100, 50)).save(buf, format="JPEG")
    return buf.getvalue()


def _mp4(tmp_path: Path) -> bytes:
    path = tmp_path / "clip.mp4"
    with VideoWriter(path, 64, 64, Fraction(10)) as writer:
        for i in range(10):
            writer.write(np.full((64, 64, 3), i * 20, dtype=np.uint8))
    return path.read_bytes()


def _upload(
    api: Api,
    project_id: str,
    data: bytes,
    name: str = "f.bin",
    ctype: str = "application/octet-stream",
) -> object:
    return api.client.post(
        f"/v1/projects/{project_id}/media",
        headers=api.headers(),
        files={"file": (name, data, ctype)},
    )


def test_upload_image_and_video_by_bytes(api: Api, tmp_path: Path) -> None:
    p = api.project()
    img = _upload(api, p["id"], _jpeg(), "lies.mp4", "video/mp4")
    assert img.status_code == 201, img.text  # type: ignore[attr-defined]
    body = img.json()  # type: ignore[attr-defined]
    assert body["kind"] == "image" and body["mimeType"] == "image/jpeg"
    assert (body["width"], body["height"]) == (64, 48) and len(body["checksumSha256"]) == 64
    assert body["mediaId"].startswith("med_")
    vid = _upload(api, p["id"], _mp4(tmp_path), "x.jpg", "image/jpeg").json()  # type: ignore[attr-defined]
    assert vid["kind"] == "video" and vid["mimeType"] == "video/mp4"
    assert vid["durationMs"] == 1000 and vid["width"] == 64


def test_upload_rejections(api: Api) -> None:
    p = api.project()
    assert_error(_upload(api, p["id"], b"just text"), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(_upload(api, p["id"], b""), 415, "UNSUPPORTED_MEDIA_TYPE")
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    assert_error(_upload(api, p["id"], gif.getvalue()), 415, "UNSUPPORTED_MEDIA_TYPE")
    resp = api.client.post(f"/v1/projects/{p['id']}/media", headers=api.headers(), content=_jpeg())
    assert_error(resp, 415, "UNSUPPORTED_MEDIA_TYPE")
    resp = api.client.post(
        f"/v1/projects/{p['id']}/media",
        headers=api.headers(),
        files={"other": ("a.jpg", _jpeg(), "image/jpeg")},
    )
    assert_error(resp, 422, "VALIDATION")
    assert_error(_upload(api, f"prj_{uuid.uuid4()}", _jpeg()), 404, "NOT_FOUND")


def test_upload_limits(api: Api) -> None:
    p = api.project()
    settings = api.components.settings
    object.__setattr__(settings, "max_image_pixels", 1000)
    assert_error(_upload(api, p["id"], _jpeg(64, 48)), 413, "PAYLOAD_TOO_LARGE")
    object.__setattr__(settings, "max_image_pixels", 40_000_000)
    object.__setattr__(settings, "max_image_bytes", 100)
    assert_error(_upload(api, p["id"], _jpeg(64, 48)), 413, "PAYLOAD_TOO_LARGE")


def test_influencer_create_validation_and_job(api: Api, tmp_path: Path) -> None:
    p = api.project()
    base = f"/v1/projects/{p['id']}/influencers"
    med = _upload(api, p["id"], _jpeg()).json()["mediaId"]  # type: ignore[attr-defined]
    vid = _upload(api, p["id"], _mp4(tmp_path)).json()["mediaId"]  # type: ignore[attr-defined]
    assert_error(api.post(base, {"name": "Ava"}), 422, "VALIDATION")
    assert_error(api.post(base, {"name": "Ava", "referenceImageIds": []}), 422, "VALIDATION")
    assert_error(api.post(base, {"name": "Ava", "referenceImageIds": ["x"]}), 422, "VALIDATION")
    assert_error(
        api.post(base, {"name": "Ava", "referenceImageIds": [med] * 11}), 422, "VALIDATION"
    )
    assert_error(api.post(base, {"name": "Ava", "referenceImageIds": [vid]}), 422, "VALIDATION")
    assert_error(
        api.post(base, {"name": "Ava", "referenceImageIds": [f"med_{'1' * 26}"]}), 404, "NOT_FOUND"
    )
    assert_error(
        api.post(base, {"name": "Ava", "referenceImageIds": [med], "brandVoice": "loud"}),
        422,
        "VALIDATION",
    )
    resp = api.post(
        base, {"name": "Ava", "referenceImageIds": [med], "brandVoice": "warm", "language": "en"}
    )
    assert resp.status_code == 202, resp.text
    job = resp.json()
    assert job["kind"] == "influencer_create" and job["influencerId"].startswith("inf_")
    assert api.scheduler.enqueued[-1] == (job["jobId"], "influencer_create")
    inf = api.get(f"/v1/influencers/{job['influencerId']}").json()
    assert inf["status"] == "pending" and inf["brandVoice"] == "warm"
    patched = api.patch(f"/v1/influencers/{job['influencerId']}", {"name": "Ava B"}).json()
    assert patched["name"] == "Ava B"
    listed = api.get(f"/v1/projects/{p['id']}/influencers").json()["items"]
    assert [i["id"] for i in listed] == [job["influencerId"]]
    assert api.delete(f"/v1/influencers/{job['influencerId']}").status_code == 204
    assert_error(api.get(f"/v1/influencers/{job['influencerId']}"), 404, "NOT_FOUND")
    _, other = api.new_org()
    assert_error(
        api.post(base, {"name": "x", "referenceImageIds": [med]}, key=other), 404, "NOT_FOUND"
    )


def test_signed_media_urls_and_ranges(api: Api, tmp_path: Path) -> None:
    p = api.project()
    data = _mp4(tmp_path)
    media_id = _upload(api, p["id"], data).json()["mediaId"]  # type: ignore[attr-defined]
    url = api.components.signer.url_for(media_id).replace("http://testserver", "")
    full = api.client.get(url)
    assert full.status_code == 200 and full.content == data
    assert full.headers["content-type"] == "video/mp4"
    part = api.client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == data[10:20]
    assert_error(api.client.get(url[:-2] + "00"), 403, "FORBIDDEN_SCOPE")
    assert_error(api.client.get(f"/v1/media/{media_id}"), 403, "FORBIDDEN_SCOPE")
    expired = api.components.signer.url_for(media_id, now_s=time.time() - 10**6)
    assert_error(api.client.get(expired.replace("http://testserver", "")), 403, "FORBIDDEN_SCOPE")


def test_upload_idempotency_replays(api: Api) -> None:
    p = api.project()
    hdr = {"Idempotency-Key": "upload-1"}
    first = api.client.post(
        f"/v1/projects/{p['id']}/media",
        headers=api.headers(**hdr),
        files={"file": ("a.jpg", _jpeg(), "image/jpeg")},
    )
    again = api.client.post(
        f"/v1/projects/{p['id']}/media",
        headers=api.headers(**hdr),
        files={"file": ("b.jpg", _jpeg(), "image/jpeg")},
    )
    assert first.status_code == again.status_code == 201
    assert first.content == again.content and again.headers["idempotent-replayed"] == "true"
    other = api.client.post(
        f"/v1/projects/{p['id']}/media",
        headers=api.headers(**hdr),
        files={"file": ("c.jpg", _jpeg(32, 32), "image/jpeg")},
    )
    assert_error(other, 409, "IDEMPOTENCY_CONFLICT")
