"""Remixer: remix short vertical videos for brands, as durable jobs behind an HTTP API."""

__version__ = "0.1.0"
