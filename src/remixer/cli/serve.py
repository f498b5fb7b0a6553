"""`remixer serve` (API + embedded worker) and `remixer worker` (scale-out worker)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
import uvicorn

from remixer.config import Settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8080,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="API only")] = False,
) -> None:
    """Run the HTTP API, and (unless --no-worker) a job worker in the same process."""
    from remixer.api.app import create_app
    from remixer.bootstrap import build_components

    settings = Settings()
    if "public_url" not in settings.model_fields_set:
        # Signed media URLs must point at this server unless an operator says otherwise.
        public_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        settings = settings.model_copy(update={"public_url": f"http://{public_host}:{port}"})
    components = build_components(settings)
    worker = None
    if not no_worker:
        from remixer.bootstrap import build_runtime
        from remixer.workflows.worker import launch_worker

        worker = launch_worker(settings, build_runtime(settings, components))
    try:
        uvicorn.run(
            create_app(components),
            host=host,
            port=port,
            log_level=settings.log_level,
            access_log=False,
        )
    finally:
        if worker is not None:
            worker.shutdown()


def worker() -> None:
    """Run a job worker alone (point REMIXER_DATABASE_URL at the shared PostgreSQL)."""
    from remixer.bootstrap import build_runtime
    from remixer.store.migrations import upgrade_to_head
    from remixer.workflows.worker import launch_worker

    settings = Settings()
    upgrade_to_head(settings.app_database_url)
    running = launch_worker(settings, build_runtime(settings))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo("remixer worker running; Ctrl-C to stop", err=True)
    stop.wait()
    running.shutdown()
