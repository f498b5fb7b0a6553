"""`remixer copy`: only the copy stage, so a partner can preview copy without rendering.

Overlay texts come on stdin, one per line (the first is the hook, the last the call to
action); one JSON object goes to stdout: `{"items": [{"sourceText", "text"}], "language",
"copyProvider"}` (plus `caption` with `--caption`). A language the configured adapter
cannot produce exits 1 with `{"error": {"code": "ADAPTATION_FAILED", …}}`.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from remixer.cli.brand_options import AppName, Banned, Keywords, Language, Voice, check_voice
from remixer.cli.output import print_json
from remixer.config import Settings
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.rewrite import CopyBrief, CopyItem, adapt_reporting, copy_items
from remixer.pipeline.rewrite.brief import CopyProvider

CAPTION_LINE_CHARS = 150
CAPTION_LINES = 2


def _provider() -> CopyProvider:
    from remixer.pipeline.rewrite import create_copy_provider

    settings = Settings()
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return create_copy_provider(
        settings.llm_base_url, settings.llm_model, api_key, settings.llm_timeout_s
    )


def run_copy(
    lines: list[str], brief: CopyBrief, provider: CopyProvider, caption: str = ""
) -> dict[str, Any]:
    """The `remixer copy` result for source `lines` (raises `PipelineError`)."""
    items = copy_items([[line] for line in lines])
    if caption.strip():
        items.append(
            CopyItem(caption.strip(), "body", (caption.strip(),), CAPTION_LINE_CHARS, CAPTION_LINES)
        )
    outcome = adapt_reporting(provider, items, brief) if items else None
    texts = outcome.texts if outcome else []
    result: dict[str, Any] = {
        "items": [
            {"sourceText": source, "text": text}
            for source, text in zip(lines, texts[: len(lines)], strict=True)
        ],
        "language": brief.target_language,
        "copyProvider": outcome.provider if outcome else "none",
    }
    if caption.strip():
        result["caption"] = texts[-1]
    if outcome and outcome.reason:
        result["fallbackReason"] = outcome.reason
    return result


def copy(
    voice: Voice = "authentic",
    language: Language = "en",
    app_name: AppName = "",
    keyword: Keywords = None,
    banned: Banned = None,
    caption: Annotated[str, typer.Option(help="Source post caption to adapt too")] = "",
) -> None:
    """Adapt overlay texts from stdin (one per line) for the brand; prints one JSON object."""
    check_voice(voice)
    lines = [" ".join(line.split()) for line in sys.stdin.read().splitlines()]
    lines = [line for line in lines if line]
    brief = CopyBrief(
        voice=voice,  # type: ignore[arg-type]
        target_language=language,
        app_name=app_name,
        keywords=tuple(keyword or ()),
        banned_phrases=tuple(banned or ()),
    )
    try:
        result = run_copy(lines, brief, _provider(), caption)
    except PipelineError as exc:
        print_json({"error": {"code": exc.code, "message": exc.message, "details": exc.details}})
        raise typer.Exit(1) from exc
    print_json(result)
