"""Copy adaptation behind one provider interface: the offline rule-based adapter (default,
cannot translate) and an OpenAI-compatible chat-completions adapter (rewrites and
translates). `create_copy_provider` picks one from the configured server, if any."""

from __future__ import annotations

from remixer.pipeline.rewrite.brief import (
    VOICES,
    CopyBrief,
    CopyItem,
    CopyProvider,
    Voice,
    copy_items,
    copy_items_from_overlays,
)
from remixer.pipeline.rewrite.chat import ChatCompletionsCopyAdapter
from remixer.pipeline.rewrite.offline import OfflineCopyAdapter


def create_copy_provider(
    base_url: str | None, model: str | None, api_key: str | None, timeout_s: float = 30.0
) -> CopyProvider:
    """The chat adapter when a server `base_url` is given, the offline adapter otherwise."""
    if base_url:
        return ChatCompletionsCopyAdapter(base_url, model or "default", api_key, timeout_s)
    return OfflineCopyAdapter()


__all__ = [
    "VOICES",
    "ChatCompletionsCopyAdapter",
    "CopyBrief",
    "CopyItem",
    "CopyProvider",
    "OfflineCopyAdapter",
    "Voice",
    "copy_items",
    "copy_items_from_overlays",
    "create_copy_provider",
]
