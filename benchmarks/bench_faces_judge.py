"""An independent judge of a face swap on real footage: dlib only (HOG detector, 68-point
landmarks, ResNet embedding), none of the swapper's own FaceMesh tracking.

Per frame of the source the face is followed (HOG on a region around the last box, the
face scaled to ~160 px, so small and large frames cost the same); the output is searched
at the source's box. From paired observations (`judge_pair`):

- `found`: share of source-face frames where the output still shows a face there;
- `infl` / `not_src`: share of those frames with distance < 0.6 to the influencer /
  ≥ 0.6 to the source person (the mean of the source's embeddings over the clip;
  `not_src_frame`: to the source face of the same frame, a stricter reading);
- `sharp`: median over frames of output ÷ source variance of the Laplacian over the
  inner face (hull of eyes, nose and mouth, source landmarks for both);
- `eyes_corr` / `mouth_corr`: Pearson correlation of eye openness (EAR) and mouth
  opening (inner-lip height ÷ width) between output and source;
- `edge_keep`: share of the source's Canny edges in the eye and brow band that are edges
  (within 1 px) in the output;
- `jitter`: mean second difference of the 68 points over consecutive frames, output ÷ source.

The 68-point model's training data is licensed for non-commercial use: it is used here
to measure, never in the product."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

Box = tuple[int, int, int, int]
Points = NDArray[np.float64]
JUDGE_FACE_PX = 160
EMBED_EVERY = 2
SAME = 0.6


@dataclass(frozen=True)
class Judge:
    detector: Any
    shape68: Any
    shape5: Any
    encoder: Any


@lru_cache(maxsize=1)
def load_judge() -> Judge:
    import dlib
    import face_recognition_models as frm

    folder = frm.pose_predictor_model_location().rsplit("/", 1)[0]
    return Judge(
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(f"{folder}/shape_predictor_68_face_landmarks.dat"),
        dlib.shape_predictor(frm.pose_predictor_five_point_model_location()),
        dlib.face_recognition_model_v1(frm.face_recognition_model_location()),
    )


@dataclass
class Obs:
    """One face seen by the judge in one frame (frame pixels)."""

    box: Box
    points: Points
    embedding: NDArray[np.float64] | None


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


def _observe(
    judge: Judge,
    frame: NDArray[np.uint8],
    near: Box | None,
    embed: bool,
    shape_box: Box | None = None,
) -> Obs | None:
    """The face near `near` (or the largest in the frame when None); its 68 points are
    read in `shape_box` when given (the source's box: detector noise then cancels out of
    output-versus-source comparisons)."""
    import dlib

    height, width = frame.shape[:2]
    if near is None:
        x0, y0, k = 0, 0, min(1.0, 960 / max(width, height))
        upsample = 1
        region = frame
    else:
        bx, by, bw, bh = near
        cx, cy = bx + bw / 2, by + bh / 2
        half = 1.2 * max(bw, bh)
        x0, y0 = max(0, int(cx - half)), max(0, int(cy - half))
        x1, y1 = min(width, int(cx + half)), min(height, int(cy + half))
        region = frame[y0:y1, x0:x1]
        k, upsample = JUDGE_FACE_PX / max(bw, 1), 0
    if region.size == 0:
        return None
    small = cv2.resize(
        region, None, fx=k, fy=k, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    )
    rgb = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
    rects = list(judge.detector(rgb, upsample))
    if not rects:
        return None

    def to_frame(r: Any) -> Box:
        return (
            round(r.left() / k) + x0,
            round(r.top() / k) + y0,
            round(r.width() / k),
            round(r.height() / k),
        )

    if near is None:
        rect = max(rects, key=lambda r: r.width())
    else:
        rect = max(rects, key=lambda r: _iou(to_frame(r), near))
        if _iou(to_frame(rect), near) < 0.3:
            return None
    shape_rect = rect
    if shape_box is not None:
        sx, sy, sw, sh = shape_box
        shape_rect = dlib.rectangle(
            round((sx - x0) * k),
            round((sy - y0) * k),
            round((sx + sw - x0) * k),
            round((sy + sh - y0) * k),
        )
    shape = judge.shape68(rgb, shape_rect)
    pts = np.array([(p.x, p.y) for p in shape.parts()], np.float64) / k + (x0, y0)
    emb = None
    if embed:
        five = judge.shape5(rgb, rect)
        emb = np.asarray(judge.encoder.compute_face_descriptor(rgb, five), np.float64)
    return Obs(to_frame(rect), pts, emb)


def person_embedding(observed: list[Obs | None]) -> NDArray[np.float64] | None:
    """The source person's mean embedding over the frames the judge embedded."""
    found = [o.embedding for o in observed if o is not None and o.embedding is not None]
    return None if not found else np.asarray(np.mean(found, axis=0), np.float64)


