"""Projects, layers, social accounts: CRUD and validation (SPEC §6.5, §6.7)."""

from __future__ import annotations

import uuid

import pytest
from api_harness import Api, assert_error


def test_project_crud(api: Api) -> None:
    p = api.project(
        timezone="Europe/Berlin",
        primaryLanguage="de",
        brandVoice="witty",
        brandContext={"appName": "FitNow", "keywords": ["fitness"]},
    )
    assert p["id"].startswith("prj_") and p["status"] == "active"
    assert p["brandContext"]["appName"] == "FitNow" and p["primaryLanguage"] == "de"
    assert p["createdAt"].endswith("Z") and len(p["createdAt"]) == 24
    bare = p["id"].removeprefix("prj_")
    assert api.get(f"/v1/projects/{bare}").json()["id"] == p["id"]
    patched = api.patch(f"/v1/projects/{p['id']}", {"brandContext": {"tagline": "Move"}}).json()
    assert patched["brandContext"]["appName"] == "FitNow"
    assert patched["brandContext"]["tagline"] == "Move"
    archived = api.delete(f"/v1/projects/{p['id']}").json()
    assert archived["status"] == "archived"
    restored = api.patch(f"/v1/projects/{p['id']}", {"status": "active"}).json()
    assert restored["status"] == "active"


def test_project_list_paginates(api: Api) -> None:
    ids = {api.project(name=f"P{i}")["id"] for i in range(3)}
    first = api.get("/v1/projects?limit=2").json()
    assert len(first["items"]) == 2 and first["nextCursor"]
    second = api.get(f"/v1/projects?limit=2&cursor={first['nextCursor']}").json()
    assert second["nextCursor"] is None
    assert {p["id"] for p in first["items"] + second["items"]} == ids


@pytest.mark.parametrize(
    "body,path",
    [
        ({}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x" * 129}, "body.name"),
        ({"name": "x", "timezone": "Mars/Olympus"}, "body.timezone"),
        ({"name": "x", "primaryLanguage": "english!"}, "body.primaryLanguage"),
        ({"name": "x", "brandVoice": "angry"}, "body.brandVoice"),
        ({"name": "x", "color": "red"}, "body.color"),
        ({"name": "x", "brandContext": {"appName": "a", "extra": 1}}, "body.brandContext.extra"),
    ],
)
def test_project_validation(api: Api, body: dict[str, object], path: str) -> None:
    err = assert_error(api.post("/v1/projects", body), 422, "VALIDATION")
    assert any(i["path"] == path for i in err["details"]["issues"]), err


def test_project_path_shapes_and_other_org(api: Api) -> None:
    assert_error(api.get("/v1/projects/not-an-id"), 422, "VALIDATION")
    assert_error(api.get(f"/v1/projects/prj_{uuid.uuid4()}"), 404, "NOT_FOUND")
    p = api.project()
    _, other = api.new_org()
    assert_error(api.get(f"/v1/projects/{p['id']}", key=other), 404, "NOT_FOUND")
    assert_error(api.patch(f"/v1/projects/{p['id']}", {"name": "x"}, key=other), 404, "NOT_FOUND")


def test_social_account_creates_wired_layers(api: Api) -> None:
    p = api.project()
    acct = api.post(
        f"/v1/projects/{p['id']}/social-accounts", {"platform": "tiktok", "handle": "@acme"}
    )
    assert acct.status_code == 201, acct.text
    a = acct.json()
    layers = api.get(f"/v1/projects/{p['id']}/layers").json()["items"]
    templates = sorted(layer["template"] for layer in layers)
    assert templates == ["social_content", "social_distribution"]
    dist = next(x for x in layers if x["template"] == "social_distribution")
    content = next(x for x in layers if x["template"] == "social_content")
    assert dist["config"] == {"socialAccountId": a["id"], "contentLayerId": content["id"]}
    second = api.post(
        f"/v1/projects/{p['id']}/social-accounts", {"platform": "instagram", "handle": "@acme2"}
    ).json()
    layers = api.get(f"/v1/projects/{p['id']}/layers").json()["items"]
    assert sum(x["template"] == "social_content" for x in layers) == 1
    upd = api.patch(
        f"/v1/projects/{p['id']}/social-accounts/{second['id']}", {"status": "disconnected"}
    )
    assert upd.json()["status"] == "disconnected"
    assert api.delete(f"/v1/projects/{p['id']}/social-accounts/{second['id']}").status_code == 204
    layers = api.get(f"/v1/projects/{p['id']}/layers").json()["items"]
    assert len(layers) == 2
    assert_error(
        api.get(f"/v1/projects/{p['id']}/social-accounts/{second['id']}"), 404, "NOT_FOUND"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "myspace", "handle": "x"},
        {"platform": "tiktok"},
        {"platform": "tiktok", "handle": ""},
    ],
)
def test_social_account_validation(api: Api, body: dict[str, str]) -> None:
    p = api.project()
    assert_error(api.post(f"/v1/projects/{p['id']}/social-accounts", body), 422, "VALIDATION")


def test_layer_crud_and_validation(api: Api) -> None:
    p = api.project()
    base = f"/v1/projects/{p['id']}/layers"
    made = api.post(base, {"template": "social_content", "config": {}})
    assert made.status_code == 201
    lid = made.json()["id"]
    assert api.patch(f"{base}/{lid}", {"isActive": False}).json()["isActive"] is False
    assert_error(api.post(base, {"template": "bogus"}), 422, "VALIDATION")
    assert_error(
        api.post(base, {"template": "social_content", "config": {"x": "y"}}), 422, "VALIDATION"
    )
    assert_error(
        api.post(base, {"template": "social_content", "config": {"customInfluencerId": "bad"}}),
        422,
        "VALIDATION",
    )
    missing = f"inf_{uuid.uuid4()}"
    assert_error(
        api.post(base, {"template": "social_content", "config": {"customInfluencerId": missing}}),
        422,
        "VALIDATION",
    )
    assert api.delete(f"{base}/{lid}").status_code == 204
    assert_error(api.get(f"{base}/{lid}"), 404, "NOT_FOUND")
