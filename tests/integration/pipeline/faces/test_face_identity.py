"""Influencer identity from real reference photos: good photos kept, each bad photo named
with its reason, persistence, reference choice by pose, and the blend mask's mouth hole."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces import FaceIdentity, FaceModels, build_identity, load_face_models
from remixer.pipeline.faces import identity as identity_module
from remixer.pipeline.faces.geometry import INNER_LIPS, Pose, outline_polygon, warp_points
from remixer.pipeline.faces.warp import face_mask, roi_for
from remixer.pipeline.synth.photos import load_photo_rgb, save_photo


@pytest.fixture(scope="module")
def models() -> FaceModels:
    return load_face_models()


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("photos")
    good = {name: save_photo(name, folder / f"{name}.jpg") for name in ("obama", "obama2")}
    obama = cv2.cvtColor(load_photo_rgb("obama"), cv2.COLOR_RGB2BGR)
    obama2 = cv2.cvtColor(load_photo_rgb("obama2"), cv2.COLOR_RGB2BGR)
    bad = {
        "no_face": np.tile(np.linspace(0, 255, 640, dtype=np.uint8)[None, :, None], (480, 1, 3)),
        "several_faces": np.hstack([obama, cv2.resize(obama2, (593, 1137))]),
        "too_small": cv2.copyMakeBorder(
            cv2.resize(obama, None, fx=0.22, fy=0.22), 200, 200, 200, 200, cv2.BORDER_CONSTANT
        ),
        "too_blurry": cv2.GaussianBlur(obama, (0, 0), 4.0),
    }
    for reason, image in bad.items():
        cv2.imwrite(str(folder / f"{reason}.jpg"), image)
        good[reason] = folder / f"{reason}.jpg"
    good["unreadable"] = folder / "unreadable.jpg"
    good["unreadable"].write_text("not an image")
    good["too_large"] = folder / "too_large.jpg"
    Image.new("L", (8000, 6000)).save(good["too_large"], format="PNG")  # small file, 48 MP
    return good


@pytest.fixture(scope="module")
def identity(photos: dict[str, Path], models: FaceModels) -> FaceIdentity:
    return build_identity([photos["obama"], photos["obama2"]], models)


def test_good_photos_give_references_of_one_person(identity: FaceIdentity) -> None:
    assert [r.name for r in identity.references] == ["obama.jpg", "obama2.jpg"]
    assert identity.rejected == []
    first, second = identity.references
    assert float(np.linalg.norm(first.embedding - second.embedding)) < 0.6
    for ref in identity.references:
        assert ref.landmarks.shape == (478, 2) and ref.crop_bgr.ndim == 3
        h, w = ref.crop_bgr.shape[:2]
        assert ref.landmarks[:, 0].min() >= 0 and ref.landmarks[:, 0].max() < w
        assert ref.landmarks[:, 1].min() >= 0 and ref.landmarks[:, 1].max() < h
    assert identity.triangles.shape[1] == 3 and len(identity.triangles) > 800


def test_the_reference_with_the_nearest_pose_is_picked(identity: FaceIdentity) -> None:
    turned = identity.references[1].pose
    assert abs(turned.yaw) > 0.2
    assert identity.pick_reference(Pose(turned.yaw, turned.pitch, 0.0)) == 1
    assert identity.pick_reference(Pose(0.0, identity.references[0].pose.pitch, 0.0)) == 0


def test_identity_survives_save_and_load(identity: FaceIdentity, tmp_path: Path) -> None:
    identity.save(tmp_path / "identity.npz")
    loaded = FaceIdentity.load(tmp_path / "identity.npz")
    assert [r.name for r in loaded.references] == [r.name for r in identity.references]
    assert np.array_equal(loaded.references[1].crop_bgr, identity.references[1].crop_bgr)
    assert np.allclose(loaded.embedding, identity.embedding)
    assert np.array_equal(loaded.triangles, identity.triangles)
    assert loaded.references[1].pose == identity.references[1].pose


@pytest.mark.parametrize(
    "reason", ["no_face", "several_faces", "too_small", "too_blurry", "unreadable", "too_large"]
)
def test_a_bad_photo_is_rejected_with_its_reason(
    reason: str, photos: dict[str, Path], models: FaceModels
) -> None:
    built = build_identity([photos["obama"], photos[reason]], models)
    assert [r.name for r in built.references] == ["obama.jpg"]
    assert [p.to_dict() for p in built.rejected] == [
        {"index": 1, "name": f"{reason}.jpg", "reason": reason}
    ]


def test_a_turned_face_is_rejected(
    photos: dict[str, Path], models: FaceModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity_module, "MAX_YAW", 0.2)
    built = build_identity([photos["obama"], photos["obama2"]], models)
    assert [(p.name, p.reason) for p in built.rejected] == [("obama2.jpg", "too_turned")]


def test_no_usable_photo_raises_naming_each_photo(
    photos: dict[str, Path], models: FaceModels
) -> None:
    bad = [photos["no_face"], photos["several_faces"], photos["too_blurry"]]
    with pytest.raises(PipelineError) as caught:
        build_identity(bad, models)
    error = caught.value
    assert error.code == "REFERENCE_PHOTOS_INVALID"
    assert error.details["photos"] == [
        {"index": 0, "name": "no_face.jpg", "reason": "no_face"},
        {"index": 1, "name": "several_faces.jpg", "reason": "several_faces"},
        {"index": 2, "name": "too_blurry.jpg", "reason": "too_blurry"},
    ]
    for text in ("photo 1 (no_face.jpg)", "more than one face", "too blurry"):
        assert text in error.message


def test_blend_mask_keeps_the_targets_open_mouth(identity: FaceIdentity) -> None:
    points = identity.references[0].landmarks.copy()
    lower = [i for i in INNER_LIPS if points[i, 1] >= points[list(INNER_LIPS), 1].mean()]
    points[lower, 1] += 25.0
    dst = warp_points(points, identity.outline_scale)
    roi = roi_for(dst, (2000, 2000, 3))
    assert roi is not None
    mask = face_mask(roi, points, outline_polygon(dst))
    mouth = points[list(INNER_LIPS)].mean(axis=0) - np.array(roi.box[:2])
    nose = points[1] - np.array(roi.box[:2])
    assert mask[int(mouth[1]), int(mouth[0])] < 0.2
    assert mask[int(nose[1]), int(nose[0])] > 0.95
    assert mask[0, 0] == 0.0
