"""`remixer doctor`: one line per part of the stack, OK / FAIL / SKIP and the fix."""

from __future__ import annotations

from typing import Annotated

import typer

from remixer.cli.doctor_checks import CHECKS, Verdict, run_check
from remixer.config import Settings


def _line(v: Verdict) -> str:
    text = f"{v.status:<4}  {v.name:<16} {v.detail}"
    if not v.required and v.status == "FAIL":
        text += " (optional)"
    if v.status == "FAIL" and v.fix:
        text += f"  → fix: {v.fix}"
    return text


def doctor(
    migrate: Annotated[
        bool, typer.Option("--migrate", help="Upgrade the database to head first")
    ] = False,
) -> None:
    """Check the database, DBOS, Redis, media store, fonts, models, LLM and disk."""
    settings = Settings()
    if migrate:
        from remixer.store.migrations import upgrade_to_head

        upgrade_to_head(settings.app_database_url)
    failed = False
    for check in CHECKS:
        verdict = run_check(check, settings)
        typer.echo(_line(verdict))
        failed = failed or verdict.failed
    if failed:
        typer.echo("doctor: required parts failed; apply the fixes above", err=True)
        raise typer.Exit(1)
