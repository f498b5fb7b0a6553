"""Demo media built offline from public-domain photos: a 9:16 source clip with TikTok-style
captions and a tone track (its catalog sidecar beside it), and the influencer's photos."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.synth.motion import Motion
from remixer.pipeline.synth.photos import save_photo

DEMO_TIKTOK_ID = "7301234567890123456"
SOURCE_PERSON = "obama"
INFLUENCER_PHOTOS = ("biden",)


@dataclass(frozen=True)
class DemoAssets:
    source: Path
    sidecar: Path
    photos: list[Path]


def build_demo_assets(folder: Path, seconds: float = 4.0) -> DemoAssets:
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "source.mp4"
    spec = ClipSpec(
        photo=SOURCE_PERSON,
        width=540,
        height=960,
        fps=30,
        duration_s=seconds,
        audio=True,
        face_width=0.42,
        motion=Motion(pan_px=12, zoom_from=1.0, zoom_to=1.05, rotate_deg=1.5),
        captions=(
            CaptionSpec("POV: you finally wake up at 6am", 0.0, seconds / 2, y_frac=0.12),
            CaptionSpec(
                "this routine changed everything",
                seconds / 2,
                seconds,
                style="yellow_stroke",
                y_frac=0.84,
            ),
        ),
    )
    make_clip(spec, source)
    sidecar = folder / "source.json"
    sidecar.write_text(
        json.dumps(
            {
                "tiktokVideoId": DEMO_TIKTOK_ID,
                "kind": "video",
                "caption": "my morning routine that changed my life",
                "author": "@publicdomain",
                "hashtags": ["fitness", "morningroutine"],
                "language": "en",
                "postedAt": "2026-03-01T12:00:00.000Z",
                "stats": {"views": 120000, "likes": 5400, "comments": 120, "shares": 80},
            },
            indent=2,
        )
    )
    photos = [save_photo(name, folder / f"influencer-{name}.jpg") for name in INFLUENCER_PHOTOS]
    return DemoAssets(source, sidecar, photos)
