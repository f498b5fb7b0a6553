"""The remix job's task work (`pipeline.orchestration`'s tasks) as plain functions:
`(runtime, job, hooks) -> output`, one per task, named as the task's `work`.

No DBOS here: `remix_run.JobRemix` calls them and saves each output in
`job.state[task.output]`. A task reads the job's params and earlier outputs, writes big
things (videos, face tracks) to the blob store and returns small JSON: blob keys, probe
data, texts — never frames. Heavy modules are imported inside the functions so
importing this module stays cheap.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from remixer.domain.ids import new_ulid_id
from remixer.pipeline.models import arcface_embedder, face_models, ocr_engine, swap_model
from remixer.pipeline.orchestration import HooksFor
from remixer.pipeline.types import StageHooks
from remixer.pipeline.video import VideoInfo, probe_video
from remixer.services.influencer_jobs import influencer_identity_key
from remixer.store.tables.content import Job
from remixer.workflows.runtime import Runtime

if TYPE_CHECKING:
    from remixer.pipeline.overlays import Overlay


def _out(job: Job, stage: str) -> dict[str, Any]:
    value: dict[str, Any] = (job.state or {})[stage]
    return value


@contextmanager
def _source(runtime: Runtime, job: Job) -> Iterator[tuple[Path, VideoInfo]]:
    """The source video as a local file (a cached copy on an S3 store) and its probe."""
    fetched = _out(job, "fetching_source")
    with runtime.blobs.local_copy(fetched["sourceKey"]) as path:
        yield path, VideoInfo.from_dict(fetched["video"])


def fetch_source(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """Fetch (catalog first, then providers), then probe: not a decodable video → SOURCE_INVALID."""
    from remixer.services.sources import fetch_source as fetch

    record = fetch(
        runtime.uow_factory,
        runtime.blobs,
        runtime.providers,
        job.params["tiktokVideoId"],
        organization_id=job.organization_id,
    )
    hooks.progress(0.5)
    with runtime.blobs.local_copy(record.blob_key) as path:
        info = probe_video(path)
    hooks.progress(1.0)
    return {
        "sourceKey": record.blob_key,
        "caption": record.caption,
        "language": record.language,
        "video": info.to_dict(),
    }


def extract_overlays(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """OCR over sampled frames, merged across time, with each block's style."""
    from remixer.pipeline.overlays.extract import extract_overlays as extract

    ocr = ocr_engine(runtime.models)
    with _source(runtime, job) as (path, info):
        return {"overlays": [o.to_dict() for o in extract(path, info, ocr, hooks)]}


def copy_brief(params: dict[str, Any]) -> Any:
    """The pipeline's `CopyBrief` from the job params (brand keys camelCase or snake_case)."""
    from remixer.pipeline.rewrite import CopyBrief

    brand = params.get("brand") or {}

    def pick(camel: str, snake: str) -> Any:
        return brand.get(camel, brand.get(snake))

    return CopyBrief(
        voice=params.get("voice") or "authentic",
        target_language=params.get("language") or "en",
        app_name=pick("appName", "app_name") or "",
        app_description=pick("appDescription", "app_description") or "",
        tagline=pick("tagline", "tagline") or "",
        audience=pick("audience", "audience") or "",
        keywords=tuple(pick("keywords", "keywords") or ()),
        banned_phrases=tuple(pick("bannedPhrases", "banned_phrases") or ()),
    )


