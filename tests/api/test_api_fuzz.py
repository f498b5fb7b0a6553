"""Property-based fuzzing of every operation in the live app's `/openapi.json` (schemathesis).

A real uvicorn server on a loopback port; each operation gets schema-valid (positive) and
schema-violating (negative) requests, with a valid key and without one, once with random
path ids and once with the ids of real resources (so requests get past the 404s into the
handlers). No response may be a 5xx, and every response must conform to what the schema
documents for it (status codes, content types, and the bodies whose schemas are
documented). Examples per operation are kept small (`FUZZ_EXAMPLES`, default 10) so the
suite stays fast; raise it for a deep run.

Routes that parse their body with `api.deps.json_body` do not document it in the app's
OpenAPI yet; `BODIES` adds those request bodies (from the same pydantic models) to the
fetched document where it has none, so their bodies are fuzzed too.
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from api_harness import RecordingScheduler, make_settings
from hypothesis import HealthCheck, given, settings
from PIL import Image
from pydantic import BaseModel
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from remixer.api.app import create_app
from remixer.api.ratelimit import RateLimiter
from remixer.api.schemas import requests as req
from remixer.bootstrap import build_components
from remixer.services import orgs

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("post", "/v1/projects"): req.ProjectCreate,
    ("patch", "/v1/projects/{projectId}"): req.ProjectUpdate,
    ("post", "/v1/projects/{projectId}/social-accounts"): req.SocialAccountCreate,
    ("patch", "/v1/projects/{projectId}/social-accounts/{accountId}"): req.SocialAccountUpdate,
    ("post", "/v1/projects/{projectId}/layers"): req.LayerCreate,
    ("patch", "/v1/projects/{projectId}/layers/{layerId}"): req.LayerUpdate,
    ("post", "/v1/projects/{projectId}/influencers"): req.InfluencerCreate,
    ("patch", "/v1/influencers/{influencerId}"): req.InfluencerUpdate,
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class Live:
    url: str
    key: str
    ids: dict[str, str]
    victims: dict[str, str]  # a second set, for DELETE operations


def _real_resources(url: str, key: str, spare_key_id: str) -> dict[str, str]:
    """One of each resource, made through the API, keyed by path parameter name."""
    h = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=h, timeout=30) as http:
        pid = http.post("/v1/projects", json={"name": "Fuzz"}).json()["id"]
        account = http.post(
            f"/v1/projects/{pid}/social-accounts", json={"platform": "tiktok", "handle": "@fz"}
        ).json()
        layer = http.post(
            f"/v1/projects/{pid}/layers", json={"template": "social_content", "config": {}}
        ).json()
        buf = io.BytesIO()
        Image.new("RGB", (32, 32), (1, 2, 3)).save(buf, format="JPEG")
        media = http.post(
            f"/v1/projects/{pid}/media", files={"file": ("a.jpg", buf.getvalue(), "image/jpeg")}
        ).json()
        job = http.post(
            f"/v1/projects/{pid}/influencers",
            json={"name": "Ava", "referenceImageIds": [media["mediaId"]]},
        ).json()
    return {
        "projectId": pid,
        "accountId": account["id"],
        "layerId": layer["id"],
        "influencerId": job["influencerId"],
        "jobId": job["jobId"],
        "mediaId": media["mediaId"],
        "keyId": spare_key_id,
    }


def _schema(live: Live) -> schemathesis.schemas.BaseSchema:
    document = httpx.get(f"{live.url}/openapi.json", timeout=30).json()
    defs = document.setdefault("components", {}).setdefault("schemas", {})
    for (method, path), model in BODIES.items():
        operation = document["paths"][path][method]
        if "requestBody" in operation:
            continue
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        defs.update(body.pop("$defs", {}))
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=live.url)
    return schema


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    components = build_components(
        make_settings(tmp, f"sqlite:///{tmp / 'app.sqlite3'}"), scheduler=RecordingScheduler()
    )
    app = create_app(components, RateLimiter(None))
    org = orgs.create_org(components.uow_factory, "Fuzz", 10**6, "unlimited")
    key = str(orgs.create_key(components.uow_factory, org["organizationId"], "*", "live")["key"])
    spare = orgs.create_key(components.uow_factory, org["organizationId"], "*", "live")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    spare_id = str(spare["apiKeyId"])
    yield Live(url, key, _real_resources(url, key, spare_id), _real_resources(url, key, spare_id))
    server.should_exit = True
    thread.join(10)
    components.engine.dispose()


# Responses the app gives but does not document yet (observe is adding the response
# documentation in parallel); each is checked for everything else. Keep this list short.
KNOWN_UNDOCUMENTED: set[tuple[str, int, str]] = set()
STATUSES: dict[tuple[str, int], int] = {}


def _titles(exc: BaseException) -> list[str]:
    if isinstance(exc, FailureGroup):
        return [str(getattr(f, "title", type(f).__name__)) for f in exc.exceptions]
    return [f"{type(exc).__name__}: {str(exc)[:200]}"]


def _fuzz(
    live: Live, auth: dict[str, str], mode: GenerationMode, real_ids: bool
) -> tuple[int, list[str]]:
    schema = _schema(live)
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.iter_parameters() if p.location == "path"]
        ids = live.victims if operation.method.upper() == "DELETE" else live.ids
        fixed = {n: ids[n] for n in names if n in ids} if real_ids else None

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy(generation_mode=mode, path_parameters=fixed or None))
        def run(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            response = case.call(base_url=live.url, headers=auth, timeout=30)
            seen = (case.operation.label, response.status_code)
            STATUSES[seen] = STATUSES.get(seen, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (FailureGroup, Exception) as exc:  # noqa: BLE001 - collect every failed check
                for title in _titles(exc):
                    if (case.operation.label, response.status_code, title) in KNOWN_UNDOCUMENTED:
                        continue
                    failures.append(f"{case.operation.label} -> {response.status_code}: {title}")

        run()
    return calls, failures


MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@pytest.mark.parametrize("real_ids", [False, True], ids=["random-ids", "real-ids"])
@pytest.mark.parametrize("mode", MODES, ids=["positive", "negative"])
def test_fuzz_every_operation_with_a_valid_key(
    live: Live, mode: GenerationMode, real_ids: bool
) -> None:
    calls, failures = _fuzz(live, {"Authorization": f"Bearer {live.key}"}, mode, real_ids)
    assert calls > 0
    if real_ids and mode == GenerationMode.POSITIVE:
        reached = {label for (label, status), _ in STATUSES.items() if status < 300}
        assert len(reached) >= 15, f"only {sorted(reached)} ever succeeded"
    assert failures == [], "\n".join(sorted(set(failures))[:40])


@pytest.mark.parametrize("mode", MODES, ids=["positive", "negative"])
def test_fuzz_every_operation_without_a_key(live: Live, mode: GenerationMode) -> None:
    calls, failures = _fuzz(live, {}, mode, real_ids=True)
    assert calls > 0
    assert failures == [], "\n".join(sorted(set(failures))[:40])


def teardown_module() -> None:
    if os.environ.get("FUZZ_STATS"):
        for (label, status), count in sorted(STATUSES.items()):
            print(f"{label} {status} x{count}")
