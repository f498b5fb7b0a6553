"""Prometheus metrics (prometheus-client) and the loopback `/metrics` server.

Per-request cost is kept to two dict updates and a bisect (`_HttpStats`), labelled by
route template, method and status, never by raw path.
Gauges that describe shared state (queue depth, reserved credits) are sampled from the
database when Prometheus scrapes, through a `Sampler` the composition root supplies.
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import (
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    start_http_server,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)
# No `_created` series: they would double the scrape for nothing here.
disable_created_metrics()  # type: ignore[no-untyped-call]

HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STAGE_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)

JOBS = Counter("remixer_jobs", "Jobs that reached a terminal status.", ["kind", "status"])
STAGE_DURATION = Histogram(
    "remixer_job_stage_duration_seconds",
    "Wall time of one job stage in this worker.",
    ["stage"],
    buckets=STAGE_BUCKETS,
)
WORKER_BUSY = Gauge("remixer_worker_busy", "Job stages running in this process now.")

UNMATCHED = "unmatched"


class _HttpStats(Collector):
    """`remixer_http_requests_total` and `remixer_http_request_duration_seconds`.

    Plain dicts instead of the client library's locked values: requests are observed on
    the event loop's thread only, and a scrape copies each dict (atomic under the GIL).
    Per route the histogram row is [bucket counts…, +Inf count, sum].
    """

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = {}
        self.rows: dict[str, list[float]] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        self.counts[key] = self.counts.get(key, 0) + 1
        row = self.rows.get(route)
        if row is None:
            row = self.rows.setdefault(route, [0.0] * (len(HTTP_BUCKETS) + 2))
        row[bisect_left(HTTP_BUCKETS, seconds)] += 1
        row[-1] += seconds

    def collect(self) -> Iterable[Metric]:
        counts, rows = self.counts.copy(), {r: list(v) for r, v in self.rows.copy().items()}
        requests = CounterMetricFamily(
            "remixer_http_requests", "HTTP requests answered.", labels=["route", "method", "status"]
        )
        for (route, method, status), n in sorted(counts.items()):
            requests.add_metric([route, method, str(status)], n)
        durations = HistogramMetricFamily(
            "remixer_http_request_duration_seconds",
            "Time from the request's arrival to its response's start.",
            labels=["route"],
        )
        for route, row in sorted(rows.items()):
            cumulative, buckets = 0.0, []
            for bound, count in zip([*map(str, HTTP_BUCKETS), "+Inf"], row[:-1], strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            durations.add_metric([route], buckets, sum_value=row[-1])
        return [requests, durations]


HTTP = _HttpStats()
REGISTRY.register(HTTP)


def observe_request(route: str | None, method: str, status: int, seconds: float) -> None:
    """Count one answered request under its route template (never its raw path)."""
    HTTP.observe(route or UNMATCHED, method, status, seconds)


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


def _depth_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "remixer_queue_depth", "Jobs accepted and waiting for a worker.", labels=["queue"]
    )


def _reserved_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "remixer_credits_reserved", "Credits reserved by running jobs, all organizations."
    )


class _SampledGauges(Collector):
    """`remixer_queue_depth{queue}` and `remixer_credits_reserved`, read at scrape time."""

    def __init__(self, sampler: Sampler) -> None:
        self._sampler = sampler

    def describe(self) -> Iterable[GaugeMetricFamily]:
        """The families without sampling (registration must not touch the database)."""
        return [_depth_family(), _reserved_family()]

    def collect(self) -> Iterable[GaugeMetricFamily]:
        try:
            sample = self._sampler()
        except Exception as exc:  # a scrape must not fail with the database down
            log.warning("metrics sample failed: %s", str(exc).splitlines()[0][:200])
            log.debug("metrics sample failed", exc_info=True)
            return []
        depth = _depth_family()
        for queue, count in sorted(sample.queue_depth.items()):
            depth.add_metric([queue], count)
        reserved = _reserved_family()
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
