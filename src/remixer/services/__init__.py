"""Use cases: each takes a unit-of-work factory and the ports it needs; no HTTP, no DBOS."""
