"""Webhook endpoints over real HTTP (SPEC §6.10): CRUD, the secret shown once, rotation,
scopes, cursor pages, the URL policy, every validation path as the §3 envelope, test
pings and replays (sent to a real local receiver), and job events recorded by the cancel
transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_harness import Api, RecordingScheduler, assert_error, make_settings
from fastapi.testclient import TestClient

from remixer.api.app import create_app
from remixer.api.ratelimit import RateLimiter
from remixer.bootstrap import build_components
from remixer.domain.ids import new_ulid_id, new_uuid_id
from remixer.domain.time import now, parse_iso
from remixer.domain.webhooks import verify_signature
from remixer.services import orgs
from remixer.services.webhook_delivery import DeliveryPolicy, attempt_delivery
from remixer.store.tables.content import Container, Job
from webhook_receiver import Receiver, running

BASE = "/v1/webhook-endpoints"
GOOD = {"url": "https://hooks.example.com/remixer", "events": ["job.completed"]}
UNKNOWN_ENDPOINT = "whk_01HXA1NHKJZXPV8R7Q6WSM5BCD"


@pytest.fixture
def loopback_api(tmp_path: Path, database_url: str) -> Iterator[Api]:
    """The app with REMIXER_WEBHOOK_ALLOW_LOOPBACK=1, so endpoints can name a local receiver."""
    settings = make_settings(tmp_path, database_url, webhook_allow_loopback=True)
    scheduler = RecordingScheduler()
    components = build_components(settings, scheduler=scheduler)
    app = create_app(components, RateLimiter(None))
    org = orgs.create_org(components.uow_factory, "Acme Inc", 1000, "unlimited")
    key = orgs.create_key(components.uow_factory, org["organizationId"], "*", "live")["key"]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, components, scheduler, org["organizationId"], key)
    components.engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running(Receiver()) as live:
        yield live


def _create(api: Api, **fields: Any) -> dict[str, Any]:
    resp = api.post(BASE, {**GOOD, **fields})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _deliver(api: Api, delivery_id: str) -> dict[str, Any]:
    """One attempt exactly as the worker's step makes it (the workflow has its own tests)."""
    policy = DeliveryPolicy(allow_loopback=True, schedule=(0, 0.1))
    return attempt_delivery(api.components.uow_factory, delivery_id, 0, policy)


def test_create_returns_the_secret_once(api: Api) -> None:
    created = _create(api, description="prod")
    assert created["id"].startswith("whk_") and created["secret"].startswith("whsec_")
    assert created["url"] == GOOD["url"] and created["events"] == ["job.completed"]
    assert created["isActive"] is True and created["pausedReason"] is None
    assert created["description"] == "prod" and created["previousSecretExpiresAt"] is None
    one = api.get(f"{BASE}/{created['id']}")
    assert one.status_code == 200 and "secret" not in one.json()
    assert "secret" not in one.text and created["secret"] not in api.get(BASE).text
    assert {k: v for k, v in created.items() if k != "secret"} == one.json()


def test_update_delete_and_list(api: Api) -> None:
    created = _create(api, description="first")
    eid = created["id"]
    body = {
        "url": "https://other.example.com/h",
        "events": ["job.failed", "job.canceled", "job.failed"],
        "description": None,
        "isActive": False,
    }
    resp = api.patch(f"{BASE}/{eid}", body)
    assert resp.status_code == 200, resp.text
    updated = resp.json()
    assert updated["url"] == "https://other.example.com/h"
    assert updated["events"] == ["job.failed", "job.canceled"]
    assert updated["description"] is None and updated["isActive"] is False
    assert api.patch(f"{BASE}/{eid}", {"isActive": True}).json()["isActive"] is True
    assert api.delete(f"{BASE}/{eid}").status_code == 204
    assert_error(api.get(f"{BASE}/{eid}"), 404, "NOT_FOUND")
    assert_error(api.patch(f"{BASE}/{eid}", {"isActive": True}), 404, "NOT_FOUND")
    assert_error(api.delete(f"{BASE}/{eid}"), 404, "NOT_FOUND")
    assert api.get(BASE).json() == {"items": [], "nextCursor": None}


