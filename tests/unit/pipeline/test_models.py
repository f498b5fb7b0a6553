"""The model store: the start-up check loads into it, so the jobs get the very models it
checked; the loaders themselves keep nothing."""

from __future__ import annotations

import threading
from pathlib import Path

from onnx_standins import arcface_model, random_emap, swapper_model
from remixer.pipeline.faces.neural.loaders import load_swap_model
from remixer.pipeline.models import arcface_embedder, check_face_models, swap_model
from remixer.workflows.runtime import ModelCache


def test_the_start_up_check_warms_the_store(tmp_path: Path) -> None:
    swap = swapper_model(tmp_path / "inswapper_128.onnx", 128, "negative", emap=random_emap())
    embedder = arcface_model(tmp_path / "arcface.onnx")
    models = ModelCache()
    check_face_models(models, swap, embedder)
    checked_swap, checked_embedder = swap_model(models, swap), arcface_embedder(models, embedder)
    assert swap_model(models, swap) is checked_swap
    assert arcface_embedder(models, tmp_path / "." / "arcface.onnx") is checked_embedder
    assert load_swap_model(swap) is not checked_swap, "the loader keeps no copy of its own"


def test_threads_asking_at_once_share_one_load() -> None:
    models = ModelCache()
    loads: list[int] = []
    start = threading.Barrier(4)

    def loader() -> object:
        loads.append(1)
        return object()

    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(models.get("m", loader))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1 and len({id(m) for m in got}) == 1
