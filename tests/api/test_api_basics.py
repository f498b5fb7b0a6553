"""Envelope, request ids, auth, scopes, kill switch and rate-limit headers."""

from __future__ import annotations

from typing import Any

from api_harness import Api, assert_error

from remixer.services import orgs


def test_whoami_and_headers(api: Api) -> None:
    resp = api.get("/v1/whoami")
    assert resp.status_code == 200
    body = resp.json()
    assert body["organizationId"] == api.org_id
    assert body["creditBalance"] == 1000
    assert body["rateLimitTier"] == "standard"
    assert resp.headers["x-request-id"].startswith("req_")
    assert resp.headers["x-ratelimit-endpoint-class"] == "read"
    assert resp.headers["x-ratelimit-limit"] == "120"
    assert int(resp.headers["x-ratelimit-remaining"]) == 119


def test_unauthenticated_variants(api: Api) -> None:
    assert_error(api.client.get("/v1/whoami"), 401, "UNAUTHENTICATED")
    for bad in ["Basic abc", "Bearer nope", "Bearer lp_live_" + "0" * 32 + "_" + "a" * 40]:
        resp = api.client.get("/v1/whoami", headers={"Authorization": bad})
        assert_error(resp, 401, "UNAUTHENTICATED")
        assert "x-ratelimit-limit" in resp.headers
    wrong_env = api.key.replace("lp_live_", "lp_test_")
    assert_error(api.get("/v1/whoami", key=wrong_env), 401, "UNAUTHENTICATED")
    wrong_secret = api.key[:-3] + ("aaa" if not api.key.endswith("aaa") else "bbb")
    assert_error(api.get("/v1/whoami", key=wrong_secret), 401, "UNAUTHENTICATED")


def test_scope_denied_by_default(api: Api) -> None:
    key = api.new_key("projects:read")
    assert api.get("/v1/projects", key=key).status_code == 200
    err = assert_error(api.post("/v1/projects", {"name": "x"}, key=key), 403, "FORBIDDEN_SCOPE")
    assert err["details"] == {"required": "projects:write"}
    assert_error(api.get("/v1/credits", key=key), 403, "FORBIDDEN_SCOPE")


def test_kill_switch_key_and_org(api: Api) -> None:
    victim = api.new_key("projects:read")
    key_id = api.get("/v1/whoami", key=victim).json()["apiKeyId"]
    resp = api.post(f"/v1/api-keys/{key_id}/kill")
    assert resp.status_code == 200 and resp.json()["killed"] is True
    err = assert_error(api.get("/v1/projects", key=victim), 503, "KILL_SWITCH")
    assert err["details"] == {"scope": "key"}
    with api.components.uow_factory() as uow:
        org = uow.accounts.get_org(api.org_id)
        assert org is not None
        org.suspended = True
        uow.commit()
    err = assert_error(api.get("/v1/whoami"), 503, "KILL_SWITCH")
    assert err["details"] == {"scope": "org"}


def test_kill_other_org_key_is_404(api: Api) -> None:
    _, other_key = api.new_org()
    other_id = api.get("/v1/whoami", key=other_key).json()["apiKeyId"]
    assert_error(api.post(f"/v1/api-keys/{other_id}/kill"), 404, "NOT_FOUND")
    assert api.get("/v1/whoami", key=other_key).status_code == 200
    assert_error(api.post("/v1/api-keys/nope/kill"), 422, "VALIDATION")


def test_unknown_route_and_method(api: Api) -> None:
    assert_error(api.get("/v1/nothing-here"), 404, "NOT_FOUND")
    resp = api.client.put("/v1/whoami", headers=api.headers())
    assert_error(resp, 405, "METHOD_NOT_ALLOWED")


def test_internal_error_hides_details(api: Api, monkeypatch: Any) -> None:
    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("SELECT secret FROM /etc/passwd")

    monkeypatch.setattr(orgs, "whoami", boom)
    resp = api.get("/v1/whoami")
    err = assert_error(resp, 500, "INTERNAL")
    assert "passwd" not in resp.text and "Traceback" not in resp.text
    assert err["details"] == {}


def test_rate_limit_429(api: Api) -> None:
    key = api.new_key("projects:read")
    codes = [api.get("/v1/projects", key=key).status_code for _ in range(121)]
    assert codes[:120] == [200] * 120
    resp = api.get("/v1/projects", key=key)
    assert_error(resp, 429, "RATE_LIMITED")
    assert int(resp.headers["retry-after"]) >= 1
    assert resp.headers["x-ratelimit-remaining"] == "0"
    assert api.get("/v1/projects").status_code == 200


def test_body_limits_and_content_type(api: Api) -> None:
    resp = api.client.post(
        "/v1/projects",
        content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
        headers=api.headers(**{"Content-Type": "application/json"}),
    )
    assert_error(resp, 413, "PAYLOAD_TOO_LARGE")
    assert resp.headers["x-ratelimit-endpoint-class"] == "write"
    resp = api.client.post(
        "/v1/projects", content=b"name=x", headers=api.headers(**{"Content-Type": "text/plain"})
    )
    assert_error(resp, 415, "UNSUPPORTED_MEDIA_TYPE")
    resp = api.client.post(
        "/v1/projects", content=b"{bad", headers=api.headers(**{"Content-Type": "application/json"})
    )
    assert_error(resp, 422, "VALIDATION")


def test_credits_and_events(api: Api) -> None:
    body = api.get("/v1/credits").json()
    assert body == {
        "organizationId": api.org_id,
        "balance": 1000,
        "reserved": 0,
        "available": 1000,
        "estimatedCreditsPerFormat": {"video-remix": 120},
    }
    orgs.grant_credits(api.components.uow_factory, api.org_id, 50)
    events = api.get("/v1/credits/events?limit=1").json()
    assert events["items"][0]["eventType"] == "grant"
    assert events["items"][0]["balanceAfter"] == 1050
    assert events["nextCursor"]
    page2 = api.get(f"/v1/credits/events?limit=1&cursor={events['nextCursor']}").json()
    assert page2["items"][0]["balanceAfter"] == 1000 and page2["nextCursor"] is None
    assert_error(api.get("/v1/credits/events?cursor=!!"), 422, "VALIDATION")
    assert_error(api.get("/v1/credits/events?limit=0"), 422, "VALIDATION")


def test_openapi_lists_routes_with_errors(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    remix = spec["paths"]["/v1/projects/{projectId}/content/video-remix"]["post"]
    assert {"202", "401", "402", "403", "404", "409", "422", "429"} <= set(remix["responses"])
    assert "requestBody" in remix
    params = {(p["name"], p["in"]) for p in remix["parameters"]}
    assert {("projectId", "path"), ("Idempotency-Key", "header")} <= params
    assert "/v1/jobs/{jobId}/cancel" in spec["paths"]
