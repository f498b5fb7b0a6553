"""Job kinds, states, the remix stages in order and how stage progress maps to overall progress."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"


TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED})

KIND_CONTENT_GENERATE = "content_generate"
KIND_INFLUENCER_CREATE = "influencer_create"

REMIX_STAGES: tuple[str, ...] = (
    "queued",
    "fetching_source",
    "extracting_overlays",
    "adapting_copy",
    "face_swapping",
    "rendering",
    "finalizing",
)
INFLUENCER_STAGES: tuple[str, ...] = ("queued", "checking_photos", "building_identity")

# Share of the whole job's wall time each stage is current for (measured on the reference
# box; see docs/jobs.md). A stage is current while it is the earliest with work left
# (`pipeline.orchestration`): the face track runs beside OCR, and the dense pass is
# `face_swapping` until the last frame is swapped, then `rendering` until the written file
# is measured.
REMIX_STAGE_WEIGHTS: dict[str, float] = {
    "queued": 0.0,
    "fetching_source": 0.03,
    "extracting_overlays": 0.27,
    "adapting_copy": 0.02,
    "face_swapping": 0.59,
    "rendering": 0.06,
    "finalizing": 0.03,
}
INFLUENCER_STAGE_WEIGHTS: dict[str, float] = {
    "queued": 0.0,
    "checking_photos": 0.6,
    "building_identity": 0.4,
}

CANCEL_REASONS = {
    JobStatus.COMPLETED: "ALREADY_COMPLETED",
    JobStatus.FAILED: "ALREADY_FAILED",
    JobStatus.CANCELED: "ALREADY_CANCELED",
}


def stage_weights(kind: str) -> dict[str, float]:
    return REMIX_STAGE_WEIGHTS if kind == KIND_CONTENT_GENERATE else INFLUENCER_STAGE_WEIGHTS


def overall_progress(kind: str, stage: str, stage_fraction: float) -> float:
    """Overall progress in [0, 0.99] for a running job; 1.0 is reserved for completed."""
    weights = stage_weights(kind)
    order = list(weights)
    if stage not in weights:
        return 0.0
    done = sum(weights[s] for s in order[: order.index(stage)])
    total = sum(weights.values()) or 1.0
    frac = min(max(stage_fraction, 0.0), 1.0)
    return min(0.99, (done + weights[stage] * frac) / total)