def test_list_is_cursor_paginated(api: Api) -> None:
    ids = [_create(api)["id"] for _ in range(3)]
    first = api.get(BASE, params={"limit": 2}).json()
    assert [e["id"] for e in first["items"]] == ids[:2] and first["nextCursor"]
    second = api.get(BASE, params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [e["id"] for e in second["items"]] == ids[2:] and second["nextCursor"] is None
    assert_error(api.get(BASE, params={"cursor": "!!"}), 422, "VALIDATION")
    assert_error(api.get(BASE, params={"limit": 0}), 422, "VALIDATION")


def test_scopes(api: Api) -> None:
    eid = _create(api)["id"]
    reader = api.new_key("webhooks:read")
    assert api.get(BASE, key=reader).status_code == 200
    assert api.get(f"{BASE}/{eid}/deliveries", key=reader).status_code == 200
    err = assert_error(api.post(BASE, GOOD, key=reader), 403, "FORBIDDEN_SCOPE")
    assert err["details"]["required"] == "webhooks:write"
    for path in (f"{BASE}/{eid}/rotate-secret", f"{BASE}/{eid}/test"):
        assert_error(api.post(path, key=reader), 403, "FORBIDDEN_SCOPE")
    other = api.new_key("content:read,jobs:read")
    err = assert_error(api.get(BASE, key=other), 403, "FORBIDDEN_SCOPE")
    assert err["details"]["required"] == "webhooks:read"
    writer = api.new_key("webhooks:write")
    assert api.post(BASE, GOOD, key=writer).status_code == 201
    assert_error(api.client.get(BASE), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"events": ["job.completed"]}, "body.url"),
        ({"url": "https://a.example.com"}, "body.events"),
        ({**GOOD, "events": []}, "body.events"),
        ({**GOOD, "events": ["job.exploded"]}, "body.events.0"),
        ({**GOOD, "events": ["test.ping"]}, "body.events.0"),
        ({**GOOD, "events": "job.completed"}, "body.events"),
        ({**GOOD, "url": 5}, "body.url"),
        ({**GOOD, "url": ""}, "body.url"),
        ({**GOOD, "url": "https://a.example.com/" + "x" * 2100}, "body.url"),
        ({**GOOD, "description": "d" * 501}, "body.description"),
        ({**GOOD, "secret": "mine"}, "body.secret"),
        ({**GOOD, "url": "http://hooks.example.com/h"}, "body.url"),
        ({**GOOD, "url": "http://127.0.0.1:9000/h"}, "body.url"),
        ({**GOOD, "url": "https://localhost/h"}, "body.url"),
        ({**GOOD, "url": "https://10.0.0.8/h"}, "body.url"),
        ({**GOOD, "url": "https://192.168.1.20/h"}, "body.url"),
        ({**GOOD, "url": "https://172.20.0.1/h"}, "body.url"),
        ({**GOOD, "url": "https://169.254.169.254/latest/meta-data/"}, "body.url"),
        ({**GOOD, "url": "https://[fd00:ec2::254]/"}, "body.url"),
        ({**GOOD, "url": "https://[fe80::1]/"}, "body.url"),
        ({**GOOD, "url": "https://[::ffff:192.168.0.1]/"}, "body.url"),
        ({**GOOD, "url": "https://metadata.google.internal/computeMetadata/v1/"}, "body.url"),
        ({**GOOD, "url": "https://admin:pw@hooks.example.com/h"}, "body.url"),
        ({**GOOD, "url": "not a url"}, "body.url"),
        ({**GOOD, "url": "ftp://hooks.example.com/h"}, "body.url"),
    ],
)
def test_create_validation_is_the_envelope(api: Api, body: dict[str, Any], path: str) -> None:
    err = assert_error(api.post(BASE, body), 422, "VALIDATION")
    assert path in [issue["path"] for issue in err["details"]["issues"]], err
    assert api.get(BASE).json()["items"] == []


