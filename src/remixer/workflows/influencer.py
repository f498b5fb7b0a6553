"""The influencer_create job as a DBOS workflow (`influencer.v1`).

`checking_photos` resolves the reference photos; `building_identity` checks every photo
(exactly one clear, large, sharp face) and builds the face identity from the good ones,
stored in the blob store (with the influencer's ArcFace embedding when
`REMIXER_FACE_EMBEDDER_MODEL` is set, for the neural swapper). The influencer ends
`ready`, or `failed` with a message naming the photos that failed and why. Influencer
jobs cost no credits.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from dbos import DBOS

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import StageHooks
from remixer.services.influencer_jobs import (
    complete_influencer_job,
    mark_influencer_training,
    reference_photos,
)
from remixer.services.jobs import job_snapshot
from remixer.store.tables.content import Job
from remixer.workflows.engine import Outcome, drive, run_stage
from remixer.workflows.names import INFLUENCER_WORKFLOW
from remixer.workflows.runtime import Runtime, get_runtime


def _training(runtime: Runtime, job_id: str) -> None:
    mark_influencer_training(runtime.uow_factory, job_id)


def check_photos(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """The photos' blob keys, in order; a photo whose file is gone fails the job."""
    photos = reference_photos(runtime.uow_factory, job.id)
    missing = [p.media_id for p in photos if not runtime.blobs.exists(p.blob_key)]
    wanted = len((job.params or {}).get("referenceImageIds", []))
    if missing or not photos or len(photos) < wanted:
        names = ", ".join(missing) or "reference photos"
        raise PipelineError("REFERENCE_PHOTOS_INVALID", f"Photos not available: {names}.")
    hooks.progress(1.0)
    return {"photos": [{"mediaId": p.media_id, "blobKey": p.blob_key} for p in photos]}


def load_models() -> Any:
    from remixer.pipeline.faces.models import load_face_models

    return load_face_models()


def build_identity_from(photos: list[Path], models: Any) -> Any:
    from remixer.pipeline.faces.identity import build_identity

    return build_identity(photos, models)


def add_arcface(identity: Any, embedder_path: Path | None, models: Any) -> Any:
    """`identity` with its ArcFace embedding (for the neural swapper) when an embedder is set."""
    if embedder_path is None:
        return identity
    from remixer.pipeline.faces.neural import with_arcface
    from remixer.pipeline.models import arcface_embedder

    return with_arcface(identity, arcface_embedder(models, embedder_path))


def _named_by_media_id(
    photos: list[dict[str, str]], runtime: Runtime, folder: Path, stack: ExitStack
) -> list[Path]:
    """Links named by each photo's `mediaId` to a local copy of its blob, so every message
    about a photo names what the partner uploaded, never the internal blob file name."""
    links = []
    for photo in photos:
        link = folder / photo["mediaId"]
        link.symlink_to(stack.enter_context(runtime.blobs.local_copy(photo["blobKey"])))
        links.append(link)
    return links


def build_identity(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """Check each photo and build the identity (no usable photo → REFERENCE_PHOTOS_INVALID)."""
    photos = job.state["checking_photos"]["photos"]
    models = runtime.models.get("faces", load_models)
    hooks.check_cancel()
    with tempfile.TemporaryDirectory(prefix="remixer-identity-") as tmp, ExitStack() as stack:
        links = _named_by_media_id(photos, runtime, Path(tmp), stack)
        identity = build_identity_from(links, models)
        identity = add_arcface(identity, runtime.settings.face_embedder_model, runtime.models)
        hooks.progress(0.9)
        file = Path(tmp) / "identity.npz"
        identity.save(file)
        key = runtime.blobs.put_file(file, ".npz")
    return {"identityKey": key, "rejected": [p.to_dict() for p in identity.rejected]}


@DBOS.step(name="influencer.checking_photos")
def checking_photos_step(job_id: str) -> Outcome:
    return run_stage(job_id, "checking_photos", check_photos, on_begin=_training)


@DBOS.step(name="influencer.building_identity")
def building_identity_step(job_id: str) -> Outcome:
    return run_stage(job_id, "building_identity", build_identity)


@DBOS.step(name="influencer.complete")
def complete_step(job_id: str) -> Outcome:
    uow_factory = get_runtime().uow_factory
    key = job_snapshot(uow_factory, job_id).state["building_identity"]["identityKey"]
    complete_influencer_job(uow_factory, job_id, key)
    return {"outcome": "ok"}


@DBOS.workflow(name=INFLUENCER_WORKFLOW)
def influencer_workflow(job_id: str) -> str:
    """Workflow id = job id; returns the job's terminal status."""
    return drive(job_id, (checking_photos_step, building_identity_step), complete_step)
