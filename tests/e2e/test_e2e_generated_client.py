"""A partner's client, generated from the live `/openapi.json` by openapi-python-client,
runs the whole remix flow against the real service (API + DBOS worker): project, photo
upload, influencer job, social account, layer wiring, recommendations, video-remix, job
polling to `completed`, the finished container, and a typed error envelope."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from e2e_support import TIKTOK_ID, LiveService

pytestmark = pytest.mark.slow

PACKAGE = "remixer_generated_client"
CONFIG = {
    "content_type_overrides": {
        t: "application/octet-stream"
        for t in ("video/mp4", "image/jpeg", "image/png", "image/webp")
    }
}


@pytest.fixture(scope="module")
def generated(live: LiveService, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("client")
    doc = live.http.get("/openapi.json")
    assert doc.status_code == 200
    (folder / "openapi.json").write_text(doc.text)
    (folder / "config.json").write_text(json.dumps(CONFIG))
    bin_dir = str(Path(sys.executable).parent)
    out = subprocess.run(
        [
            str(Path(bin_dir) / "openapi-python-client"),
            "generate",
            "--path",
            str(folder / "openapi.json"),
            "--config",
            str(folder / "config.json"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Warning" not in out.stdout, out.stdout  # every operation generated in full
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


def _mod(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _value(x: Any) -> Any:
    return getattr(x, "value", x)


def _wait(get_job: Any, client: Any, job_id: str, timeout_s: float = 600) -> Any:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        job = get_job.sync(job_id=job_id, client=client)
        assert type(job).__name__ == "Job", job
        if _value(job.status) != "running":
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish")


def test_generated_client_runs_a_remix(generated: ModuleType, live: LiveService) -> None:
    models = _mod("models")
    api = "api"
    client = generated.AuthenticatedClient(
        base_url=live.settings.public_url,
        token=live.http.headers["Authorization"].removeprefix("Bearer "),
        timeout=_mod("client").httpx.Timeout(60.0),
    )
    project = _mod(f"{api}.projects.create_project").sync(
        client=client,
        body=models.ProjectCreate.from_dict({"name": "Generated", "brandVoice": "witty"}),
    )
    assert type(project).__name__ == "Project" and project.id.startswith("prj_")
    photo = live.assets.photos[0]
    upload = models.UploadMediaBody(
        file=_mod("types").File(
            payload=photo.open("rb"), file_name=photo.name, mime_type="image/jpeg"
        )
    )
    media = _mod(f"{api}.influencers.upload_media").sync(
        project_id=project.id, client=client, body=upload
    )
    assert type(media).__name__ == "MediaUpload" and _value(media.kind) == "image"
    started = _mod(f"{api}.influencers.create_influencer").sync(
        project_id=project.id,
        client=client,
        body=models.InfluencerCreate.from_dict(
            {"name": "Generated Face", "referenceImageIds": [media.media_id]}
        ),
    )
    assert type(started).__name__ == "InfluencerJobAccepted"
    get_job = _mod(f"{api}.jobs.get_job")
    assert _value(_wait(get_job, client, started.job_id).status) == "completed"
    account = _mod(f"{api}.social.create_account").sync(
        project_id=project.id,
        client=client,
        body=models.SocialAccountCreate.from_dict({"platform": "tiktok", "handle": "@gen"}),
    )
    layers = _mod(f"{api}.social.list_layers").sync(project_id=project.id, client=client)
    assert type(layers).__name__ == "LayerPage"
    content_layer = next(x for x in layers.items if _value(x.template) == "social_content")
    _mod(f"{api}.social.update_layer").sync(
        project_id=project.id,
        layer_id=content_layer.id,
        client=client,
        body=models.LayerUpdate.from_dict(
            {"config": {"customInfluencerId": started.influencer_id}}
        ),
    )
    recs = _mod(f"{api}.content.source_recommendations").sync(project_id=project.id, client=client)
    assert TIKTOK_ID in [r.tiktok_video_id for r in recs.items]
    accepted = _mod(f"{api}.content.video_remix").sync(
        project_id=project.id,
        client=client,
        body=models.VideoRemixBody.from_dict(
            {"tiktokVideoId": TIKTOK_ID, "socialAccountId": account.id}
        ),
        idempotency_key=f"generated-{time.time_ns()}",
    )
    assert type(accepted).__name__ == "JobAccepted", accepted
    assert accepted.location_url == f"/v1/jobs/{accepted.job_id}"
    assert len(accepted.container_ids) == 1
    job = _wait(get_job, client, accepted.job_id)
    assert _value(job.status) == "completed", job.to_dict()
    container = _mod(f"{api}.content.get_container").sync(
        container_id=accepted.container_ids[0], client=client
    )
    assert type(container).__name__ == "Container"
    assert _value(container.status) == "completed"
    assert container.assets and container.assets[0].mime_type == "video/mp4"
    assert container.project_layer_id == content_layer.id
    missing = _mod(f"{api}.projects.get_project").sync(
        project_id="prj_00000000-0000-4000-8000-000000000000", client=client
    )
    assert type(missing).__name__ == "ErrorEnvelope"
    assert _value(missing.error.code) == "NOT_FOUND"
