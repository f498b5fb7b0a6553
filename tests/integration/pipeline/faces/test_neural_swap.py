"""The neural backend on the real tracking clip with stand-in ONNX models (published names
and shapes): the model's output lands on the target's face and nowhere else, an echoing
model gives the face back (the inverse alignment is exact), the classic path's tracking
and fades drive it, and an influencer without an ArcFace embedding is refused clearly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from onnx_standins import arcface_model, random_emap, swapper_model
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces import (
    FaceIdentity,
    FaceModels,
    FaceTrack,
    analyze_target,
    create_swapper,
)
from remixer.pipeline.faces.geometry import expand_box
from remixer.pipeline.faces.neural import (
    feathered_face_mask,
    load_embedder,
    load_swap_model,
    with_arcface,
)
from remixer.pipeline.faces.onnx_swapper import OnnxFaceSwapper
from remixer.pipeline.synth.faces import FaceClip
from remixer.pipeline.types import Frame, StageHooks
from remixer.pipeline.video import iter_frames_bgr

FRAMES = 6


@pytest.fixture(scope="module")
def track(tracking_clip: FaceClip, models: FaceModels) -> FaceTrack:
    return analyze_target(tracking_clip.path, models, StageHooks())


@pytest.fixture(scope="module")
def standins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("standins")
    emap = random_emap()
    return {
        "arcface": arcface_model(folder / "w600k_r50.onnx"),
        "inswapper": swapper_model(folder / "inswapper_128.onnx", 128, "negative", emap=emap),
        "inswapper_echo": swapper_model(folder / "inswapper_echo.onnx", 128, "echo", emap=emap),
        "hyperswap": swapper_model(folder / "hyperswap_1a_256.onnx", 256, "negative"),
    }


@pytest.fixture(scope="module")
def identity(influencer: FaceIdentity, standins: dict[str, Path]) -> FaceIdentity:
    return with_arcface(influencer, load_embedder(standins["arcface"]))


@pytest.fixture(scope="module")
def frames(tracking_clip: FaceClip) -> list[Frame]:
    out = []
    for index, frame in enumerate(iter_frames_bgr(tracking_clip.path)):
        if index >= FRAMES:
            break
        out.append(frame)
    return out


def _run(swapper: OnnxFaceSwapper, frames: list[Frame]) -> list[Frame]:
    try:
        return [swapper.swap(f.copy(), i) for i, f in enumerate(frames)]
    finally:
        swapper.close()


def _regions(
    track: FaceTrack, index: int, shape: tuple[int, ...]
) -> tuple[tuple[slice, slice], np.ndarray]:
    """The middle third of the target's box, and a mask of everything well outside it."""
    x, y, w, h = track.boxes[index]
    centre = (slice(y + h // 3, y + h * 2 // 3), slice(x + w // 3, x + w * 2 // 3))
    ex, ey, ew, eh = expand_box((x, y, w, h), 1.8, shape[1], shape[0])
    outside = np.ones(shape[:2], bool)
    outside[ey : ey + eh, ex : ex + ew] = False
    return centre, outside


@pytest.mark.parametrize(
    "name,contract", [("inswapper", "inswapper_128"), ("hyperswap", "hyperswap_256")]
)
def test_the_negative_shows_inside_the_face_and_nothing_outside_it(
    name: str,
    contract: str,
    standins: dict[str, Path],
    identity: FaceIdentity,
    track: FaceTrack,
    models: FaceModels,
    frames: list[Frame],
) -> None:
    swapper = create_swapper(identity, track, models, model_path=standins[name])
    assert isinstance(swapper, OnnxFaceSwapper) and swapper.contract_name == contract
    out = _run(swapper, frames)
    assert swapper.stats.frames == FRAMES and swapper.stats.swapped == FRAMES
    for index in (2, FRAMES - 1):
        centre, outside = _regions(track, index, frames[index].shape)
        face_in = frames[index][centre].astype(int)
        face_out = out[index][centre].astype(int)
        assert np.abs(face_out - (255 - face_in)).mean() < 12  # the negative, resampled
        assert np.abs(face_out - face_in).mean() > 60
        assert np.array_equal(out[index][outside], frames[index][outside])


def test_an_echoing_model_gives_the_face_back(
    standins: dict[str, Path],
    identity: FaceIdentity,
    track: FaceTrack,
    models: FaceModels,
    frames: list[Frame],
) -> None:
    """A model returning its input: the crop warped back through the inverse alignment
    lands on the same pixels (only bilinear resampling differs)."""
    swapper = OnnxFaceSwapper(identity, track, models, standins["inswapper_echo"])
    out = _run(swapper, frames)
    centre, _outside = _regions(track, FRAMES - 1, frames[-1].shape)
    diff = np.abs(out[-1][centre].astype(int) - frames[-1][centre].astype(int))
    assert diff.mean() < 4.0
    assert swapper.stats.swapped == FRAMES


def _with_bar(
    frames: list[Frame], track: FaceTrack
) -> tuple[list[Frame], list[tuple[slice, slice]]]:
    """Each frame with a saturated blue bar (a hand, a microphone) across the lower face."""
    barred, bars = [], []
    for index, frame in enumerate(frames):
        x, y, w, h = track.boxes[index]
        bar = (slice(y + h * 9 // 20, y + h * 13 // 20), slice(x + w * 3 // 20, x + w * 6 // 20))
        copy = frame.copy()
        copy[bar] = (200, 40, 40)
        barred.append(copy)
        bars.append(bar)
    return barred, bars


def test_an_occluder_over_the_face_stays_in_front(
    standins: dict[str, Path],
    identity: FaceIdentity,
    track: FaceTrack,
    models: FaceModels,
    frames: list[Frame],
) -> None:
    """The classic path's occluder test guards the neural paste-back: a bar across the
    face keeps its own pixels, where the plain feathered mask paints the model over it."""
    barred, bars = _with_bar(frames, track)
    kept = _run(OnnxFaceSwapper(identity, track, models, standins["inswapper"]), barred)
    plain = OnnxFaceSwapper(
        identity, track, models, standins["inswapper"], mask=feathered_face_mask
    )
    painted = _run(plain, barred)
    index = FRAMES - 1
    bar = bars[index]
    source = barred[index][bar].astype(int)
    assert np.abs(kept[index][bar].astype(int) - source).mean() < 25
    assert np.abs(painted[index][bar].astype(int) - source).mean() > 80
    centre, _outside = _regions(track, index, frames[index].shape)
    face_in = barred[index][centre].astype(int)
    assert np.abs(kept[index][centre].astype(int) - face_in).mean() > 40  # still swapped


def test_the_influencer_needs_an_arcface_embedding(
    standins: dict[str, Path],
    influencer: FaceIdentity,
    identity: FaceIdentity,
    track: FaceTrack,
    models: FaceModels,
) -> None:
    assert influencer.arcface is None
    with pytest.raises(PipelineError) as caught:
        create_swapper(influencer, track, models, model_path=standins["inswapper"])
    assert (
        "ArcFace" in caught.value.message and "REMIXER_FACE_EMBEDDER_MODEL" in caught.value.message
    )
    swapper = OnnxFaceSwapper(
        influencer, track, models, standins["inswapper"], embedder_path=standins["arcface"]
    )
    swapper.close()
    assert identity.arcface is not None
    expected = load_swap_model(standins["inswapper"]).latent(identity.arcface)
    assert np.allclose(swapper.latent, expected, atol=1e-6)
