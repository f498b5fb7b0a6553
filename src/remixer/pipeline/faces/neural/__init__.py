"""The neural face-swap backend's parts (see docs/neural-faceswap.md): `alignment` (ArcFace
5-point template and crops), `contracts` (inswapper_128, hyperswap_256), `embedder`
(ArcFace), `providers` (ONNX Runtime sessions), `composite` (the paste-back step) and
`loaders` (cached loading and the start-up check). `onnx_swapper.OnnxFaceSwapper` puts
them together."""

from remixer.pipeline.faces.neural.composite import MaskFn, feathered_face_mask, paste_back
from remixer.pipeline.faces.neural.contracts import SwapContract, SwapModel
from remixer.pipeline.faces.neural.embedder import ArcFaceEmbedder, with_arcface
from remixer.pipeline.faces.neural.loaders import check_face_models, load_embedder, load_swap_model

__all__ = [
    "ArcFaceEmbedder",
    "MaskFn",
    "SwapContract",
    "SwapModel",
    "check_face_models",
    "feathered_face_mask",
    "load_embedder",
    "load_swap_model",
    "paste_back",
    "with_arcface",
]
