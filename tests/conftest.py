"""Suite-wide: this folder is on sys.path (pytest's rootdir conftest), so every test
package can import the shared helper modules here, such as `pg_support`.

Every test also gets the logging configuration it started with back afterwards: a test
that runs `serve`, `worker` or `demo` in-process configures logging for a service (JSON
lines on stdout, INFO), and that set-up would otherwise write into the output of every
later in-process CLI test."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

LoggerState = tuple[list[logging.Handler], int, bool]


def _loggers() -> dict[str, logging.Logger]:
    found = logging.Logger.manager.loggerDict.items()
    return {name: lg for name, lg in found if isinstance(lg, logging.Logger)}


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    root = logging.getLogger()
    saved_root: LoggerState = (root.handlers[:], root.level, root.propagate)
    saved = {name: (lg.handlers[:], lg.level, lg.propagate) for name, lg in _loggers().items()}
    saved_structlog: dict[str, Any] = structlog.get_config()
    yield
    root.handlers, root.level, root.propagate = saved_root[0], saved_root[1], saved_root[2]
    for name, lg in _loggers().items():
        handlers, level, propagate = saved.get(name, ([], logging.NOTSET, True))
        lg.handlers, lg.level, lg.propagate = handlers, level, propagate
    structlog.configure(**saved_structlog)
