"""Redraw caption overlays: erase the old caption from time (clean frames of its region
outside its span, aligned by optical flow; inpainting only where no frame saw the scene)
and draw the adapted text laid out like the source over the same span.

Public API: `OverlayPainter(overlays, new_texts, width, height, source=, frame_count=)
.paint(frame_bgr, frame_index)` (or `.erase` then `.draw`), `.placements`, `.close()`;
`placement_fields(overlay, text, width, height)` -> {"newBox", "newLines", "font"} for the
container; `text_over(overlays, new_texts, width, height)` -> whether the new text covers
a box on a frame.
"""

from remixer.pipeline.render.layout import Placement, placement_fields, text_over
from remixer.pipeline.render.painter import OverlayPainter

__all__ = ["OverlayPainter", "Placement", "placement_fields", "text_over"]
