"""The face-swap model contracts this build runs, recognised from a model's input names and
shapes, each with its own pre- and post-processing.

- **inswapper_128** (InsightFace; the default of FaceFusion, Deep-Live-Cam, roop, ReActor):
  inputs `target` 1×3×128×128 (the face aligned to `arcface_template(128)`, RGB in 0..1;
  outside the frame black) and `source` 1×512; output 1×3×128×128 RGB in 0..1. The source
  latent is the unit ArcFace embedding times `emap` (the graph's last initializer,
  512×512), normalised again (InsightFace `model_zoo/inswapper.py`).
- **hyperswap_256** (FaceFusion's `hyperswap_1a/1b/1c_256`): inputs `target` 1×3×256×256
  (aligned to `arcface_template(256)`, edge pixels repeated outside the frame, RGB
  normalised with mean 0.5 and std 0.5, i.e. −1..1) and `source` 1×512 = the unit ArcFace
  embedding as is; the first output is 1×3×256×256 in −1..1 (× 0.5 + 0.5, clipped).

SimSwap 256 and Ghost have the same input names and shapes as HyperSwap but need
FaceFusion's separate embedding converter and another template, so a file named after them
is refused instead of being run with the wrong pre-processing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.neural.providers import open_session
from remixer.pipeline.types import Frame

Floats = NDArray[np.float32]
LATENT = 512
WHAT = "face-swap model (REMIXER_FACESWAP_MODEL)"
UNSUPPORTED_256 = ("simswap", "ghost", "hififace", "uniface", "blendswap")


@dataclass(frozen=True)
class SwapContract:
    """How to feed one model family: crop size, normalisation, border, latent recipe."""

    name: str
    size: int
    mean: float
    std: float
    replicate_border: bool
    uses_emap: bool
    denormalise_output: bool


INSWAPPER_128 = SwapContract("inswapper_128", 128, 0.0, 1.0, False, True, False)
HYPERSWAP_256 = SwapContract("hyperswap_256", 256, 0.5, 0.5, True, False, True)
CONTRACTS = (INSWAPPER_128, HYPERSWAP_256)

EXPECTED = (
    "inswapper_128: inputs `target` 1×3×128×128 and `source` 1×512, with a 512×512 emap "
    "as the graph's last initializer; hyperswap_256: inputs `target` 1×3×256×256 and "
    "`source` 1×512"
)


def unit(vector: NDArray[Any]) -> Floats:
    """`vector` scaled to length 1 (float32)."""
    flat = np.asarray(vector, dtype=np.float64).reshape(-1)
    return (flat / max(float(np.linalg.norm(flat)), 1e-12)).astype(np.float32)


def _dims(shape: Any) -> list[int | None]:
    return [d if isinstance(d, int) and d > 0 else None for d in shape]


def _batch_one(dims: list[int | None]) -> bool:
    return dims[0] in (1, None)


def _describe(specs: Any) -> str:
    parts = []
    for spec in specs:
        dims = "×".join("?" if d is None else str(d) for d in _dims(spec.shape))
        parts.append(f"`{spec.name}` {dims}")
    return ", ".join(parts) or "none"


def match_contract(inputs: Any, outputs: Any) -> SwapContract | None:
    """The contract whose input names and shapes `inputs` have (and whose face output the
    first of `outputs` is), or None."""
    by_name = {spec.name: _dims(spec.shape) for spec in inputs}
    target, source = by_name.get("target"), by_name.get("source")
    if len(by_name) != 2 or target is None or source is None:
        return None
    if len(source) != 2 or source[1] != LATENT or not _batch_one(source):
        return None
    if len(target) != 4 or not _batch_one(target) or target[1] != 3:
        return None
    out = _dims(outputs[0].shape) if outputs else []
    for contract in CONTRACTS:
        size = contract.size
        face_out = len(out) == 4 and out[1] in (3, None)
        if target[2:] == [size, size] and face_out and all(d in (size, None) for d in out[2:]):
            return contract
    return None


def last_initializer(path: Path) -> Floats | None:
    """The graph's last initializer (inswapper's `emap`), or None when it has none."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path), load_external_data=False)
    if not model.graph.initializer:
        return None
    return np.asarray(numpy_helper.to_array(model.graph.initializer[-1]), dtype=np.float32)


