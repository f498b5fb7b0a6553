"""Response body models: the documented wire shapes of SPEC §3 and §6 (OpenAPI only).

Routes render their own JSON (views in `services.views`), so these models cost nothing
per request; they name every success body in the OpenAPI document, with examples taken
from the SPEC, and the tests validate live responses against the generated schemas.
Extra keys are allowed so that adding a field is not a breaking change for clients.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from remixer.domain.errors import ErrorCode

T = TypeVar("T")

Voice = Literal["authentic", "witty", "professional", "warm", "casual", "educational"]
JobStatus = Literal["running", "completed", "failed", "canceled"]
ContainerStatus = Literal["queued", "processing", "completed", "failed", "canceled"]
JobKind = Literal["content_generate", "influencer_create"]

ORG = "org_2481fa5c-a404-44ed-a561-565392499abc"
PRJ = "prj_6f1c2a0e-3b7d-4f0a-9a51-2c8e7d4b1f20"
CNT = "cnt_9b2e4d61-7a3c-4e58-b0f2-5d1a6c3e8f47"
INF = "inf_3d8a1f52-6c4b-4e97-a2d0-7f5b9e1c6a38"
LYR = "lyr_5e7c2b90-1d4a-4f63-8b2e-9a0c3d6f1e75"
SA = "sa_8c1f3e27-5b9d-4a06-9e4c-2d7a0b5f8c13"
JOB = "job_01HXA1NHKJZXPV8R7Q6WSM5BCD"
TS = "2026-04-18T12:04:11.000Z"
SHA = "fbaf5a442a25d2ab9dc74e36c614f0fbc4098fe2077fd3485411baf1b5c18d70"
KEY = "key_7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="allow", json_schema_extra={"examples": list(examples)})


class Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(Wire):
    code: ErrorCode = Field(description="Stable code clients branch on (SPEC §3).")
    message: str = Field(description="For people; never parsed.")
    requestId: str = Field(description="Also the X-Request-Id header.")
    details: dict[str, Any] = Field(description="Structured context; possibly empty.")


class ErrorEnvelope(Wire):
    """Every non-2xx body."""

    model_config = _examples(
        {
            "error": {
                "code": "NOT_FOUND",
                "message": "Project not found.",
                "requestId": "req_01HXA1NHKJZXPV8R7Q6WSM5BCE",
                "details": {},
            }
        }
    )
    error: ErrorBody


class Page(Wire, Generic[T]):
    """A cursor page: pass `nextCursor` back as `cursor`; null means the last page."""

    items: list[T]
    nextCursor: str | None = Field(description="Opaque; null on the last page.")


class JobAccepted(Wire):
    """202 of video-remix (SPEC §6.1); `Location` equals `locationUrl`."""

    model_config = _examples(
        {
            "jobId": JOB,
            "kind": "content_generate",
            "status": "running",
            "stage": "queued",
            "projectId": PRJ,
            "containerIds": [CNT],
            "locationUrl": f"/v1/jobs/{JOB}",
            "startedAt": TS,
        }
    )
    jobId: str
    kind: Literal["content_generate"]
    status: Literal["running"]
    stage: Literal["queued"]
    projectId: str
    containerIds: list[str] = Field(min_length=1, max_length=1)
    locationUrl: str
    startedAt: datetime


class JobResult(Wire):
    containerId: str | None
    assets: list[dict[str, Any]]


class JobError(Wire):
    code: str | None
    message: str | None


class Job(Wire):
    """A job (SPEC §6.2); terminal jobs add `finishedAt` and `result` or `error`."""

    model_config = _examples(
        {
            "jobId": JOB,
            "kind": "content_generate",
            "status": "running",
            "stage": "face_swapping",
            "progress": 0.42,
            "projectId": PRJ,
            "containerIds": [CNT],
            "startedAt": TS,
            "updatedAt": "2026-04-18T12:04:52.000Z",
            "etaSeconds": 31,
        }
    )
    jobId: str
    kind: JobKind
    status: JobStatus
    stage: str
    progress: float = Field(ge=0, le=1)
    projectId: str
    containerIds: list[str]
    startedAt: datetime
    updatedAt: datetime
    etaSeconds: int | None
    influencerId: str | None = None
    finishedAt: datetime | None = None
    result: JobResult | None = None
    error: JobError | None = None


class InfluencerJobAccepted(Job):
    """202 of influencer create: a job of kind `influencer_create` naming the influencer."""

    model_config = _examples(
        {
            "jobId": JOB,
            "kind": "influencer_create",
            "status": "running",
            "stage": "queued",
            "progress": 0.0,
            "projectId": PRJ,
            "containerIds": [],
            "startedAt": TS,
            "updatedAt": TS,
            "etaSeconds": 20,
            "influencerId": INF,
        }
    )
    influencerId: str | None = None


class CancelResult(Wire):
    """Cancel: 202 `accepted: true`; 200 `accepted: false` with why for a terminal job."""

    model_config = _examples(
        {"jobId": JOB, "accepted": True},
        {"jobId": JOB, "accepted": False, "reason": "ALREADY_COMPLETED"},
    )
    jobId: str
    accepted: bool
    reason: Literal["ALREADY_COMPLETED", "ALREADY_FAILED", "ALREADY_CANCELED"] | None = None


class Overlay(Wire):
    start: float
    end: float
    sourceText: str
    text: str
    box: list[int] = Field(min_length=4, max_length=4, description="[x, y, w, h] pixels")


class Preview(Wire):
    kind: Literal["video"]
    primaryUrl: str
    videoUrl: str
    thumbnailUrl: str | None
    durationMs: int | None
    aspectRatio: str


class Asset(Wire):
    assetId: str
    kind: str
    url: str
    thumbnailUrl: str | None = None
    durationMs: int | None = None
    width: int | None = None
    height: int | None = None
    mimeType: str
    sizeBytes: int | None = None
    checksumSha256: str | None = None


class Quality(Wire):
    """Figures measured on the output video (SPEC §6.3, §7.3)."""

    identitySimilarity: float | None = None
    faceCoverage: float | None = None
    overlaysReplaced: int | None = None
    passed: bool | None = None
    warnings: list[str] | None = None


class Container(Wire):
    """A content container (SPEC §6.3); unfilled fields are null or [] while processing."""

    model_config = _examples(
        {
            "id": CNT,
            "projectId": PRJ,
            "format": "video-remix",
            "status": "completed",
            "creativeType": "generated",
            "sourceTiktokId": "7234567890123456789",
            "influencerId": INF,
            "projectLayerId": LYR,
            "hook": "Plot twist: you finally wake up at 6am",
            "caption": "my morning routine",
            "overlays": [
                {
                    "start": 0.0,
                    "end": 2.5,
                    "sourceText": "POV: you finally wake up at 6am",
                    "text": "Plot twist: you finally wake up at 6am",
                    "box": [10, 96, 519, 36],
                }
            ],
            "preview": {
                "kind": "video",
                "primaryUrl": "https://remixer.example/v1/media/ast_01HXA1NHKJZXPV8R7Q6WSM5BCF?exp=1776600000&sig=…",
                "videoUrl": "https://remixer.example/v1/media/ast_01HXA1NHKJZXPV8R7Q6WSM5BCF?exp=1776600000&sig=…",
                "thumbnailUrl": "https://remixer.example/v1/media/med_01HXA1NHKJZXPV8R7Q6WSM5BCG?exp=1776600000&sig=…",
                "durationMs": 9200,
                "aspectRatio": "9:16",
            },
            "assets": [
                {
                    "assetId": "ast_01HXA1NHKJZXPV8R7Q6WSM5BCF",
                    "kind": "video",
                    "url": "https://remixer.example/v1/media/ast_01HXA1NHKJZXPV8R7Q6WSM5BCF?exp=1776600000&sig=…",
                    "durationMs": 9200,
                    "width": 1080,
                    "height": 1920,
                    "mimeType": "video/mp4",
                    "sizeBytes": 123,
                    "checksumSha256": SHA,
                }
            ],
            "quality": {
                "identitySimilarity": 0.81,
                "faceCoverage": 0.96,
                "overlaysReplaced": 3,
                "passed": True,
                "warnings": [],
            },
            "approvalStatus": "not_required",
            "sandbox": False,
            "createdAt": TS,
            "completedAt": "2026-04-18T12:05:02.000Z",
            "failedAt": None,
            "lastError": None,
        }
    )
    id: str
    projectId: str
    format: Literal["video-remix"]
    status: ContainerStatus
    creativeType: Literal["generated"]
    sourceTiktokId: str | None
    influencerId: str | None
    projectLayerId: str | None
    hook: str | None
    caption: str | None
    overlays: list[Overlay]
    preview: Preview | None
    assets: list[Asset]
    quality: Quality | None
    approvalStatus: str
    sandbox: bool
    createdAt: datetime
    completedAt: datetime | None
    failedAt: datetime | None
    lastError: JobError | None


class ContainerPage(Page[Container]):
    """Containers, newest first."""


class ContainerProgress(Wire):
    model_config = _examples(
        {
            "containerId": CNT,
            "status": "processing",
            "stage": "rendering",
            "stageProgress": 0.5,
            "progress": 0.81,
            "etaSeconds": 12,
            "updatedAt": TS,
        }
    )
    containerId: str
    status: ContainerStatus
    stage: str | None
    stageProgress: float | None
    progress: float | None = None
    etaSeconds: int | None
    updatedAt: datetime


class SourceStats(Wire):
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None


class SourceRecommendation(Wire):
    tiktokVideoId: str
    kind: Literal["video", "slideshow"] | str
    caption: str | None
    author: str | None
    hashtags: list[str]
    durationMs: int | None
    stats: SourceStats | None
    thumbnailUrl: str | None
    score: float
    reason: str


class SourceRecommendations(Wire):
    """Catalog items ranked for the project's brand (SPEC §6.4)."""

    model_config = _examples(
        {
            "items": [
                {
                    "tiktokVideoId": "7234567890123456789",
                    "kind": "video",
                    "caption": "morning routine that changed my life",
                    "author": "@handle",
                    "hashtags": ["fitness", "morningroutine"],
                    "durationMs": 9200,
                    "stats": {"views": 120000, "likes": 5400, "comments": 120, "shares": 80},
                    "thumbnailUrl": None,
                    "score": 0.83,
                    "reason": "matches brand keywords: fitness",
                }
            ],
            "source": "portfolio",
            "nextCursor": None,
        }
    )
    items: list[SourceRecommendation]
    source: Literal["portfolio", "search"]
    nextCursor: str | None


