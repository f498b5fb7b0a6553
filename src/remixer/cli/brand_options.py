"""The brand options `remixer remix` and `remixer copy` share (SPEC §8), and their check."""

from __future__ import annotations

from typing import Annotated

import typer

from remixer.cli.output import fail
from remixer.domain.brand import BRAND_VOICES

Voice = Annotated[str, typer.Option(help="Brand voice")]
Language = Annotated[str, typer.Option(help="Target language (BCP 47)")]
AppName = Annotated[str, typer.Option(help="Brand/app name woven into the copy")]
Keywords = Annotated[list[str] | None, typer.Option(help="Brand keyword (repeat for several)")]
Banned = Annotated[
    list[str] | None, typer.Option(help="Banned phrase, replaced in any form (repeat)")
]


def check_voice(voice: str) -> None:
    """Exit 2 with the list of voices when `voice` is not one."""
    if voice not in BRAND_VOICES:
        raise fail(f"--voice must be one of {', '.join(BRAND_VOICES)}", 2)
