"""`remixer serve` (API + embedded worker) and `remixer worker` (scale-out worker)."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from remixer.cli.output import fail
from remixer.config import Settings

if TYPE_CHECKING:
    from remixer.workflows.runtime import ModelCache

MetricsPort = Annotated[
    int | None,
    typer.Option("--metrics-port", help="Serve Prometheus metrics at :N/metrics"),
]
MetricsHost = Annotated[
    str, typer.Option("--metrics-host", help="Interface for the metrics endpoint")
]


def _observe(settings: Settings, metrics_port: int | None, metrics_host: str) -> None:
    """Service logging (JSON off a terminal) and, when asked, the metrics endpoint."""
    from remixer.observability.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format, service=True)
    if metrics_port is not None:
        from remixer.observability.metrics import serve_metrics
        from remixer.services.stats import sample
        from remixer.store.engine import make_engine, make_session_factory
        from remixer.store.uow import UnitOfWork

        sessions = make_session_factory(make_engine(settings.app_database_url))
        serve_metrics(metrics_port, metrics_host, lambda: sample(lambda: UnitOfWork(sessions)))


def _check_face_models(settings: Settings) -> ModelCache:
    """A missing, unreadable or unsupported neural model stops the worker at start-up; the
    checked models stay loaded in the returned cache, which the worker's runtime keeps."""
    from remixer.pipeline.errors import PipelineError
    from remixer.pipeline.models import check_face_models
    from remixer.workflows.runtime import ModelCache

    models = ModelCache()
    try:
        check_face_models(models, settings.faceswap_model, settings.face_embedder_model)
    except PipelineError as exc:
        raise fail(f"{exc.code}: {exc.message}") from exc
    return models


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8080,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="API only")] = False,
    metrics_port: MetricsPort = None,
    metrics_host: MetricsHost = "127.0.0.1",
) -> None:
    """Run the HTTP API, and (unless --no-worker) a job worker in the same process."""
    import uvicorn

    from remixer.api.app import create_app
    from remixer.bootstrap import build_components

    settings = Settings()
    if "public_url" not in settings.model_fields_set:
        # Signed media URLs must point at this server unless an operator says otherwise.
        public_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        settings = settings.model_copy(update={"public_url": f"http://{public_host}:{port}"})
    _observe(settings, metrics_port, metrics_host)
    models = None if no_worker else _check_face_models(settings)
    components = build_components(settings)
    worker = None
    if models is not None:
        from remixer.bootstrap import build_runtime
        from remixer.workflows.worker import launch_worker

        worker = launch_worker(settings, build_runtime(settings, components, models))
    try:
        uvicorn.run(
            create_app(components),
            host=host,
            port=port,
            log_level=settings.log_level,
            log_config=None,
            access_log=False,
        )
    finally:
        if worker is not None:
            worker.shutdown()


def worker(metrics_port: MetricsPort = None, metrics_host: MetricsHost = "127.0.0.1") -> None:
    """Run a job worker alone (point REMIXER_DATABASE_URL at the shared PostgreSQL)."""
    from remixer.bootstrap import build_runtime
    from remixer.store.migrations import upgrade_to_head
    from remixer.workflows.worker import launch_worker

    settings = Settings()
    _observe(settings, metrics_port, metrics_host)
    models = _check_face_models(settings)
    upgrade_to_head(settings.app_database_url)
    running = launch_worker(settings, build_runtime(settings, models=models))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo("remixer worker running; Ctrl-C to stop", err=True)
    stop.wait()
    running.shutdown()
