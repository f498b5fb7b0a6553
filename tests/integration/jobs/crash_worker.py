"""A worker process for the crash test: `crash_worker.py DATA_DIR DB_URL|- [JOB_ID_TO_ENQUEUE]`.

Launches a real worker (same executor id each time, so a restart recovers the pending
workflow), optionally enqueues one job on the test workflow, then serves until killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from jobs_support import TEST_WORKFLOWS, open_db

from remixer.workflows.runtime import Runtime
from remixer.workflows.scheduler import DbosJobScheduler
from remixer.workflows.worker import launch_worker


def main() -> None:
    data_dir, url = Path(sys.argv[1]), sys.argv[2]
    db = open_db(data_dir, None if url == "-" else url, create=False)
    settings = db.settings.model_copy(update={"executor_id": "crash-test-worker"})
    runtime = Runtime(settings=settings, uow_factory=db.uow_factory, blobs=None)  # type: ignore[arg-type]
    launch_worker(settings, runtime, polling_interval_s=0.1, workflows=TEST_WORKFLOWS)
    if len(sys.argv) > 3:
        DbosJobScheduler(settings, TEST_WORKFLOWS).enqueue(sys.argv[3], "content_generate")
    print("worker ready", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
