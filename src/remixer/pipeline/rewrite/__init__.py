"""Copy adaptation behind one provider interface: the offline rule-based adapter (default,
cannot translate) and an OpenAI-compatible chat-completions adapter (rewrites and
translates). `create_copy_provider` picks one from the configured server, if any."""

from __future__ import annotations

from collections.abc import Sequence

from remixer.pipeline.rewrite.brief import (
    VOICES,
    CopyBrief,
    CopyItem,
    CopyProvider,
    Voice,
    copy_items,
    copy_items_from_overlays,
)
from remixer.pipeline.rewrite.chat import ChatCompletionsCopyAdapter, CopyOutcome
from remixer.pipeline.rewrite.offline import OfflineCopyAdapter


def create_copy_provider(
    base_url: str | None, model: str | None, api_key: str | None, timeout_s: float = 30.0
) -> CopyProvider:
    """The chat adapter when a server `base_url` is given, the offline adapter otherwise."""
    if base_url:
        return ChatCompletionsCopyAdapter(base_url, model or "default", api_key, timeout_s)
    return OfflineCopyAdapter()


def adapt_reporting(
    provider: CopyProvider, items: Sequence[CopyItem], brief: CopyBrief
) -> CopyOutcome:
    """Adapt `items` and say who wrote the copy (`chat`, `offline`, `offline-fallback`)."""
    if isinstance(provider, ChatCompletionsCopyAdapter):
        return provider.adapt_reporting(items, brief)
    name = "offline" if isinstance(provider, OfflineCopyAdapter) else type(provider).__name__
    return CopyOutcome(provider.adapt(items, brief), name)


__all__ = [
    "VOICES",
    "ChatCompletionsCopyAdapter",
    "CopyBrief",
    "CopyItem",
    "CopyOutcome",
    "CopyProvider",
    "OfflineCopyAdapter",
    "Voice",
    "adapt_reporting",
    "copy_items",
    "copy_items_from_overlays",
    "create_copy_provider",
]
