"""`remixer remix`: the whole pipeline on local files, no server, a progress bar per stage."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from remixer.cli.brand_options import AppName, Banned, Keywords, Language, Voice, check_voice
from remixer.cli.output import fail
from remixer.config import Settings
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.models import ModelStore, check_face_models, ocr_engine, preload
from remixer.pipeline.orchestration import STAGES
from remixer.pipeline.remix import remix as run_remix
from remixer.pipeline.render import placement_fields
from remixer.pipeline.rewrite import CopyBrief, create_copy_provider
from remixer.pipeline.types import StageHooks
from remixer.workflows.runtime import ModelCache


def _hooks(progress: Progress, tasks: dict[str, TaskID]) -> Callable[[str], StageHooks]:
    def hooks_for(stage: str) -> StageHooks:
        def report(fraction: float) -> None:
            progress.update(tasks[stage], completed=fraction * 100)

        return StageHooks(progress=report)

    return hooks_for


def _check_face_models(settings: Settings, models: ModelStore) -> None:
    """A missing, unreadable or unsupported neural model fails here, before any work (and
    stays loaded in `models` for the remix)."""
    try:
        check_face_models(models, settings.faceswap_model, settings.face_embedder_model)
    except PipelineError as exc:
        raise fail(f"{exc.code}: {exc.message}") from exc


def remix(
    source: Annotated[
        Path, typer.Argument(help="Source video (MP4, MOV or WebM)", exists=True, dir_okay=False)
    ],
    face: Annotated[
        list[Path],
        typer.Option(help="Reference photo of the influencer (repeat for several)", exists=True),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output MP4 path")],
    voice: Voice = "authentic",
    language: Language = "en",
    caption: Annotated[str, typer.Option(help="Source post caption to adapt")] = "",
    app_name: AppName = "",
    keyword: Keywords = None,
    banned: Banned = None,
) -> None:
    """Remix SOURCE with the face from --face photos into -o OUT.mp4; prints a JSON summary."""
    check_voice(voice)
    settings = Settings()
    models = ModelCache()
    preload(models, ocr_engine)  # overlaps the probe, the face models and the identity build
    _check_face_models(settings, models)
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    provider = create_copy_provider(
        settings.llm_base_url, settings.llm_model, api_key, settings.llm_timeout_s
    )
    brief = CopyBrief(
        voice=voice,  # type: ignore[arg-type]
        target_language=language,
        app_name=app_name,
        keywords=tuple(keyword or ()),
        banned_phrases=tuple(banned or ()),
    )
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        tasks = {stage: progress.add_task(stage, total=100) for stage in STAGES}
        hooks_for = _hooks(progress, tasks)
        try:
            result = run_remix(
                source,
                face,
                output,
                brief,
                caption=caption,
                provider=provider,
                model_path=settings.faceswap_model,
                embedder_path=settings.face_embedder_model,
                hooks_for=hooks_for,
                models=models,
            )
        except PipelineError as exc:
            raise fail(f"{exc.code}: {exc.message}") from exc
        for stage in STAGES:
            progress.update(tasks[stage], completed=100)
    summary = {
        "output": str(result.output),
        "durationS": round(result.info.duration_s, 3),
        "size": [result.info.width, result.info.height],
        "caption": result.copy.caption,
        "copyProvider": result.copy.provider,
        "overlays": [
            {
                "start": o.start_s,
                "end": o.end_s,
                "sourceText": o.text,
                "text": t,
                "box": list(o.box),
                **placement_fields(o, t, result.info.width, result.info.height),
            }
            for o, t in zip(result.overlays, result.copy.texts, strict=True)
        ],
        "quality": result.quality,
    }
    sys.stdout.write(json.dumps(summary, indent=2) + "\n")
