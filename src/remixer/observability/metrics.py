"""Prometheus metrics (prometheus-client) and the loopback `/metrics` server.

Per-request cost is kept to a dict lookup, a counter increment and a histogram
observation: label children are cached by (route template, method, status), so the
client library's label handling runs once per distinct series, not per request.
Gauges that describe shared state (queue depth, reserved credits) are sampled from the
database when Prometheus scrapes, through a `Sampler` the composition root supplies.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)
# No `_created` series: they would double the scrape for nothing here.
disable_created_metrics()  # type: ignore[no-untyped-call]

HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STAGE_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)

HTTP_REQUESTS = Counter(
    "remixer_http_requests", "HTTP requests answered.", ["route", "method", "status"]
)
HTTP_DURATION = Histogram(
    "remixer_http_request_duration_seconds",
    "Time from the request's arrival to its response's start.",
    ["route"],
    buckets=HTTP_BUCKETS,
)
JOBS = Counter("remixer_jobs", "Jobs that reached a terminal status.", ["kind", "status"])
STAGE_DURATION = Histogram(
    "remixer_job_stage_duration_seconds",
    "Wall time of one job stage in this worker.",
    ["stage"],
    buckets=STAGE_BUCKETS,
)
WORKER_BUSY = Gauge("remixer_worker_busy", "Job stages running in this process now.")

UNMATCHED = "unmatched"
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_children_lock = threading.Lock()


def observe_request(route: str | None, method: str, status: int, seconds: float) -> None:
    """Count one answered request under its route template (never its raw path)."""
    key = (route or UNMATCHED, method, status)
    pair = _children.get(key)
    if pair is None:
        with _children_lock:
            pair = _children.setdefault(
                key,
                (
                    HTTP_REQUESTS.labels(key[0], method, str(status)),
                    HTTP_DURATION.labels(key[0]),
                ),
            )
    pair[0].inc()
    pair[1].observe(seconds)


def job_finished(kind: str, status: str) -> None:
    JOBS.labels(kind, status).inc()


@contextmanager
def stage_timer(stage: str) -> Iterator[None]:
    """Time a stage and count it as busy work while it runs."""
    WORKER_BUSY.inc()
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_DURATION.labels(stage).observe(time.perf_counter() - started)
        WORKER_BUSY.dec()


@dataclass(frozen=True)
class Sample:
    queue_depth: dict[str, int]
    credits_reserved: int


Sampler = Callable[[], Sample]


class _SampledGauges(Collector):
    """`remixer_queue_depth{queue}` and `remixer_credits_reserved`, read at scrape time."""

    def __init__(self, sampler: Sampler) -> None:
        self._sampler = sampler

    def collect(self) -> Iterable[GaugeMetricFamily]:
        try:
            sample = self._sampler()
        except Exception:
            log.warning("metrics sample failed", exc_info=True)
            return []
        depth = GaugeMetricFamily(
            "remixer_queue_depth", "Jobs accepted and waiting for a worker.", labels=["queue"]
        )
        for queue, count in sorted(sample.queue_depth.items()):
            depth.add_metric([queue], count)
        reserved = GaugeMetricFamily(
            "remixer_credits_reserved", "Credits reserved by running jobs, all organizations."
        )
        reserved.add_metric([], sample.credits_reserved)
        return [depth, reserved]


_sampled: _SampledGauges | None = None


def use_sampler(sampler: Sampler) -> None:
    """Register (or replace) the scrape-time sampler for the shared-state gauges."""
    global _sampled
    if _sampled is not None:
        REGISTRY.unregister(_sampled)
    _sampled = _SampledGauges(sampler)
    REGISTRY.register(_sampled)


def serve_metrics(port: int, host: str = "127.0.0.1", sampler: Sampler | None = None) -> None:
    """Expose `http://host:port/metrics` from a daemon thread (loopback unless told)."""
    if sampler is not None:
        use_sampler(sampler)
    start_http_server(port, addr=host)
    log.info("metrics at http://%s:%d/metrics", host, port)
