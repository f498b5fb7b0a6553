"""A worker process for the failover test:
`failover_worker.py DATA_DIR DB_URL EXECUTOR_ID [JOB_ID_TO_ENQUEUE]`.

A real worker with its own executor id, fast heartbeats and a short dead-after
threshold; optionally enqueues one job on the test workflow, then serves until killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from jobs_support import TEST_WORKFLOWS, open_db

from remixer.workflows.runtime import Runtime
from remixer.workflows.scheduler import DbosJobScheduler
from remixer.workflows.worker import launch_worker

HEARTBEAT_S = 0.5
DEAD_AFTER_S = 3.0


def main() -> None:
    data_dir, url, executor_id = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    db = open_db(data_dir, url, create=False)
    settings = db.settings.model_copy(
        update={
            "executor_id": executor_id,
            "worker_heartbeat_s": HEARTBEAT_S,
            "worker_dead_after_s": DEAD_AFTER_S,
        }
    )
    runtime = Runtime(settings=settings, uow_factory=db.uow_factory, blobs=None)  # type: ignore[arg-type]
    launch_worker(settings, runtime, polling_interval_s=0.1, workflows=TEST_WORKFLOWS)
    if len(sys.argv) > 4:
        DbosJobScheduler(settings, TEST_WORKFLOWS).enqueue(sys.argv[4], "content_generate")
    print("worker ready", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
