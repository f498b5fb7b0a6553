"""The remix job as a DBOS workflow (`remix.v1`): one step per phase of the shared
orchestration (`pipeline.orchestration.PHASES`), then completion.

A phase step runs its stages' work through `remix_run` (the analysis phase runs OCR and
the copy beside the face track; the dense phase swaps and renders), which enters each SPEC
stage on the job row and keeps every output in `job.state`. `complete_job` (settling
credits) runs in its own step; a resumed workflow skips the steps DBOS already recorded
and `complete_job` itself does nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable

from dbos import DBOS

from remixer.pipeline.orchestration import PHASES
from remixer.services.jobs import complete_job, job_snapshot
from remixer.workflows.engine import Outcome, drive, failed, run_phase_step
from remixer.workflows.names import REMIX_WORKFLOW
from remixer.workflows.remix_run import run_job_phase
from remixer.workflows.runtime import Runtime, get_runtime


def _phase(name: str) -> Callable[[Runtime, str], None]:
    def body(runtime: Runtime, job_id: str) -> None:
        run_job_phase(runtime, job_id, name)

    return body


@DBOS.step(name="remix.fetching_source")
def fetching_source_step(job_id: str) -> Outcome:
    return run_phase_step(job_id, "fetching_source", _phase("fetching_source"))


@DBOS.step(name="remix.analysis")
def analysis_step(job_id: str) -> Outcome:
    """extracting_overlays → adapting_copy, beside the face track (face_swapping)."""
    return run_phase_step(job_id, "analysis", _phase("analysis"))


@DBOS.step(name="remix.dense")
def dense_step(job_id: str) -> Outcome:
    """The dense pass: face_swapping on every frame, then rendering to the finished file."""
    return run_phase_step(job_id, "dense", _phase("dense"))


@DBOS.step(name="remix.measuring")
def measuring_step(job_id: str) -> Outcome:
    """The end of rendering: the rendered file read back for its quality figures."""
    return run_phase_step(job_id, "measuring", _phase("measuring"))


@DBOS.step(name="remix.finalizing")
def finalizing_step(job_id: str) -> Outcome:
    return run_phase_step(job_id, "finalizing", _phase("finalizing"))


@DBOS.step(name="remix.complete")
def complete_step(job_id: str) -> Outcome:
    """Job `completed`, container filled, credits charged: one transaction, exactly once."""
    uow_factory = get_runtime().uow_factory
    fields = job_snapshot(uow_factory, job_id).state.get("finalizing", {}).get("container")
    if not isinstance(fields, dict):
        return failed("INTERNAL", "The job finished without a result.")
    complete_job(uow_factory, job_id, fields)
    return {"outcome": "ok"}


PHASE_STEPS: dict[str, Callable[[str], Outcome]] = {
    "fetching_source": fetching_source_step,
    "analysis": analysis_step,
    "dense": dense_step,
    "measuring": measuring_step,
    "finalizing": finalizing_step,
}
STEPS = tuple(PHASE_STEPS[phase.name] for phase in PHASES)
"""The steps in the orchestration's order (a phase without a step fails at import)."""


@DBOS.workflow(name=REMIX_WORKFLOW)
def remix_workflow(job_id: str) -> str:
    """Workflow id = job id; returns the job's terminal status."""
    return drive(job_id, STEPS, complete_step)
