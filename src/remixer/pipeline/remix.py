"""The remix as library calls: copy adaptation, the dense render pass, and `remix()` which
runs every stage on local files (what `remixer remix` and the durable job both build on).

Two passes over the video: a sparse analysis (OCR on sampled frames, the target's face
track) and one dense pass that decodes each frame once, swaps the face, erases and
redraws the captions on their regions, and encodes, with the stages overlapped in threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remixer.pipeline.errors import PipelineCanceled
from remixer.pipeline.faces import (
    FaceSwapper,
    analyze_target,
    build_identity,
    create_swapper,
    load_face_models,
    measure_quality,
)
from remixer.pipeline.overlays import Overlay, extract_overlays, load_ocr_engine
from remixer.pipeline.render import OverlayPainter
from remixer.pipeline.rewrite import (
    CopyBrief,
    CopyItem,
    CopyProvider,
    OfflineCopyAdapter,
    adapt_reporting,
    copy_items_from_overlays,
)
from remixer.pipeline.types import Frame, StageHooks
from remixer.pipeline.video import VideoInfo, probe_video, transcode

CAPTION_LINE_CHARS = 150
CAPTION_LINES = 2


@dataclass(frozen=True)
class AdaptedCopy:
    """One adapted text per overlay (same order) and the post caption."""

    texts: tuple[str, ...]
    caption: str
    provider: str = "offline"
    """Who wrote the copy: `offline`, `chat`, or `offline-fallback` (the chat model failed)."""


def adapt_copy(
    overlays: Sequence[Overlay], caption: str, brief: CopyBrief, provider: CopyProvider
) -> AdaptedCopy:
    """Adapt overlays and caption in one provider call; the caption rides as a last body item.

    A source without a caption gets the adapted hook as its caption.
    """
    items = copy_items_from_overlays(overlays)
    source_caption = caption.strip()
    if source_caption:
        items.append(
            CopyItem(
                text=source_caption,
                role="body",
                lines=(source_caption,),
                max_chars_per_line=CAPTION_LINE_CHARS,
                max_lines=CAPTION_LINES,
            )
        )
    if not items:
        return AdaptedCopy((), "")
    outcome = adapt_reporting(provider, items, brief)
    adapted = outcome.texts
    texts = adapted[: len(overlays)]
    new_caption = adapted[-1] if source_caption else (texts[0] if texts else "")
    return AdaptedCopy(tuple(texts), new_caption, outcome.provider)


def render_remix(
    source: Path,
    out: Path,
    info: VideoInfo,
    overlays: Sequence[Overlay],
    texts: Sequence[str],
    swapper: FaceSwapper,
    hooks: StageHooks,
) -> None:
    """The dense pass: decode → swap → erase/redraw captions → encode, audio copied."""
    painter = OverlayPainter(
        overlays, texts, info.width, info.height, source=source, frame_count=info.frame_count
    )

    def process(index: int, frame_bgr: Frame) -> Frame:
        return painter.paint(swapper.swap(frame_bgr, index), index)

    try:
        transcode(source, out, process, info, hooks)
    finally:
        painter.close()
        swapper.close()


def _no_hooks(_stage: str) -> StageHooks:
    return StageHooks()


def _stoppable(hooks: StageHooks, stop: threading.Event) -> StageHooks:
    """`hooks` whose cancel check also stops the work once `stop` is set."""

    def check_cancel() -> None:
        if stop.is_set():
            raise PipelineCanceled("Stopped: another stage failed.")
        hooks.check_cancel()

    return StageHooks(progress=hooks.progress, check_cancel=check_cancel)


@dataclass
class RemixResult:
    output: Path
    info: VideoInfo
    overlays: list[Overlay]
    copy: AdaptedCopy
    quality: dict[str, Any] = field(default_factory=dict)


def remix(
    source: Path,
    faces: Sequence[Path],
    out: Path,
    brief: CopyBrief,
    *,
    caption: str = "",
    provider: CopyProvider | None = None,
    model_path: Path | None = None,
    embedder_path: Path | None = None,
    hooks_for: Callable[[str], StageHooks] = _no_hooks,
) -> RemixResult:
    """Every SPEC §7.2 stage on local files, without a server (the `remixer remix` command).

    Bad inputs fail before any heavy work: the source is probed and the reference photos
    checked first. The two sparse passes (OCR, face analysis) then run at once, the face
    pass in a thread: OCR (onnxruntime), HOG and decoding release the GIL, so they overlap.
    """
    hooks = hooks_for("fetching_source")
    info = probe_video(source)
    models = load_face_models()
    identity = build_identity(faces, models)
    if embedder_path is not None:
        from remixer.pipeline.faces.neural import load_embedder, with_arcface

        identity = with_arcface(identity, load_embedder(embedder_path))
    hooks.progress(1.0)
    ocr = load_ocr_engine()
    stop = threading.Event()
    with ThreadPoolExecutor(1, thread_name_prefix="remixer-faces") as pool:
        face_hooks = _stoppable(hooks_for("face_swapping"), stop)
        face_pass = pool.submit(analyze_target, source, models, face_hooks)
        try:
            overlays = extract_overlays(source, info, ocr, hooks_for("extracting_overlays"))
        except BaseException:
            stop.set()  # the face pass stops at its next cancel check
            raise
        copy = adapt_copy(overlays, caption, brief, provider or OfflineCopyAdapter())
        hooks_for("adapting_copy").progress(1.0)
        track = face_pass.result()
    swapper = create_swapper(identity, track, models, model_path, embedder_path)
    render_remix(source, out, info, overlays, copy.texts, swapper, hooks_for("rendering"))
    quality = measure_quality(
        out, identity, track, models, sample_every=10, hooks=hooks_for("finalizing")
    ).to_dict()
    quality["overlaysReplaced"] = len(overlays)
    return RemixResult(out, info, overlays, copy, quality)
