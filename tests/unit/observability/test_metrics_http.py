"""The lock-free HTTP request stats expose Prometheus' counter and histogram semantics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from remixer.observability.metrics import _HttpStats


def _scrape(stats: _HttpStats) -> dict[str, float]:
    registry = CollectorRegistry()
    registry.register(stats)
    lines = generate_latest(registry).decode().splitlines()
    return {
        name: float(value)
        for name, value in (line.rsplit(" ", 1) for line in lines if not line.startswith("#"))
    }


def test_counts_by_route_method_status_and_cumulative_buckets() -> None:
    stats = _HttpStats()
    route = "/v1/jobs/{jobId}"
    for seconds in (0.0004, 0.001, 0.003, 0.2, 30.0):
        stats.observe(route, "GET", 200, seconds)
    stats.observe(route, "GET", 404, 0.002)
    got = _scrape(stats)
    total = 'remixer_http_requests_total{method="GET",route="/v1/jobs/{jobId}",status="%s"}'
    assert got[total % "200"] == 5 and got[total % "404"] == 1
    bucket = 'remixer_http_request_duration_seconds_bucket{le="%s",route="/v1/jobs/{jobId}"}'
    assert got[bucket % "0.001"] == 2  # le is inclusive
    assert got[bucket % "0.0025"] == 3
    assert got[bucket % "0.005"] == 4
    assert got[bucket % "0.25"] == 5
    assert got[bucket % "10.0"] == 5
    assert got[bucket % "+Inf"] == 6
    assert got['remixer_http_request_duration_seconds_count{route="/v1/jobs/{jobId}"}'] == 6
    assert (
        abs(got['remixer_http_request_duration_seconds_sum{route="/v1/jobs/{jobId}"}'] - 30.2064)
        < 1e-9
    )
