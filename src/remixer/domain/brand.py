"""A project's brand profile as plain data: what copy adaptation and recommendations read."""

from __future__ import annotations

from dataclasses import dataclass, field

BRAND_VOICES = ("authentic", "witty", "professional", "warm", "casual", "educational")


@dataclass(frozen=True)
class BrandContext:
    app_name: str | None = None
    app_description: str | None = None
    tagline: str | None = None
    audience: str | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)
    banned_phrases: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class BrandProfile:
    """Brand context plus the voice and language copy is written in."""

    context: BrandContext
    voice: str = "authentic"
    language: str = "en"
