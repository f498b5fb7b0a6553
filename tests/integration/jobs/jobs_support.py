"""Test support for the job machinery: databases, seeded jobs, tiny clips, a test workflow.

The test workflow (`jobs-test.v1`) runs the real engine (`run_stage`, `drive`, the real
completion step) over stages that decode a small generated clip frame by frame with
`iter_frames_bgr`, calling the hooks, so progress, cancel, failure, completion and
crash-resume are exercised without the heavy media stages.
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from dbos import DBOS

import remixer.store.tables  # noqa: F401 - the full metadata
from db_support import Db as Db
from db_support import create_pg_database as create_db
from db_support import drop_pg_database as drop_pg_database
from db_support import open_db as open_db
from remixer.domain.ids import new_ulid_id, new_uuid_id
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import StageHooks
from remixer.pipeline.video import VideoWriter, iter_frames_bgr
from remixer.store.tables.accounts import Organization
from remixer.store.tables.content import Container, Job
from remixer.store.tables.ledger import CreditEvent
from remixer.store.tables.projects import Project
from remixer.workflows.engine import Outcome, drive, run_stage
from remixer.workflows.remix import complete_step
from remixer.workflows.runtime import Runtime

TEST_WORKFLOW = "jobs-test.v1"
TEST_WORKFLOWS = {"content_generate": (TEST_WORKFLOW, "remix")}


def create_pg_database() -> str:
    """A fresh PostgreSQL database for one test; returns its URL."""
    return create_db(prefix="remixer_jobs")


def seed_job(
    db: Db,
    *,
    credits: int = 120,
    balance: int = 1000,
    stage: str = "queued",
    params: dict[str, Any] | None = None,
) -> str:
    """An org with `balance` granted and `credits` reserved, a project, a queued container and
    its running job, as the accept service leaves them."""
    org_id, prj_id = new_uuid_id("org"), new_uuid_id("prj")
    cnt_id, job_id = new_uuid_id("cnt"), new_ulid_id("job")
    with db.uow_factory() as uow:
        uow.accounts.add_org(
            Organization(id=org_id, name="o", credit_balance=balance, credits_reserved=credits)
        )
        uow.flush()
        uow.ledger.add_event(
            CreditEvent(
                id=new_ulid_id("evt"),
                organization_id=org_id,
                event_type="grant",
                credits=balance,
                balance_after=balance,
            )
        )
        uow.session.add(Project(id=prj_id, organization_id=org_id, name="p"))
        uow.flush()
        uow.content.add(Container(id=cnt_id, organization_id=org_id, project_id=prj_id))
        uow.content.add(
            Job(
                id=job_id,
                organization_id=org_id,
                project_id=prj_id,
                kind="content_generate",
                stage=stage,
                container_id=cnt_id,
                params=params or {},
                credits_reserved=credits,
            )
        )
        uow.commit()
    return job_id


def load(db: Db, job_id: str) -> tuple[Job, Container, Organization, list[CreditEvent]]:
    """The job, its container (a blank one for influencer jobs), its org and ledger."""
    with db.uow_factory() as uow:
        job = uow.content.job_by_id(job_id)
        assert job is not None
        found = uow.content.container_by_id(job.container_id) if job.container_id else None
        org = uow.accounts.get_org(job.organization_id)
        assert org is not None
        events = list(uow.ledger.events(org.id, None, 100))
        for row in (job, org, *events):
            uow.session.expunge(row)
        if found is not None:
            uow.session.expunge(found)
        return job, found or Container(), org, events


def wait_for(db: Db, job_id: str, predicate: Any, timeout_s: float = 30.0) -> Job:
    deadline = time.monotonic() + timeout_s
    while True:
        job = load(db, job_id)[0]
        if predicate(job):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; job is {job.status}/{job.stage} {job.progress}")
        time.sleep(0.05)


def make_clip(path: Path, frames: int = 60, size: tuple[int, int] = (64, 96)) -> Path:
    """A small real H.264 clip (moving gradient)."""
    width, height = size
    writer = VideoWriter(path, width, height, Fraction(30))
    ramp = np.linspace(0, 255, width, dtype=np.uint8)
    for n in range(frames):
        frame = np.broadcast_to(np.roll(ramp, n)[None, :, None], (height, width, 3))
        writer.write(np.ascontiguousarray(frame))
    writer.close()
    return path


def decode_stage(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    """Decode the clip frame by frame (sleeping `frameDelay` each), calling the hooks."""
    params = job.params
    if params.get("log"):
        with Path(params["log"]).open("a") as log:
            log.write(f"{job.stage}\n")
    if params.get("failWith") and job.stage == "rendering":
        raise PipelineError(params["failWith"], "The source has no face to swap.")
    if params.get("crashWith") and job.stage == "rendering":
        raise RuntimeError("disk /secret/path exploded")
    total, count, mean = int(params["frames"]), 0, 0.0
    for frame in iter_frames_bgr(Path(params["clip"])):
        hooks.check_cancel()
        hooks.progress(count / total)
        mean += float(frame.mean())
        count += 1
        time.sleep(float(params.get("frameDelay", 0.0)))
    hooks.progress(1.0)
    return {"frames": count, "mean": round(mean / max(count, 1), 3)}


def finalize_stage(runtime: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
    frames = job.state["rendering"]["frames"]
    return {"container": {"caption": f"{frames} frames", "hook": "hi", "assets": []}}


@DBOS.step(name="jobs-test.fetching_source")
def t_fetch(job_id: str) -> Outcome:
    return run_stage(job_id, "fetching_source", decode_stage)


@DBOS.step(name="jobs-test.rendering")
def t_render(job_id: str) -> Outcome:
    return run_stage(job_id, "rendering", decode_stage)


@DBOS.step(name="jobs-test.finalizing")
def t_finalize(job_id: str) -> Outcome:
    return run_stage(job_id, "finalizing", finalize_stage)


@DBOS.workflow(name=TEST_WORKFLOW)
def test_workflow(job_id: str) -> str:
    return drive(job_id, (t_fetch, t_render, t_finalize), complete_step)
