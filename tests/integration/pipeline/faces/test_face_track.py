"""Target selection and tracking on a real clip: main person, cuts, occlusion, no face."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces import FaceModels, FaceTrack, analyze_target
from remixer.pipeline.faces.geometry import box_iou
from remixer.pipeline.faces.models import SAME_PERSON_DISTANCE, Embedding, face_distance
from remixer.pipeline.faces.sampling import EMBED_EVERY, detect_and_embed, sample_faces
from remixer.pipeline.synth.faces import FaceClip
from remixer.pipeline.synth.photos import load_photo_rgb
from remixer.pipeline.types import Box, Frame, StageHooks
from remixer.pipeline.video import VideoWriter


@pytest.fixture(scope="module")
def track(tracking_clip: FaceClip, models: FaceModels) -> FaceTrack:
    return analyze_target(tracking_clip.path, models, StageHooks())


def test_main_person_is_the_one_with_most_screen_presence(
    track: FaceTrack, models: FaceModels
) -> None:
    biden = load_photo_rgb("biden")
    box = models.detect(biden, upsample=1)[0].box
    assert face_distance(track.embedding, models.embed(biden, box)) < 0.6


def test_cuts_are_found_and_the_other_persons_shot_is_not_tracked(
    track: FaceTrack, tracking_clip: FaceClip
) -> None:
    assert list(track.shot_starts) == tracking_clip.shot_starts == [0, 36, 54]
    assert track.frame_count == tracking_clip.frame_count == 90
    assert not track.visible[36:54].any()
    assert track.visible[:36].all()


def test_occluded_frames_are_not_visible_and_boxes_follow_the_face(
    track: FaceTrack, tracking_clip: FaceClip
) -> None:
    truth = np.array([name == "biden" for name in tracking_clip.main_face])
    agree = (track.visible == truth).mean()
    assert agree >= 0.9
    assert not track.visible[54 + 15 : 54 + 21].any()
    for index in np.flatnonzero(track.visible):
        x, y, w, h = track.boxes[index]
        assert abs(x + w / 2 - 270) < 60 and abs(y + h / 2 - 480) < 80


def test_track_survives_save_and_load(track: FaceTrack, tmp_path: Path) -> None:
    path = tmp_path / "track.npz"
    track.save(path)
    loaded = FaceTrack.load(path)
    assert np.array_equal(loaded.visible, track.visible)
    assert np.array_equal(loaded.boxes, track.boxes)
    assert np.allclose(loaded.embedding, track.embedding)
    assert loaded.box_at(3) == track.box_at(3) and loaded.fps == track.fps


def test_progress_and_cancel_are_called(tracking_clip: FaceClip, models: FaceModels) -> None:
    seen: list[float] = []

    def cancel() -> None:
        if len(seen) > 2:
            raise PipelineError("CANCELED", "stop")

    with pytest.raises(PipelineError) as caught:
        analyze_target(tracking_clip.path, models, StageHooks(seen.append, cancel))
    assert caught.value.code == "CANCELED" and seen == sorted(seen)


def test_a_clip_without_faces_raises_no_face_found(tmp_path: Path, models: FaceModels) -> None:
    path = tmp_path / "empty.mp4"
    ramp = np.linspace(0, 255, 360, dtype=np.uint8)
    with VideoWriter(path, 360, 640, Fraction(30)) as writer:
        for index in range(20):
            frame = np.zeros((640, 360, 3), np.uint8)
            frame[:] = ramp[None, :, None]
            frame[200 + index : 300 + index, 100:200] = (40, 90, 200)
            writer.write(frame)
    with pytest.raises(PipelineError) as caught:
        analyze_target(path, models, StageHooks())
    assert caught.value.code == "NO_FACE_FOUND"


class CountingModels(FaceModels):
    """The real models, counting the frames the embedder ran on."""

    embedded: list[int]

    def embed(self, image_rgb: Frame, box: Box) -> Embedding:
        self.embedded.append(id(image_rgb))
        return super().embed(image_rgb, box)


def test_a_continuing_single_face_is_embedded_about_once_a_second(
    tracking_clip: FaceClip, models: FaceModels
) -> None:
    counting = CountingModels(models.detector, models.predictor, models.encoder)
    object.__setattr__(counting, "embedded", [])
    scan = sample_faces(tracking_clip.path, counting, StageHooks())
    kept = [f for f in scan.faces if f.embedded_at >= 0]
    assert len(counting.embedded) + len(kept) == len(scan.faces)
    alone = [f for f in scan.faces if sum(g.frame == f.frame for g in scan.faces) == 1]
    assert len(alone) >= 8 and len(kept) >= 0.5 * len(alone)
    by_frame = {f.frame: f for f in scan.faces}
    for face in kept:
        origin = by_frame[face.embedded_at]
        assert np.array_equal(face.embedding, origin.embedding)
        assert face.frame - face.embedded_at < EMBED_EVERY * scan.sample_every
        assert not any(face.embedded_at < s <= face.frame for s in scan.shot_starts)
    alone_frames = {f.frame for f in alone}
    assert len(alone) < len(scan.faces) and all(f.frame in alone_frames for f in kept)


def test_a_caption_across_the_eyes_does_not_hide_the_face(models: FaceModels) -> None:
    """HOG reads a face from its outline of gradients, and a caption across the eyes breaks
    it (on a captioned selfie clip two thirds of the frames lost the face, and the swap);
    BlazeFace, asked where HOG sees none, finds it, boxed like HOG's."""
    photo = np.ascontiguousarray(load_photo_rgb("astronaut"))
    clean = models.detect(photo)
    assert len(clean) == 1
    x, y, w, h = clean[0].box
    captioned = photo.copy()
    for colour, thickness in (((0, 0, 0), 9), ((255, 255, 255), 4)):
        cv2.putText(
            captioned, "POV: you finally", (x - w // 2, y + h // 4 + 10),
            cv2.FONT_HERSHEY_SIMPLEX, w / 130, colour, thickness, cv2.LINE_AA,
        )  # fmt: skip
    assert models.detect(captioned) == []
    found = detect_and_embed(models, np.ascontiguousarray(captioned[..., ::-1]), 0)
    assert len(found) >= 1
    assert box_iou(found[0].box, clean[0].box) >= 0.6
    same = face_distance(found[0].embedding, models.embed(photo, clean[0].box))
    assert same < SAME_PERSON_DISTANCE