@dataclass(frozen=True)
class SwapModel:
    """A loaded face-swap model: its session, contract and (inswapper) `emap`."""

    session: Any
    contract: SwapContract
    emap: Floats | None
    half: bool
    path: Path

    def latent(self, arcface: NDArray[Any]) -> Floats:
        """The 1×512 `source` input for an influencer's ArcFace embedding."""
        embedding = unit(arcface)
        if self.contract.uses_emap and self.emap is not None:
            embedding = unit(embedding @ self.emap)
        return embedding.reshape(1, LATENT)

    def feeds(self, aligned_bgr: Frame, latent: Floats) -> dict[str, NDArray[Any]]:
        """The model's inputs for an aligned BGR crop and a latent (per the contract)."""
        rgb = cv2.cvtColor(aligned_bgr, cv2.COLOR_BGR2RGB).astype(np.float32) / np.float32(255)
        norm = (rgb - np.float32(self.contract.mean)) / np.float32(self.contract.std)
        dtype = np.float16 if self.half else np.float32
        target = np.ascontiguousarray(norm.transpose(2, 0, 1)[None], dtype=dtype)
        return {"target": target, "source": latent.astype(dtype)}

    def run(self, feeds: dict[str, NDArray[Any]]) -> list[NDArray[Any]]:
        """All outputs of the model for `feeds`."""
        return [np.asarray(o) for o in self.session.run(None, feeds)]

    def face(self, outputs: list[NDArray[Any]]) -> Frame:
        """The swapped aligned face (BGR uint8) from the model's outputs."""
        chw = np.asarray(outputs[0], dtype=np.float32)[0]
        if self.contract.denormalise_output:
            chw = chw * np.float32(self.contract.std) + np.float32(self.contract.mean)
        rgb = np.clip(chw.transpose(1, 2, 0), 0.0, 1.0) * np.float32(255)
        face = np.round(rgb).astype(np.uint8)
        return np.ascontiguousarray(cv2.cvtColor(face, cv2.COLOR_RGB2BGR), dtype=np.uint8)

    def render(self, aligned_bgr: Frame, latent: Floats) -> Frame:
        """The swapped face for one aligned crop."""
        return self.face(self.run(self.feeds(aligned_bgr, latent)))


def open_swap_model(path: Path) -> SwapModel:
    """Load and check a face-swap model; `PipelineError("INTERNAL")` naming the expected
    inputs when it matches no contract, or naming the file when it is missing or broken."""
    session = open_session(path, WHAT)
    inputs, outputs = session.get_inputs(), session.get_outputs()
    contract = match_contract(inputs, outputs)
    if contract is None:
        raise PipelineError(
            "INTERNAL",
            f"The {WHAT} {path.name} has inputs {_describe(inputs)} and outputs "
            f"{_describe(outputs)}, which match no supported model. Expected {EXPECTED}.",
        )
    stem = path.stem.lower()
    if contract is HYPERSWAP_256 and any(name in stem for name in UNSUPPORTED_256):
        raise PipelineError(
            "INTERNAL",
            f"The {WHAT} {path.name} looks like a SimSwap/Ghost-family model: those need "
            "FaceFusion's separate embedding converter and are not supported. "
            f"Expected {EXPECTED}.",
        )
    emap = last_initializer(path.expanduser()) if contract.uses_emap else None
    if contract.uses_emap and (emap is None or emap.shape != (LATENT, LATENT)):
        found = "none" if emap is None else "×".join(str(d) for d in emap.shape)
        raise PipelineError(
            "INTERNAL",
            f"The {WHAT} {path.name} has inswapper_128's inputs but its last initializer "
            f"(the emap) is {found}, not 512×512. Expected {EXPECTED}.",
        )
    half = any(spec.type == "tensor(float16)" for spec in inputs)
    return SwapModel(session, contract, emap, half, path)
