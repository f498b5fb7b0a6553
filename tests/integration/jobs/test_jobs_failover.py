"""Worker failover on PostgreSQL: a worker killed for good mid-job is detected by its stale
heartbeat, and a surviving worker recovers its pending workflow through DBOS; the job
resumes after its last completed step and is charged once. Plus the advisory lock that
lets exactly one survivor act."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from jobs_support import (
    Db,
    create_pg_database,
    drop_pg_database,
    load,
    open_db,
    seed_job,
    wait_for,
)

from pg_support import NOT_REACHABLE, postgres_available
from remixer.workflows.failover import FAILOVER_LOCK_KEY, Failover

pytestmark = pytest.mark.postgres
SCRIPT = Path(__file__).with_name("failover_worker.py")


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Db]:
    if not postgres_available():
        pytest.skip(NOT_REACHABLE)
    url = create_pg_database()
    database = open_db(tmp_path, url)
    try:
        yield database
    finally:
        database.engine.dispose()
        drop_pg_database(url)


def _start(db: Db, executor_id: str, job_id: str | None = None) -> subprocess.Popen[bytes]:
    args = [sys.executable, str(SCRIPT), str(db.settings.data_dir), str(db.settings.database_url)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SCRIPT.parent), *sys.path])}
    return subprocess.Popen(
        [*args, executor_id, *([job_id] if job_id else [])],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _heartbeats(db: Db) -> dict[str, float]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT executor_id, EXTRACT(EPOCH FROM now() - last_seen_at) "
                "FROM worker_heartbeats"
            )
        )
        return {str(r[0]): float(r[1]) for r in rows}


def _wait_until(predicate, timeout_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_a_surviving_worker_recovers_a_killed_workers_job(
    pg: Db, clip: Path, tmp_path: Path
) -> None:
    log = tmp_path / "stages.log"
    params = {"clip": str(clip), "frames": 60, "frameDelay": 0.25, "log": str(log)}
    job_id = seed_job(pg, params=params)
    doomed = _start(pg, "worker-a", job_id)
    survivor: subprocess.Popen[bytes] | None = None
    try:
        wait_for(pg, job_id, lambda j: j.stage == "rendering", timeout_s=60)
        survivor = _start(pg, "worker-b")
        _wait_until(lambda: "worker-b" in _heartbeats(pg), timeout_s=60)
        wait_for(pg, job_id, lambda j: j.stage_progress > 0.2)
        assert "worker-a" in _heartbeats(pg)
        _kill(doomed)
        killed_at = time.monotonic()
        killed = load(pg, job_id)
        assert killed[0].status == "running" and 0 < killed[0].progress < 1

        job = wait_for(pg, job_id, lambda j: j.status != "running", timeout_s=90)
        recovered_s = time.monotonic() - killed_at
        # The dead worker's row was consumed by the recovery; the survivor still beats.
        assert "worker-a" not in _heartbeats(pg) and "worker-b" in _heartbeats(pg)
    finally:
        _kill(doomed)
        if survivor is not None:
            _kill(survivor)

    job, container, org, events = load(pg, job_id)
    assert job.status == "completed" and container.status == "completed", job.error_message
    # fetching_source was memoized by DBOS; only the interrupted rendering ran again.
    assert log.read_text().split() == ["fetching_source", "rendering", "rendering"]
    assert [e.event_type for e in events].count("usage") == 1
    assert (org.credit_balance, org.credits_reserved) == (880, 0)
    assert sum(e.credits for e in events) == org.credit_balance
    assert recovered_s < 60, recovered_s


def test_one_survivor_recovers_a_dead_executor_once(pg: Db) -> None:
    recovered: list[list[str]] = []

    def recover(ids: list[str]) -> list[object]:
        recovered.append(ids)
        return []

    with pg.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO worker_heartbeats VALUES "
                "('ghost', 'h', 1, now(), now() - interval '120 seconds'), "
                "('fresh', 'h', 2, now(), now())"
            )
        )
    url = str(pg.settings.database_url)
    first = Failover(sa.create_engine(url), "survivor-1", 60.0, recover)
    second = Failover(sa.create_engine(url), "survivor-2", 60.0, recover)
    try:
        first.beat()
        # Another survivor is mid-sweep (holds the advisory lock): this one does nothing.
        with pg.engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": FAILOVER_LOCK_KEY})
            assert second.sweep() == []
        assert recovered == []
        assert first.sweep() == ["ghost"]
        assert second.sweep() == [] and first.sweep() == []
        assert recovered == [["ghost"]]
        assert set(_heartbeats(pg)) == {"fresh", "survivor-1"}
    finally:
        first.stop()
        second.stop()
