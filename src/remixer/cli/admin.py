"""Operator commands (SPEC §8): organizations, keys, credits, kill switch. JSON on stdout."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from remixer.cli.output import fail, print_json
from remixer.config import Settings

if TYPE_CHECKING:
    from types import ModuleType

    from remixer.store.uow import UnitOfWorkFactory

admin_app = typer.Typer(
    help="Operator commands; each prints one JSON object.", no_args_is_help=True
)


def _orgs() -> ModuleType:
    """The org services, imported when a command runs (the store stack is heavy to load,
    and every other `remixer` command would pay for it at start-up)."""
    from remixer.services import orgs

    return orgs


def _uow_factory() -> UnitOfWorkFactory:
    from remixer.store.engine import make_engine, make_session_factory
    from remixer.store.migrations import upgrade_to_head
    from remixer.store.uow import UnitOfWork

    settings = Settings()
    upgrade_to_head(settings.app_database_url)
    sessions = make_session_factory(make_engine(settings.app_database_url))
    return lambda: UnitOfWork(sessions)


def _print_or_fail(command: Callable[[], dict[str, Any]]) -> None:
    """Print the command's JSON; a rejected input exits 2 with the reason on stderr."""
    try:
        print_json(command())
    except ValueError as exc:
        raise fail(str(exc), 2) from exc


@admin_app.command("create-org")
def create_org(
    name: Annotated[str, typer.Option(help="Organization name")],
    credits: Annotated[int, typer.Option(help="Initial credit grant")] = 0,
    tier: Annotated[str, typer.Option(help="standard|pilot|partner|unlimited")] = "standard",
) -> None:
    _print_or_fail(lambda: _orgs().create_org(_uow_factory(), name, credits, tier))


@admin_app.command("create-key")
def create_key(
    org: Annotated[str, typer.Option(help="Organization id (org_…)")],
    scopes: Annotated[str, typer.Option(help="Comma-separated scopes, or '*'")],
    env: Annotated[str, typer.Option(help="live|test")] = "live",
) -> None:
    _print_or_fail(lambda: _orgs().create_key(_uow_factory(), org, scopes, env))


@admin_app.command("grant-credits")
def grant_credits(
    org: Annotated[str, typer.Option(help="Organization id (org_…)")],
    credits: Annotated[int, typer.Option(help="Credits to add")],
) -> None:
    _print_or_fail(lambda: _orgs().grant_credits(_uow_factory(), org, credits))


@admin_app.command("kill-key")
def kill_key(key_id: Annotated[str, typer.Argument(help="API key id (key_…)")]) -> None:
    from remixer.domain.errors import RemixerError

    try:
        print_json(_orgs().kill_key(_uow_factory(), key_id))
    except RemixerError as exc:
        raise fail(f"API key {key_id} not found", 2) from exc
