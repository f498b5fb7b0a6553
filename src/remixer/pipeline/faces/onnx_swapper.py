"""Optional neural backend: a published face-swap ONNX model (inswapper_128 or HyperSwap
256, see `neural.contracts`) renders the target's aligned face with the influencer's
ArcFace identity; tracking, smoothing and fades are the classic path's (`TargetFollower`),
and the result is pasted back by `neural.composite.paste_back`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.follow import FaceState, TargetFollower
from remixer.pipeline.faces.identity import FaceIdentity
from remixer.pipeline.faces.models import FaceModels
from remixer.pipeline.faces.neural.alignment import align_matrix, aligned_crop, five_points
from remixer.pipeline.faces.neural.composite import MaskFn, occlusion_aware_mask, paste_back
from remixer.pipeline.faces.neural.contracts import Floats, SwapModel
from remixer.pipeline.faces.neural.embedder import ArcFaceEmbedder
from remixer.pipeline.faces.neural.loaders import load_embedder, load_swap_model
from remixer.pipeline.faces.swapping import SwapStats
from remixer.pipeline.faces.track import FaceTrack
from remixer.pipeline.types import Frame


class OnnxFaceSwapper:
    """Runs a face-swap ONNX model on the aligned target face of every frame.

    The influencer's ArcFace embedding comes from `identity.arcface` (stored at influencer
    creation); an identity without one is embedded here when `embedder_path` is given."""

    def __init__(
        self,
        identity: FaceIdentity,
        track: FaceTrack,
        models: FaceModels,
        model_path: Path,
        *,
        embedder_path: Path | None = None,
        mask: MaskFn = occlusion_aware_mask,
        load_swap: Callable[[Path], SwapModel] = load_swap_model,
        load_arcface: Callable[[Path], ArcFaceEmbedder] = load_embedder,
    ) -> None:
        self._model = load_swap(model_path)
        arcface = identity.arcface
        if arcface is None and embedder_path is not None:
            arcface = load_arcface(embedder_path).identity_embedding(identity)
        if arcface is None:
            raise PipelineError(
                "INTERNAL",
                "The influencer has no ArcFace embedding (it was created before "
                "REMIXER_FACE_EMBEDDER_MODEL was set): create it again with the embedder set.",
            )
        self._latent = self._model.latent(arcface)
        self._mask = mask
        self._outline_scale = identity.outline_scale
        self._follower = TargetFollower(track, models, steady_crop=True)
        self._track = track
        self.stats = SwapStats()

    @property
    def latent(self) -> Floats:
        """The 1×512 `source` input fed to the model on every frame."""
        return self._latent

    @property
    def contract_name(self) -> str:
        """The model family being run (`inswapper_128` or `hyperswap_256`)."""
        return self._model.contract.name

    def swap(self, frame_bgr: Frame, frame_index: int) -> Frame:
        self.stats.frames += 1
        self.stats.visible += int(self._track.box_at(frame_index) is not None)
        state = self._follower.follow(frame_bgr, frame_index)
        if state is None or state.alpha <= 0.0:
            return frame_bgr
        out = frame_bgr.copy()
        if self._render(frame_bgr, out, state):
            self.stats.swapped += 1
        return out

    def _render(self, source_bgr: Frame, out_bgr: Frame, state: FaceState) -> bool:
        contract = self._model.contract
        matrix = align_matrix(five_points(state.landmarks), contract.size)
        aligned = aligned_crop(source_bgr, matrix, contract.size, contract.replicate_border)
        face = self._model.render(aligned, self._latent)
        return paste_back(
            out_bgr, face, matrix, state, self._outline_scale, state.alpha, self._mask
        )

    def close(self) -> None:
        self._follower.close()
