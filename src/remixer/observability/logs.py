"""Structured logs (structlog over the stdlib `logging` tree): JSON or readable text.

Every record, ours or a library's, goes through one handler. Context comes from two
places: structlog's contextvars (jobs bind `jobId`, `stage`, `executorId`) and the ASGI
scope of the request being served (`requestId`, `organizationId`, `route`), read lazily
at log time so a request that logs nothing pays nothing but one context-variable set.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

LogFormat = Literal["json", "text"]
HANDLER_NAME = "remixer"
QUIET_LIBRARIES = {"dbos": logging.WARNING, "absl": logging.ERROR, "RapidOCR": logging.ERROR}

_request_scope: ContextVar[MutableMapping[str, Any] | None] = ContextVar(
    "remixer_request_scope", default=None
)


def enter_request(scope: MutableMapping[str, Any]) -> Token[MutableMapping[str, Any] | None]:
    """Make `scope` the request every log line in this context belongs to."""
    return _request_scope.set(scope)


def leave_request(token: Token[MutableMapping[str, Any] | None]) -> None:
    _request_scope.reset(token)


def route_of(scope: MutableMapping[str, Any]) -> str | None:
    """The matched route's template (`/v1/jobs/{jobId}`), None before routing or on a 404."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else None


def _request_context(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    scope = _request_scope.get()
    if scope is not None:
        state = scope.get("state") or {}
        event.setdefault("requestId", state.get("request_id"))
        event.setdefault("organizationId", state.get("organization_id"))
        event.setdefault("route", route_of(scope) or scope.get("path"))
    return event


@contextmanager
def job_context(job_id: str, stage: str, executor_id: str) -> Iterator[None]:
    """Bind a job's ids to every line logged inside (also on this thread's library logs)."""
    tokens = structlog.contextvars.bind_contextvars(
        jobId=job_id, stage=stage, executorId=executor_id
    )
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def resolve_format(
    configured: str | None, service: bool, stdout: TextIO | None = None
) -> LogFormat:
    """`REMIXER_LOG_FORMAT` wins; else JSON for serve/worker writing to a non-terminal."""
    if configured in ("json", "text"):
        return configured  # type: ignore[return-value]
    out = stdout or sys.stdout
    is_tty = bool(getattr(out, "isatty", lambda: False)())
    return "json" if service and not is_tty else "text"


def _processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        _request_context,
        structlog.stdlib.add_log_level,
        _add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]


class _NamedWriteLogger(structlog.WriteLogger):
    def __init__(self, file: TextIO, name: str | None) -> None:
        super().__init__(file)
        self.name = name


class _NamedWriteLoggerFactory:
    """structlog's `WriteLoggerFactory`, keeping the name given to `get_logger`."""

    def __init__(self, file: TextIO) -> None:
        self._file = file

    def __call__(self, *args: Any) -> _NamedWriteLogger:
        return _NamedWriteLogger(self._file, args[0] if args else None)


def _add_logger_name(logger: WrappedLogger, _: str, event: EventDict) -> EventDict:
    record = event.get("_record")
    if record is not None:
        event.setdefault("logger", record.name)
    elif "logger" not in event and isinstance(getattr(logger, "name", None), str):
        event["logger"] = logger.name
    return event


def _drop_empty(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    return {k: v for k, v in event.items() if v is not None}


class _CurrentStream:
    """`sys.stdout` or `sys.stderr` as it is at each write, not as it was at set-up: a CLI
    runner or a test harness swaps those streams and closes its own afterwards, and a
    handler holding the closed one fails every later DBOS start (DBOS flushes handlers)."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def _stream(self) -> TextIO:
        stream: TextIO = getattr(sys, self._name)
        return stream

    def write(self, text: str) -> int:
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return bool(getattr(self._stream, "isatty", lambda: False)())


def configure_logging(
    level: str = "info",
    fmt: str | None = None,
    *,
    service: bool = False,
    stream: TextIO | None = None,
) -> LogFormat:
    """One handler on the root logger; serve/worker log to stdout, other commands to stderr."""
    chosen = resolve_format(fmt, service)
    out: TextIO = stream or _CurrentStream("stdout" if service else "stderr")  # type: ignore[assignment]
    renderer: Processor
    if chosen == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=bool(getattr(out, "isatty", bool)()))
    shared = _processors()
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _drop_empty,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(out)
    handler.name = HANDLER_NAME
    handler.setFormatter(formatter)
    numeric = logging.getLevelName(level.upper())
    # A library that sets its own logger to DEBUG (bm25s does) must not print past the level.
    handler.setLevel(numeric)
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.name != HANDLER_NAME] + [handler]
    root.setLevel(numeric)
    for name, floor in QUIET_LIBRARIES.items():
        lib = logging.getLogger(name)
        lib.setLevel(logging.DEBUG if numeric <= logging.DEBUG else floor)
        # DBOS adds its own console handler only to a logger that has none.
        lib.handlers = [handler]
        lib.propagate = False
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    global _generation
    _generation += 1
    # Our own lines skip the stdlib record machinery (a LogRecord and its copy cost more
    # than the rest of an access line); library records still use the handler above.
    structlog.configure(
        processors=[*shared, _drop_empty, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_NamedWriteLoggerFactory(out),
        cache_logger_on_first_use=False,
    )
    return chosen


def _configure_structlog(shared: list[Processor]) -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


class _CachedLogger:
    """A logger bound once per `configure_logging` call instead of once per line."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._generation = -1
        self._bound: Any = None

    def __getattr__(self, method: str) -> Any:
        if self._generation != _generation:
            self._bound = structlog.get_logger(self._name).bind()
            self._generation = _generation
        return getattr(self._bound, method)


_generation = 0


def get_logger(name: str) -> Any:
    """A structlog logger whose lines name `name` as their `logger`."""
    return _CachedLogger(name)


if not structlog.is_configured():
    # Until `configure_logging` runs (tests, library use) structlog goes through stdlib
    # logging too, so its lines obey the stdlib levels instead of printing to stdout.
    _configure_structlog(_processors())
