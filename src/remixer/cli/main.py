"""The `remixer` entry point: mounts every command group."""

from __future__ import annotations

import typer

from remixer.cli.admin import admin_app
from remixer.cli.copy import copy
from remixer.cli.demo import demo
from remixer.cli.doctor import doctor
from remixer.cli.remix import remix
from remixer.cli.serve import serve, worker
from remixer.cli.sources import sources_app
from remixer.config import Settings
from remixer.observability.logs import configure_logging
from remixer.observability.native import filter_native_stderr, quiet_environment

app = typer.Typer(
    help="Remixer: self-hosted video remix service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _startup() -> None:
    """Before any command: quiet the native libraries and set up logging."""
    quiet_environment()
    if not filter_native_stderr():
        return  # an in-process runner (tests) owns stderr and the logging setup
    settings = Settings()
    explicit = "log_level" in settings.model_fields_set
    # Library INFO lines would crowd a one-shot command's output; serve/worker log at INFO.
    configure_logging(settings.log_level if explicit else "warning", settings.log_format)


app.command()(serve)
app.command()(worker)
app.command()(remix)
app.command()(demo)
app.command()(doctor)
app.command()(copy)
app.add_typer(admin_app, name="admin")
app.add_typer(sources_app, name="sources")


if __name__ == "__main__":
    app()
