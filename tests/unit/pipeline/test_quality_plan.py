"""Which output frames the quality measurement looks at."""

from __future__ import annotations

from remixer.pipeline.faces.quality import DENSE, JITTER_PERIOD, JITTER_WARMUP, plan_for


def test_an_eight_second_clip_embeds_twelve_frames_and_follows_a_third() -> None:
    plan = plan_for(240)
    assert sum(plan.embeds(i) for i in range(240)) == 12
    followed = [i for i in range(240) if plan.follows(i)]
    assert len(followed) < 240 * 0.45
    runs = [i for i in followed if i % JITTER_PERIOD == 0]
    assert all(all(plan.follows(r + k) for k in range(JITTER_WARMUP + 3)) for r in runs)


def test_long_clips_embed_at_least_once_a_second_and_a_given_step_wins() -> None:
    assert plan_for(1800).embed_every == 30
    assert plan_for(20).embed_every == 2
    assert plan_for(240, sample_every=3).embed_every == 3


def test_the_dense_plan_follows_and_embeds_every_frame() -> None:
    assert all(DENSE.follows(i) and DENSE.embeds(i) for i in range(100))
    assert DENSE.warmup == 0
