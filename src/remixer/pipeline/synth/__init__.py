"""Synthetic test media made from real public-domain photos: clips with captions and motion,
with ground truth beside each clip. Used by tests, benchmarks and `remixer demo`."""
