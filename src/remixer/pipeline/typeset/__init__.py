"""Type: the caption font families and weights (`fonts`) and text blocks set in them
(`text`: styles, measuring, rendering to RGBA sprites). Reading overlays (style and font
matching) and redrawing them both use it, so it depends on neither."""
