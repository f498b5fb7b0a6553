"""`remixer demo`: a real end-to-end remix through the HTTP API, exactly as a partner calls it.

Builds demo media from public-domain photos, starts the embedded service (API + worker)
on a free local port, creates an organization and key (operator side), then — over HTTP
only — a project, uploads, an influencer, a wired social account, a recommendation
lookup and a video-remix; polls the job, fetches the container and downloads the video.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from remixer.cli.sources import probe_source, write_thumbnail
from remixer.config import Settings

if TYPE_CHECKING:
    import httpx

console = Console(stderr=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedService:
    """API (uvicorn in a thread) plus the DBOS worker, in this process."""

    def __init__(self, settings: Settings, port: int) -> None:
        import uvicorn

        from remixer.api.app import create_app
        from remixer.bootstrap import build_components, build_runtime
        from remixer.workflows.worker import launch_worker

        self.components = build_components(settings)
        runtime = build_runtime(settings, self.components)
        self.worker = launch_worker(settings, runtime, polling_interval_s=0.5)
        config = uvicorn.Config(
            create_app(self.components),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            log_config=None,
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started and time.time() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.worker.shutdown()


def _check(resp: httpx.Response, status: int) -> Any:
    if resp.status_code != status:
        raise RuntimeError(
            f"{resp.request.method} {resp.request.url.path} → {resp.status_code}: {resp.text}"
        )
    return resp.json() if resp.content else None


def _poll_job(http: httpx.Client, job_id: str, label: str) -> dict[str, Any]:
    columns = (
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%  eta {task.fields[eta]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(label, total=1.0, eta="?")
        while True:
            job = _check(http.get(f"/v1/jobs/{job_id}"), 200)
            progress.update(
                task,
                completed=job["progress"],
                description=f"{label}: {job['stage']}",
                eta=f"{job.get('etaSeconds') or 0}s",
            )
            if job["status"] != "running":
                return dict(job)
            time.sleep(0.5)


def _operator_setup(settings: Settings, assets_dir: Path, tier: str = "standard") -> str:
    """What an operator does with `remixer admin` and `remixer sources import`."""
    from remixer.bootstrap import build_components
    from remixer.services import orgs
    from remixer.services.sources import import_sources

    class _NoJobs:
        def enqueue(self, job_id: str, kind: str) -> None: ...

        def cancel(self, job_id: str) -> None: ...

    components = build_components(settings, scheduler=_NoJobs())
    org = orgs.create_org(components.uow_factory, "Demo Brand Inc", 1000, tier)
    key = orgs.create_key(components.uow_factory, org["organizationId"], "*", "live")["key"]
    report = import_sources(
        components.uow_factory,
        components.blobs,
        [assets_dir / "source.mp4"],
        probe_source,
        thumbnail=write_thumbnail,
    )
    if report.rejected:
        raise RuntimeError(f"demo source rejected: {report.to_dict()}")
    components.engine.dispose()
    return str(key)


def _partner_flow(http: httpx.Client, photos: list[Path]) -> dict[str, Any]:
    from remixer.cli.demo_assets import DEMO_TIKTOK_ID

    project = _check(
        http.post(
            "/v1/projects",
            json={
                "name": "FitNow launch",
                "brandVoice": "witty",
                "primaryLanguage": "en",
                "brandContext": {
                    "appName": "FitNow",
                    "tagline": "Move more, every morning",
                    "keywords": ["fitness", "morning routine"],
                    "bannedPhrases": ["changed my life"],
                },
            },
        ),
        201,
    )
    pid = project["id"]
    media_ids = []
    for photo in photos:
        with photo.open("rb") as handle:
            media = _check(
                http.post(
                    f"/v1/projects/{pid}/media", files={"file": (photo.name, handle, "image/jpeg")}
                ),
                201,
            )
        media_ids.append(media["mediaId"])
    created = _check(
        http.post(
            f"/v1/projects/{pid}/influencers",
            json={"name": "Demo Influencer", "referenceImageIds": media_ids},
        ),
        202,
    )
    inf_job = _poll_job(http, created["jobId"], "influencer")
    if inf_job["status"] != "completed":
        raise RuntimeError(f"influencer job ended {inf_job['status']}: {inf_job.get('error')}")
    account = _check(
        http.post(
            f"/v1/projects/{pid}/social-accounts", json={"platform": "tiktok", "handle": "@fitnow"}
        ),
        201,
    )
    layers = _check(http.get(f"/v1/projects/{pid}/layers"), 200)["items"]
    content = next(x for x in layers if x["template"] == "social_content")
    _check(
        http.patch(
            f"/v1/projects/{pid}/layers/{content['id']}",
            json={"config": {"customInfluencerId": created["influencerId"]}},
        ),
        200,
    )
    recs = _check(http.get(f"/v1/projects/{pid}/content/source-recommendations"), 200)
    source_id = recs["items"][0]["tiktokVideoId"] if recs["items"] else DEMO_TIKTOK_ID
    accepted = _check(
        http.post(
            f"/v1/projects/{pid}/content/video-remix",
            json={"tiktokVideoId": source_id, "socialAccountId": account["id"]},
            headers={"Idempotency-Key": f"demo-{time.time_ns()}"},
        ),
        202,
    )
    job = _poll_job(http, accepted["jobId"], "video-remix")
    container = _check(http.get(f"/v1/content/{accepted['containerIds'][0]}"), 200)
    return {"job": job, "container": container}


def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the demo keeps its data")] = Path(
        ".remixer/demo"
    ),
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to save the video")] = Path(
        "out/demo-remix.mp4"
    ),
) -> None:
    """Run a real end-to-end remix on built-in demo data and print where the output is."""
    # here, not at the top: every other command (`remixer remix` above all) would pay for
    # httpx and the demo's synthetic media at start-up
    import httpx

    from remixer.cli.demo_assets import build_demo_assets

    shutil.rmtree(data_dir, ignore_errors=True)
    port = _free_port()
    settings = Settings(data_dir=data_dir, database_url=None, public_url=f"http://127.0.0.1:{port}")
    console.print("[bold]1/4[/] building demo media from public-domain photos…")
    assets = build_demo_assets(data_dir / "assets")
    console.print("[bold]2/4[/] operator setup: organization, API key, catalog import…")
    key = _operator_setup(settings, data_dir / "assets")
    console.print(f"[bold]3/4[/] starting the embedded service on 127.0.0.1:{port}…")
    service = EmbeddedService(settings, port)
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=60,
            headers={"Authorization": f"Bearer {key}"},
        ) as http:
            console.print("[bold]4/4[/] partner flow over HTTP…")
            result = _partner_flow(http, assets.photos)
            container = result["container"]
            if result["job"]["status"] != "completed":
                raise typer.Exit(_report_failure(result))
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(_check_bytes(httpx.get(container["assets"][0]["url"], timeout=60)))
    finally:
        service.stop()
    typer.echo(json.dumps(container, indent=2))
    console.print(f"\n[bold green]Remixed video:[/] {output.resolve()}")


def _check_bytes(resp: httpx.Response) -> bytes:
    resp.raise_for_status()
    return resp.content


def _report_failure(result: dict[str, Any]) -> int:
    console.print(f"[bold red]remix {result['job']['status']}:[/] {result['job'].get('error')}")
    typer.echo(json.dumps(result, indent=2))
    return 1
