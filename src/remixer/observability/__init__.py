"""Operator-facing observability: quiet native libraries, structured logs, Prometheus metrics.

Depends on nothing else in `remixer`, so every layer (CLI, API, workflows, services) may
import it.
"""
