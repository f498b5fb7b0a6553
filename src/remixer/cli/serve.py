"""`remixer serve` (API + embedded worker) and `remixer worker` (scale-out worker)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
import uvicorn

from remixer.cli.output import fail
from remixer.config import Settings


def _check_face_models(settings: Settings) -> None:
    """A missing, unreadable or unsupported neural model stops the worker at start-up."""
    from remixer.pipeline.errors import PipelineError
    from remixer.pipeline.faces.neural import check_face_models

    try:
        check_face_models(settings.faceswap_model, settings.face_embedder_model)
    except PipelineError as exc:
        raise fail(f"{exc.code}: {exc.message}") from exc


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
    if not no_worker:
        _check_face_models(settings)
    components = build_components(settings)
    worker = None
    if not no_worker:
        from remixer.workflows.runtime import launch_worker

        worker = launch_worker(settings)
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
    from remixer.store.migrations import upgrade_to_head
    from remixer.workflows.runtime import launch_worker

    settings = Settings()
    _check_face_models(settings)
    upgrade_to_head(settings.app_database_url)
    running = launch_worker(settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo("remixer worker running; Ctrl-C to stop", err=True)
    stop.wait()
    running.shutdown()
