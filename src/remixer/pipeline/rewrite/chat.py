"""Copy adaptation through any OpenAI-compatible `/v1/chat/completions` server (hosted
model, Ollama, vLLM): rewriting and translation.

The request asks for structured output (`response_format` JSON schema `{"texts": [...]}`,
or `json_object` where a server refuses schemas). The reply is checked against the same
rules as the offline adapter: count, non-empty, fits, no banned phrase in any inflection,
meaning kept (same language), target language. A bad reply is retried once with every
violation named; a 5xx/429/timeout is retried too. When the model still gives nothing
usable, the offline adapter writes the copy and the outcome says so (`copyProvider`
`offline-fallback`); only a language the offline adapter cannot produce is then
`ADAPTATION_FAILED`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite.banned import tokens
from remixer.pipeline.rewrite.brief import CopyBrief, CopyItem, CopyProvider
from remixer.pipeline.rewrite.fit import detect_language, find_banned, fits
from remixer.pipeline.rewrite.meaning import check_meaning
from remixer.pipeline.rewrite.offline import OfflineCopyAdapter
from remixer.pipeline.rewrite.prompt import build_messages

if TYPE_CHECKING:
    import httpx


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


def _word_key(text: str) -> list[str]:
    return [token.lower for token in tokens(text)]


def violations(texts: list[str], items: Sequence[CopyItem], brief: CopyBrief) -> list[str]:
    """Every rule a parsed reply breaks, for the retry message (empty when it is usable)."""
    problems: list[str] = []
    source_language = detect_language(" ".join(item.text for item in items), brief.language)
    same_language = source_language is None or source_language == brief.language
    for number, (text, item) in enumerate(zip(texts, items, strict=True), start=1):
        if not text:
            problems.append(f"text {number} is empty")
            continue
        if not fits(text, item):
            problems.append(
                f"text {number} does not fit {item.max_lines} line(s) of "
                f"{item.max_chars_per_line} characters"
            )
        banned = find_banned(text, brief.banned_phrases)
        if banned is not None:
            problems.append(f"text {number} contains the banned phrase {banned!r}")
        if same_language and _word_key(text) == _word_key(item.text):
            problems.append(f"text {number} is not visibly changed from its source")
        if same_language:
            meaning = check_meaning(item.text, text, brief.banned_phrases)
            problems += [f"text {number}: {p}" for p in meaning.problems() if "order" not in p]
    language = detect_language(" ".join(texts), brief.language)
    if language is not None and language != brief.language:
        problems.append(f"the texts are in {language!r}, not {brief.language!r}")
    return problems


def validate(texts: list[str], items: Sequence[CopyItem], brief: CopyBrief) -> None:
    """Raise `_RetryableError` naming every problem of a parsed reply."""
    problems = violations(texts, items, brief)
    if problems:
        raise _RetryableError("; ".join(problems))


def response_format(count: int, schema: bool) -> dict[str, Any]:
    """Structured output: a JSON schema for exactly `count` texts, or plain JSON mode."""
    if not schema:
        return {"type": "json_object"}
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "overlay_copy",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {
                    "texts": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": count,
                        "maxItems": count,
                    }
                },
                "required": ["texts"],
                "additionalProperties": False,
            },
        },
    }


@dataclass(frozen=True)
class CopyOutcome:
    """The adapted texts and who wrote them: `chat`, `offline`, or `offline-fallback`
    (the chat model failed; `reason` says how)."""

    texts: list[str]
    provider: str
    reason: str = ""


class _FatalError(Exception):
    """The server refused the request outright (4xx): no point asking again."""


class ChatCompletionsCopyAdapter:
    """`CopyProvider` backed by an OpenAI-compatible chat-completions endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 2,
        fallback: CopyProvider | None = None,
    ) -> None:
        self.url = completions_url(base_url)
        self.model = model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.fallback: CopyProvider = fallback if fallback is not None else OfflineCopyAdapter()

    def adapt(self, items: Sequence[CopyItem], brief: CopyBrief) -> list[str]:
        return self.adapt_reporting(items, brief).texts

    def adapt_reporting(self, items: Sequence[CopyItem], brief: CopyBrief) -> CopyOutcome:
        """The model's texts, or the offline adapter's when the model gives none usable."""
        if not items:
            return CopyOutcome([], "chat")
        try:
            return CopyOutcome(self._ask(items, brief), "chat")
        except (_RetryableError, _FatalError) as exc:
            problem = str(exc)
        try:
            texts = self.fallback.adapt(items, brief)
        except PipelineError as exc:
            raise PipelineError(
                "ADAPTATION_FAILED",
                f"The copy model gave no usable reply ({problem}) and {exc.message}",
                {**exc.details, "chatProblem": problem},
            ) from exc
        return CopyOutcome(texts, "offline-fallback", problem)

    def _ask(self, items: Sequence[CopyItem], brief: CopyBrief) -> list[str]:
        messages = build_messages(items, brief)
        problem = "no attempt was made"
        content_retries = 1
        schema = True
        attempts = 0
        import httpx  # on use: the offline copy (most remixes) never loads it (≈ 0.13 CPU s)

        with httpx.Client(timeout=self.timeout_s, headers=self._headers) as client:
            while attempts <= self.max_retries:
                attempts += 1
                try:
                    content = self._complete(client, messages, len(items), schema)
                except _SchemaRefusedError:
                    schema = False
                    attempts -= 1
                    continue
                except _RetryableError as exc:
                    problem = str(exc)
                    continue
                try:
                    texts = parse_texts(content, len(items))
                    validate(texts, items, brief)
                    return texts
                except _RetryableError as exc:
                    problem = str(exc)
                    if content_retries == 0:
                        break
                    content_retries -= 1
                    messages = build_messages(items, brief, feedback=problem)
        raise _RetryableError(f"after {attempts} attempt(s): {problem}")

    def _complete(
        self,
        client: httpx.Client,
        messages: list[dict[str, str]],
        count: int,
        schema: bool,
    ) -> str:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0.4,
            "response_format": response_format(count, schema),
        }
        import httpx

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
        if response.status_code == 400 and schema:
            raise _SchemaRefusedError()
        if response.status_code >= 400:
            raise _FatalError(f"the copy model refused the request (HTTP {response.status_code})")
        try:
            return str(response.json()["choices"][0]["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _RetryableError("the reply was not a chat completion") from exc


class _SchemaRefusedError(Exception):
    """HTTP 400 to a JSON-schema request: ask again in plain JSON mode."""
