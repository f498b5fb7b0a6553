"""Fixtures for the API tests live in `api_harness` (a unique module name: several test
folders have a conftest.py, so tests never import from `conftest` directly)."""

from api_harness import api, database_url

__all__ = ["api", "database_url"]
