"""A worker process for the webhook crash tests: `webhook_worker.py DATA_DIR DB_URL|-`.

Launches a real worker (the same executor id every time, so a restart recovers the
pending workflows) with the test job workflow, then serves until killed. Webhook
settings come from the environment (`REMIXER_WEBHOOK_*`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from webhooks_support import TEST_WORKFLOWS, open_db

from remixer.blobs.store import LocalBlobStore
from remixer.workflows.runtime import Runtime
from remixer.workflows.worker import launch_worker


def main() -> None:
    data_dir, url = Path(sys.argv[1]), sys.argv[2]
    db = open_db(data_dir, None if url == "-" else url, create=False)
    settings = db.settings.model_copy(update={"executor_id": "webhook-crash-worker"})
    runtime = Runtime(
        settings=settings, uow_factory=db.uow_factory, blobs=LocalBlobStore(settings.media_dir)
    )
    launch_worker(settings, runtime, polling_interval_s=0.1, workflows=TEST_WORKFLOWS)
    print("worker ready", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
