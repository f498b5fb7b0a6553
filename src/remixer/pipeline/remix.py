"""The remix as library calls: copy adaptation, the dense render pass, and `remix()` which
runs every stage on local files (`remixer remix`).

The stage sequence and what runs at once are `pipeline.orchestration`'s, shared with the
durable job (`workflows.remix`); this module supplies the in-memory work (`LocalRemix`)
and the display the CLI passes in as per-stage hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from remixer.pipeline.faces import (
    FaceIdentity,
    FaceSwapper,
    FaceTrack,
    analyze_target,
    build_identity,
    create_swapper,
    measure_quality,
)
from remixer.pipeline.models import (
    ModelStore,
    arcface_embedder,
    face_models,
    ocr_engine,
    swap_model,
)
from remixer.pipeline.orchestration import HooksFor, run_remix
from remixer.pipeline.overlays import Overlay, extract_overlays
from remixer.pipeline.render import OverlayPainter, text_over
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
from remixer.pipeline.video.transcode import HOOK_EVERY

T = TypeVar("T")

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
    hooks: HooksFor,
) -> None:
    """The dense pass: decode → erase the old captions → swap → draw the new captions →
    encode, audio copied. The swap sees the frame without the old text (its landmarks are
    found, and the face drawn, under a caption across the face), and the new text is drawn
    over the swapped face.

    Reports the swap of each frame to `face_swapping` and the encode to `rendering`."""
    painter = OverlayPainter(
        overlays, texts, info.width, info.height, source=source, frame_count=info.frame_count
    )
    swapping = hooks("face_swapping")
    total = max(info.frame_count, 1)

    def swap_and_draw(index: int, frame_bgr: Frame) -> Frame:
        swapped = swapper.swap(frame_bgr, index)
        if (index + 1) % HOOK_EVERY == 0 or index + 1 >= total:
            swapping.progress(min((index + 1) / total, 1.0))
        return painter.draw(swapped, index)

    stages = (lambda i, f: painter.erase(f, i), swap_and_draw)
    try:  # the erase of one frame and the swap of the one before overlap (two threads)
        transcode(source, out, stages, info, hooks("rendering"))
    finally:
        painter.close()
        swapper.close()


@dataclass
class RemixResult:
    output: Path
    info: VideoInfo
    overlays: list[Overlay]
    copy: AdaptedCopy
    quality: dict[str, Any] = field(default_factory=dict)


@dataclass
class LocalRemix:
    """The orchestration's work on local files, every output kept in memory."""

    source: Path
    faces: Sequence[Path]
    out: Path
    brief: CopyBrief
    caption: str
    provider: CopyProvider
    models: ModelStore
    model_path: Path | None = None
    embedder_path: Path | None = None
    info: VideoInfo | None = None
    identity: FaceIdentity | None = None
    overlays: list[Overlay] = field(default_factory=list)
    copy: AdaptedCopy = field(default_factory=lambda: AdaptedCopy((), ""))
    track: FaceTrack | None = None
    swapper: FaceSwapper | None = None
    """Built at the end of the face lane, handed to the dense pass (which closes it)."""
    quality: dict[str, Any] = field(default_factory=dict)

    def fetch_source(self, hooks: HooksFor) -> None:
        """Probe the source: a file that is no video fails before any other work. The
        reference photos are checked first thing in the face lane (`analyze_face`), so OCR
        does not wait for the face models and the photo check; a bad photo still fails
        the remix within its first seconds (a failed lane stops the other)."""
        self.info = probe_video(self.source)
        hooks("fetching_source").progress(1.0)

    def extract_overlays(self, hooks: HooksFor) -> None:
        info = _known(self.info)
        ocr = ocr_engine(self.models)
        self.overlays = extract_overlays(self.source, info, ocr, hooks("extracting_overlays"))

    def adapt_copy(self, hooks: HooksFor) -> None:
        self.copy = adapt_copy(self.overlays, self.caption, self.brief, self.provider)
        hooks("adapting_copy").progress(1.0)

    def analyze_face(self, hooks: HooksFor) -> None:
        """The target's track, and the influencer's ArcFace embedding (the embedder's load
        and run stay off the fetch, in the face lane beside OCR), after the photo check;
        then the swapper, whose set-up (the classic one prepares every reference, ≈ 1 CPU s
        on d0) would otherwise run alone between this phase and the dense pass."""
        self.identity = build_identity(self.faces, face_models(self.models))
        if self.embedder_path is not None:
            from remixer.pipeline.faces.neural import with_arcface

            embedder = arcface_embedder(self.models, self.embedder_path)
            self.identity = with_arcface(_known(self.identity), embedder)
        self.track = analyze_target(self.source, face_models(self.models), hooks("face_swapping"))
        self.swapper = create_swapper(
            _known(self.identity),
            _known(self.track),
            face_models(self.models),
            self.model_path,
            self.embedder_path,
            load_swap=lambda path: swap_model(self.models, path),
            load_arcface=lambda path: arcface_embedder(self.models, path),
        )

    def render_video(self, hooks: HooksFor) -> None:
        swapper, self.swapper = _known(self.swapper), None
        info = _known(self.info)
        render_remix(self.source, self.out, info, self.overlays, self.copy.texts, swapper, hooks)

    def close(self) -> None:
        """Close a swapper the dense pass did not get to (a stage failed before it)."""
        if self.swapper is not None:
            self.swapper.close()
            self.swapper = None

    def measure_output(self, hooks: HooksFor) -> None:
        info = _known(self.info)
        self.quality = measure_quality(
            self.out,
            _known(self.identity),
            _known(self.track),
            face_models(self.models),
            hooks=hooks("rendering"),
            text_over=text_over(self.overlays, self.copy.texts, info.width, info.height),
        ).to_dict()

    def finalize(self, hooks: HooksFor) -> None:
        self.quality["overlaysReplaced"] = len(self.overlays)
        hooks("finalizing").progress(1.0)


def _known(value: T | None) -> T:
    if value is None:
        raise RuntimeError("a stage ran before the stage whose output it reads")
    return value


@dataclass
class HooksDisplay:
    """The orchestration's display over per-stage hooks (the CLI's progress bars)."""

    hooks_for: Callable[[str], StageHooks]

    def enter(self, stage: str) -> None:
        return None

    def progress(self, stage: str, fraction: float) -> None:
        self.hooks_for(stage).progress(fraction)

    def check_cancel(self, stage: str) -> None:
        self.hooks_for(stage).check_cancel()


def _no_hooks(_stage: str) -> StageHooks:
    return StageHooks()


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
    models: ModelStore,
    hooks_for: Callable[[str], StageHooks] = _no_hooks,
) -> RemixResult:
    """Every SPEC §7.2 stage on local files, without a server (the `remixer remix` command).

    A source that is no video fails before any other work; the reference photos are
    checked first thing in the face lane. The two sparse passes (OCR then the copy, and
    the photo check then the face track) run at once: OCR (onnxruntime), HOG and decoding
    release the GIL, so they overlap.
    `models` keeps the loaded models (the caller's, so they can outlive the call).
    """
    work = LocalRemix(
        source,
        faces,
        out,
        brief,
        caption,
        provider or OfflineCopyAdapter(),
        models,
        model_path,
        embedder_path,
    )
    try:
        run_remix(work, HooksDisplay(hooks_for))
    finally:
        work.close()
    return RemixResult(out, _known(work.info), work.overlays, work.copy, work.quality)
