"""Request bodies (pydantic, unknown fields rejected) and response documentation models."""
