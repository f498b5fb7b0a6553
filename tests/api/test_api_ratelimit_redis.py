"""Rate limits shared through Redis (SPEC §5: several API processes share the buckets)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_harness import RecordingScheduler, assert_error, make_settings
from fastapi.testclient import TestClient

from remixer.api.app import create_app
from remixer.api.ratelimit import RateLimiter
from remixer.bootstrap import build_components
from remixer.domain.errors import RemixerError
from remixer.services import orgs

REDIS_URL = "redis://127.0.0.1:6379"

pytestmark = pytest.mark.redis


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not _redis_up():
        pytest.skip("Redis on 127.0.0.1:6379 is not reachable")
    return REDIS_URL


def test_two_processes_share_one_bucket(redis_url: str) -> None:
    first, second = RateLimiter(redis_url), RateLimiter(redis_url)
    identity = f"key_{uuid.uuid4()}"
    for n in range(20):
        limiter = first if n % 2 else second
        decision = limiter.hit("standard", "long-running", identity)
        assert decision.remaining == 19 - n
    with pytest.raises(RemixerError) as caught:
        first.hit("standard", "long-running", identity)
    assert caught.value.code == "RATE_LIMITED"
    assert int(caught.value.headers["Retry-After"]) >= 1


@pytest.fixture
def client(tmp_path: Path, redis_url: str) -> Iterator[tuple[TestClient, str]]:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite3'}")
    components = build_components(settings, scheduler=RecordingScheduler())
    app = create_app(components, RateLimiter(redis_url))
    org = orgs.create_org(components.uow_factory, "Acme", 0, "standard")["organizationId"]
    key = orgs.create_key(components.uow_factory, org, "projects:read", "live")["key"]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, key
    components.engine.dispose()


def test_api_answers_429_from_the_redis_bucket(client: tuple[TestClient, str]) -> None:
    test_client, key = client
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [test_client.get("/v1/projects", headers=headers).status_code for _ in range(120)]
    assert statuses == [200] * 120
    resp = test_client.get("/v1/projects", headers=headers)
    assert_error(resp, 429, "RATE_LIMITED")
    assert resp.headers["x-ratelimit-limit"] == "120"
    assert resp.headers["x-ratelimit-remaining"] == "0"
