"""Job path: accept → `completed` over HTTP with a warm in-process worker (uvicorn API +
DBOS worker, SQLite), on the e2e clip (540×960, 30 fps, 3 s, classic swapper, offline
copy). One warm-up remix, then RUNS timed ones; prints each run's stage trace and a JSON
summary. `PYTHONPATH=src python benchmarks/job_path_timing.py RUNS` (docs/jobs.md).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from e2e_support import TIKTOK_ID, build_e2e_assets

from remixer.cli.demo import EmbeddedService, _free_port, _operator_setup
from remixer.config import Settings

Trace = list[tuple[str, float, float]]


def poll(http: httpx.Client, job_id: str, every_s: float = 0.05) -> tuple[dict[str, Any], Trace]:
    """Poll until the job ends; the trace holds (stage, time seen, progress) per stage."""
    stages: Trace = []
    while True:
        job: dict[str, Any] = http.get(f"/v1/jobs/{job_id}").json()
        if not stages or stages[-1][0] != job["stage"]:
            stages.append((job["stage"], time.perf_counter(), job["progress"]))
        if job["status"] != "running":
            return job, stages
        time.sleep(every_s)


def influencer(http: httpx.Client, photo: Path) -> tuple[str, str]:
    body = {"name": "T", "brandVoice": "witty", "primaryLanguage": "en"}
    pid = str(http.post("/v1/projects", json=body).json()["id"])
    with photo.open("rb") as handle:
        files = {"file": ("b.jpg", handle, "image/jpeg")}
        media = http.post(f"/v1/projects/{pid}/media", files=files).json()
    made = http.post(
        f"/v1/projects/{pid}/influencers",
        json={"name": "B", "referenceImageIds": [media["mediaId"]]},
    ).json()
    poll(http, made["jobId"])
    return pid, str(made["influencerId"])


def time_remixes(http: httpx.Client, pid: str, influencer_id: str, runs: int) -> list[float]:
    times = []
    for n in range(runs + 1):
        started = time.perf_counter()
        accepted = http.post(
            f"/v1/projects/{pid}/content/video-remix",
            json={"tiktokVideoId": TIKTOK_ID, "influencerId": influencer_id},
            headers={"Idempotency-Key": f"t{n}-{time.time_ns()}"},
        )
        job, stages = poll(http, accepted.json()["jobId"])
        took = time.perf_counter() - started
        assert job["status"] == "completed", job
        trace = [(s, round(t - started, 2), round(p, 2)) for s, t, p in stages]
        print("warm-up" if n == 0 else f"run {n}", f"{took:.2f}s", trace, flush=True)
        if n:
            times.append(took)
    return sorted(times)


def main(runs: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="jobtiming-"))
    assets = build_e2e_assets(tmp / "assets")
    port = _free_port()
    settings = Settings(
        data_dir=tmp / "data",
        database_url=None,
        public_url=f"http://127.0.0.1:{port}",
        _env_file=None,  # type: ignore[call-arg]
    )
    key = _operator_setup(settings, assets.source.parent, tier="pilot")
    service = EmbeddedService(settings, port)
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with httpx.Client(base_url=settings.public_url, timeout=60, headers=headers) as http:
            pid, influencer_id = influencer(http, assets.photos[0])
            times = time_remixes(http, pid, influencer_id, runs)
    finally:
        service.stop()
    summary = {"runs": runs, "median_s": round(times[len(times) // 2], 2)}
    print(json.dumps(summary | {"all": [round(t, 2) for t in times]}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
