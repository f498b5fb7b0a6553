"""`remixer sources import PATH…`: add video files with JSON sidecars to the source catalog.

Prints one JSON object on stdout (`imported`, `updated`, `rejected`) and exits 1 when
anything was rejected; progress goes to stderr. The database schema must already exist
(migrations); a missing table is reported as such, with exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import av
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from remixer.config import Settings
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.video import probe_video
from remixer.sources.errors import SourceError

if TYPE_CHECKING:
    from remixer.services.sources import ImportReport, ProgressFn

sources_app = typer.Typer(help="Manage the source video catalog.", no_args_is_help=True)


@sources_app.callback()
def sources_callback() -> None:
    """Manage the source video catalog (kept a command group even with one command)."""


def probe_source(path: Path) -> dict[str, Any]:
    """Probe data for the catalog; an undecodable file becomes `SourceError(SOURCE_INVALID)`."""
    try:
        return probe_video(path).to_dict()
    except PipelineError as exc:
        raise SourceError("SOURCE_INVALID", exc.message) from exc


def write_thumbnail(video: Path, dest: Path) -> None:
    """Save the first decodable frame as a JPEG (best effort: nothing is written on failure)."""
    try:
        with av.open(str(video)) as container:
            frame: Any = next(container.decode(video=0), None)
            if frame is not None:
                frame.to_image().save(dest, format="JPEG", quality=85)
    except (av.FFmpegError, OSError, ValueError):
        return


@sources_app.command("import")
def import_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Video files (NAME.mp4 + NAME.json) or folders of pairs.")
    ],
) -> None:
    """Import video/sidecar pairs into the catalog; identical re-imports are no-ops."""
    # The store stack loads here, not at start-up: every other command would pay for it.
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from remixer.blobs.factory import build_blob_store
    from remixer.services.sources import import_sources
    from remixer.store.engine import make_engine, make_session_factory
    from remixer.store.migrations import upgrade_to_head
    from remixer.store.uow import UnitOfWork

    settings = Settings()
    upgrade_to_head(settings.app_database_url)
    engine = make_engine(settings.app_database_url)
    sessions = make_session_factory(engine)
    blobs = build_blob_store(settings)
    console = Console(stderr=True)
    try:
        with _progress_bar(console) as advance:
            report = import_sources(
                lambda: UnitOfWork(sessions),
                blobs,
                paths,
                probe_source,
                advance,
                thumbnail=write_thumbnail,
            )
    except (OperationalError, ProgrammingError) as exc:
        console.print(f"[red]The database is not ready (run the migrations first): {exc.orig}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    _summarise(console, report)
    typer.echo(json.dumps(report.to_dict()))
    if report.rejected:
        raise typer.Exit(1)


@contextmanager
def _progress_bar(console: Console) -> Iterator[ProgressFn]:
    """A Rich progress bar on stderr, driven by the service's `(done, total)` callback."""
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("import", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _summarise(console: Console, report: ImportReport) -> None:
    console.print(
        f"imported {len(report.imported)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}, rejected {len(report.rejected)}"
    )
    for rejection in report.rejected:
        console.print(f"[yellow]rejected[/] {rejection.path}: {rejection.reason}")