def follow_source(judge: Judge, frames: Iterable[NDArray[np.uint8]]) -> Iterator[Obs | None]:
    """The source person's face per frame (re-detected on the whole frame when lost)."""
    last: Box | None = None
    for index, frame in enumerate(frames):
        obs = _observe(judge, frame, last, index % EMBED_EVERY == 0)
        if obs is None and last is not None:
            obs = _observe(judge, frame, None, index % EMBED_EVERY == 0)
        last = obs.box if obs is not None else None
        yield obs


def observe_output(
    judge: Judge, frame: NDArray[np.uint8], source: Obs | None, index: int
) -> Obs | None:
    if source is None:
        return None
    return _observe(judge, frame, source.box, index % EMBED_EVERY == 0, source.box)


def ear(p: Points) -> float:
    def one(e: Points) -> float:
        v = float(np.linalg.norm(e[1] - e[5]) + np.linalg.norm(e[2] - e[4]))
        return v / (2 * max(float(np.linalg.norm(e[0] - e[3])), 1e-6))

    return (one(p[36:42]) + one(p[42:48])) / 2


def mar(p: Points) -> float:
    v = sum(float(np.linalg.norm(p[a] - p[b])) for a, b in ((61, 67), (62, 66), (63, 65))) / 3
    return v / max(float(np.linalg.norm(p[60] - p[64])), 1e-6)


def _grey(frame: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), np.uint8)


def inner_face_sharpness(frame: NDArray[np.uint8], p: Points) -> float:
    hull = cv2.convexHull(np.round(p[27:68]).astype(np.int32))
    x, y, w, h = cv2.boundingRect(hull)
    x, y = max(0, x), max(0, y)
    grey = _grey(frame)[y : y + h, x : x + w]
    mask = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(mask, hull - (x, y), 1)
    lap = cv2.Laplacian(grey, cv2.CV_64F)
    values = lap[mask > 0]
    return float(values.var()) if values.size > 8 else 0.0


def eye_band(p: Points, shape: tuple[int, ...]) -> Box:
    top = p[17:27, 1].min()
    bottom = p[36:48, 1].max()
    pad = 0.25 * (bottom - top)
    x0, x1 = p[17:27, 0].min() - pad * 0.5, p[17:27, 0].max() + pad * 0.5
    y0, y1 = top - pad, bottom + pad
    x0, y0 = max(0, int(x0)), max(0, int(y0))
    x1, y1 = min(shape[1], int(x1)), min(shape[0], int(y1))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def edges_kept(src: NDArray[np.uint8], out: NDArray[np.uint8], p: Points) -> float | None:
    x, y, w, h = eye_band(p, src.shape)
    if w < 8 or h < 8:
        return None
    a = cv2.Canny(cv2.GaussianBlur(_grey(src)[y : y + h, x : x + w], (3, 3), 0), 50, 150)
    b = cv2.Canny(cv2.GaussianBlur(_grey(out)[y : y + h, x : x + w], (3, 3), 0), 50, 150)
    total = int((a > 0).sum())
    if total < 10:
        return None
    near = cv2.dilate(b, np.ones((3, 3), np.uint8)) > 0
    return float(((a > 0) & near).sum() / total)