class BrandContext(Wire):
    appName: str | None = None
    appDescription: str | None = None
    tagline: str | None = None
    audience: str | None = None
    keywords: list[str] = []
    bannedPhrases: list[str] = []


class Project(Wire):
    model_config = _examples(
        {
            "id": PRJ,
            "name": "FitNow launch",
            "timezone": "Europe/Berlin",
            "primaryLanguage": "en",
            "brandVoice": "witty",
            "brandContext": {
                "appName": "FitNow",
                "appDescription": None,
                "tagline": "Move more, every morning",
                "audience": None,
                "keywords": ["fitness"],
                "bannedPhrases": ["changed my life"],
            },
            "status": "active",
            "createdAt": TS,
            "updatedAt": TS,
        }
    )
    id: str
    name: str
    timezone: str | None
    primaryLanguage: str | None
    brandVoice: Voice | None
    brandContext: BrandContext
    status: Literal["active", "archived"]
    createdAt: datetime
    updatedAt: datetime


class ProjectPage(Page[Project]):
    """Projects of the caller's organization."""


class Layer(Wire):
    model_config = _examples(
        {
            "id": LYR,
            "projectId": PRJ,
            "template": "social_content",
            "config": {"customInfluencerId": INF},
            "isActive": True,
            "createdAt": TS,
            "updatedAt": TS,
        }
    )
    id: str
    projectId: str
    template: Literal["social_content", "social_distribution"]
    config: dict[str, str | None]
    isActive: bool
    createdAt: datetime
    updatedAt: datetime


