"""The S3 blob store against a real S3-protocol server (moto's, in memory; tests/s3_support.py):
multipart streamed uploads, content-addressed keys shared across machines, local copies
from a cold cache, pre-signed GET URLs with ranges, and the API on an S3 store."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from remixer.api.app import create_app
from remixer.api.ratelimit import RateLimiter
from remixer.blobs.factory import build_blob_store
from remixer.blobs.s3 import S3BlobStore, S3Location
from remixer.blobs.store import LocalBlobStore
from remixer.bootstrap import build_components
from remixer.config import Settings
from remixer.pipeline.video import VideoWriter
from remixer.services import orgs
from s3_support import S3Server, moto_s3


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with moto_s3() as server:
        yield server


def _store(s3: S3Server, url: str, cache: Path, part_size: int = 5 * 1024 * 1024) -> S3BlobStore:
    return S3BlobStore(S3Location.parse(url), s3.client(), cache, part_size=part_size)


def test_location_parsing() -> None:
    assert S3Location.parse("s3://bkt/a/b/") == S3Location("bkt", "a/b")
    assert S3Location.parse("s3://bkt").object_key("sha256/ab/x.mp4") == "sha256/ab/x.mp4"
    assert S3Location("bkt", "m").object_key("sha256/ab/x.mp4") == "m/sha256/ab/x.mp4"
    with pytest.raises(ValueError):
        S3Location.parse("/local/folder")
    with pytest.raises(ValueError):
        S3Location("bkt", "m").object_key("../escape")


def test_large_upload_goes_in_parts_and_reads_back_on_another_machine(
    s3: S3Server, tmp_path: Path
) -> None:
    url = s3.bucket_url()
    big = tmp_path / "big.mp4"
    big.write_bytes(os.urandom(12 * 1024 * 1024 + 17))
    writer = _store(s3, url, tmp_path / "cache-a")
    key = writer.put_file(big, ".mp4")
    # Same content-addressed key as the local store.
    assert key == LocalBlobStore(tmp_path / "local").put_file(big, ".mp4")
    loc = S3Location.parse(url)
    head = s3.client().head_object(Bucket=loc.bucket, Key=loc.object_key(key))
    assert head["ETag"].strip('"').endswith("-3"), head["ETag"]  # a 3-part multipart upload
    assert head["ContentType"] == "video/mp4"
    # A second machine: an empty cache, the same bucket.
    reader = _store(s3, url, tmp_path / "cache-b")
    assert reader.exists(key) and not reader.exists("sha256/00/missing.mp4")
    with reader.local_copy(key) as path:
        assert path.read_bytes() == big.read_bytes()
        assert path.is_relative_to(tmp_path / "cache-b")
    with pytest.raises(FileNotFoundError), reader.local_copy("sha256/00/missing.mp4"):
        pass
    # Putting the same bytes again uploads nothing new and returns the same key.
    assert writer.put_file(big, ".mp4") == key


def test_presigned_url_serves_the_object_and_ranges(s3: S3Server, tmp_path: Path) -> None:
    store = _store(s3, s3.bucket_url(), tmp_path / "cache")
    data = os.urandom(4096)
    src = tmp_path / "clip.mp4"
    src.write_bytes(data)
    key = store.put_file(src, ".mp4")
    url = store.presigned_url(key, 3600, "video/mp4")
    assert url is not None and "X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url
    full = httpx.get(url)
    assert full.status_code == 200 and full.content == data
    assert full.headers["content-type"] == "video/mp4"
    part = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    # moto does not check signatures (real S3 and MinIO do); the expiry is in the URL.


def test_cache_is_trimmed_oldest_first(s3: S3Server, tmp_path: Path) -> None:
    store = S3BlobStore(
        S3Location.parse(s3.bucket_url()), s3.client(), tmp_path / "cache", cache_max_bytes=2500
    )
    keys = []
    for i in range(3):
        f = tmp_path / f"f{i}.bin"
        f.write_bytes(bytes([i]) * 1000)
        keys.append(store.put_file(f, ".bin"))
    cached = [k for k in keys if (tmp_path / "cache" / k).is_file()]
    assert cached == keys[1:]
    with store.local_copy(keys[0]) as path:  # evicted locally, still in the bucket
        assert path.read_bytes() == bytes([0]) * 1000
        # Its download evicted the least recently used file, not the one being read.
        assert [k for k in keys if (tmp_path / "cache" / k).is_file()] == [keys[0], keys[2]]
        os.utime(path, (0, 0))  # now the least recently used file in the cache
        f = tmp_path / "f3.bin"
        f.write_bytes(bytes([3]) * 1000)
        keys.append(store.put_file(f, ".bin"))
        assert path.is_file()  # in use: kept although it is the oldest
        assert not (tmp_path / "cache" / keys[2]).is_file()


def _mp4(tmp_path: Path) -> bytes:
    path = tmp_path / "clip.mp4"
    with VideoWriter(path, 64, 64, Fraction(10)) as writer:
        for i in range(10):
            writer.write(np.full((64, 64, 3), i * 20, dtype=np.uint8))
    return path.read_bytes()


def test_api_on_an_s3_store_redirects_media_to_presigned_urls(s3: S3Server, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        signing_secret="test-signing-secret-of-32-bytes-or-more",
        public_url="http://testserver",
        media_store=s3.bucket_url("remixer"),
        s3_endpoint_url=s3.endpoint_url,
        _env_file=None,  # type: ignore[call-arg]
    )
    components = build_components(settings, scheduler=None)
    assert isinstance(components.blobs, S3BlobStore)
    assert isinstance(build_blob_store(settings), S3BlobStore)
    org = orgs.create_org(components.uow_factory, "Acme", 1000, "standard")
    key = orgs.create_key(components.uow_factory, org["organizationId"], "*", "live")["key"]
    headers = {"Authorization": f"Bearer {key}"}
    data = _mp4(tmp_path)
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(buf, format="PNG")
    with TestClient(create_app(components, RateLimiter(None))) as client:
        project = client.post("/v1/projects", json={"name": "p"}, headers=headers).json()
        resp = client.post(
            f"/v1/projects/{project['id']}/media",
            headers=headers,
            files={"file": ("clip.mp4", data, "video/mp4")},
        )
        assert resp.status_code == 201, resp.text
        media_id = resp.json()["mediaId"]
        signed = components.signer.url_for(media_id).replace("http://testserver", "")
        redirect = client.get(signed, follow_redirects=False)
        assert redirect.status_code == 307
        location = redirect.headers["location"]
        assert location.startswith(s3.endpoint_url) and "X-Amz-Signature=" in location
        assert httpx.get(location).content == data
        unsigned = client.get(f"/v1/media/{media_id}", follow_redirects=False)
        assert unsigned.status_code == 403
    # Nothing was written to the local media folder: the bucket holds the bytes.
    assert not any(p.is_file() for p in settings.media_dir.rglob("*"))
    components.engine.dispose()
