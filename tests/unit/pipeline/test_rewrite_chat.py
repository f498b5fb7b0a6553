"""The chat-completions adapter against a real local HTTP server speaking the protocol:
structured output requested, replies checked against the offline adapter's rules, one
retry naming the violations, then the offline adapter (and the outcome says so)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite import (
    ChatCompletionsCopyAdapter,
    CopyBrief,
    OfflineCopyAdapter,
    adapt_reporting,
    copy_items,
)

Reply = tuple[int, Any, float]
"""HTTP status, JSON body (or raw str), delay in seconds."""

ITEMS = copy_items([["Nobody talks about", "this productivity trick"], ["Save it for later"]])
GOOD = ["Nobody mentions this productivity trick", "Save it for later, ok"]


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
        options: dict[str, Any] = {
            "timeout_s": 2.0,
            "max_retries": 2,
            "fallback": OfflineCopyAdapter(grammar=None),
        } | kwargs
        return ChatCompletionsCopyAdapter(server.base_url, "test-model", "sk-test", **options)

    return make


def test_good_reply_is_returned_and_request_is_well_formed(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(200, completion(GOOD), 0)]
    brief = CopyBrief(voice="witty", app_name="Remixer", banned_phrases=("hack",))
    outcome = adapt_reporting(adapter(), ITEMS, brief)
    assert outcome.texts == GOOD and outcome.provider == "chat"
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "test-model"
    schema = request["body"]["response_format"]
    assert schema["type"] == "json_schema"
    texts = schema["json_schema"]["schema"]["properties"]["texts"]
    assert texts["minItems"] == texts["maxItems"] == 2
    user = json.loads(request["body"]["messages"][1]["content"])
    assert user["brief"]["voice"] == "witty" and user["brief"]["banned_phrases"] == ["hack"]
    assert [o["role"] for o in user["overlays"]] == ["hook", "cta"]


def test_server_refusing_json_schema_is_asked_in_json_mode(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(400, {"error": "response_format"}, 0), (200, completion(GOOD), 0)]
    assert adapter().adapt(ITEMS, CopyBrief()) == GOOD
    assert server.requests[1]["body"]["response_format"] == {"type": "json_object"}


def test_translation_reply_in_target_language_is_accepted(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    french = ["Personne ne parle de cette astuce", "Garde-le pour après"]
    server.replies = [(200, completion(french), 0)]
    assert adapter().adapt(ITEMS, CopyBrief(target_language="fr")) == french


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (completion("not json at all"), "not JSON"),
        (completion('{"text": ["a", "b"]}'), "texts"),
        (completion(["only one"]), "1 texts"),
        (completion(["", "Save it for later, ok"]), "empty"),
        (completion(["x " * 60, "Save it for later, ok"]), "does not fit"),
        (completion(["Nobody mentions this productivity hacks", GOOD[1]]), "banned phrase"),
        (completion(["Nobody mentions this", "Save it now"]), "content words"),
        (completion(["Nobody talks about this productivity trick?", GOOD[1]]), "changed"),
        (completion(["Personne ne parle de cette astuce", "Garde-le pour après"]), "'fr'"),
        ({"unexpected": True}, "chat completion"),
    ],
    ids=[
        "not-json",
        "no-texts",
        "count",
        "empty",
        "too-long",
        "banned-inflected",
        "meaning-lost",
        "unchanged",
        "language",
        "shape",
    ],
)
def test_bad_reply_is_retried_naming_the_violation(
    server: FakeServer, adapter: AdapterFactory, bad: Any, named: str
) -> None:
    server.replies = [(200, bad, 0), (200, completion(GOOD), 0)]
    brief = CopyBrief(banned_phrases=("hack",))
    assert adapter().adapt(ITEMS, brief) == GOOD
    assert len(server.requests) == 2
    feedback = server.requests[1]["body"]["messages"][-1]["content"]
    if named not in ("not JSON", "texts", "chat completion"):
        assert "rejected" in feedback and named in feedback, feedback


def test_server_errors_and_timeouts_are_retried(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(503, {}, 0), (200, completion(GOOD), 1.5), (200, completion(GOOD), 0)]
    assert adapter(timeout_s=0.5).adapt(ITEMS, CopyBrief()) == GOOD
    assert len(server.requests) == 3


def test_second_bad_reply_falls_back_to_the_offline_adapter(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(200, completion(["only one"]), 0)] * 3
    brief = CopyBrief(voice="warm", banned_phrases=("trick",))
    outcome = adapt_reporting(adapter(), ITEMS, brief)
    assert outcome.provider == "offline-fallback"
    assert "1 texts" in outcome.reason
    assert outcome.texts == OfflineCopyAdapter(grammar=None).adapt(ITEMS, brief)
    assert len(server.requests) == 2, "one retry with the violations named, then fallback"


def test_persistent_timeouts_fall_back(server: FakeServer, adapter: AdapterFactory) -> None:
    server.replies = [(200, completion(GOOD), 1.0)] * 2
    outcome = adapter(timeout_s=0.3, max_retries=1).adapt_reporting(ITEMS, CopyBrief())
    assert outcome.provider == "offline-fallback" and "timed out" in outcome.reason


def test_client_error_falls_back_without_retrying(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(401, {"error": "bad key"}, 0)]
    outcome = adapter().adapt_reporting(ITEMS, CopyBrief())
    assert outcome.provider == "offline-fallback" and "HTTP 401" in outcome.reason
    assert len(server.requests) == 1


def test_fallback_that_cannot_translate_fails_with_adaptation_failed(
    server: FakeServer, adapter: AdapterFactory
) -> None:
    server.replies = [(200, completion(["only one"]), 0)] * 2
    with pytest.raises(PipelineError) as caught:
        adapter().adapt(ITEMS, CopyBrief(target_language="fr"))
    assert caught.value.code == "ADAPTATION_FAILED"
    assert "cannot translate" in caught.value.message
    assert "chatProblem" in caught.value.details


def test_unreachable_server_falls_back_to_offline() -> None:
    dead = ChatCompletionsCopyAdapter("http://127.0.0.1:9", "m", None, timeout_s=0.5, max_retries=1)
    outcome = dead.adapt_reporting(ITEMS, CopyBrief())
    assert outcome.provider == "offline-fallback" and "could not be reached" in outcome.reason
    assert len(outcome.texts) == 2
