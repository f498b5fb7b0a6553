"""A live `remixer serve --metrics-port`: JSON log lines carry request and job context, and
the Prometheus endpoint names every request and job metric after a request and a job."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from remixer.bootstrap import build_components
from remixer.config import Settings
from remixer.observability.logs import resolve_format
from remixer.services import orgs

REMIXER = str(Path(sys.executable).parent / "remixer")


class _NoJobs:
    def enqueue(self, job_id: str, kind: str) -> None: ...

    def cancel(self, job_id: str) -> None: ...


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


@dataclass
class Live:
    http: httpx.Client
    metrics_url: str
    log: Path
    proc: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data = tmp_path_factory.mktemp("obs")
    env = {**os.environ, "REMIXER_DATA_DIR": str(data), "REMIXER_LOG_FORMAT": "json"}
    for name in ("REMIXER_DATABASE_URL", "REMIXER_LOG_LEVEL", "REMIXER_REDIS_URL"):
        env.pop(name, None)
    settings = Settings(data_dir=data, database_url=None, _env_file=None)  # type: ignore[call-arg]
    components = build_components(settings, scheduler=_NoJobs())
    org = orgs.create_org(components.uow_factory, "Observed", 1000, "pilot")["organizationId"]
    key = orgs.create_key(components.uow_factory, org, "*", "live")["key"]
    components.engine.dispose()
    port, metrics_port = _free_port(), _free_port()
    log = data / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [REMIXER, "serve", "--port", str(port), "--metrics-port", str(metrics_port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_up(port, proc, log)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        ) as http:
            yield Live(http, f"http://127.0.0.1:{metrics_port}/metrics", log, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _faceless_png() -> bytes:
    pixels = np.random.default_rng(7).integers(0, 255, (320, 320, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def _run_a_job(http: httpx.Client) -> dict[str, Any]:
    """An influencer job on a photo with no face: it runs its first stage and fails."""
    project = http.post("/v1/projects", json={"name": "observed"}).json()
    media = http.post(
        f"/v1/projects/{project['id']}/media",
        files={"file": ("noise.png", _faceless_png(), "image/png")},
    )
    assert media.status_code == 201, media.text
    started = http.post(
        f"/v1/projects/{project['id']}/influencers",
        json={"name": "Nobody", "referenceImageIds": [media.json()["mediaId"]]},
    )
    assert started.status_code == 202, started.text
    deadline = time.time() + 120
    while time.time() < deadline:
        job: dict[str, Any] = http.get(f"/v1/jobs/{started.json()['jobId']}").json()
        if job["status"] != "running":
            return job
        time.sleep(0.3)
    raise AssertionError("the influencer job did not finish")


@pytest.fixture(scope="module")
def traffic(live: Live) -> dict[str, Any]:
    assert live.http.get("/v1/whoami").status_code == 200
    missing = live.http.get("/v1/projects/prj_00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    project = live.http.post("/v1/projects", json={"name": "remix-logs"}).json()
    remix = live.http.post(
        f"/v1/projects/{project['id']}/content/video-remix", json={"tiktokVideoId": "1"}
    )
    assert remix.status_code == 422  # INFLUENCER_REQUIRED, after auth inside the accept unit
    job = _run_a_job(live.http)
    assert job["status"] == "failed", job
    time.sleep(0.5)  # the worker's last lines reach the log
    return {
        "job": job,
        "missing_request_id": missing.headers["x-request-id"],
        "remix_request_id": remix.headers["x-request-id"],
    }


def _lines(live: Live) -> list[dict[str, Any]]:
    text = live.log.read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON log line: {line!r}")
    return parsed


def test_every_line_is_json_and_requests_carry_their_context(
    live: Live, traffic: dict[str, Any]
) -> None:
    lines = _lines(live)
    requests = [x for x in lines if x.get("logger") == "remixer.access"]
    assert len(requests) >= 5
    for line in requests:
        assert line["requestId"].startswith("req_")
        assert {"route", "status", "method", "timestamp", "level"} <= line.keys()
    missing = next(x for x in requests if x["requestId"] == traffic["missing_request_id"])
    assert missing["route"] == "/v1/projects/{projectId}"
    assert missing["status"] == 404
    assert missing["organizationId"].startswith("org_")
    assert all(x["organizationId"].startswith("org_") for x in requests if x["status"] < 300)
    remix = next(x for x in requests if x["requestId"] == traffic["remix_request_id"])
    assert remix["route"] == "/v1/projects/{projectId}/content/video-remix"
    assert remix["organizationId"] == missing["organizationId"]


def test_job_lines_carry_job_stage_and_executor(live: Live, traffic: dict[str, Any]) -> None:
    job_lines = [x for x in _lines(live) if x.get("jobId") == traffic["job"]["jobId"]]
    assert job_lines, "the job logged nothing"
    for line in job_lines:
        assert line["stage"] in ("checking_photos", "building_identity")
        assert line["executorId"]
    assert {x["stage"] for x in job_lines} == {"checking_photos", "building_identity"}
    assert any(x["event"].startswith("stage ended: failed") for x in job_lines)
    # No DBOS console banner in a service's JSON stream either.
    assert not any("Conductor" in str(x.get("event")) for x in _lines(live))


def _metric_lines(live: Live) -> list[str]:
    text = httpx.get(live.metrics_url, timeout=10).text
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_metrics_after_a_request_and_a_job(live: Live, traffic: dict[str, Any]) -> None:
    lines = _metric_lines(live)
    body = "\n".join(lines)

    def has(prefix: str) -> bool:
        return any(line.startswith(prefix) for line in lines)

    assert 'route="/v1/whoami"' in body
    assert any(
        x.startswith("remixer_http_requests_total{")
        and 'route="/v1/projects/{projectId}"' in x
        and 'status="404"' in x
        for x in lines
    )
    assert has("remixer_http_request_duration_seconds_bucket{")
    assert any(
        x.startswith("remixer_jobs_total{")
        and 'kind="influencer_create"' in x
        and 'status="failed"' in x
        and x.endswith(" 1.0")
        for x in lines
    )
    assert has('remixer_job_stage_duration_seconds_bucket{le="0.1",stage="checking_photos"}')
    assert has('remixer_queue_depth{queue="remix"} 0.0')
    assert has('remixer_queue_depth{queue="influencer"} 0.0')
    assert has("remixer_worker_busy 0.0")
    assert has("remixer_credits_reserved 0.0")
    assert "/v1/projects/prj_" not in body  # raw paths never become labels


def test_log_format_defaults() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert resolve_format(None, service=True, stdout=io.StringIO()) == "json"
    assert resolve_format(None, service=True, stdout=Tty()) == "text"
    assert resolve_format(None, service=False, stdout=io.StringIO()) == "text"
    assert resolve_format("json", service=False, stdout=Tty()) == "json"
