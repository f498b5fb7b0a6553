"""A real S3-protocol server for the tests: moto's standalone server (`moto_server`).

It speaks the S3 REST protocol over HTTP (multipart uploads, pre-signed URLs, ranges)
but keeps every object in memory: nothing is durable, and it is one process, so it
stands in for S3/MinIO in tests only. Each `moto_s3()` is a separate subprocess on a
free port; `bucket_url()` creates a bucket and returns its `s3://` store URL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def env(self) -> dict[str, str]:
        """What a process needs to reach this server as its media store's endpoint."""
        return {**CREDENTIALS, "REMIXER_S3_ENDPOINT_URL": self.endpoint_url}

    def client(self):  # type: ignore[no-untyped-def]
        from remixer.blobs.s3 import s3_client

        return s3_client(self.endpoint_url)

    def bucket_url(self, prefix: str = "media") -> str:
        bucket = f"b-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=bucket)
        return f"s3://{bucket}/{prefix}"


@contextmanager
def moto_s3() -> Iterator[S3Server]:
    port = free_port()
    for name, value in CREDENTIALS.items():
        os.environ.setdefault(name, value)
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield S3Server(url)
    finally:
        process.terminate()
        process.wait(timeout=10)
