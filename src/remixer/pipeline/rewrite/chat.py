"""Copy adaptation through any OpenAI-compatible `/v1/chat/completions` server (hosted
model, Ollama, vLLM): rewriting and translation. The reply must be strict JSON
`{"texts": [...]}`; it is validated (count, non-empty, fits, no banned phrase, language)
and the request retried on a bad reply, 5xx/429 or a timeout, then `ADAPTATION_FAILED`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite.brief import CopyBrief, CopyItem
from remixer.pipeline.rewrite.fit import detect_language, find_banned, fits
from remixer.pipeline.rewrite.prompt import build_messages


class _RetryableError(Exception):
    """A failure worth another attempt; the message says what went wrong."""


def completions_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    return f"{base}/chat/completions" if base.endswith("/v1") else f"{base}/v1/chat/completions"


def parse_texts(content: str, count: int) -> list[str]:
    """The `texts` list of a reply (code fences tolerated); `_RetryableError` when malformed."""
    body = content.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise _RetryableError("the reply was not JSON") from exc
    texts = data.get("texts") if isinstance(data, dict) else None
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise _RetryableError('the reply had no "texts" list of strings')
    if len(texts) != count:
        raise _RetryableError(f"the reply had {len(texts)} texts, {count} were asked for")
    return [" ".join(t.split()) for t in texts]


def validate(texts: list[str], items: Sequence[CopyItem], brief: CopyBrief) -> None:
    """Raise `_RetryableError` naming the first problem of a parsed reply."""
    for number, (text, item) in enumerate(zip(texts, items, strict=True), start=1):
        if not text:
            raise _RetryableError(f"text {number} is empty")
        if not fits(text, item):
            raise _RetryableError(
                f"text {number} does not fit {item.max_lines} line(s) of "
                f"{item.max_chars_per_line} characters"
            )
        banned = find_banned(text, brief.banned_phrases)
        if banned is not None:
            raise _RetryableError(f"text {number} contains the banned phrase {banned!r}")
    language = detect_language(" ".join(texts))
    if language is not None and language != brief.language:
        raise _RetryableError(f"the texts are in {language!r}, not {brief.language!r}")


class ChatCompletionsCopyAdapter:
    """`CopyProvider` backed by an OpenAI-compatible chat-completions endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 2,
    ) -> None:
        self.url = completions_url(base_url)
        self.model = model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def adapt(self, items: Sequence[CopyItem], brief: CopyBrief) -> list[str]:
        if not items:
            return []
        messages = build_messages(items, brief)
        problem = "no attempt was made"
        with httpx.Client(timeout=self.timeout_s, headers=self._headers) as client:
            for _attempt in range(self.max_retries + 1):
                try:
                    texts = parse_texts(self._complete(client, messages), len(items))
                    validate(texts, items, brief)
                    return texts
                except _RetryableError as exc:
                    problem = str(exc)
                    messages = [*build_messages(items, brief, feedback=problem)]
        raise PipelineError(
            "ADAPTATION_FAILED",
            f"The copy model gave no usable reply after {self.max_retries + 1} attempts: "
            f"{problem}.",
        )

    def _complete(self, client: httpx.Client, messages: list[dict[str, str]]) -> str:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0.4,
            "response_format": {"type": "json_object"},
        }
        try:
            response = client.post(self.url, json=payload)
        except httpx.TimeoutException as exc:
            raise _RetryableError("the copy model timed out") from exc
        except httpx.TransportError as exc:
            raise _RetryableError(
                f"the copy model could not be reached ({type(exc).__name__})"
            ) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise _RetryableError(f"the copy model answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PipelineError(
                "ADAPTATION_FAILED",
                f"The copy model refused the request (HTTP {response.status_code}).",
            )
        try:
            return str(response.json()["choices"][0]["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _RetryableError("the reply was not a chat completion") from exc
