"""The chat-completions adapter against a real local HTTP server speaking the protocol."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite import ChatCompletionsCopyAdapter, CopyBrief, copy_items

Reply = tuple[int, Any, float]
"""HTTP status, JSON body (or raw str), delay in seconds."""

ITEMS = copy_items([["Nobody talks about", "this productivity trick"], ["Save it for later"]])
GOOD = ["Nobody mentions this", "Save it now"]


class FakeServer:
    """Serves queued replies on 127.0.0.1:<random>; records the requests it got."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                server.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                status, body, delay = server.replies.pop(0) if server.replies else (500, {}, 0)
                time.sleep(delay)
                raw = body if isinstance(body, str) else json.dumps(body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(raw.encode())
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, *args: Any) -> None:
                return

        return Handler


def completion(texts: Any) -> dict[str, Any]:
    content = texts if isinstance(texts, str) else json.dumps({"texts": texts})
    return {"choices": [{"message": {"role": "assistant", "content": content}}]}


@pytest.fixture()
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    fake.thread.start()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


AdapterFactory = Callable[..., ChatCompletionsCopyAdapter]


@pytest.fixture()
def adapter(server: FakeServer) -> AdapterFactory:
    def make(**kwargs: Any) -> ChatCompletionsCopyAdapter:
        options: dict[str, Any] = {"timeout_s": 2.0, "max_retries": 2} | kwargs
        return ChatCompletionsCopyAdapter(server.base_url, "test-model", "sk-test", **options)

    return make


def test_good_reply_is_returned_and_request_is_well_formed(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(200, completion(GOOD), 0)]
    brief = CopyBrief(voice="witty", app_name="Remixer", banned_phrases=("hack",))
    assert adapter().adapt(ITEMS, brief) == GOOD
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "test-model"
    user = json.loads(request["body"]["messages"][1]["content"])
    assert user["brief"]["voice"] == "witty" and user["brief"]["banned_phrases"] == ["hack"]
    assert [o["role"] for o in user["overlays"]] == ["hook", "cta"]


def test_translation_reply_in_target_language_is_accepted(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    french = ["Personne ne parle de cette astuce", "Garde-le pour après"]
    server.replies = [(200, completion(french), 0)]
    assert adapter().adapt(ITEMS, CopyBrief(target_language="fr")) == french


@pytest.mark.parametrize(
    "bad",
    [
        completion("not json at all"),
        completion('{"text": ["a", "b"]}'),
        completion(["only one"]),
        completion(["", "Save it now"]),
        completion(["x " * 60, "Save it now"]),
        completion(["Nobody mentions this hack", "Save it now"]),
        completion(["Personne ne parle de cette astuce", "Garde-le pour après"]),
        {"unexpected": True},
    ],
    ids=["not-json", "no-texts", "count", "empty", "too-long", "banned", "language", "shape"],
)
def test_bad_reply_is_retried_then_good_one_used(
    server: FakeServer, adapter: AdapterFactory, bad: Any
) -> None:
    server.replies = [(200, bad, 0), (200, completion(GOOD), 0)]
    brief = CopyBrief(banned_phrases=("hack",))
    assert adapter().adapt(ITEMS, brief) == GOOD
    assert len(server.requests) == 2
    assert "rejected" in server.requests[1]["body"]["messages"][-1]["content"]


def test_server_errors_and_timeouts_are_retried(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(503, {}, 0), (200, completion(GOOD), 1.5), (200, completion(GOOD), 0)]
    assert adapter(timeout_s=0.5).adapt(ITEMS, CopyBrief()) == GOOD
    assert len(server.requests) == 3


def test_persistent_bad_replies_fail_with_adaptation_failed(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(200, completion(["only one"]), 0)] * 3
    with pytest.raises(PipelineError) as caught:
        adapter(max_retries=2).adapt(ITEMS, CopyBrief())
    assert caught.value.code == "ADAPTATION_FAILED"
    assert "3 attempts" in caught.value.message
    assert len(server.requests) == 3


def test_persistent_timeouts_fail_with_adaptation_failed(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(200, completion(GOOD), 1.0)] * 2
    with pytest.raises(PipelineError) as caught:
        adapter(timeout_s=0.3, max_retries=1).adapt(ITEMS, CopyBrief())
    assert caught.value.code == "ADAPTATION_FAILED"
    assert "timed out" in caught.value.message


def test_client_error_fails_without_retrying(server: FakeServer, adapter: AdapterFactory) -> None:
    server.replies = [(401, {"error": "bad key"}, 0)]
    with pytest.raises(PipelineError) as caught:
        adapter().adapt(ITEMS, CopyBrief())
    assert caught.value.code == "ADAPTATION_FAILED"
    assert len(server.requests) == 1


def test_unreachable_server_fails_with_adaptation_failed() -> None:
    dead = ChatCompletionsCopyAdapter("http://127.0.0.1:9", "m", None, timeout_s=0.5, max_retries=1)
    with pytest.raises(PipelineError) as caught:
        dead.adapt(ITEMS, CopyBrief())
    assert caught.value.code == "ADAPTATION_FAILED"
