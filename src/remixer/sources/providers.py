"""The `SourceProvider` port and the factory the composition root calls with `REMIXER_SOURCES`.

The catalog itself is not a provider object: it lives in the store and services
always consult it first. Providers are what is tried after a catalog miss; a
fetched file is handed back to the service, which adds it to the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from remixer.sources.metadata import FetchedSource
from remixer.sources.tiktok import DEFAULT_URL_TEMPLATE, TikTokProvider

PROVIDER_NAMES = ("catalog", "tiktok")

__all__ = ["PROVIDER_NAMES", "FetchedSource", "SourceProvider", "build_source_providers"]


class SourceProvider(Protocol):
    """Turns a TikTok id into a local file plus metadata; raises `SourceError` on failure."""

    @property
    def name(self) -> str: ...

    def can_fetch(self, tiktok_id: str) -> bool: ...

    def fetch(self, tiktok_id: str, dest_dir: Path) -> FetchedSource: ...


def build_source_providers(
    names: Sequence[str],
    *,
    tiktok_url_template: str = DEFAULT_URL_TEMPLATE,
    timeout_s: float = 30.0,
    check_online: bool = True,
) -> list[SourceProvider]:
    """Providers for the configured names, in order; `catalog` is implicit and always first.

    Unknown names raise `ValueError`, so a typo in `REMIXER_SOURCES` fails at start-up.
    """
    unknown = [n for n in names if n not in PROVIDER_NAMES]
    if unknown:
        raise ValueError(f"unknown source provider(s): {', '.join(unknown)}")
    providers: list[SourceProvider] = []
    for name in dict.fromkeys(names):
        if name == "tiktok":
            providers.append(
                TikTokProvider(
                    url_template=tiktok_url_template,
                    timeout_s=timeout_s,
                    check_online=check_online,
                )
            )
    return providers
