"""POST video-remix: every check in SPEC §6.1's order, one transaction, idempotency."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from api_harness import TIKTOK_ID, Api, add_catalog_source, assert_error, ready_influencer


def _remix_path(project_id: str) -> str:
    return f"/v1/projects/{project_id}/content/video-remix"


@pytest.fixture
def setup(api: Api) -> dict[str, Any]:
    p = api.project(brandVoice="witty", primaryLanguage="en")
    inf = ready_influencer(api, p["id"], language="en")
    add_catalog_source(api)
    return {"project": p["id"], "influencer": inf}


def test_accept_creates_job_container_reservation(api: Api, setup: dict[str, Any]) -> None:
    resp = api.post(
        _remix_path(setup["project"]),
        {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]},
    )
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert body["kind"] == "content_generate" and body["status"] == "running"
    assert body["stage"] == "queued" and len(body["containerIds"]) == 1
    assert body["locationUrl"] == f"/v1/jobs/{body['jobId']}" == resp.headers["location"]
    assert api.scheduler.enqueued == [(body["jobId"], "content_generate")]
    credits = api.get("/v1/credits").json()
    assert (credits["balance"], credits["reserved"], credits["available"]) == (1000, 120, 880)
    job = api.get(body["locationUrl"]).json()
    assert job["status"] == "running" and job["progress"] == 0
    container = api.get(f"/v1/content/{body['containerIds'][0]}").json()
    assert container["status"] == "queued" and container["projectLayerId"] is None
    assert container["influencerId"] == setup["influencer"]
    assert container["sourceTiktokId"] == TIKTOK_ID and container["sandbox"] is False
    assert container["assets"] == [] and container["hook"] is None


def test_sandbox_key_reserves_nothing(api: Api, setup: dict[str, Any]) -> None:
    key = api.new_key("*", env="test")
    resp = api.post(
        _remix_path(setup["project"]),
        {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]},
        key=key,
    )
    assert resp.status_code == 202
    assert api.get("/v1/credits").json()["reserved"] == 0
    cid = resp.json()["containerIds"][0]
    assert api.get(f"/v1/content/{cid}").json()["sandbox"] is True


def test_order_auth_scope_before_path(api: Api) -> None:
    assert_error(api.client.post(_remix_path("junk")), 401, "UNAUTHENTICATED")
    key = api.new_key("content:read")
    assert_error(api.post(_remix_path("junk"), {}, key=key), 403, "FORBIDDEN_SCOPE")
    assert_error(api.post(_remix_path("junk"), {}), 422, "VALIDATION")
    assert_error(api.post(_remix_path(f"prj_{uuid.uuid4()}"), {}), 404, "NOT_FOUND")


def test_archived_project_before_body(api: Api, setup: dict[str, Any]) -> None:
    api.delete(f"/v1/projects/{setup['project']}")
    err = assert_error(api.post(_remix_path(setup["project"]), {"bogus": 1}), 409, "CONFLICT")
    assert err["details"]["subcode"] == "PROJECT_ARCHIVED"


@pytest.mark.parametrize(
    "body,code,status",
    [
        ({}, "VALIDATION", 422),
        ({"tiktokVideoId": TIKTOK_ID, "extra": 1}, "VALIDATION", 422),
        ({"tiktokVideoId": 123, "influencerId": "x"}, "VALIDATION", 422),
        ({"tiktokVideoId": TIKTOK_ID}, "INFLUENCER_REQUIRED", 422),
        (
            {"tiktokVideoId": "12ab", "influencerId": f"inf_{uuid.uuid4()}"},
            "INVALID_TIKTOK_ID",
            422,
        ),
        (
            {"tiktokVideoId": "1" * 14, "influencerId": f"inf_{uuid.uuid4()}"},
            "INVALID_TIKTOK_ID",
            422,
        ),
        ({"tiktokVideoId": TIKTOK_ID, "influencerId": "inf_bad"}, "VALIDATION", 422),
        ({"tiktokVideoId": "bad", "influencerId": "junk"}, "VALIDATION", 422),
        ({"tiktokVideoId": TIKTOK_ID, "socialAccountId": ""}, "VALIDATION", 422),
        ({"tiktokVideoId": TIKTOK_ID, "influencerId": f"inf_{uuid.uuid4()}"}, "NOT_FOUND", 404),
        ({"tiktokVideoId": TIKTOK_ID, "socialAccountId": f"sa_{uuid.uuid4()}"}, "NOT_FOUND", 404),
        ({"tiktokVideoId": "7" * 19, "influencerId": "SETUP"}, "INVALID_TIKTOK_ID", 422),
    ],
)
def test_body_checks(
    api: Api, setup: dict[str, Any], body: dict[str, Any], code: str, status: int
) -> None:
    if body.get("influencerId") == "SETUP":
        body = {**body, "influencerId": setup["influencer"]}
    assert_error(api.post(_remix_path(setup["project"]), body), status, code)
    assert api.get("/v1/credits").json()["reserved"] == 0
    assert api.scheduler.enqueued == []


def test_non_json_body(api: Api, setup: dict[str, Any]) -> None:
    resp = api.client.post(
        _remix_path(setup["project"]),
        content=b"x=1",
        headers=api.headers(**{"Content-Type": "text/plain"}),
    )
    assert_error(resp, 415, "UNSUPPORTED_MEDIA_TYPE")


def _wire(api: Api, project_id: str) -> dict[str, str]:
    acct = api.post(
        f"/v1/projects/{project_id}/social-accounts", {"platform": "tiktok", "handle": "@a"}
    ).json()
    layers = api.get(f"/v1/projects/{project_id}/layers").json()["items"]
    content = next(x for x in layers if x["template"] == "social_content")["id"]
    dist = next(x for x in layers if x["template"] == "social_distribution")["id"]
    return {"account": acct["id"], "content": content, "dist": dist}


def test_wiring_chain_errors_and_success(api: Api, setup: dict[str, Any]) -> None:
    pid = setup["project"]
    w = _wire(api, pid)
    body = {"tiktokVideoId": TIKTOK_ID, "socialAccountId": w["account"]}
    assert_error(api.post(_remix_path(pid), body), 422, "INFLUENCER_NOT_WIRED")
    api.patch(
        f"/v1/projects/{pid}/layers/{w['content']}",
        {"config": {"customInfluencerId": setup["influencer"]}},
    )
    ok = api.post(_remix_path(pid), body)
    assert ok.status_code == 202, ok.text
    container = api.get(f"/v1/content/{ok.json()['containerIds'][0]}").json()
    assert container["projectLayerId"] == w["content"]
    api.patch(f"/v1/projects/{pid}/layers/{w['content']}", {"isActive": False})
    assert_error(api.post(_remix_path(pid), body), 422, "NO_CONTENT_LAYER_WIRED")
    api.patch(f"/v1/projects/{pid}/layers/{w['dist']}", {"isActive": False})
    assert_error(api.post(_remix_path(pid), body), 422, "ACCOUNT_NOT_WIRED")
    api.patch(f"/v1/projects/{pid}/layers/{w['dist']}", {"isActive": True})
    api.patch(f"/v1/projects/{pid}/social-accounts/{w['account']}", {"status": "disconnected"})
    assert_error(api.post(_remix_path(pid), body), 422, "ACCOUNT_NOT_WIRED")


def test_override_with_chain_anchors_container(api: Api, setup: dict[str, Any]) -> None:
    pid = setup["project"]
    w = _wire(api, pid)
    other = ready_influencer(api, pid, brand_voice="warm")
    resp = api.post(
        _remix_path(pid),
        {"tiktokVideoId": TIKTOK_ID, "socialAccountId": w["account"], "influencerId": other},
    )
    assert resp.status_code == 202, resp.text
    container = api.get(f"/v1/content/{resp.json()['containerIds'][0]}").json()
    assert container["influencerId"] == other and container["projectLayerId"] == w["content"]


def test_influencer_not_ready(api: Api, setup: dict[str, Any]) -> None:
    from remixer.store.tables.influencers import Influencer

    with api.components.uow_factory() as uow:
        inf = uow.influencers.get(setup["influencer"])
        assert isinstance(inf, Influencer)
        inf.status = "training"
        uow.commit()
    err = assert_error(
        api.post(
            _remix_path(setup["project"]),
            {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]},
        ),
        409,
        "CONFLICT",
    )
    assert err["details"]["subcode"] == "INFLUENCER_NOT_READY"


def test_billing_exhausted_and_concurrency_cap(api: Api, setup: dict[str, Any]) -> None:
    body = {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]}
    codes = [api.post(_remix_path(setup["project"]), body).status_code for _ in range(9)]
    assert codes == [202] * 8 + [402]
    assert_error(api.post(_remix_path(setup["project"]), body), 402, "BILLING_EXHAUSTED")
    from remixer.services import orgs

    orgs.grant_credits(api.components.uow_factory, api.org_id, 10_000)
    assert api.post(_remix_path(setup["project"]), body).status_code == 202
    assert api.post(_remix_path(setup["project"]), body).status_code == 202
    resp = api.post(_remix_path(setup["project"]), body)
    err = assert_error(resp, 429, "RATE_LIMITED")
    assert err["details"]["kind"] == "concurrent_jobs" and int(resp.headers["retry-after"]) > 0


def _concurrent_remixes(api: Api, project_id: str, body: dict[str, Any], n: int) -> list[Any]:
    """`n` requests in flight at once on one event loop: the accepts share batches."""
    transport = httpx.ASGITransport(app=api.client.app)

    async def burst() -> list[Any]:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return list(
                await asyncio.gather(
                    *(
                        http.post(_remix_path(project_id), json=body, headers=api.headers())
                        for _ in range(n)
                    )
                )
            )

    return asyncio.run(burst())


def test_batched_accepts_never_overdraw_credits_or_the_job_cap(
    api: Api, setup: dict[str, Any]
) -> None:
    body = {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]}
    first = _concurrent_remixes(api, setup["project"], body, 12)
    assert sorted(r.status_code for r in first) == [202] * 8 + [402] * 4  # 1000 // 120 = 8
    for resp in first:
        if resp.status_code == 402:
            assert_error(resp, 402, "BILLING_EXHAUSTED")
    credits = api.get("/v1/credits").json()
    assert (credits["reserved"], credits["available"]) == (960, 40)
    from remixer.services import orgs

    orgs.grant_credits(api.components.uow_factory, api.org_id, 10_000)
    second = _concurrent_remixes(api, setup["project"], body, 5)
    assert sorted(r.status_code for r in second) == [202] * 2 + [429] * 3  # cap: 10 jobs
    accepted = [r.json()["jobId"] for r in first + second if r.status_code == 202]
    assert len(set(accepted)) == 10
    assert sorted(accepted) == sorted(job_id for job_id, _ in api.scheduler.enqueued)
    assert api.get("/v1/credits").json()["reserved"] == 1200
    for job_id in accepted:
        assert api.get(f"/v1/jobs/{job_id}").json()["status"] == "running"


def test_idempotency_replay_and_conflicts(api: Api, setup: dict[str, Any]) -> None:
    body = {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]}
    hdr = {"Idempotency-Key": "abc-123"}
    first = api.post(_remix_path(setup["project"]), body, headers=hdr)
    reordered = {"influencerId": setup["influencer"], "tiktokVideoId": TIKTOK_ID}
    second = api.post(_remix_path(setup["project"]), reordered, headers=hdr)
    assert first.status_code == second.status_code == 202
    assert first.content == second.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(api.scheduler.enqueued) == 1
    assert api.get("/v1/credits").json()["reserved"] == 120
    err = assert_error(
        api.post(_remix_path(setup["project"]), {**body, "tiktokVideoId": "1" * 19}, headers=hdr),
        409,
        "IDEMPOTENCY_CONFLICT",
    )
    assert err["details"]["reason"] == "body_mismatch"
    assert_error(
        api.post(_remix_path(setup["project"]), body, headers={"Idempotency-Key": "k" * 256}),
        422,
        "VALIDATION",
    )


def test_idempotency_failed_request_stores_nothing(api: Api, setup: dict[str, Any]) -> None:
    hdr = {"Idempotency-Key": "retry-me"}
    bad = {"tiktokVideoId": TIKTOK_ID}
    assert_error(
        api.post(_remix_path(setup["project"]), bad, headers=hdr), 422, "INFLUENCER_REQUIRED"
    )
    assert_error(
        api.post(_remix_path(setup["project"]), bad, headers=hdr), 422, "INFLUENCER_REQUIRED"
    )
    good = {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]}
    assert api.post(_remix_path(setup["project"]), good, headers=hdr).status_code == 202


def test_idempotency_fifty_concurrent(api: Api, setup: dict[str, Any]) -> None:
    from remixer.services import orgs

    orgs.grant_credits(api.components.uow_factory, api.org_id, 100_000)
    with api.components.uow_factory() as uow:
        org = uow.accounts.get_org(api.org_id)
        assert org is not None
        org.rate_limit_tier = "partner"
        uow.commit()
    body = {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]}
    hdr = {"Idempotency-Key": "burst"}
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(
            pool.map(
                lambda _: api.post(_remix_path(setup["project"]), body, headers=hdr), range(50)
            )
        )
    statuses = [r.status_code for r in results]
    assert set(statuses) <= {202, 409}, statuses
    accepted = {r.json()["jobId"] for r in results if r.status_code == 202}
    assert len(accepted) == 1
    for r in results:
        if r.status_code == 409:
            assert r.json()["error"]["details"]["reason"] == "in_flight"
    assert len(api.scheduler.enqueued) == 1
    assert api.get("/v1/credits").json()["reserved"] == 120


def test_job_etag_and_cancel(api: Api, setup: dict[str, Any]) -> None:
    resp = api.post(
        _remix_path(setup["project"]),
        {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]},
    )
    job_id = resp.json()["jobId"]
    got = api.get(f"/v1/jobs/{job_id}")
    etag = got.headers["etag"]
    again = api.get(f"/v1/jobs/{job_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    cancel = api.post(f"/v1/jobs/{job_id}/cancel")
    assert cancel.status_code in (200, 202), cancel.text
    final = api.get(f"/v1/jobs/{job_id}").json()
    assert final["status"] in ("running", "canceled")
    assert_error(api.get(f"/v1/jobs/job_{'0' * 26}"), 404, "NOT_FOUND")
    assert_error(api.get("/v1/jobs/nope"), 422, "VALIDATION")
    _, other = api.new_org()
    assert_error(api.get(f"/v1/jobs/{job_id}", key=other), 404, "NOT_FOUND")
    assert_error(api.post(f"/v1/jobs/{job_id}/cancel", key=other), 404, "NOT_FOUND")


def test_content_list_filters(api: Api, setup: dict[str, Any]) -> None:
    body = {"tiktokVideoId": TIKTOK_ID, "influencerId": setup["influencer"]}
    ids = [
        api.post(_remix_path(setup["project"]), body).json()["containerIds"][0] for _ in range(3)
    ]
    listed = api.get(f"/v1/projects/{setup['project']}/content?limit=2").json()
    assert [c["id"] for c in listed["items"]] == ids[::-1][:2]
    rest = api.get(
        f"/v1/projects/{setup['project']}/content?limit=2&cursor={listed['nextCursor']}"
    ).json()
    assert [c["id"] for c in rest["items"]] == [ids[0]]
    none = api.get(f"/v1/projects/{setup['project']}/content?status=completed").json()
    assert none["items"] == []
    assert_error(
        api.get(f"/v1/projects/{setup['project']}/content?status=bogus"), 422, "VALIDATION"
    )
    progress = api.get(f"/v1/content/{ids[0]}/progress").json()
    assert progress["status"] == "queued" and progress["stage"] == "queued"


def test_source_recommendations(api: Api) -> None:
    p = api.project(brandContext={"appName": "FitNow", "keywords": ["fitness", "workout"]})
    add_catalog_source(api, "7000000000000000001", "leg day workout routine")
    add_catalog_source(api, "7000000000000000002", "pasta recipe dinner")
    resp = api.get(f"/v1/projects/{p['id']}/content/source-recommendations?limit=5")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["source"] == "portfolio" and body["nextCursor"] is None
    assert body["items"][0]["tiktokVideoId"] == "7000000000000000001"
    assert {"score", "reason", "stats", "hashtags", "thumbnailUrl"} <= set(body["items"][0])
    found = api.get(f"/v1/projects/{p['id']}/content/source-recommendations?keyword=pasta")
    assert found.json()["source"] == "search"
    assert [i["tiktokVideoId"] for i in found.json()["items"]] == ["7000000000000000002"]
    base = f"/v1/projects/{p['id']}/content/source-recommendations"
    assert_error(api.get(f"{base}?limit=51"), 422, "VALIDATION")
    assert_error(api.get(f"{base}?kind=photo"), 422, "VALIDATION")
    assert_error(api.get(f"{base}?keyword=" + "k" * 201), 422, "VALIDATION")
