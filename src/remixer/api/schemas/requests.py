"""Request body models. Unknown fields are rejected with 422 VALIDATION."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from remixer.domain.errors import RemixerError
from remixer.domain.ids import parse_id

Voice = Literal["authentic", "witty", "professional", "warm", "casual", "educational"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ZONES = available_timezones()


def _language(value: str | None) -> str | None:
    if value is not None and not BCP47.match(value):
        raise ValueError("must be a BCP 47 language tag such as en or pt-BR")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrandContextIn(Strict):
    appName: Short | None = None
    appDescription: Annotated[str, StringConstraints(max_length=2000)] | None = None
    tagline: Short | None = None
    audience: Short | None = None
    keywords: list[Phrase] = Field(default_factory=list, max_length=50)
    bannedPhrases: list[Phrase] = Field(default_factory=list, max_length=100)


class ProjectFields(Strict):
    timezone: str | None = None
    primaryLanguage: str | None = None
    brandVoice: Voice | None = None
    brandContext: BrandContextIn | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and value not in _ZONES:
            raise ValueError("must be an IANA time zone such as Europe/Berlin")
        return value

    @field_validator("primaryLanguage")
    @classmethod
    def _lang(cls, value: str | None) -> str | None:
        return _language(value)


class ProjectCreate(ProjectFields):
    name: Name


class ProjectUpdate(ProjectFields):
    name: Name | None = None
    status: Literal["active", "archived"] | None = None


class SocialAccountCreate(Strict):
    platform: Literal["tiktok", "instagram"]
    handle: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class SocialAccountUpdate(Strict):
    status: Literal["connected", "reauth_required", "disconnected"]


class LayerCreate(Strict):
    template: Literal["social_content", "social_distribution"]
    config: dict[str, str | None] = Field(default_factory=dict)
    isActive: bool = True


class LayerUpdate(Strict):
    config: dict[str, str | None] | None = None
    isActive: bool | None = None


class InfluencerFields(Strict):
    brandVoice: Voice | None = None
    language: str | None = None
    gender: Annotated[str, StringConstraints(max_length=32)] | None = None
    ageRange: Annotated[str, StringConstraints(max_length=32)] | None = None

    @field_validator("language")
    @classmethod
    def _lang(cls, value: str | None) -> str | None:
        return _language(value)


class InfluencerCreate(InfluencerFields):
    name: Name
    referenceImageIds: list[str] = Field(min_length=1, max_length=10)


class InfluencerUpdate(InfluencerFields):
    name: Name | None = None


def _canonical_id(value: str | None, prefix: str) -> str | None:
    if value is None:
        return None
    try:
        return parse_id(value, prefix, prefix)
    except RemixerError:
        raise PydanticCustomError("id_shape", f"must be a {prefix}_ id") from None


class VideoRemixBody(Strict):
    """The video-remix body's shape (SPEC §6.1); ids come out canonical. The rules beyond
    shape (one of the two ids, the TikTok id's format) are the accept service's."""

    tiktokVideoId: str
    socialAccountId: str | None = None
    influencerId: str | None = None

    @field_validator("socialAccountId")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        return _canonical_id(value, "sa")

    @field_validator("influencerId")
    @classmethod
    def _influencer(cls, value: str | None) -> str | None:
        return _canonical_id(value, "inf")