class LayerPage(Page[Layer]):
    """A project's layers."""


class SocialAccount(Wire):
    model_config = _examples(
        {
            "id": SA,
            "projectId": PRJ,
            "platform": "tiktok",
            "handle": "@fitnow",
            "status": "connected",
            "distributionLayerId": LYR,
            "createdAt": TS,
            "updatedAt": TS,
        }
    )
    id: str
    projectId: str
    platform: Literal["tiktok", "instagram"]
    handle: str
    status: Literal["connected", "reauth_required", "disconnected"]
    distributionLayerId: str | None
    createdAt: datetime
    updatedAt: datetime


class SocialAccountPage(Page[SocialAccount]):
    """A project's social accounts."""


class Influencer(Wire):
    model_config = _examples(
        {
            "id": INF,
            "projectId": PRJ,
            "name": "Demo Influencer",
            "gender": None,
            "ageRange": None,
            "brandVoice": "warm",
            "language": "en",
            "referenceImageIds": ["med_01HXA1NHKJZXPV8R7Q6WSM5BCH"],
            "status": "ready",
            "errorMessage": None,
            "jobId": JOB,
            "createdAt": TS,
            "updatedAt": TS,
        }
    )
    id: str
    projectId: str
    name: str | None
    gender: str | None
    ageRange: str | None
    brandVoice: Voice | None
    language: str | None
    referenceImageIds: list[str]
    status: Literal["pending", "training", "ready", "failed"]
    errorMessage: str | None
    jobId: str | None
    createdAt: datetime
    updatedAt: datetime


