"""Influencer identity and a stable face swap (see docs/pipeline-faces.md).

`load_face_models()` once per process; `build_identity(photos, models)` from reference
photos; `analyze_target(video, models, hooks)` finds and tracks the main on-camera person
(sparse pass); `create_swapper(identity, track, models)` gives a `FaceSwapper` whose
`swap(frame_bgr, frame_index)` the dense pass calls in frame order; `measure_quality`
measures the result."""

from remixer.pipeline.faces.backends import create_swapper
from remixer.pipeline.faces.identity import FaceIdentity, PhotoProblem, build_identity
from remixer.pipeline.faces.models import FaceModels, load_face_models
from remixer.pipeline.faces.quality import FaceQuality, measure_jitter, measure_quality
from remixer.pipeline.faces.swapper import ClassicFaceSwapper
from remixer.pipeline.faces.swapping import FaceSwapper, SwapStats
from remixer.pipeline.faces.track import FaceTrack, analyze_target

__all__ = [
    "ClassicFaceSwapper",
    "FaceIdentity",
    "FaceModels",
    "FaceQuality",
    "FaceSwapper",
    "FaceTrack",
    "PhotoProblem",
    "SwapStats",
    "analyze_target",
    "build_identity",
    "create_swapper",
    "load_face_models",
    "measure_jitter",
    "measure_quality",
]
