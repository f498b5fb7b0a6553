"""The concurrent-job cap covers influencer builds too, and `lp_test_` keys have their own
small cap (domain/credits.py), through the real API and database."""

from __future__ import annotations

import io
from typing import Any

from api_harness import TIKTOK_ID, Api, add_catalog_source, assert_error, ready_influencer
from PIL import Image

from remixer.domain.credits import CONCURRENT_JOB_CAP, SANDBOX_JOB_CAP


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 100, 50)).save(buf, format="JPEG")
    return buf.getvalue()


def _photo(api: Api, project_id: str, key: str | None = None) -> str:
    resp = api.client.post(
        f"/v1/projects/{project_id}/media",
        headers=api.headers(key),
        files={"file": ("f.jpg", _jpeg(), "image/jpeg")},
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["mediaId"])


def _remix(api: Api, project_id: str, influencer: str, key: str | None = None) -> Any:
    return api.post(
        f"/v1/projects/{project_id}/content/video-remix",
        {"tiktokVideoId": TIKTOK_ID, "influencerId": influencer},
        key=key,
    )


def test_influencer_builds_count_toward_and_obey_the_cap(api: Api) -> None:
    from remixer.services import orgs

    orgs.grant_credits(api.components.uow_factory, api.org_id, 10_000)
    p = api.project()
    photo = _photo(api, p["id"])
    inf = ready_influencer(api, p["id"])
    add_catalog_source(api)
    cap = CONCURRENT_JOB_CAP["standard"]
    for _ in range(cap - 1):
        assert _remix(api, p["id"], inf).status_code == 202
    body = {"name": "Ava", "referenceImageIds": [photo]}
    assert api.post(f"/v1/projects/{p['id']}/influencers", body).status_code == 202
    # The org now runs `cap` jobs: neither another build nor another remix is accepted.
    resp = api.post(f"/v1/projects/{p['id']}/influencers", body)
    err = assert_error(resp, 429, "RATE_LIMITED")
    assert err["details"] == {"limit": cap, "kind": "concurrent_jobs"}
    assert int(resp.headers["retry-after"]) > 0
    assert_error(_remix(api, p["id"], inf), 429, "RATE_LIMITED")
    # Another organization is not affected.
    _, other = api.new_org()
    q = api.post("/v1/projects", {"name": "Other"}, key=other).json()
    theirs = {"name": "Bo", "referenceImageIds": [_photo(api, q["id"], other)]}
    assert api.post(f"/v1/projects/{q['id']}/influencers", theirs, key=other).status_code == 202


def test_test_keys_have_their_own_small_cap(api: Api) -> None:
    p = api.project()
    inf = ready_influencer(api, p["id"])
    add_catalog_source(api)
    test_key = api.new_key("*", env="test")
    for _ in range(SANDBOX_JOB_CAP):
        assert _remix(api, p["id"], inf, key=test_key).status_code == 202
    resp = _remix(api, p["id"], inf, key=test_key)
    err = assert_error(resp, 429, "RATE_LIMITED")
    assert err["details"] == {"limit": SANDBOX_JOB_CAP, "kind": "sandbox_jobs"}
    # Live keys of the same organization still have the rest of the tier's cap.
    assert _remix(api, p["id"], inf).status_code == 202
    assert api.get("/v1/credits").json()["reserved"] == 120
