"""The whole product through HTTP, as a partner: upload the influencer's photo, create the
influencer, remix a catalog source, poll the job, then check the container, the signed
download, the output video (size, rate, duration, audio), the captions (old text gone by
OCR, new text read back), the face (dlib identity) and the credits. Plus a cancel.

Real parts only: the uvicorn API and a DBOS worker in this process, SQLite files, real
models, a generated clip with real public-domain faces (Obama in the source, Biden as the
influencer)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from benchmarks.text_metrics import cer
from e2e_support import TIKTOK_ID, LiveService, old_words

from remixer.pipeline.faces import load_face_models
from remixer.pipeline.faces.models import SAME_PERSON_DISTANCE, Embedding, FaceModels
from remixer.pipeline.overlays import load_ocr_engine
from remixer.pipeline.overlays.ocr import read_lines
from remixer.pipeline.synth.photos import load_photo_rgb
from remixer.pipeline.types import Frame
from remixer.pipeline.typeset.fonts import strip_emoji
from remixer.pipeline.video import iter_frames_bgr, probe_video

pytestmark = pytest.mark.slow

STAGES = [
    "queued",
    "fetching_source",
    "extracting_overlays",
    "adapting_copy",
    "face_swapping",
    "rendering",
    "finalizing",
]
COST = 120


def _ok(resp: httpx.Response, status: int) -> Any:
    assert resp.status_code == status, f"{resp.request.url.path} → {resp.status_code} {resp.text}"
    return resp.json() if resp.content else None


def _poll(http: httpx.Client, job_id: str, timeout_s: float = 120) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = _ok(http.get(f"/v1/jobs/{job_id}"), 200)
        seen.append(job)
        if job["status"] != "running":
            return seen
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running: {seen[-1]}")


def _project(http: httpx.Client) -> str:
    body = {
        "name": "FitNow e2e",
        "brandVoice": "witty",
        "primaryLanguage": "en",
        "brandContext": {"appName": "FitNow", "bannedPhrases": ["changed my life"]},
    }
    return str(_ok(http.post("/v1/projects", json=body), 201)["id"])


def _influencer(http: httpx.Client, pid: str, photo: Path) -> str:
    with photo.open("rb") as handle:
        files = {"file": (photo.name, handle, "image/jpeg")}
        media = _ok(http.post(f"/v1/projects/{pid}/media", files=files), 201)
    assert media["kind"] == "image"
    body = {"name": "Biden", "referenceImageIds": [media["mediaId"]]}
    created = _ok(http.post(f"/v1/projects/{pid}/influencers", json=body), 202)
    assert _poll(http, created["jobId"])[-1]["status"] == "completed"
    influencer = _ok(http.get(f"/v1/influencers/{created['influencerId']}"), 200)
    assert influencer["status"] == "ready"
    return str(created["influencerId"])


def _remix(http: httpx.Client, pid: str, influencer_id: str) -> dict[str, Any]:
    body = {"tiktokVideoId": TIKTOK_ID, "influencerId": influencer_id}
    headers = {"Idempotency-Key": f"e2e-{time.time_ns()}"}
    url = f"/v1/projects/{pid}/content/video-remix"
    accepted: dict[str, Any] = _ok(http.post(url, json=body, headers=headers), 202)
    assert accepted["kind"] == "content_generate" and len(accepted["containerIds"]) == 1
    return accepted


def _credits_for(http: httpx.Client, job_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    credits = _ok(http.get("/v1/credits"), 200)
    events = _ok(http.get("/v1/credits/events", params={"limit": 100}), 200)["items"]
    return credits, [e for e in events if e["jobId"] == job_id]


@pytest.fixture(scope="module")
def project(live: LiveService) -> tuple[str, str]:
    pid = _project(live.http)
    return pid, _influencer(live.http, pid, live.assets.photos[0])


@pytest.fixture(scope="module")
def face_models() -> FaceModels:
    return load_face_models()


def _embedding_of(models: FaceModels, image_rgb: Frame) -> Embedding | None:
    found = models.detect(np.ascontiguousarray(image_rgb), upsample=0)
    return models.embed(image_rgb, found[0].box) if found else None


def _frame_at(video: Path, index: int) -> Frame:
    for i, frame in enumerate(iter_frames_bgr(video)):
        if i == index:
            return frame
    raise AssertionError(f"{video} has no frame {index}")


def _check_job_trace(trace: list[dict[str, Any]]) -> None:
    progresses = [j["progress"] for j in trace]
    assert progresses == sorted(progresses), f"progress decreased: {progresses}"
    order = [STAGES.index(j["stage"]) for j in trace if j["status"] == "running"]
    assert order == sorted(order), f"stages out of order: {[j['stage'] for j in trace]}"
    assert any(j.get("etaSeconds") is not None for j in trace if j["status"] == "running")
    assert all("etaSeconds" in j for j in trace if j["status"] == "running")
    assert all(j["progress"] < 1.0 for j in trace if j["status"] == "running")
    done = trace[-1]
    assert done["status"] == "completed", done
    assert done["progress"] == 1.0 and done["finishedAt"]


def _check_container(container: dict[str, Any], influencer_id: str) -> None:
    assert container["status"] == "completed" and container["format"] == "video-remix"
    assert container["influencerId"] == influencer_id
    assert container["sourceTiktokId"] == TIKTOK_ID
    overlays = container["overlays"]
    assert len(overlays) == 2, overlays
    for overlay in overlays:
        assert overlay["sourceText"] and overlay["text"]
        assert overlay["text"].lower() != overlay["sourceText"].lower()
        assert 0.0 <= overlay["start"] < overlay["end"] <= 3.05
        assert len(overlay["box"]) == 4 and overlay["box"][2] > 0 and overlay["box"][3] > 0
    assert overlays[0]["start"] < 0.1 and abs(overlays[1]["end"] - 3.0) < 0.1
    assert container["hook"] == overlays[0]["text"]
    assert container["caption"]
    assert "changed my life" not in container["caption"].lower()
    quality = container["quality"]
    assert quality["overlaysReplaced"] == 2
    assert quality["identityPassRate"] >= 0.9, quality
    assert quality["originalDistancePassRate"] >= 0.9, quality
    assert 0.0 < quality["identitySimilarity"] <= 1.0
    assert len(container["assets"]) == 1


def _download(live: LiveService, asset: dict[str, Any], dest: Path) -> Path:
    resp = httpx.get(asset["url"], timeout=60)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("video/mp4")
    assert len(resp.content) == asset["sizeBytes"]
    dest.write_bytes(resp.content)
    ranged = httpx.get(asset["url"], headers={"Range": "bytes=0-99"}, timeout=60)
    assert ranged.status_code == 206 and ranged.content == resp.content[:100]
    assert ranged.headers["content-range"] == f"bytes 0-99/{asset['sizeBytes']}"
    tampered = httpx.get(asset["url"].replace("sig=", "sig=0"), timeout=60)
    assert tampered.status_code in (401, 403, 404)
    return dest


def _check_video(out: Path, source: Path, asset: dict[str, Any]) -> None:
    src, got = probe_video(source), probe_video(out)
    assert (got.width, got.height) == (src.width, src.height) == (asset["width"], asset["height"])
    assert abs(got.fps - src.fps) < 0.01
    assert abs(got.duration_s - src.duration_s) <= 0.1
    assert got.has_audio and src.has_audio


def _check_captions(out: Path, container: dict[str, Any]) -> None:
    """OCR a frame inside each caption span of the output: old words gone, new text reads."""
    fps = probe_video(out).fps
    ocr = load_ocr_engine()
    for overlay in container["overlays"]:
        middle = int((overlay["start"] + overlay["end"]) / 2 * fps)
        read = " ".join(line.text for line in read_lines(ocr, _frame_at(out, middle)))
        for word in old_words(overlay["sourceText"], overlay["text"]):
            assert word not in read.lower(), f"old word {word!r} still readable in {read!r}"
        # the new text reads back, and nothing else: leftover old text would add characters
        new = strip_emoji(overlay["text"])
        assert cer(new, read) <= 0.1, f"new text {new!r} read back as {read!r}"
        assert cer(overlay["sourceText"], read) >= 0.2, read


def _check_face(out: Path, models: FaceModels) -> None:
    """An independent dlib check on frames of the output: Biden, no longer Obama."""
    influencer = _embedding_of(models, load_photo_rgb("biden"))
    original = _embedding_of(models, load_photo_rgb("obama"))
    assert influencer is not None and original is not None
    to_inf, to_orig = [], []
    for index, frame in enumerate(iter_frames_bgr(out)):
        if index % 9:
            continue
        small = cv2.resize(frame, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        emb = _embedding_of(models, cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
        to_inf.append(1.0 if emb is None else float(np.linalg.norm(emb - influencer)))
        to_orig.append(0.0 if emb is None else float(np.linalg.norm(emb - original)))
    assert len(to_inf) >= 10
    assert np.mean([d < SAME_PERSON_DISTANCE for d in to_inf]) >= 0.9, to_inf
    assert np.mean([d >= SAME_PERSON_DISTANCE for d in to_orig]) >= 0.9, to_orig


def test_remix_end_to_end_over_http(
    live: LiveService, project: tuple[str, str], face_models: FaceModels, tmp_path: Path
) -> None:
    http = live.http
    pid, influencer_id = project
    before = _ok(http.get("/v1/credits"), 200)
    accepted = _remix(http, pid, influencer_id)
    trace = _poll(http, accepted["jobId"])
    _check_job_trace(trace)
    assert trace[-1]["result"]["containerId"] == accepted["containerIds"][0]
    container = _ok(http.get(f"/v1/content/{accepted['containerIds'][0]}"), 200)
    _check_container(container, influencer_id)
    asset = container["assets"][0]
    out = _download(live, asset, tmp_path / "remix.mp4")
    _check_video(out, live.assets.source, asset)
    _check_captions(out, container)
    _check_face(out, face_models)
    credits, events = _credits_for(http, accepted["jobId"])
    assert [(e["eventType"], e["credits"]) for e in events] == [("usage", -COST)]
    assert credits["reserved"] == 0
    assert credits["balance"] == before["balance"] - COST


def test_cancel_stops_the_remix_and_releases_credits(
    live: LiveService, project: tuple[str, str]
) -> None:
    http = live.http
    pid, influencer_id = project
    before = _ok(http.get("/v1/credits"), 200)
    accepted = _remix(http, pid, influencer_id)
    job_id = accepted["jobId"]
    assert _ok(http.get("/v1/credits"), 200)["reserved"] == COST
    working = set(STAGES[2:6])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = _ok(http.get(f"/v1/jobs/{job_id}"), 200)
        if job["stage"] in working or job["status"] != "running":
            break
        time.sleep(0.05)
    assert job["status"] == "running" and job["stage"] in working, job
    canceled_at = time.monotonic()
    assert _ok(http.post(f"/v1/jobs/{job_id}/cancel"), 202) == {"jobId": job_id, "accepted": True}
    final = _poll(http, job_id, timeout_s=10)[-1]
    assert final["status"] == "canceled" and final["finishedAt"], final
    assert time.monotonic() - canceled_at <= 3.0
    again = _ok(http.post(f"/v1/jobs/{job_id}/cancel"), 200)
    assert again == {"jobId": job_id, "accepted": False, "reason": "ALREADY_CANCELED"}
    container = _ok(http.get(f"/v1/content/{accepted['containerIds'][0]}"), 200)
    assert container["status"] == "canceled" and container["assets"] == []
    credits, events = _credits_for(http, job_id)
    assert not [e for e in events if e["eventType"] == "usage"], events
    assert credits["reserved"] == 0 and credits["balance"] == before["balance"]
    time.sleep(1.0)
    assert _ok(http.get(f"/v1/jobs/{job_id}"), 200)["status"] == "canceled"
