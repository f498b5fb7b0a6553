"""A real local HTTP receiver for webhook tests: answers each POST with the next scripted
status (then a default), records what arrived, and can hold a request until released."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def event_id(self) -> str:
        return self.headers["x-layers-event-id"]

    @property
    def signature(self) -> str:
        return self.headers["x-layers-signature"]


@dataclass
class Receiver:
    script: list[int | tuple[int, dict[str, str]]] = field(default_factory=list)
    default: int = 200
    hold: threading.Event | None = None
    """When set to an unset Event, every request waits for it before answering."""
    received: list[Received] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def next_response(self) -> tuple[int, dict[str, str]]:
        with self._lock:
            item = self.script.pop(0) if self.script else self.default
        return item if isinstance(item, tuple) else (item, {})

    def wait_for(self, count: int, timeout_s: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver got {len(self.received)} of {count} requests")
            time.sleep(0.02)
        return list(self.received)

    def wait_arrived(self, count: int, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.arrived) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.arrived)} of {count} requests arrived")
            time.sleep(0.02)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver.arrived.append(time.monotonic())
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if receiver.hold is not None:
                receiver.hold.wait(60)
            status, headers = receiver.next_response()
            headers_in = {k.lower(): v for k, v in self.headers.items()}
            receiver.received.append(Received(self.path, headers_in, body, time.monotonic()))
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender went away (a killed worker)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


class _Server(ThreadingHTTPServer):
    """Twenty deliveries can connect at once; the default listen backlog of 5 would refuse
    some of them before the handler saw them, and the test would count a lost request."""

    request_queue_size = 128
    daemon_threads = True


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    server = _Server(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.shutdown()
        server.server_close()
