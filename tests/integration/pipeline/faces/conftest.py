"""Shared fixtures for the face tests: the models, the influencer (Obama's White House
photos) and a tracking clip (Biden with a second person, a cut to the astronaut, an
occlusion). Stand-in ONNX models for the neural backend are in tests/onnx_standins.py."""

from __future__ import annotations

import pytest

from remixer.pipeline.faces import FaceIdentity, FaceModels, build_identity, load_face_models
from remixer.pipeline.synth.faces import FaceClip, FaceShot, write_face_clip
from remixer.pipeline.synth.motion import Motion
from remixer.pipeline.synth.photos import save_photo

INFLUENCER_PHOTOS = ("obama", "obama2", "obama3")


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