@dataclass
class PairTally:
    """Per-frame figures collected while a source and its output are read in step."""

    source_frames: int = 0
    found: int = 0
    infl: list[bool] | None = None
    not_src: list[bool] | None = None
    sharp: list[float] | None = None
    ears: list[tuple[float, float]] | None = None
    mars: list[tuple[float, float]] | None = None
    edges: list[float] | None = None
    pts: list[tuple[Points | None, Points | None]] | None = None
    distances: list[tuple[float, float]] = field(default_factory=list)
    person: NDArray[np.float64] | None = None
    not_src_frame: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.infl, self.not_src, self.sharp = [], [], []
        self.ears, self.mars, self.edges, self.pts = [], [], [], []

    def add(
        self,
        src_frame: NDArray[np.uint8],
        out_frame: NDArray[np.uint8],
        src: Obs | None,
        out: Obs | None,
        influencer: NDArray[np.float64] | None,
    ) -> None:
        assert self.infl is not None and self.not_src is not None and self.sharp is not None
        assert self.ears is not None and self.mars is not None and self.edges is not None
        assert self.pts is not None
        self.pts.append((None if src is None else src.points, None if out is None else out.points))
        if src is None:
            return
        self.source_frames += 1
        if out is None:
            if src.embedding is not None:
                self.infl.append(False)
                self.not_src.append(False)
                self.not_src_frame.append(False)
            return
        self.found += 1
        if src.embedding is not None and out.embedding is not None and influencer is not None:
            to_infl = float(np.linalg.norm(out.embedding - influencer))
            to_frame = float(np.linalg.norm(out.embedding - src.embedding))
            person = src.embedding if self.person is None else self.person
            to_src = float(np.linalg.norm(out.embedding - person))
            self.infl.append(to_infl < SAME)
            self.not_src.append(to_src >= SAME)
            self.not_src_frame.append(to_frame >= SAME)
            self.distances.append((to_infl, to_src))
        base = inner_face_sharpness(src_frame, src.points)
        if base > 1e-3:
            self.sharp.append(inner_face_sharpness(out_frame, src.points) / base)
        self.ears.append((ear(src.points), ear(out.points)))
        self.mars.append((mar(src.points), mar(out.points)))
        kept = edges_kept(src_frame, out_frame, src.points)
        if kept is not None:
            self.edges.append(kept)

    def figures(self) -> dict[str, float | int | None]:
        assert self.infl is not None and self.not_src is not None and self.sharp is not None
        assert self.ears is not None and self.mars is not None and self.edges is not None
        return {
            "frames": self.source_frames,
            "found": _ratio(self.found, self.source_frames),
            "infl": _mean(self.infl),
            "not_src": _mean(self.not_src),
            "not_src_frame": _mean(self.not_src_frame),
            "sharp": None if not self.sharp else round(float(np.median(self.sharp)), 3),
            "eyes_corr": _corr(self.ears),
            "mouth_corr": _corr(self.mars),
            "edge_keep": _mean(self.edges),
            "jitter": self.jitter_ratio(),
            "d_infl_median": _median([d[0] for d in self.distances]),
            "d_src_median": _median([d[1] for d in self.distances]),
        }

    def jitter_ratio(self) -> float | None:
        assert self.pts is not None
        src_acc, out_acc = [], []
        for i in range(1, len(self.pts) - 1):
            trio = self.pts[i - 1 : i + 2]
            if any(s is None or o is None for s, o in trio):
                continue
            s = [t[0] for t in trio]
            o = [t[1] for t in trio]
            assert all(v is not None for v in s + o)
            src_acc.append(_accel(s))  # type: ignore[arg-type]
            out_acc.append(_accel(o))  # type: ignore[arg-type]
        if len(src_acc) < 5 or np.mean(src_acc) <= 0:
            return None
        return round(float(np.mean(out_acc) / np.mean(src_acc)), 3)


def _accel(trio: list[Points]) -> float:
    return float(np.linalg.norm(trio[1] - (trio[0] + trio[2]) / 2, axis=1).mean())


def _ratio(a: int, b: int) -> float | None:
    return None if b == 0 else round(a / b, 3)


def _median(values: list[float]) -> float | None:
    return None if not values else round(float(np.median(values)), 3)


def _mean(values: list[bool] | list[float]) -> float | None:
    return None if not values else round(float(np.mean(values)), 3)


def _corr(pairs: list[tuple[float, float]]) -> float | None:
    if len(pairs) < 5:
        return None
    a, b = np.array(pairs).T
    if a.std() < 1e-6 or b.std() < 1e-6:
        return None
    value = float(np.corrcoef(a, b)[0, 1])
    return None if math.isnan(value) else round(value, 3)
