"""The `remixer` entry point: mounts every command group."""

from __future__ import annotations

import typer

from remixer.cli.admin import admin_app
from remixer.cli.copy import copy
from remixer.cli.demo import demo
from remixer.cli.remix import remix
from remixer.cli.serve import serve, worker
from remixer.cli.sources import sources_app

app = typer.Typer(
    help="Remixer: self-hosted video remix service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(serve)
app.command()(worker)
app.command()(remix)
app.command()(demo)
app.command()(copy)
app.add_typer(admin_app, name="admin")
app.add_typer(sources_app, name="sources")


if __name__ == "__main__":
    app()
