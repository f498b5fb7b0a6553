"""Webhook request bodies (unknown fields → 422) and response models (OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from remixer.api.schemas.responses import Page

EventType = Literal["job.completed", "job.failed", "job.canceled", "content.generated"]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=10)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookEndpointCreate(_Strict):
    url: Url
    events: Events
    description: Description | None = None


class WebhookEndpointUpdate(_Strict):
    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    isActive: bool | None = None


class WebhookEndpointOut(BaseModel):
    id: str = Field(examples=["whk_01HXA1NHKJZXPV8R7Q6WSM5BCD"])
    url: str
    description: str | None
    events: list[str]
    isActive: bool
    pausedReason: str | None
    previousSecretExpiresAt: str | None = Field(
        description="While a rotated-out secret is still signed with (24 h), when it expires."
    )
    createdAt: str
    updatedAt: str


class WebhookEndpointWithSecret(WebhookEndpointOut):
    secret: str = Field(description="The signing secret; shown only in this response.")


class WebhookEndpointPage(Page[WebhookEndpointOut]):
    pass


class WebhookDeliveryOut(BaseModel):
    id: str = Field(examples=["dlv_01HXA1NHKJZXPV8R7Q6WSM5BCD"])
    endpointId: str
    eventId: str = Field(description="`X-Layers-Event-Id`; the same on every retry and replay.")
    type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    lastStatusCode: int | None
    lastError: str | None
    lastAttemptAt: str | None
    nextAttemptAt: str | None
    createdAt: str
    finishedAt: str | None


class WebhookDeliveryPage(Page[WebhookDeliveryOut]):
    pass
