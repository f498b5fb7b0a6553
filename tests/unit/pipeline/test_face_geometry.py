"""Pure pieces of the face pipeline: smoothing, boxes, clustering, per-frame visibility,
visible runs, jitter and the quality dict."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from remixer.pipeline.faces.geometry import box_iou, expand_box, scale_box, triangulate
from remixer.pipeline.faces.quality import FaceQuality, jitter_of
from remixer.pipeline.faces.sampling import FaceSample, is_cut
from remixer.pipeline.faces.smoothing import OneEuroFilter
from remixer.pipeline.faces.track import (
    FaceTrack,
    _per_frame,
    cluster_faces,
    main_person,
    screen_presence,
)


def test_one_euro_cuts_noise_on_a_still_face_and_follows_a_moving_one() -> None:
    rng = np.random.default_rng(0)
    still = np.full((478, 2), 300.0, np.float32)
    smooth = OneEuroFilter(30.0)
    raw = [still + rng.normal(0, 1.0, still.shape).astype(np.float32) for _ in range(60)]
    out = [smooth(r, 200.0) for r in raw]
    assert np.mean(jitter_of(out)) < 0.5 * np.mean(jitter_of(raw))
    smooth.reset()
    moving = [still + np.float32(4.0 * i) for i in range(30)]
    followed = [smooth(p, 200.0) for p in moving]
    assert float(np.abs(followed[-1] - moving[-1]).max()) < 12.0


def test_boxes() -> None:
    assert box_iou((0, 0, 10, 10), (5, 0, 10, 10)) == 50 / 150
    assert box_iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    assert expand_box((10, 10, 20, 20), 2.0, 35, 100) == (0, 0, 35, 40)
    assert scale_box((10, 20, 30, 40), 0.5) == (5, 10, 15, 20)


def test_triangulation_is_delaunay_over_the_hull_with_repeats_named_once() -> None:
    rng = np.random.default_rng(3)
    unique = rng.uniform(-40.0, 600.0, (120, 2)).astype(np.float32)
    points = np.vstack([unique, unique[:10]])  # given twice, as a ring at scale 1 is
    triangles = triangulate(points)
    assert triangles.dtype == np.int32 and triangles.shape[1] == 3
    assert triangles.max() < len(unique)  # a repeated point is named by its first index
    assert np.all(triangles[:, 0] == triangles.min(axis=1))
    assert [tuple(t) for t in triangles] == sorted(tuple(t) for t in triangles)
    corners = points[triangles].astype(np.float64)
    a, b, c = corners[:, 0], corners[:, 1], corners[:, 2]
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    hull = cv2.convexHull(unique).reshape(-1, 2).astype(np.float64)
    hull_area = 0.5 * abs(
        np.dot(hull[:, 0], np.roll(hull[:, 1], 1)) - np.dot(hull[:, 1], np.roll(hull[:, 0], 1))
    )
    assert np.all(np.abs(cross) > 0)
    assert abs(0.5 * np.abs(cross).sum() - hull_area) < 1e-6 * hull_area  # tiles the hull
    others = unique.astype(np.float64)
    for tri, area2 in zip(corners, cross, strict=True):
        rel = tri[None, :, :] - others[:, None, :]  # empty circumcircles
        det = np.linalg.det(np.dstack([rel, (rel**2).sum(axis=2)]))
        assert np.all(det * np.sign(area2) < 1e-6 * np.abs(det).max())


def test_cuts_are_big_thumbnail_changes() -> None:
    a = np.zeros((56, 32), np.float32)
    assert not is_cut(None, a) and not is_cut(a, a + 10) and is_cut(a, a + 80)


def _face(frame: int, seed: int, width: int = 100) -> FaceSample:
    base = np.random.default_rng(seed).normal(0, 0.1, 128)
    jitter = np.random.default_rng(frame).normal(0, 0.01, 128)
    return FaceSample(frame, (0, 0, width, width), base + jitter)


def test_clustering_groups_people_and_presence_prefers_the_main_one() -> None:
    faces = [_face(i, seed=1, width=200) for i in range(5)] + [_face(i, seed=2) for i in range(8)]
    clusters = cluster_faces(faces)
    assert sorted(len(c) for c in clusters) == [5, 8]
    big, small = sorted(clusters, key=len)
    assert screen_presence(big, 1000) == pytest.approx(1.0)
    assert screen_presence(small, 1000) == pytest.approx(0.8)


def test_a_person_only_the_fallback_detector_saw_is_not_the_main_one() -> None:
    seen = [_face(i, seed=1) for i in range(3)]
    covered = [replace(_face(i, seed=2, width=300), covered=True) for i in range(9)]
    assert main_person(cluster_faces(seen + covered), 1000) == seen
    assert main_person(cluster_faces(covered), 1000) is None


def test_visibility_between_samples_and_across_cuts() -> None:
    target = {0: (0, 0, 10, 10), 6: (12, 0, 10, 10), 18: (0, 0, 10, 10)}
    visible, boxes = _per_frame(target, [0, 6, 12, 15, 18, 20], [0, 15], 21)
    assert visible[:9].all() and not visible[9:15].any()
    assert list(boxes[3]) == [6, 0, 10, 10]
    assert not visible[15:17].any() and visible[17:19].all() and not visible[19:].any()


def test_visible_runs_stop_at_gaps_and_shot_starts() -> None:
    visible = np.array([1, 1, 1, 0, 1, 1, 1, 1], dtype=np.bool_)
    track = FaceTrack(
        100, 100, 30.0, 8, np.zeros(128), visible, np.zeros((8, 4), np.int32), np.array([0, 6])
    )
    starts, ends = track.visible_runs()
    assert list(starts) == [0, 0, 0, 3, 4, 4, 6, 6]
    assert list(ends) == [2, 2, 2, 3, 5, 5, 7, 7]
    assert track.box_at(3) is None and track.box_at(4) == (0, 0, 0, 0) and track.box_at(99) is None


def test_jitter_is_zero_for_smooth_motion_and_counts_shake() -> None:
    smooth = [np.full((478, 2), float(i), np.float32) for i in range(5)]
    assert jitter_of(smooth) == [0.0, 0.0, 0.0]
    shaky = [p + np.float32(2.0 if i == 2 else 0.0) for i, p in enumerate(smooth)]
    assert jitter_of(shaky)[1] == pytest.approx(np.hypot(2.0, 2.0))
    assert jitter_of(smooth[:2]) == []


def test_quality_dict_is_camel_case() -> None:
    data = FaceQuality(0.61234, 0.95, 0.9, 1.0, 0.3, 20).to_dict()
    assert data == {
        "identitySimilarity": 0.6123,
        "identityPassRate": 0.95,
        "originalDistancePassRate": 0.9,
        "faceCoverage": 1.0,
        "jitterPx": 0.3,
        "sampledFrames": 20,
        "passed": True,
        "warnings": [],
    }


def test_quality_passes_only_on_both_identity_bars() -> None:
    assert not FaceQuality(0.6, 0.95, 0.85, 1.0, 0.3, 20).passed
    assert not FaceQuality(0.6, 0.85, 0.95, 1.0, 0.3, 20).passed
    assert not FaceQuality(0.0, 0.0, 0.0, 0.0, 0.0, 0).passed
    flagged = FaceQuality(0.6, 0.9, 0.9, 1.0, 0.3, 20, ("occluded",)).to_dict()
    assert flagged["passed"] is True and flagged["warnings"] == ["occluded"]


def test_a_failed_output_says_which_bar_it_missed() -> None:
    both = FaceQuality(0.3, 0.5, 0.2, 0.4, 0.3, 20, ("occluded",)).to_dict()
    assert both["passed"] is False
    assert both["warnings"] == ["occluded", "identity_below_bar", "original_still_recognised"]
    assert FaceQuality(0.6, 0.95, 0.85, 1.0, 0.3, 20).to_dict()["warnings"] == [
        "original_still_recognised"
    ]
    assert FaceQuality(0.0, 0.0, 0.0, 0.0, 0.0, 0).to_dict()["warnings"] == ["face_not_measured"]