def adapt_copy(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """Rewrite each overlay and the caption for the brand voice, context and language."""
    from remixer.pipeline.remix import adapt_copy as adapt
    from remixer.pipeline.rewrite import create_copy_provider

    settings = runtime.settings
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    provider = create_copy_provider(
        settings.llm_base_url, settings.llm_model, api_key, settings.llm_timeout_s
    )
    caption = _out(job, "fetching_source")["caption"] or ""
    adapted = adapt(_overlays(job), caption, copy_brief(job.params), provider)
    hooks.progress(1.0)
    return {
        "texts": list(adapted.texts),
        "caption": adapted.caption,
        "copyProvider": adapted.provider,
    }


def analyze_face(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """The sparse face pass: the main person's track (no face → NO_FACE_FOUND)."""
    from remixer.pipeline.faces.track import analyze_target

    with _source(runtime, job) as (path, _info):
        track = analyze_target(path, face_models(runtime.models), hooks)
    with tempfile.TemporaryDirectory(prefix="remixer-track-") as tmp:
        file = Path(tmp) / "track.npz"
        track.save(file)
        return {"trackKey": runtime.blobs.put_file(file, ".npz")}


def _face_inputs(runtime: Runtime, job: Job) -> tuple[Any, Any, Any]:
    from remixer.pipeline.faces import FaceIdentity, FaceTrack

    models = face_models(runtime.models)
    identity_key = influencer_identity_key(runtime.uow_factory, job.params["influencerId"])
    with runtime.blobs.local_copy(identity_key) as identity_file:
        identity = FaceIdentity.load(identity_file)
    with runtime.blobs.local_copy(_out(job, "face_swapping")["trackKey"]) as track_file:
        track = FaceTrack.load(track_file)
    return models, identity, track


def _overlays(job: Job) -> list[Overlay]:
    """The overlays the extraction stage stored."""
    from remixer.pipeline.overlays import Overlay

    return [Overlay.from_dict(o) for o in _out(job, "extracting_overlays")["overlays"]]


def _new_captions(job: Job) -> tuple[list[Overlay], list[str]]:
    """The extracted overlays and, in the same order, their adapted texts."""
    return _overlays(job), list(_out(job, "adapting_copy")["texts"])


def render_video(runtime: Runtime, job: Job, hooks: HooksFor) -> dict[str, Any]:
    """The dense pass: swap the face, erase and redraw the overlays, encode H.264 + audio
    (`hooks`: by stage, the swap reports to face_swapping, the encode to rendering)."""
    from remixer.pipeline.faces import create_swapper
    from remixer.pipeline.remix import render_remix

    models, identity, track = _face_inputs(runtime, job)
    overlays, texts = _new_captions(job)
    settings = runtime.settings
    swapper = create_swapper(
        identity,
        track,
        models,
        settings.faceswap_model,
        settings.face_embedder_model,
        load_swap=lambda path: swap_model(runtime.models, path),
        load_arcface=lambda path: arcface_embedder(runtime.models, path),
    )
    with (
        _source(runtime, job) as (path, info),
        tempfile.TemporaryDirectory(prefix="remixer-render-") as tmp,
    ):
        out = Path(tmp) / "remix.mp4"
        render_remix(path, out, info, overlays, texts, swapper, hooks)
        return {"videoKey": runtime.blobs.put_file(out, ".mp4")}


def measure_output_quality(
    runtime: Runtime, job: Job, video: Path, hooks: StageHooks
) -> dict[str, Any]:
    from remixer.pipeline.faces import measure_quality
    from remixer.pipeline.render import text_over

    models, identity, track = _face_inputs(runtime, job)
    covers = text_over(*_new_captions(job), track.width, track.height)
    return measure_quality(video, identity, track, models, hooks=hooks, text_over=covers).to_dict()


def measure_output(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """Read the rendered video back: identity similarity, face coverage, steadiness."""
    with runtime.blobs.local_copy(_out(job, "rendering")["videoKey"]) as video:
        return measure_output_quality(runtime, job, video, hooks)


def copy_quality(copy: dict[str, Any], quality: dict[str, Any]) -> dict[str, Any]:
    """`copyProvider` and, when the chat model failed and the offline adapter wrote the
    copy, a `copy_fallback` warning."""
    provider = copy.get("copyProvider", "offline")
    warnings = list(quality.get("warnings", []))
    if provider == "offline-fallback":
        warnings.append("copy_fallback")
    return {"copyProvider": provider, "warnings": warnings}


def finalize(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """Store the thumbnail and build the container's fields (credits settle on completion)."""
    from remixer.workflows.media import asset_of

    video_key = _out(job, "rendering")["videoKey"]
    asset = asset_of(runtime.blobs, video_key, new_ulid_id("ast"))
    hooks.progress(0.8)
    quality = _out(job, "quality")
    from remixer.pipeline.overlays import Overlay
    from remixer.pipeline.render import placement_fields

    overlays = _out(job, "extracting_overlays")["overlays"]
    copy = _out(job, "adapting_copy")
    width, height = asset["width"], asset["height"]  # the output's size is the source's
    placed = [
        {
            "start": o["start_s"],
            "end": o["end_s"],
            "sourceText": o["text"],
            "text": text,
            "box": o["box"],
            **placement_fields(Overlay.from_dict(o), text, width, height),
        }
        for o, text in zip(overlays, copy["texts"], strict=False)
    ]
    container = {
        "hook": placed[0]["text"] if placed else None,
        "caption": copy["caption"],
        "overlays": placed,
        "assets": [asset],
        "quality": {**quality, "overlaysReplaced": len(placed), **copy_quality(copy, quality)},
    }
    return {"container": container}
