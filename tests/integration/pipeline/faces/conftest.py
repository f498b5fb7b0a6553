"""Shared fixtures for the face tests: the models, the influencer (Obama's White House
photos), a tracking clip (Biden with a second person, a cut to the astronaut, an occlusion)
and a hand-encoded ONNX model builder (the `onnx` package is not installed)."""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from remixer.pipeline.faces import FaceIdentity, FaceModels, build_identity, load_face_models
from remixer.pipeline.synth.faces import FaceClip, FaceShot, write_face_clip
from remixer.pipeline.synth.motion import Motion
from remixer.pipeline.synth.photos import save_photo

INFLUENCER_PHOTOS = ("obama", "obama2", "obama3")
ROOT = Path(__file__).resolve().parents[4]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the real-footage tests use the benchmark's dlib judge


@pytest.fixture(scope="session")
def models() -> FaceModels:
    return load_face_models()


@pytest.fixture(scope="session")
def influencer(models: FaceModels, tmp_path_factory: pytest.TempPathFactory) -> FaceIdentity:
    folder = tmp_path_factory.mktemp("influencer")
    photos = [save_photo(name, folder / f"{name}.jpg") for name in INFLUENCER_PHOTOS]
    return build_identity(photos, models)


@pytest.fixture(scope="session")
def tracking_clip(tmp_path_factory: pytest.TempPathFactory) -> FaceClip:
    """Biden (1.2 s, astronaut small bottom-left) | astronaut (0.6 s) | Biden (1.2 s, a card
    over his face from 0.4 s to 0.8 s). 540×960, 30 fps."""
    path = tmp_path_factory.mktemp("clips") / "tracking.mp4"
    moving = Motion(pan_px=20, zoom_from=1.0, zoom_to=1.08, rotate_deg=3, period_s=1.5)
    shots = [
        FaceShot("biden", 1.2, moving, extra="astronaut"),
        FaceShot("astronaut", 0.6, Motion(pan_px=10, period_s=2.0), face_width=0.4),
        FaceShot("biden", 1.2, moving, occlude=(0.4, 0.8)),
    ]
    return write_face_clip(path, shots, 540, 960, 30)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | str | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _value_info(name: str, dims: list[int]) -> bytes:
    shape = b"".join(_field(1, _field(1, d)) for d in dims)
    tensor = _field(1, 1) + _field(2, shape)
    return _field(1, name) + _field(2, _field(1, tensor))


def _scalar(name: str, value: float) -> bytes:
    return _field(2, 1) + _field(4, struct.pack("<f", value)) + _field(8, name)


def _node(op: str, inputs: list[str], output: str) -> bytes:
    return b"".join(_field(1, i) for i in inputs) + _field(2, output) + _field(4, op)


def encode_inverting_model(size: int, latent: int) -> bytes:
    """ONNX bytes of `out = (1 - face) + 0 * mean(latent)`: face 1×3×S×S, latent 1×L."""
    nodes = [
        _node("Sub", ["one", "face"], "inverted"),
        _node("ReduceMean", ["latent"], "mean"),
        _node("Mul", ["mean", "zero"], "nothing"),
        _node("Add", ["inverted", "nothing"], "out"),
    ]
    graph = b"".join(_field(1, n) for n in nodes) + _field(2, "invert")
    graph += _field(5, _scalar("one", 1.0)) + _field(5, _scalar("zero", 0.0))
    graph += _field(11, _value_info("face", [1, 3, size, size]))
    graph += _field(11, _value_info("latent", [1, latent]))
    graph += _field(12, _value_info("out", [1, 3, size, size]))
    opset = _field(1, "") + _field(2, 13)
    return _field(1, 8) + _field(8, opset) + _field(7, graph)


@pytest.fixture
def make_onnx_model(tmp_path: Path) -> Callable[[int, int], Path]:
    def make(size: int, latent: int) -> Path:
        path = tmp_path / f"invert_{size}_{latent}.onnx"
        path.write_bytes(encode_inverting_model(size, latent))
        return path

    return make
