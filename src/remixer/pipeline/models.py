"""Where a process keeps its loaded models: the pipeline asks a `ModelStore` for them.

The loaders (`load_ocr_engine`, `load_face_models`, `load_swap_model`, `load_embedder`)
cache nothing. A caller passes a store in: the worker its `Runtime.models`
(`workflows.runtime.ModelCache`, models stay warm across jobs), the CLI a `ModelCache` of
its own through the orchestration. The functions below name each model once, so every
caller shares one key per model. Heavy modules load on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from remixer.pipeline.faces.models import FaceModels
    from remixer.pipeline.faces.neural.contracts import SwapModel
    from remixer.pipeline.faces.neural.embedder import ArcFaceEmbedder

T = TypeVar("T")


class ModelStore(Protocol):
    """Loads a model by name once (`loader()` on first use) and hands the same one out."""

    def get(self, name: str, loader: Callable[[], T]) -> T: ...


def ocr_engine(models: ModelStore) -> Any:
    """The RapidOCR engine."""
    from remixer.pipeline.overlays.ocr import load_ocr_engine

    return models.get("ocr", load_ocr_engine)


def face_models(models: ModelStore) -> FaceModels:
    """dlib's detector, 5-point predictor and identity embedder."""
    from remixer.pipeline.faces.models import load_face_models

    return models.get("faces", load_face_models)


def swap_model(models: ModelStore, path: Path) -> SwapModel:
    """The neural face-swap model at `path`, opened and checked."""
    from remixer.pipeline.faces.neural.loaders import load_swap_model

    resolved = path.expanduser().resolve()
    return models.get(f"swap:{resolved}", lambda: load_swap_model(resolved))


def arcface_embedder(models: ModelStore, path: Path) -> ArcFaceEmbedder:
    """The ArcFace embedder at `path`, opened and checked."""
    from remixer.pipeline.faces.neural.loaders import load_embedder

    resolved = path.expanduser().resolve()
    return models.get(f"embedder:{resolved}", lambda: load_embedder(resolved))


def preload(models: ModelStore, *getters: Callable[[ModelStore], object]) -> list[threading.Thread]:
    """Start loading each model in its own background thread, so the loads overlap the
    work before their first use (a `get` during a load waits for that load)."""
    threads = [
        threading.Thread(target=getter, args=(models,), name="remixer-model-load", daemon=True)
        for getter in getters
    ]
    for thread in threads:
        thread.start()
    return threads


def check_face_models(
    models: ModelStore, faceswap_model: Path | None, embedder_model: Path | None
) -> None:
    """The start-up check (`neural.check_face_models`), loading into `models` so the
    checked models stay warm for the jobs."""
    from remixer.pipeline.faces.neural.loaders import check_face_models as check

    check(
        faceswap_model,
        embedder_model,
        load_swap=lambda path: swap_model(models, path),
        load_arcface=lambda path: arcface_embedder(models, path),
    )
