"""Scale-out on one machine, all real: PostgreSQL, Redis, an S3-protocol server (moto's,
in memory), two `remixer serve --no-worker` API processes and two `remixer worker`
processes, each with its own executor id and its own data dir (no shared disk).

Import a source, create an influencer per organization, start six remixes from two
organizations, check both workers run jobs, SIGKILL the worker that is rendering, then:
all six complete within five minutes of the kill, the ledger has exactly one settled
reservation per job, and every asset URL is a pre-signed URL of the bucket that
downloads a valid MP4. Second case: one organization with 20 queued remixes and another
with 1 — the second organization's job starts within one job-length of being accepted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from pg_support import NOT_REACHABLE, PG_BASE, postgres_available
from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.synth.photos import save_photo
from remixer.pipeline.video import probe_video
from s3_support import free_port, moto_s3

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

TIKTOK_ID = "7301234567890123456"
REDIS_URL = "redis://127.0.0.1:6379/0"
COST = 120


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@dataclass
class Cluster:
    env: dict[str, str]
    apis: list[str]
    workers: dict[str, subprocess.Popen[bytes]]
    engine: sa.Engine
    endpoint_url: str
    root: Path


def _cli(env: dict[str, str], *args: str | Path) -> Any:
    command = [sys.executable, "-m", "remixer.cli.main", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout) if done.stdout.strip().startswith("{") else done.stdout


def _spawn(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "remixer.cli.main", *args],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _source(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    spec = ClipSpec(
        photo="obama",
        width=360,
        height=640,
        fps=15,
        duration_s=2.0,
        audio=True,
        face_width=0.42,
        captions=(CaptionSpec("this app fixed my mornings", 0.0, 2.0, y_frac=0.12),),
    )
    make_clip(spec, folder / "source.mp4")
    meta = {"tiktokVideoId": TIKTOK_ID, "caption": "my morning routine", "language": "en"}
    (folder / "source.json").write_text(json.dumps(meta | {"hashtags": ["fitness"]}))
    return folder


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if not postgres_available():
        pytest.skip(NOT_REACHABLE)
    if not _redis_available():
        pytest.skip("Redis on 127.0.0.1:6379 is not reachable")
    name = f"remixer_scale_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_BASE.rsplit("/", 1)[0] + f"/{name}"
    processes: list[subprocess.Popen[bytes]] = []
    engine = sa.create_engine(url)
    try:
        with moto_s3() as s3:
            base = {k: v for k, v in os.environ.items() if not k.startswith("REMIXER_")}
            env = {
                **base,
                **s3.env(),
                "REMIXER_DATABASE_URL": url,
                "REMIXER_REDIS_URL": REDIS_URL,
                "REMIXER_MEDIA_STORE": s3.bucket_url("remixer"),
                "REMIXER_SIGNING_SECRET": "scale-out-test-secret-of-32-bytes-or-more",
                "REMIXER_WORKER_HEARTBEAT_S": "1",
                "REMIXER_WORKER_DEAD_AFTER_S": "6",
                # One job per organization at a time: with two workers, a second
                # organization always has a slot (docs/jobs.md, Fair queues).
                "REMIXER_ORG_JOB_SLOTS": "1",
                "REMIXER_LOG_LEVEL": "warning",
            }

            def own(role: str) -> dict[str, str]:
                return {**env, "REMIXER_DATA_DIR": str(tmp_path / role)}

            _cli(own("operator"), "sources", "import", _source(tmp_path / "assets"))
            apis = []
            for i in (1, 2):
                port = free_port()
                api_env = {**own(f"api{i}"), "REMIXER_PUBLIC_URL": f"http://127.0.0.1:{port}"}
                log = tmp_path / f"api{i}.log"
                processes.append(_spawn(api_env, log, "serve", "--no-worker", "--port", str(port)))
                apis.append(f"http://127.0.0.1:{port}")
            workers = {}
            for i in (1, 2):
                executor = f"scale-worker-{i}"
                worker_env = {**own(f"worker{i}"), "REMIXER_EXECUTOR_ID": executor}
                workers[executor] = _spawn(worker_env, tmp_path / f"worker{i}.log", "worker")
                processes.append(workers[executor])
            for api in apis:
                _wait_http(api)
            yield Cluster(own("operator"), apis, workers, engine, s3.endpoint_url, tmp_path)
    finally:
        for process in processes:
            _kill(process, signal.SIGTERM)
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _wait_http(base: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            httpx.get(f"{base}/v1/media/none", timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _ok(resp: httpx.Response, status: int) -> Any:
    assert resp.status_code == status, f"{resp.request.url} → {resp.status_code} {resp.text}"
    return resp.json() if resp.content else None


def _org(cluster: Cluster, name: str, api: str, credits: int = 1000) -> httpx.Client:
    org = _cli(
        cluster.env,
        "admin",
        "create-org",
        "--name",
        name,
        "--credits",
        str(credits),
        "--tier",
        "pilot",
    )
    key = _cli(cluster.env, "admin", "create-key", "--org", org["organizationId"], "--scopes", "*")
    return httpx.Client(base_url=api, timeout=60, headers={"Authorization": f"Bearer {key['key']}"})


def _poll(http: httpx.Client, job_id: str, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job = _ok(http.get(f"/v1/jobs/{job_id}"), 200)
        if job["status"] != "running":
            return dict(job)
        assert time.monotonic() < deadline, f"job {job_id} still running: {job}"
        time.sleep(0.5)


def _influencer(http: httpx.Client, photo: Path) -> tuple[str, str]:
    pid = _ok(http.post("/v1/projects", json={"name": "Launch", "primaryLanguage": "en"}), 201)[
        "id"
    ]
    with photo.open("rb") as handle:
        files = {"file": (photo.name, handle, "image/jpeg")}
        media = _ok(http.post(f"/v1/projects/{pid}/media", files=files), 201)
    body = {"name": "Ava", "referenceImageIds": [media["mediaId"]]}
    created = _ok(http.post(f"/v1/projects/{pid}/influencers", json=body), 202)
    job = _poll(http, created["jobId"], 300)
    assert job["status"] == "completed", job
    return pid, str(created["influencerId"])


def _executors(engine: sa.Engine, job_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Each job's DBOS workflow: (status, executor id)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT workflow_uuid, status, executor_id FROM dbos.workflow_status "
                "WHERE workflow_uuid = ANY(:ids)"
            ),
            {"ids": job_ids},
        )
        return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def _stages(engine: sa.Engine, job_ids: list[str]) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, status, stage FROM jobs WHERE id = ANY(:ids)"), {"ids": job_ids}
        )
        return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def test_six_remixes_two_orgs_two_workers_one_killed(cluster: Cluster, tmp_path: Path) -> None:
    photo = save_photo("biden", tmp_path / "biden.jpg")
    orgs = [_org(cluster, "Org A", cluster.apis[0]), _org(cluster, "Org B", cluster.apis[1])]
    setups = [_influencer(http, photo) for http in orgs]

    accepted: list[tuple[httpx.Client, str, str]] = []
    for n in range(6):
        http = orgs[n % 2]
        pid, influencer = setups[n % 2]
        body = {"tiktokVideoId": TIKTOK_ID, "influencerId": influencer}
        job = _ok(http.post(f"/v1/projects/{pid}/content/video-remix", json=body), 202)
        accepted.append((http, job["jobId"], job["containerIds"][0]))
    job_ids = [job_id for _, job_id, _ in accepted]

    # Both workers take jobs; then the one rendering is killed mid-render.
    deadline = time.monotonic() + 240
    ran_on: set[str] = set()
    victim: str | None = None
    while victim is None:
        flows = _executors(cluster.engine, job_ids)
        ran_on |= {ex for status, ex in flows.values() if status in ("PENDING", "SUCCESS")}
        if len(ran_on & set(cluster.workers)) == 2:
            for job_id, (status, stage) in _stages(cluster.engine, job_ids).items():
                if status == "running" and stage == "rendering" and job_id in flows:
                    victim = flows[job_id][1]
                    break
        assert time.monotonic() < deadline, f"no render to interrupt: {ran_on} {flows}"
        time.sleep(0.2)
    assert victim in cluster.workers
    _kill(cluster.workers[victim])
    killed_at = time.monotonic()

    finished = [
        _poll(http, job_id, 300 - (time.monotonic() - killed_at)) for http, job_id, _ in accepted
    ]
    assert time.monotonic() - killed_at < 300
    assert [j["status"] for j in finished] == ["completed"] * 6, finished

    with cluster.engine.connect() as conn:
        usage = conn.execute(
            sa.text(
                "SELECT job_id, COUNT(*), SUM(credits) FROM credit_events "
                "WHERE event_type = 'usage' GROUP BY job_id"
            )
        ).all()
        wallets = conn.execute(
            sa.text("SELECT credit_balance, credits_reserved FROM organizations")
        ).all()
    assert sorted(str(r[0]) for r in usage) == sorted(job_ids)
    assert all(r[1] == 1 and r[2] == -COST for r in usage)
    assert sorted(tuple(w) for w in wallets) == [(1000 - 3 * COST, 0)] * 2

    flows = _executors(cluster.engine, job_ids)
    survivor = next(ex for ex in cluster.workers if ex != victim)
    assert any(ex == survivor for _, ex in flows.values())
    for http, _, container_id in accepted:
        container = _ok(http.get(f"/v1/content/{container_id}"), 200)
        asset = container["assets"][0]
        for url in (asset["url"], asset["thumbnailUrl"]):
            assert url.startswith(cluster.endpoint_url) and "X-Amz-Signature=" in url, url
        got = httpx.get(asset["url"], timeout=60)
        assert got.status_code == 200 and got.headers["content-type"] == "video/mp4"
        out = tmp_path / f"{container_id}.mp4"
        out.write_bytes(got.content)
        info = probe_video(out)
        assert (info.width, info.height) == (360, 640) and info.duration_s > 1.5


def _run_started(engine: sa.Engine, job_id: str) -> float | None:
    with engine.connect() as conn:
        state = conn.execute(
            sa.text("SELECT state FROM jobs WHERE id = :id"), {"id": job_id}
        ).scalar_one()
    raw = (state or {}).get("runStartedAt")
    return datetime.fromisoformat(raw).timestamp() if raw else None


def test_a_backlog_of_twenty_does_not_starve_another_org(cluster: Cluster, tmp_path: Path) -> None:
    photo = save_photo("biden", tmp_path / "biden.jpg")
    busy = _org(cluster, "Busy", cluster.apis[0], credits=20 * COST)
    small = _org(cluster, "Small", cluster.apis[1])
    (busy_pid, busy_inf), (small_pid, small_inf) = (_influencer(h, photo) for h in (busy, small))
    backlog = []
    for _ in range(20):
        body = {"tiktokVideoId": TIKTOK_ID, "influencerId": busy_inf}
        backlog.append(
            _ok(busy.post(f"/v1/projects/{busy_pid}/content/video-remix", json=body), 202)["jobId"]
        )
    time.sleep(2)  # the backlog is dispatched and the busy org's first job is running
    accepted_at = time.time()
    body = {"tiktokVideoId": TIKTOK_ID, "influencerId": small_inf}
    other = _ok(small.post(f"/v1/projects/{small_pid}/content/video-remix", json=body), 202)
    deadline = time.monotonic() + 240
    while (started := _run_started(cluster.engine, other["jobId"])) is None:
        assert time.monotonic() < deadline, "the small org's job never started"
        time.sleep(0.2)
    waited = started - accepted_at
    # One job-length: the busy org's first remix, start to finish.
    first = _poll(busy, backlog[0], 240)
    assert first["status"] == "completed", first
    began = _run_started(cluster.engine, backlog[0])
    assert began is not None
    job_length = datetime.fromisoformat(first["finishedAt"]).timestamp() - began
    with cluster.engine.connect() as conn:
        queued = conn.execute(
            sa.text("SELECT count(*) FROM jobs WHERE status = 'running' AND id = ANY(:ids)"),
            {"ids": backlog},
        ).scalar_one()
    print(f"job length {job_length:.1f} s; the small org's job waited {waited:.1f} s")
    assert queued >= 15  # the backlog was still there while the small org's job ran
    assert waited < job_length, (waited, job_length)
