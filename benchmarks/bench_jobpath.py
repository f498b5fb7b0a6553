"""The warm job path, timed the way a partner feels it: `POST …/content/video-remix` accepted →
the job reads `completed` over HTTP, against the honest floor (a plain PyAV transcode process
of the same clip, `benchmarks/plain_transcode.py`), alternating A B A B.

A live `remixer serve` process (API + its embedded worker, SQLite files and local media in a
temp data dir) is started once; one remix job runs first untimed, so the worker's models are
loaded when the timed jobs run.

Run: `.venv/bin/python -m benchmarks.bench_jobpath` (prints and returns a dict). Clip: the
1080×1920 30 fps 8 s synthetic clip of `bench_e2e` (`REMIXER_BENCH_E2E_SECONDS`);
`REMIXER_BENCH_JOBPATH_RUNS` sets the timed runs per side (default 3);
`REMIXER_BENCH_JOBPATH_LOG=/path/serve.log` keeps the server's log (stdout) there at INFO (each
task's "… done in N ms" line), to see where a job's time goes.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_e2e import BIN, floor_command, spread, synthetic_clip, timed
from remixer.cli.demo import _check, _free_port, _operator_setup
from remixer.config import Settings
from remixer.pipeline.synth.photos import save_photo

RUNS = int(os.environ.get("REMIXER_BENCH_JOBPATH_RUNS", "3"))
KEEP_LOG = os.environ.get("REMIXER_BENCH_JOBPATH_LOG", "")
TARGET_RATIO = 2.5
TIKTOK_ID = "7309876543210000016"
POLL_S = 0.2
JOB_TIMEOUT_S = 900.0


def _assets(folder: Path) -> tuple[Path, Path]:
    """The catalog source (clip + sidecar) and the influencer's photo."""
    folder.mkdir(parents=True, exist_ok=True)
    clip = synthetic_clip(folder)
    clip.rename(folder / "source.mp4")
    meta = {"tiktokVideoId": TIKTOK_ID, "caption": "my morning routine", "language": "en"}
    (folder / "source.json").write_text(json.dumps(meta | {"hashtags": ["fitness"]}))
    return folder / "source.mp4", save_photo("biden", folder / "biden.jpg")


def _wait_up(base_url: str, server: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"remixer serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("remixer serve did not come up")


def _wait_job(http: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        job = _check(http.get(f"/v1/jobs/{job_id}"), 200)
        if job["status"] not in ("queued", "running"):
            return dict(job)
        time.sleep(POLL_S)
    raise RuntimeError(f"job {job_id} still running after {JOB_TIMEOUT_S} s")


def _setup_project(http: httpx.Client, photo: Path) -> tuple[str, str]:
    """A project whose content layer uses a trained influencer; returns (project, account)."""
    pid = _check(http.post("/v1/projects", json={"name": "Bench", "brandVoice": "witty"}), 201)[
        "id"
    ]
    with photo.open("rb") as handle:
        files = {"file": (photo.name, handle, "image/jpeg")}
        media = _check(http.post(f"/v1/projects/{pid}/media", files=files), 201)
    created = _check(
        http.post(
            f"/v1/projects/{pid}/influencers",
            json={"name": "Bench Influencer", "referenceImageIds": [media["mediaId"]]},
        ),
        202,
    )
    if _wait_job(http, created["jobId"])["status"] != "completed":
        raise RuntimeError("the influencer job failed")
    account = _check(
        http.post(
            f"/v1/projects/{pid}/social-accounts", json={"platform": "tiktok", "handle": "@bench"}
        ),
        201,
    )
    layers = _check(http.get(f"/v1/projects/{pid}/layers"), 200)["items"]
    content = next(x for x in layers if x["template"] == "social_content")
    config = {"config": {"customInfluencerId": created["influencerId"]}}
    _check(http.patch(f"/v1/projects/{pid}/layers/{content['id']}", json=config), 200)
    return pid, account["id"]


def _remix_job(http: httpx.Client, pid: str, account: str) -> float:
    """Seconds from the accepting POST to the job reading `completed`."""
    start = time.perf_counter()
    accepted = _check(
        http.post(
            f"/v1/projects/{pid}/content/video-remix",
            json={"tiktokVideoId": TIKTOK_ID, "socialAccountId": account},
            headers={"Idempotency-Key": f"bench-{time.time_ns()}"},
        ),
        202,
    )
    job = _wait_job(http, accepted["jobId"])
    if job["status"] != "completed":
        raise RuntimeError(f"remix job ended {job['status']}: {job.get('error')}")
    return time.perf_counter() - start


def _log_file(folder: Path) -> Any:
    """Where the server's stdout (its log lines) goes: `KEEP_LOG`, or the temp folder."""
    return Path(KEEP_LOG or folder / "serve.out").open("wb")


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="remixer-bench-jobpath-") as tmp:
        folder = Path(tmp)
        source, photo = _assets(folder / "assets")
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "REMIXER_DATA_DIR": str(folder / "data"),
            "REMIXER_PUBLIC_URL": base_url,
            "REMIXER_LOG_LEVEL": "info" if KEEP_LOG else "warning",
        }
        env.pop("REMIXER_DATABASE_URL", None)
        settings = Settings(data_dir=folder / "data", database_url=None, public_url=base_url)
        key = _operator_setup(settings, source.parent, tier="pilot")
        server = subprocess.Popen(
            [str(BIN / "remixer"), "serve", "--port", str(port)],
            env=env,
            stdout=_log_file(folder),
            stderr=(folder / "serve.log").open("wb"),
        )
        try:
            _wait_up(base_url, server)
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=base_url, timeout=60, headers=headers) as http:
                pid, account = _setup_project(http, photo)
                warmup_s = _remix_job(http, pid, account)
                job_s: list[float] = []
                floor_s: list[float] = []
                for _ in range(RUNS):
                    job_s.append(_remix_job(http, pid, account))
                    floor_s.append(timed(floor_command(source, folder / "floor.mp4")).wall_s)
        finally:
            server.terminate()
            server.wait(timeout=30)
    ratio = statistics.median(job_s) / statistics.median(floor_s)
    figures: dict[str, Any] = {
        "what": "accept → completed over HTTP (live `remixer serve`, worker warm after one "
        "job) ÷ plain PyAV transcode process of the same clip, medians of alternating runs",
        "clip": "1080×1920 30 fps synthetic, three captions, one face",
        "runs_per_side": RUNS,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "first_job_s": round(warmup_s, 2),
        "job": spread(job_s),
        "floor": spread(floor_s),
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
