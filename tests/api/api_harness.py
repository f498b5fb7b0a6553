"""API test harness: the real app over a real database (SQLite always, PostgreSQL when it
answers), real HTTP through the ASGI app, and a scheduler port that records enqueues."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pg_support import NOT_REACHABLE, pg_schema_url, postgres_available
from remixer.api.app import create_app
from remixer.api.ratelimit import RateLimiter
from remixer.bootstrap import Components, build_components
from remixer.config import Settings
from remixer.services import orgs


@dataclass
class RecordingScheduler:
    """Records enqueued jobs instead of running them (the job machinery has its own tests)."""

    enqueued: list[tuple[str, str]] = field(default_factory=list)
    canceled: list[str] = field(default_factory=list)

    def enqueue(self, job_id: str, kind: str) -> None:
        self.enqueued.append((job_id, kind))

    def cancel(self, job_id: str) -> None:
        self.canceled.append(job_id)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.sqlite3'}"
        return
    if not postgres_available():
        pytest.skip(NOT_REACHABLE)
    with pg_schema_url() as url:
        yield url


@dataclass
class Api:
    client: TestClient
    components: Components
    scheduler: RecordingScheduler
    org_id: str
    key: str

    def headers(self, key: str | None = None, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key}", **extra}

    def get(self, path: str, key: str | None = None, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers(key, **kw.pop("headers", {})), **kw)

    def post(self, path: str, json: Any = None, key: str | None = None, **kw: Any) -> Any:
        headers = self.headers(key, **kw.pop("headers", {}))
        return self.client.post(path, json=json, headers=headers, **kw)

    def patch(self, path: str, json: Any = None, key: str | None = None, **kw: Any) -> Any:
        headers = self.headers(key, **kw.pop("headers", {}))
        return self.client.patch(path, json=json, headers=headers, **kw)

    def delete(self, path: str, key: str | None = None) -> Any:
        return self.client.delete(path, headers=self.headers(key))

    def new_key(self, scopes: str = "*", env: str = "live", org_id: str | None = None) -> str:
        made = orgs.create_key(self.components.uow_factory, org_id or self.org_id, scopes, env)
        return str(made["key"])

    def new_org(self, credits: int = 1000, tier: str = "standard") -> tuple[str, str]:
        org = orgs.create_org(self.components.uow_factory, "Other", credits, tier)
        return org["organizationId"], self.new_key(org_id=org["organizationId"])

    def project(self, **fields: Any) -> dict[str, Any]:
        body = {"name": "Acme", **fields}
        resp = self.post("/v1/projects", body)
        assert resp.status_code == 201, resp.text
        return dict(resp.json())


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        signing_secret="test-signing-secret-of-32-bytes-or-more",
        public_url="http://testserver",
        _env_file=None,  # type: ignore[call-arg]
        **overrides,
    )


@pytest.fixture
def api(tmp_path: Path, database_url: str) -> Iterator[Api]:
    settings = make_settings(tmp_path, database_url)
    scheduler = RecordingScheduler()
    components = build_components(settings, scheduler=scheduler)
    app = create_app(components, RateLimiter(None))
    org = orgs.create_org(components.uow_factory, "Acme Inc", 1000, "standard")
    key = orgs.create_key(components.uow_factory, org["organizationId"], "*", "live")["key"]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, components, scheduler, org["organizationId"], key)
    components.engine.dispose()


def assert_error(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert err["code"] == code, err
    assert err["requestId"] == resp.headers["x-request-id"]
    assert err["requestId"].startswith("req_")
    assert isinstance(err["details"], dict)
    assert isinstance(err["message"], str) and err["message"]
    return dict(err)


TIKTOK_ID = "7234567890123456789"


def add_catalog_source(api: Api, tiktok_id: str = TIKTOK_ID, caption: str = "morning run") -> None:
    from remixer.store.repositories.catalog import SourceRecord

    with api.components.uow_factory() as uow:
        uow.catalog.save(
            SourceRecord(
                tiktok_id=tiktok_id,
                blob_key="sha256/none.mp4",
                checksum_sha256="0" * 64,
                probe={},
                caption=caption,
                hashtags=("fitness",),
                views=1000,
                likes=50,
            )
        )
        uow.commit()


def ready_influencer(api: Api, project_id: str, key: str | None = None, **fields: Any) -> str:
    """An influencer row marked ready (the identity build is covered by the job tests)."""
    from remixer.domain.ids import new_uuid_id
    from remixer.store.tables.influencers import Influencer

    inf_id = new_uuid_id("inf")
    with api.components.uow_factory() as uow:
        uow.influencers.add(
            Influencer(
                id=inf_id,
                project_id=project_id,
                name="Ava",
                status="ready",
                reference_image_ids=[],
                **fields,
            )
        )
        uow.commit()
    return inf_id
