"""`bootstrap`: one composition root for the API and the worker, sharing one engine, one
dispatch signal and the accept port's store implementation; the runtime module is state
only (importing it launches nothing and registers no workflow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from remixer.bootstrap import build_components, build_runtime
from remixer.config import Settings
from remixer.store.accepts import BatchedAccepts
from remixer.workflows.scheduler import OutboxJobScheduler


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        signing_secret="test-signing-secret-of-32-bytes-or-more",
        _env_file=None,  # type: ignore[call-arg]
    )


def test_api_and_worker_share_the_dispatch_signal(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    components = build_components(settings)
    runtime = build_runtime(settings, components)
    assert isinstance(components.scheduler, OutboxJobScheduler)
    assert isinstance(components.accepts, BatchedAccepts)
    assert runtime.dispatch_wakeup is components.dispatch_wakeup
    assert runtime.blobs is components.blobs
    assert not runtime.dispatch_wakeup.is_set()
    components.scheduler.enqueue("job_x", "content_generate")
    assert runtime.dispatch_wakeup.is_set(), "an accept wakes this process's dispatcher"
    with runtime.uow_factory() as uow:
        assert uow.accounts.get_org("org_missing") is None
    components.engine.dispose()


def test_a_separate_worker_builds_its_own_signal(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    api_side = build_components(settings)
    worker_side = build_runtime(settings)
    assert worker_side.dispatch_wakeup is not api_side.dispatch_wakeup
    api_side.engine.dispose()


def test_importing_the_runtime_launches_and_registers_nothing() -> None:
    code = (
        "import sys, remixer.workflows.runtime as r; "
        "loaded = [m for m in sys.modules if m == 'dbos' or m.startswith('dbos.') "
        "or m in ('remixer.workflows.remix', 'remixer.workflows.influencer', "
        "'remixer.workflows.worker')]; "
        "print(loaded); assert not loaded"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
