"""Helpers for the end-to-end tests: the live service handle, text comparison for OCR."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx

from remixer.cli.demo_assets import DemoAssets
from remixer.config import Settings
from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.synth.motion import Motion
from remixer.pipeline.synth.photos import save_photo
from remixer.pipeline.typeset.fonts import strip_emoji

TIKTOK_ID = "7309876543210987654"
CLIP_SECONDS = 3.0
CAPTIONS = ("this app fixed my mornings", "try the trick tonight")


@dataclass
class LiveService:
    """A running API + worker and an HTTP client holding a partner key."""

    http: httpx.Client
    assets: DemoAssets
    settings: Settings


def old_words(source_text: str, new_text: str) -> list[str]:
    """The source's words (> 3 letters) that the new text does not also contain."""
    new = strip_emoji(new_text).lower()
    words = [w.strip(".,!?:;") for w in strip_emoji(source_text).lower().split()]
    return [w for w in words if len(w) > 3 and w not in new]


def build_e2e_assets(folder: Path) -> DemoAssets:
    """A 540×960 30 fps 3 s clip (Obama, two captions the offline adapter rewrites, a tone
    track) with its catalog sidecar, and the influencer's photo (Biden)."""
    folder.mkdir(parents=True, exist_ok=True)
    half = CLIP_SECONDS / 2
    spec = ClipSpec(
        photo="obama",
        duration_s=CLIP_SECONDS,
        audio=True,
        face_width=0.42,
        motion=Motion(pan_px=12, zoom_from=1.0, zoom_to=1.05, rotate_deg=1.5),
        captions=(
            CaptionSpec(CAPTIONS[0], 0.0, half, y_frac=0.12),
            CaptionSpec(CAPTIONS[1], half, CLIP_SECONDS, style="yellow_stroke", y_frac=0.84),
        ),
    )
    source = folder / "source.mp4"
    make_clip(spec, source)
    sidecar = folder / "source.json"
    meta = {"tiktokVideoId": TIKTOK_ID, "caption": "my morning routine that changed my life"}
    sidecar.write_text(json.dumps(meta | {"language": "en", "hashtags": ["fitness"]}))
    return DemoAssets(source, sidecar, [save_photo("biden", folder / "biden.jpg")])
