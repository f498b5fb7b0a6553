"""Frequency-separated compositing of a warped reference face onto the target.

Only the reference's middle band (what shapes eyes, brows, nose, lips: the identity)
replaces the target's. The target keeps its own

- low band (σ ≈ 35 % of the face width): its directional light, shading and colour cast;
- high band (σ ≈ 0.8 % of the face width, ≥ 1 px): its skin texture, camera grain and
  thin occluders such as glasses rims,

so the swapped face carries the video's detail and light instead of a smooth, upscaled
photo. With D = reference − target and M(D) its mean over the mask around each pixel
(σ coarse): out = target + G_fine((D − M(D)) × weight), the reference's fine band added
over the features."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.types import Frame

Floats = NDArray[np.float32]

FINE_SIGMA = 0.008
"""σ of the fine Gaussian as a share of the face width: finer detail stays the target's."""
COARSE_SIGMA = 0.35
"""σ of the coarse Gaussian as a share of the face width: light coarser than this stays
the target's (its directional light and colour cast). At 0.1–0.3 the target's shading
kept the original person recognisable (glasses clip × s42, before the band gain: 2–18 %
of frames "not the original"); at 0.35 with the gain: 100 %."""
MIN_FINE_SIGMA = 1.0
BAND_GAIN = 1.3
"""Gain on the brightness of the reference's band where it replaces the target's (its
colour is not stretched: docs/pipeline-faces.md has the measured trade). The target keeps
its outline, hair and fine detail, which pull the recogniser back to the original person;
a 30 % stronger identity band took the glasses clip × s42 from 17 % to 98 % of frames
"not the original" (1.6 looks over-drawn: orange brows, a bright nose ridge)."""
LUMA = np.array([0.114, 0.587, 0.299], np.float32)
"""BGR weights of brightness (BT.601 luma)."""


def blur(image: Floats, sigma: float) -> Floats:
    """Gaussian blur; large σ run on a reduced copy (same result to the eye, far cheaper)."""
    if sigma <= 6.0:
        return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma), np.float32)
    factor = sigma / 3.0
    h, w = image.shape[:2]
    size = (max(1, round(w / factor)), max(1, round(h / factor)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 3.0)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)


def band_sigmas(face_px: float) -> tuple[float, float]:
    """(fine, coarse) σ in pixels for a face `face_px` wide."""
    return max(MIN_FINE_SIGMA, FINE_SIGMA * face_px), max(2.0, COARSE_SIGMA * face_px)


def composite(
    target_bgr: Frame,
    warped_bgr: Frame,
    weight: Floats,
    keep: Floats,
    detail: Floats,
    face_px: float,
) -> Frame:
    """The target with the warped face's middle band put in where `weight` (0..1) says,
    except where `keep` (0..1: occluders in front of the target) says to keep the target.
    Where `detail` (0..1) says, the reference's fine band is taken too (its features:
    the target's lashes and lid, brow and lip edges would carry its identity)."""
    target = target_bgr.astype(np.float32)
    band = warped_bgr.astype(np.float32)  # becomes D, then the band, then the output
    band -= target
    fine, coarse = band_sigmas(face_px)
    band -= local_mean(band, weight, coarse)
    band *= weight[..., None]
    smooth = blur(band, fine)
    band -= smooth  # in place from here: three frame-sized temporaries fewer a frame
    band *= detail[..., None]
    band += smooth
    # The gain is on the band's brightness; its colour is taken as it is (stretched too,
    # a made-up reference's pink lids and red lips came out as red-orange patches).
    band += (band @ LUMA)[..., None] * np.float32(BAND_GAIN - 1.0)
    band *= (1.0 - keep)[..., None]
    band += target
    band += np.float32(0.5)
    return np.asarray(np.clip(band, 0, 255, out=band), np.uint8)


def local_mean(diff: Floats, weight: Floats, sigma: float) -> Floats:
    """The mean of `diff` over the blend mask around each pixel (normalised convolution).

    Taken away from D before D is masked, so the reference's colour or light offset
    from the target (a darker skin, a painted-over fringe) has no step where the mask
    falls off: subtracted after masking, as a blur of D × weight, that offset came back as
    a band along every ramp of the mask (a grey band where the forehead fades, dark
    boxes around the eyes on a pale target)."""
    spread = blur(weight, sigma)
    mean = blur(diff * weight[..., None], sigma)
    mean /= np.maximum(spread, np.float32(1e-3))[..., None]
    return mean
