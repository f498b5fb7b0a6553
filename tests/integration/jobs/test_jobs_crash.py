"""THE crash test: kill -9 a worker mid-job, start a new worker process, and the job
finishes cleanly from where it was, with credits charged at most once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from jobs_support import Db, load, seed_job, wait_for

SCRIPT = Path(__file__).with_name("crash_worker.py")


def _start_worker(db: Db, job_id: str | None = None) -> subprocess.Popen[bytes]:
    url = db.settings.database_url or "-"
    args = [sys.executable, str(SCRIPT), str(db.settings.data_dir), url]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SCRIPT.parent), *sys.path])}
    return subprocess.Popen(
        [*args, *([job_id] if job_id else [])],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_killed_worker_resumes_and_charges_once(db: Db, clip: Path, tmp_path: Path) -> None:
    log = tmp_path / "stages.log"
    params = {"clip": str(clip), "frames": 60, "frameDelay": 0.05, "log": str(log)}
    job_id = seed_job(db, params=params)
    first = _start_worker(db, job_id)
    try:
        wait_for(db, job_id, lambda j: j.stage == "rendering" and j.stage_progress > 0.2)
    finally:
        _kill(first)
    killed = load(db, job_id)
    assert killed[0].status == "running" and killed[2].credits_reserved == 120
    assert 0 < killed[0].progress < 1

    second = _start_worker(db)
    try:
        started = time.monotonic()
        job = wait_for(db, job_id, lambda j: j.status != "running", timeout_s=60)
        resumed_s = time.monotonic() - started
    finally:
        _kill(second)

    job, container, org, events = load(db, job_id)
    assert job.status == "completed" and container.status == "completed", job.error_message
    assert job.progress == 1.0 and job.progress >= killed[0].progress
    # The finished step was memoized; only the interrupted one ran again.
    assert log.read_text().split() == ["fetching_source", "rendering", "rendering"]
    assert [e.event_type for e in events].count("usage") == 1
    assert (org.credit_balance, org.credits_reserved) == (880, 0)
    assert sum(e.credits for e in events) == org.credit_balance
    assert resumed_s < 45
