"""The face-swap model contracts on stand-in ONNX models with the published names and
shapes: which contract a model gets, the exact inputs it receives (crop normalisation, RGB
order, the inswapper latent through `emap`), how its output is read back, the refusals
(naming the expected inputs) and the execution providers."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from onnx_standins import random_emap, swapper_model
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.neural.contracts import (
    HYPERSWAP_256,
    INSWAPPER_128,
    SwapModel,
    open_swap_model,
)
from remixer.pipeline.faces.neural.loaders import check_face_models
from remixer.pipeline.faces.neural.providers import select_providers


def _crop(size: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def _arcface(seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=512) * 7.0  # raw, not unit length


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_inswapper_receives_the_rgb_crop_in_0_1_and_the_emap_latent(tmp_path: Path) -> None:
    emap = random_emap()
    path = swapper_model(tmp_path / "inswapper_128.onnx", 128, "echo", emap=emap, echo_source=True)
    model = open_swap_model(path)
    assert model.contract is INSWAPPER_128
    assert model.emap is not None and np.array_equal(model.emap, emap)
    crop, arcface = _crop(128), _arcface()
    latent = model.latent(arcface)
    expected_latent = _unit(_unit(arcface) @ emap.astype(np.float64))
    assert latent.shape == (1, 512)
    assert np.allclose(latent[0], expected_latent, atol=1e-6)
    feeds = model.feeds(crop, latent)
    expected_target = crop[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float64) / 255.0
    assert feeds["target"].shape == (1, 3, 128, 128) and feeds["target"].dtype == np.float32
    assert np.allclose(feeds["target"], expected_target, atol=1e-6)
    outputs = model.run(feeds)
    assert np.allclose(outputs[1], expected_latent[None], atol=1e-6)  # what the model got
    assert np.array_equal(model.face(outputs), crop)  # echo comes back as the same BGR crop


def test_inswapper_negative_comes_back_as_the_negative_crop(tmp_path: Path) -> None:
    path = swapper_model(tmp_path / "inswapper_128.onnx", 128, "negative", emap=random_emap())
    model = open_swap_model(path)
    crop = _crop(128, 2)
    face = model.render(crop, model.latent(_arcface()))
    assert np.abs(face.astype(int) - (255 - crop.astype(int))).max() <= 1


def test_hyperswap_gets_minus_one_to_one_and_the_unit_embedding(tmp_path: Path) -> None:
    path = swapper_model(tmp_path / "hyperswap_1a_256.onnx", 256, "echo", echo_source=True)
    model = open_swap_model(path)
    assert model.contract is HYPERSWAP_256 and model.emap is None
    crop, arcface = _crop(256, 3), _arcface(4)
    latent = model.latent(arcface)
    assert np.allclose(latent[0], _unit(arcface), atol=1e-6)
    feeds = model.feeds(crop, latent)
    rgb = crop[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float64) / 255.0
    assert np.allclose(feeds["target"], (rgb - 0.5) / 0.5, atol=1e-6)
    assert feeds["target"].min() < -0.9 and feeds["target"].max() > 0.9
    outputs = model.run(feeds)
    assert np.allclose(outputs[1], _unit(arcface)[None], atol=1e-6)
    assert np.abs(model.face(outputs).astype(int) - crop.astype(int)).max() <= 1


def test_hyperswap_negative_is_denormalised_back_to_the_negative_crop(tmp_path: Path) -> None:
    model = open_swap_model(swapper_model(tmp_path / "hyperswap_1b_256.onnx", 256, "negative"))
    crop = _crop(256, 5)
    face = model.render(crop, model.latent(_arcface()))
    assert np.abs(face.astype(int) - (255 - crop.astype(int))).max() <= 1


@pytest.mark.parametrize(
    "size,latent,target,source",
    [
        (128, 512, "img", "latent"),  # roop-era names
        (96, 512, "target", "source"),  # no supported size
        (128, 128, "target", "source"),  # a dlib-sized latent
    ],
)
def test_a_model_matching_no_contract_is_refused_naming_the_expected_inputs(
    tmp_path: Path, size: int, latent: int, target: str, source: str
) -> None:
    path = swapper_model(
        tmp_path / "odd.onnx", size, "echo", target=target, source=source, latent=latent
    )
    with pytest.raises(PipelineError) as caught:
        open_swap_model(path)
    message = caught.value.message
    assert caught.value.code == "INTERNAL"
    assert f"`{target}` 1×3×{size}×{size}" in message  # what it has
    assert "`target` 1×3×128×128 and `source` 1×512" in message  # what is expected
    assert "`target` 1×3×256×256" in message


def test_inswapper_inputs_without_a_512_emap_are_refused(tmp_path: Path) -> None:
    path = swapper_model(tmp_path / "inswapper_128.onnx", 128, "negative")
    with pytest.raises(PipelineError) as caught:
        open_swap_model(path)
    assert "emap" in caught.value.message and "512×512" in caught.value.message


def test_a_simswap_file_with_hyperswap_shapes_is_refused(tmp_path: Path) -> None:
    path = swapper_model(tmp_path / "simswap_256.onnx", 256, "negative")
    with pytest.raises(PipelineError) as caught:
        open_swap_model(path)
    assert "embedding converter" in caught.value.message


def test_missing_and_unreadable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(PipelineError) as missing:
        open_swap_model(tmp_path / "nowhere.onnx")
    assert "nowhere.onnx does not exist" in missing.value.message
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(PipelineError) as unreadable:
        open_swap_model(broken)
    assert "could not be loaded as an ONNX model" in unreadable.value.message


def test_providers_prefer_the_gpu_and_keep_cpu_last() -> None:
    gpu = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert select_providers(gpu) == gpu
    assert select_providers(["CUDAExecutionProvider", "CPUExecutionProvider"]) == [
        "CUDAExecutionProvider",
        "CPUExecutionProvider",
    ]
    assert select_providers(["AzureExecutionProvider", "CPUExecutionProvider"]) == [
        "CPUExecutionProvider"
    ]


def test_the_provider_a_session_runs_on_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = swapper_model(tmp_path / "hyperswap_1a_256.onnx", 256, "echo")
    with caplog.at_level(logging.INFO, logger="remixer.pipeline.faces.neural.providers"):
        model: SwapModel = open_swap_model(path)
    assert any(
        "hyperswap_1a_256.onnx runs on" in r.getMessage()
        and "CPUExecutionProvider" in r.getMessage()
        for r in caplog.records
    )
    assert "CPUExecutionProvider" in model.session.get_providers()


def test_start_up_check(tmp_path: Path) -> None:
    check_face_models(None, None)  # classic swapper: nothing to load
    swap = swapper_model(tmp_path / "inswapper_128.onnx", 128, "negative", emap=random_emap())
    with pytest.raises(PipelineError) as no_embedder:
        check_face_models(swap, None)
    assert "REMIXER_FACE_EMBEDDER_MODEL" in no_embedder.value.message
    with pytest.raises(PipelineError) as missing:
        check_face_models(tmp_path / "gone.onnx", tmp_path / "arcface.onnx")
    assert "face embedder model (REMIXER_FACE_EMBEDDER_MODEL)" in missing.value.message