def test_patch_validation_and_body_errors(api: Api) -> None:
    eid = _create(api)["id"]
    for body, path in (
        ({"url": "https://10.1.1.1/x"}, "body.url"),
        ({"events": []}, "body.events"),
        ({"isActive": "maybe"}, "body.isActive"),
        ({"paused": True}, "body.paused"),
    ):
        err = assert_error(api.patch(f"{BASE}/{eid}", body), 422, "VALIDATION")
        assert path in [i["path"] for i in err["details"]["issues"]]
    bad_json = api.client.post(
        BASE, content=b"{", headers=api.headers(**{"Content-Type": "application/json"})
    )
    assert_error(bad_json, 422, "VALIDATION")
    assert_error(api.client.post(BASE, headers=api.headers()), 422, "VALIDATION")
    form = api.client.post(
        BASE, content=b"url=x", headers=api.headers(**{"Content-Type": "text/plain"})
    )
    assert_error(form, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert api.get(f"{BASE}/{eid}").json()["url"] == GOOD["url"]


def test_path_ids_and_other_organizations(api: Api) -> None:
    eid = _create(api)["id"]
    for method, suffix in (
        ("get", ""),
        ("delete", ""),
        ("post", "/rotate-secret"),
        ("post", "/test"),
        ("get", "/deliveries"),
    ):
        call = getattr(api, method)
        err = assert_error(call(f"{BASE}/whk_nope{suffix}"), 422, "VALIDATION")
        assert err["details"]["issues"][0]["path"] == "path.endpointId"
        assert_error(call(f"{BASE}/{UNKNOWN_ENDPOINT}{suffix}"), 404, "NOT_FOUND")
    assert_error(api.patch(f"{BASE}/prj_1", {"isActive": True}), 422, "VALIDATION")
    _, other_key = api.new_org()
    assert_error(api.get(f"{BASE}/{eid}", key=other_key), 404, "NOT_FOUND")
    assert_error(api.post(f"{BASE}/{eid}/test", key=other_key), 404, "NOT_FOUND")
    assert_error(api.post(f"{BASE}/{eid}/rotate-secret", key=other_key), 404, "NOT_FOUND")
    assert_error(api.get(f"{BASE}/{eid}/deliveries", key=other_key), 404, "NOT_FOUND")
    assert api.get(BASE, key=other_key).json()["items"] == []
    err = assert_error(api.post("/v1/webhook-deliveries/dlv_x/replay"), 422, "VALIDATION")
    assert err["details"]["issues"][0]["path"] == "path.deliveryId"
    missing = new_ulid_id("dlv")
    assert_error(api.post(f"/v1/webhook-deliveries/{missing}/replay"), 404, "NOT_FOUND")
    assert_error(api.get(f"{BASE}/{eid}/deliveries", params={"cursor": "%%"}), 422, "VALIDATION")
    assert_error(api.client.put(BASE, headers=api.headers()), 405, "METHOD_NOT_ALLOWED")


def test_rotate_secret_keeps_the_old_one_for_a_day(api: Api) -> None:
    created = _create(api)
    resp = api.post(f"{BASE}/{created['id']}/rotate-secret")
    assert resp.status_code == 200, resp.text
    rotated = resp.json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    expires = parse_iso(rotated["previousSecretExpiresAt"])
    assert abs(expires - (now() + timedelta(hours=24))) < timedelta(minutes=1)
    assert api.get(f"{BASE}/{created['id']}").json()["previousSecretExpiresAt"]


def test_idempotent_create_replays_the_same_endpoint(api: Api) -> None:
    headers = {"Idempotency-Key": "hook-1"}
    first = api.post(BASE, GOOD, headers=headers)
    again = api.post(BASE, GOOD, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
    assert len(api.get(BASE).json()["items"]) == 1
    conflict = api.post(BASE, {**GOOD, "description": "x"}, headers=headers)
    assert_error(conflict, 409, "IDEMPOTENCY_CONFLICT")


def test_test_ping_delivery_log_and_replay(loopback_api: Api, receiver: Receiver) -> None:
    api = loopback_api
    created = _create(api, url=receiver.url)
    eid = created["id"]
    resp = api.post(f"{BASE}/{eid}/test")
    assert resp.status_code == 202, resp.text
    queued = resp.json()
    assert queued["id"].startswith("dlv_") and queued["eventId"].startswith("evt_")
    assert (queued["type"], queued["status"], queued["attempts"]) == ("test.ping", "pending", 0)
    assert queued["nextAttemptAt"] and queued["lastStatusCode"] is None
    listed = api.get(f"{BASE}/{eid}/deliveries").json()
    assert listed == {"items": [queued], "nextCursor": None}

    assert _deliver(api, queued["id"])["done"] is True
    [request] = receiver.received
    assert request.event_id == queued["eventId"]
    assert verify_signature(request.signature, request.body, created["secret"], now().timestamp())
    done = api.get(f"{BASE}/{eid}/deliveries").json()["items"][0]
    assert (done["status"], done["attempts"], done["lastStatusCode"]) == ("succeeded", 1, 200)
    assert done["nextAttemptAt"] is None and done["finishedAt"] and done["lastError"] is None

    replay = api.post(f"/v1/webhook-deliveries/{queued['id']}/replay")
    assert replay.status_code == 202, replay.text
    again = replay.json()
    assert again["id"] != queued["id"] and again["eventId"] == queued["eventId"]
    err = assert_error(api.post(f"/v1/webhook-deliveries/{again['id']}/replay"), 409, "CONFLICT")
    assert err["details"]["subcode"] == "DELIVERY_IN_PROGRESS"
    page = api.get(f"{BASE}/{eid}/deliveries", params={"limit": 1}).json()
    assert [d["id"] for d in page["items"]] == [again["id"]] and page["nextCursor"]
    rest = api.get(f"{BASE}/{eid}/deliveries", params={"limit": 1, "cursor": page["nextCursor"]})
    assert [d["id"] for d in rest.json()["items"]] == [queued["id"]]
    _, other_key = api.new_org()
    assert_error(
        api.post(f"/v1/webhook-deliveries/{queued['id']}/replay", key=other_key), 404, "NOT_FOUND"
    )


def test_canceling_a_queued_job_records_job_canceled(loopback_api: Api, receiver: Receiver) -> None:
    api = loopback_api
    created = _create(api, url=receiver.url, events=["job.canceled"])
    ignored = _create(api, url=receiver.url, events=["job.completed"])
    project = api.project()
    job_id, cnt_id = new_ulid_id("job"), new_uuid_id("cnt")
    with api.components.uow_factory() as uow:
        uow.content.add(Container(id=cnt_id, organization_id=api.org_id, project_id=project["id"]))
        uow.content.add(
            Job(
                id=job_id,
                organization_id=api.org_id,
                project_id=project["id"],
                kind="content_generate",
                container_id=cnt_id,
            )
        )
        uow.commit()
    assert api.post(f"/v1/jobs/{job_id}/cancel").status_code == 202
    [delivery] = api.get(f"{BASE}/{created['id']}/deliveries").json()["items"]
    assert delivery["type"] == "job.canceled"
    assert api.get(f"{BASE}/{ignored['id']}/deliveries").json()["items"] == []
    _deliver(api, delivery["id"])
    [request] = receiver.received
    sent = json.loads(request.body)
    assert sent["type"] == "job.canceled" and sent["data"]["jobId"] == job_id
    assert sent["data"]["status"] == "canceled"
    assert sent["data"]["updatedAt"] == api.get(f"/v1/jobs/{job_id}").json()["updatedAt"]


def test_openapi_documents_the_webhook_routes(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        BASE,
        BASE + "/{endpointId}",
        BASE + "/{endpointId}/rotate-secret",
        BASE + "/{endpointId}/test",
        BASE + "/{endpointId}/deliveries",
        "/v1/webhook-deliveries/{deliveryId}/replay",
    ):
        assert path in paths, path
    created = paths[BASE]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["$ref"].endswith("WebhookEndpointWithSecret")
    assert "WebhookDeliveryPage" in spec["components"]["schemas"]
