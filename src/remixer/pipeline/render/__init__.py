"""Redraw caption overlays: erase the old text (Telea inpaint on the text pixel mask, plates
repainted as plate) and draw the adapted text in the matched style over the same span.

Public API: `OverlayPainter(overlays, new_texts, width, height).paint(frame_bgr, frame_index)`.
"""

from remixer.pipeline.render.painter import OverlayPainter

__all__ = ["OverlayPainter"]
