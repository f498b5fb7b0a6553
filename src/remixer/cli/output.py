"""Printing for commands: one JSON object on stdout; people-facing notes on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> typer.Exit:
    sys.stderr.write(f"error: {message}\n")
    return typer.Exit(code)