class InfluencerPage(Page[Influencer]):
    """A project's influencers."""


class MediaUpload(Wire):
    model_config = _examples(
        {
            "mediaId": "med_01HXA1NHKJZXPV8R7Q6WSM5BCH",
            "kind": "image",
            "mimeType": "image/jpeg",
            "sizeBytes": 48213,
            "width": 800,
            "height": 1000,
            "durationMs": None,
            "checksumSha256": "9f2c0b5d6a1e4f8b3c7d2e9a0b1c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c",
        }
    )
    mediaId: str
    kind: Literal["image", "video"]
    mimeType: str
    sizeBytes: int
    width: int | None
    height: int | None
    durationMs: int | None
    checksumSha256: str


class WhoAmI(Wire):
    model_config = _examples(
        {
            "organizationId": ORG,
            "organizationName": "Demo Brand Inc",
            "apiKeyId": KEY,
            "scopes": ["content:write", "jobs:read"],
            "rateLimitTier": "standard",
            "creditBalance": 1000,
        }
    )
    organizationId: str
    organizationName: str
    apiKeyId: str
    scopes: list[str]
    rateLimitTier: Literal["standard", "pilot", "partner", "unlimited"]
    creditBalance: int


class Credits(Wire):
    model_config = _examples(
        {
            "organizationId": ORG,
            "balance": 1000,
            "reserved": 120,
            "available": 880,
            "estimatedCreditsPerFormat": {"video-remix": 120},
        }
    )
    organizationId: str
    balance: int
    reserved: int
    available: int = Field(ge=0)
    estimatedCreditsPerFormat: dict[str, int]


class CreditEvent(Wire):
    model_config = _examples(
        {
            "eventId": "evt_01HXA1NHKJZXPV8R7Q6WSM5BCJ",
            "eventType": "usage",
            "credits": -120,
            "balanceAfter": 880,
            "projectId": PRJ,
            "containerId": CNT,
            "jobId": JOB,
            "createdAt": TS,
        }
    )
    eventId: str
    eventType: Literal["grant", "usage", "refund", "adjustment"]
    credits: int
    balanceAfter: int
    projectId: str | None
    containerId: str | None
    jobId: str | None
    createdAt: datetime


class CreditEventPage(Page[CreditEvent]):
    """Ledger rows, newest first; they always sum to the balance."""


class KeyKilled(Wire):
    model_config = _examples({"apiKeyId": KEY, "killed": True})
    apiKeyId: str
    killed: Literal[True]
