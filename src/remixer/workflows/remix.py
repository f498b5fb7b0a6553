"""The remix job as a DBOS workflow (`remix.v1`): one step per SPEC §7.2 stage, then completion.

Each step is a thin wrapper: `engine.run_stage` enters the stage, runs the work from
`remix_stages` and keeps its output in `job.state`. `complete_job` (settling credits)
runs in its own step; a resumed workflow skips the steps DBOS already recorded and
`complete_job` itself does nothing twice.
"""

from __future__ import annotations

from dbos import DBOS

from remixer.services.jobs import complete_job, job_snapshot
from remixer.workflows import remix_stages
from remixer.workflows.engine import Outcome, drive, failed, run_stage
from remixer.workflows.names import REMIX_WORKFLOW
from remixer.workflows.runtime import get_runtime


@DBOS.step(name="remix.fetching_source")
def fetching_source_step(job_id: str) -> Outcome:
    return run_stage(job_id, "fetching_source", remix_stages.fetch_source)


@DBOS.step(name="remix.extracting_overlays")
def extracting_overlays_step(job_id: str) -> Outcome:
    return run_stage(job_id, "extracting_overlays", remix_stages.extract_overlays)


@DBOS.step(name="remix.adapting_copy")
def adapting_copy_step(job_id: str) -> Outcome:
    return run_stage(job_id, "adapting_copy", remix_stages.adapt_copy)


@DBOS.step(name="remix.face_swapping")
def face_swapping_step(job_id: str) -> Outcome:
    return run_stage(job_id, "face_swapping", remix_stages.analyze_face)


@DBOS.step(name="remix.rendering")
def rendering_step(job_id: str) -> Outcome:
    return run_stage(job_id, "rendering", remix_stages.render_video)


@DBOS.step(name="remix.finalizing")
def finalizing_step(job_id: str) -> Outcome:
    return run_stage(job_id, "finalizing", remix_stages.finalize)


@DBOS.step(name="remix.complete")
def complete_step(job_id: str) -> Outcome:
    """Job `completed`, container filled, credits charged: one transaction, exactly once."""
    uow_factory = get_runtime().uow_factory
    fields = job_snapshot(uow_factory, job_id).state.get("finalizing", {}).get("container")
    if not isinstance(fields, dict):
        return failed("INTERNAL", "The job finished without a result.")
    complete_job(uow_factory, job_id, fields)
    return {"outcome": "ok"}


STEPS = (
    fetching_source_step,
    extracting_overlays_step,
    adapting_copy_step,
    face_swapping_step,
    rendering_step,
    finalizing_step,
)


@DBOS.workflow(name=REMIX_WORKFLOW)
def remix_workflow(job_id: str) -> str:
    """Workflow id = job id; returns the job's terminal status."""
    return drive(job_id, STEPS, complete_step)
