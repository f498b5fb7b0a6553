"""POST video-remix against hostile bodies (issue 15): authorization before the body, and
no parse error is ever a 500."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from api_harness import TIKTOK_ID, Api, add_catalog_source, assert_error, ready_influencer

DEEP_LIST = b"[" * 5000


def _path(project_id: str) -> str:
    return f"/v1/projects/{project_id}/content/video-remix"


@pytest.fixture
def setup(api: Api) -> dict[str, Any]:
    p = api.project()
    inf = ready_influencer(api, p["id"])
    add_catalog_source(api)
    return {"project": p["id"], "influencer": inf}


def _raw(api: Api, path: str, body: bytes, key: str | None = None, **headers: str) -> Any:
    sent = {"Content-Type": "application/json", **headers}
    return api.client.post(path, content=body, headers=api.headers(key, **sent))


def test_deeply_nested_list_is_validation_not_500(api: Api, setup: dict[str, Any]) -> None:
    err = assert_error(_raw(api, _path(setup["project"]), DEEP_LIST), 422, "VALIDATION")
    assert err["details"]["issues"][0]["path"] == "body"
    assert api.get("/v1/credits").json()["reserved"] == 0


def test_deep_body_with_idempotency_key_is_validation(api: Api, setup: dict[str, Any]) -> None:
    resp = _raw(api, _path(setup["project"]), DEEP_LIST, **{"Idempotency-Key": "deep-1"})
    assert_error(resp, 422, "VALIDATION")


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":' * 5000,
        b"\xff\xfe\x00{",
        b'{"tiktokVideoId": "\xff\xfe"}',
        b'{"tiktokVideoId": "\\ud800", "influencerId": null}',
        b'{"tiktokVideoId": "1"} trailing',
        b"[1, 2, 3]",
        b"null",
    ],
)
def test_malformed_bodies_are_validation(api: Api, setup: dict[str, Any], body: bytes) -> None:
    assert_error(_raw(api, _path(setup["project"]), body), 422, "VALIDATION")


def test_deep_body_without_a_key_is_401(api: Api, setup: dict[str, Any]) -> None:
    resp = api.client.post(
        _path(setup["project"]), content=DEEP_LIST, headers={"Content-Type": "application/json"}
    )
    assert_error(resp, 401, "UNAUTHENTICATED")
    read_only = api.new_key("content:read")
    assert_error(
        _raw(api, _path(setup["project"]), DEEP_LIST, key=read_only), 403, "FORBIDDEN_SCOPE"
    )


def test_oversized_body_is_413(api: Api, setup: dict[str, Any]) -> None:
    big = b'{"tiktokVideoId": "' + b"1" * (2 * 1024 * 1024) + b'"}'
    assert_error(_raw(api, _path(setup["project"]), big), 413, "PAYLOAD_TOO_LARGE")


def test_deep_bodies_on_other_json_routes_are_validation(api: Api) -> None:
    assert_error(_raw(api, "/v1/projects", DEEP_LIST), 422, "VALIDATION")


def _streamed(api: Api, path: str, headers: dict[str, str]) -> tuple[int, bool]:
    """Post a streamed body through the ASGI app; (status, whether any of it was read)."""
    pulled: list[bool] = []

    async def body() -> AsyncIterator[bytes]:
        pulled.append(True)
        yield b'{"tiktokVideoId": "' + TIKTOK_ID.encode() + b'"}'

    async def send() -> int:
        transport = httpx.ASGITransport(app=api.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            resp = await http.post(path, content=body(), headers=headers)
            return resp.status_code

    return asyncio.run(send()), bool(pulled)


def test_the_body_is_not_read_before_authorization_and_project(
    api: Api, setup: dict[str, Any]
) -> None:
    json_type = {"Content-Type": "application/json"}
    assert _streamed(api, _path(setup["project"]), json_type) == (401, False)
    read_only = api.new_key("content:read")
    assert _streamed(api, _path(setup["project"]), api.headers(read_only, **json_type)) == (
        403,
        False,
    )
    assert _streamed(api, _path("junk"), api.headers(**json_type)) == (422, False)
    missing = _path(f"prj_{uuid.uuid4()}")
    assert _streamed(api, missing, api.headers(**json_type)) == (404, False)
    _, other_key = api.new_org()
    assert _streamed(api, _path(setup["project"]), api.headers(other_key, **json_type)) == (
        404,
        False,
    )
    api.delete(f"/v1/projects/{setup['project']}")
    assert _streamed(api, _path(setup["project"]), api.headers(**json_type)) == (409, False)


def test_a_streamed_body_is_read_once_authorized(api: Api, setup: dict[str, Any]) -> None:
    status, pulled = _streamed(
        api, _path(setup["project"]), api.headers(**{"Content-Type": "application/json"})
    )
    assert pulled and status == 422  # no influencer named: INFLUENCER_REQUIRED


def test_rate_limit_comes_before_the_path_and_the_body(api: Api) -> None:
    codes = [_raw(api, _path("junk"), DEEP_LIST).status_code for _ in range(21)]
    assert codes == [422] * 20 + [429]  # standard tier: 20 long-running requests a minute


def test_an_idempotent_replay_comes_before_the_body_shape(api: Api, setup: dict[str, Any]) -> None:
    key = {"Idempotency-Key": "order-1"}
    good = {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]}
    first = api.post(_path(setup["project"]), good, headers=key)
    assert first.status_code == 202, first.text
    err = assert_error(
        _raw(api, _path(setup["project"]), DEEP_LIST, **key), 409, "IDEMPOTENCY_CONFLICT"
    )
    assert err["details"]["reason"] == "body_mismatch"
    bad_shape = api.post(_path(setup["project"]), {"bogus": 1}, headers=key)
    assert_error(bad_shape, 409, "IDEMPOTENCY_CONFLICT")
