"""The OpenAPI document: it validates, names every success body and the error envelope
with its codes, carries id patterns and shared paging, and real responses of every
operation (success and error) conform to the schema it documents for their status."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from api_harness import TIKTOK_ID, Api, add_catalog_source, ready_influencer
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate
from PIL import Image

from remixer.api.errors import STATUS
from remixer.services import orgs

ENVELOPE = "#/components/schemas/ErrorEnvelope"
BINARY_OPERATIONS = {"get_media"}
# POST actions on a resource that take no body.
BODILESS_ACTIONS = {"kill_key", "rotate_secret", "send_test", "replay_delivery"}
REMIX_422 = {
    "VALIDATION",
    "INFLUENCER_REQUIRED",
    "INVALID_TIKTOK_ID",
    "ACCOUNT_NOT_WIRED",
    "NO_CONTENT_LAYER_WIRED",
    "INFLUENCER_NOT_WIRED",
}


@pytest.fixture
def doc(api: Api) -> dict[str, Any]:
    resp = api.client.get("/openapi.json")
    assert resp.status_code == 200
    return dict(resp.json())


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]


def test_document_validates(doc: dict[str, Any]) -> None:
    validate(doc)
    ids = [op["operationId"] for _, _, op in _operations(doc)]
    assert len(ids) == len(set(ids)) and len(ids) >= 33


def test_every_operation_names_its_success_body_and_its_errors(doc: dict[str, Any]) -> None:
    codes = {c.value for c in STATUS}
    for method, path, op in _operations(doc):
        where = f"{method.upper()} {path}"
        success = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        assert success, where
        for status, resp in success.items():
            if status == "204" or op["operationId"] in BINARY_OPERATIONS:
                continue
            schema = resp["content"]["application/json"]["schema"]
            assert schema["$ref"].startswith("#/components/schemas/"), where
        errors = {s: r for s, r in op["responses"].items() if s[0] in "45"}
        assert {"401", "422", "500"} <= errors.keys(), where
        for status, resp in errors.items():
            assert resp["content"]["application/json"]["schema"] == {"$ref": ENVELOPE}, where
            listed = resp["x-error-codes"]
            assert listed and set(listed) <= codes, where
            assert all(
                STATUS[next(c for c in STATUS if c.value == x)] == int(status) for x in listed
            )
        if method in ("post", "patch") and op["operationId"] not in BODILESS_ACTIONS:
            assert "requestBody" in op or "cancel" in op["operationId"], where
    remix = doc["paths"]["/v1/projects/{projectId}/content/video-remix"]["post"]
    assert set(remix["responses"]["422"]["x-error-codes"]) == REMIX_422
    assert remix["responses"]["402"]["x-error-codes"] == ["BILLING_EXHAUSTED"]
    examples = doc["components"]["schemas"]["JobAccepted"]["examples"]
    assert examples[0]["locationUrl"] == f"/v1/jobs/{examples[0]['jobId']}"


def test_path_ids_carry_patterns(doc: dict[str, Any]) -> None:
    uuid = "6f1c2a0e-3b7d-4f0a-9a51-2c8e7d4b1f20"
    for method, path, op in _operations(doc):
        for param in op.get("parameters", []):
            if param.get("in") != "path" or param["name"] == "mediaId":
                continue
            pattern = re.compile(param["schema"]["pattern"])
            assert re.fullmatch(r"[a-z]+Id", param["name"]), (method, path)
            assert pattern.match(param["example"]), (method, path)
            assert not pattern.match("not-an-id"), (method, path)
            if param["name"] == "projectId":
                assert pattern.match(uuid) and pattern.match(f"prj_{uuid}")
                assert not pattern.match(f"inf_{uuid}")


def test_lists_share_the_page_shape_and_paging_parameters(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    pages = [n for n in schemas if n.endswith("Page")]
    assert len(pages) >= 6
    for name in pages:
        assert set(schemas[name]["required"]) == {"items", "nextCursor"}
        assert schemas[name]["properties"]["items"]["type"] == "array"
    for _, path, op in _operations(doc):
        params = op.get("parameters", [])
        if any(p.get("$ref") == "#/components/parameters/Cursor" for p in params):
            ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[1] in pages, path


class Checker:
    """Validates a live response against the document's schema for its operation and status."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.seen: set[str] = set()

    def __call__(self, resp: Any, method: str, template: str) -> Any:
        op = self.doc["paths"][template][method]
        documented = op["responses"].get(str(resp.status_code))
        assert documented is not None, (template, resp.status_code, resp.text)
        self.seen.add(op["operationId"])
        if resp.status_code in (204, 304):
            return None
        schema = documented["content"]["application/json"]["schema"]
        validator = Draft202012Validator(
            {**schema, "components": self.doc["components"]}, format_checker=FormatChecker()
        )
        body = resp.json()
        problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
        assert not problems, (template, resp.status_code, problems)
        return body


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_live_responses_match_their_schemas(api: Api, doc: dict[str, Any]) -> None:
    check = Checker(doc)
    c = api.client
    h = api.headers()
    check(api.get("/v1/whoami"), "get", "/v1/whoami")
    check(api.get("/v1/credits"), "get", "/v1/credits")
    check(api.get("/v1/credits/events"), "get", "/v1/credits/events")
    p = check(
        api.post("/v1/projects", {"name": "Docs", "brandVoice": "witty"}), "post", "/v1/projects"
    )
    pid = p["id"]
    check(api.get("/v1/projects?limit=1"), "get", "/v1/projects")
    check(api.get(f"/v1/projects/{pid}"), "get", "/v1/projects/{projectId}")
    check(
        api.patch(f"/v1/projects/{pid}", {"timezone": "Europe/Berlin"}),
        "patch",
        "/v1/projects/{projectId}",
    )
    base = "/v1/projects/{projectId}"
    acct = check(
        api.post(f"/v1/projects/{pid}/social-accounts", {"platform": "tiktok", "handle": "@d"}),
        "post",
        base + "/social-accounts",
    )
    check(api.get(f"/v1/projects/{pid}/social-accounts"), "get", base + "/social-accounts")
    check(
        api.patch(f"/v1/projects/{pid}/social-accounts/{acct['id']}", {"status": "connected"}),
        "patch",
        base + "/social-accounts/{accountId}",
    )
    spare = check(
        api.post(f"/v1/projects/{pid}/layers", {"template": "social_content"}),
        "post",
        base + "/layers",
    )
    check(
        api.delete(f"/v1/projects/{pid}/layers/{spare['id']}"), "delete", base + "/layers/{layerId}"
    )
    check(
        api.get(f"/v1/projects/{pid}/social-accounts/{acct['id']}"),
        "get",
        base + "/social-accounts/{accountId}",
    )
    layers = check(api.get(f"/v1/projects/{pid}/layers"), "get", base + "/layers")["items"]
    content_layer = next(x for x in layers if x["template"] == "social_content")
    check(
        api.get(f"/v1/projects/{pid}/layers/{content_layer['id']}"),
        "get",
        base + "/layers/{layerId}",
    )
    media = check(
        c.post(
            f"/v1/projects/{pid}/media", headers=h, files={"file": ("a.png", _png(), "image/png")}
        ),
        "post",
        base + "/media",
    )
    started = check(
        api.post(
            f"/v1/projects/{pid}/influencers",
            {"name": "Ava", "referenceImageIds": [media["mediaId"]]},
        ),
        "post",
        base + "/influencers",
    )
    check(api.get(f"/v1/projects/{pid}/influencers"), "get", base + "/influencers")
    iid = started["influencerId"]
    check(api.get(f"/v1/influencers/{iid}"), "get", "/v1/influencers/{influencerId}")
    check(
        api.patch(f"/v1/influencers/{iid}", {"name": "Ava B"}),
        "patch",
        "/v1/influencers/{influencerId}",
    )
    check(api.get(f"/v1/jobs/{started['jobId']}"), "get", "/v1/jobs/{jobId}")
    ready = ready_influencer(api, pid, language="en")
    check(
        api.patch(
            f"/v1/projects/{pid}/layers/{content_layer['id']}",
            {"config": {"customInfluencerId": ready}},
        ),
        "patch",
        base + "/layers/{layerId}",
    )
    add_catalog_source(api)
    check(
        api.get(f"/v1/projects/{pid}/content/source-recommendations"),
        "get",
        base + "/content/source-recommendations",
    )
    remix = base + "/content/video-remix"
    accepted = check(
        api.post(
            f"/v1/projects/{pid}/content/video-remix",
            {"tiktokVideoId": TIKTOK_ID, "socialAccountId": acct["id"]},
        ),
        "post",
        remix,
    )
    cid = accepted["containerIds"][0]
    check(api.get(f"/v1/content/{cid}"), "get", "/v1/content/{containerId}")
    check(api.get(f"/v1/content/{cid}/progress"), "get", "/v1/content/{containerId}/progress")
    check(api.get(f"/v1/projects/{pid}/content"), "get", base + "/content")
    job = check(api.get(accepted["locationUrl"]), "get", "/v1/jobs/{jobId}")
    assert job["status"] == "running"
    check(api.post(f"/v1/jobs/{accepted['jobId']}/cancel"), "post", "/v1/jobs/{jobId}/cancel")
    again = check(
        api.post(f"/v1/jobs/{accepted['jobId']}/cancel"), "post", "/v1/jobs/{jobId}/cancel"
    )
    assert again["accepted"] is False and again["reason"] == "ALREADY_CANCELED"
    check(api.get("/v1/credits/events"), "get", "/v1/credits/events")
    # Error bodies of each kind, against the envelope documented for their status.
    check(
        api.post(f"/v1/projects/{pid}/content/video-remix", {"tiktokVideoId": TIKTOK_ID}),
        "post",
        remix,
    )
    check(api.get("/v1/projects/prj_nope"), "get", "/v1/projects/{projectId}")
    check(
        api.get("/v1/projects/prj_00000000-0000-4000-8000-000000000000"),
        "get",
        "/v1/projects/{projectId}",
    )
    check(c.get("/v1/whoami"), "get", "/v1/whoami")
    check(
        api.delete(f"/v1/projects/{pid}/social-accounts/{acct['id']}"),
        "delete",
        base + "/social-accounts/{accountId}",
    )
    check(api.delete(f"/v1/influencers/{iid}"), "delete", "/v1/influencers/{influencerId}")
    check(api.delete(f"/v1/projects/{pid}"), "delete", "/v1/projects/{projectId}")
    key_id = orgs.create_key(api.components.uow_factory, api.org_id, "*", "live")["apiKeyId"]
    check(api.post(f"/v1/api-keys/{key_id}/kill"), "post", "/v1/api-keys/{keyId}/kill")
    _check_webhook_operations(api, check)
    everything = {op["operationId"] for _, _, op in _operations(doc)}
    assert check.seen == everything - BINARY_OPERATIONS


def _check_webhook_operations(api: Api, check: Checker) -> None:
    base = "/v1/webhook-endpoints"
    one = base + "/{endpointId}"
    body = {"url": "https://hooks.example.com/remixer", "events": ["job.completed"]}
    endpoint = check(api.post(base, body), "post", base)
    eid = endpoint["id"]
    check(api.get(base), "get", base)
    check(api.get(f"{base}/{eid}"), "get", one)
    check(api.patch(f"{base}/{eid}", {"description": "docs"}), "patch", one)
    check(api.post(f"{base}/{eid}/rotate-secret"), "post", one + "/rotate-secret")
    delivery = check(api.post(f"{base}/{eid}/test"), "post", one + "/test")
    check(api.get(f"{base}/{eid}/deliveries"), "get", one + "/deliveries")
    replay = api.post(f"/v1/webhook-deliveries/{delivery['id']}/replay")
    check(replay, "post", "/v1/webhook-deliveries/{deliveryId}/replay")
    check(api.delete(f"{base}/{eid}"), "delete", one)
