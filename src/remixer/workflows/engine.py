"""What every job workflow shares: running one stage (or one phase of several stages)
as a step, and driving a table of steps.

A stage step enters the stage (`begin_stage`), runs the stage function with hooks wired
to `report_progress` / `check_cancel`, keeps its small JSON output in `job.state`, and
returns an outcome dict instead of raising, so DBOS memoizes plain data and a replayed
workflow takes the same path. A phase step (`run_phase_step`, the remix's) leaves the
stages to the shared orchestration. Failures map to the job error codes of SPEC §6.2.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from dbos import DBOS
from dbos._error import DBOSWorkflowCancelledError, DBOSWorkflowConflictIDError

from remixer.observability.logs import job_context
from remixer.observability.metrics import stage_timer
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import StageHooks
from remixer.services.jobs import (
    JobCanceled,
    begin_stage,
    check_cancel,
    fail_job,
    finish_canceled,
    job_snapshot,
    report_progress,
    save_stage_output,
)
from remixer.sources.errors import SourceError
from remixer.store.tables.content import Job
from remixer.workflows.runtime import Runtime, executor_id_for, get_runtime

log = logging.getLogger(__name__)

StageFn = Callable[[Runtime, Job, StageHooks], dict[str, Any]]
StepFn = Callable[[str], dict[str, Any]]
Outcome = dict[str, Any]

PUBLIC_CODES = frozenset(
    {
        "SOURCE_UNAVAILABLE",
        "SOURCE_INVALID",
        "NO_FACE_FOUND",
        "ADAPTATION_FAILED",
        "REFERENCE_PHOTOS_INVALID",
    }
)
INTERNAL_MESSAGE = "The job failed unexpectedly."
_SOURCE_CODES = {"INVALID_TIKTOK_ID": "SOURCE_UNAVAILABLE"}


def stage_hooks(runtime: Runtime, job_id: str) -> StageHooks:
    """Hooks for frame loops: throttled progress writes and cancel polls (≤ 2 per second)."""

    def progress(fraction: float) -> None:
        report_progress(runtime.uow_factory, job_id, fraction)

    def cancel() -> None:
        check_cancel(runtime.uow_factory, job_id)

    return StageHooks(progress=progress, check_cancel=cancel)


def failed(code: str, message: str) -> Outcome:
    return {"outcome": "failed", "code": code, "message": message}


def _outcome_of(job_id: str, stage: str, exc: Exception) -> Outcome:
    if isinstance(exc, JobCanceled) or getattr(exc, "code", None) == "CANCELED":
        return {"outcome": "canceled"}
    if isinstance(exc, PipelineError | SourceError):
        code = _SOURCE_CODES.get(exc.code, exc.code)
        if code in PUBLIC_CODES:
            return failed(code, exc.message)
    log.error("job %s: stage %s failed", job_id, stage, exc_info=exc)
    return failed("INTERNAL", INTERNAL_MESSAGE)


def run_stage(
    job_id: str, stage: str, work: StageFn, on_begin: Callable[[Runtime, str], None] | None = None
) -> Outcome:
    """The body of one stage step (call it from a `@DBOS.step`)."""
    runtime = get_runtime()
    with job_context(job_id, stage, executor_id_for(runtime.settings)), stage_timer(stage):
        log.info("stage started")
        started = time.perf_counter()
        outcome = _run_stage(runtime, job_id, stage, work, on_begin)
        log.info(
            "stage ended: %s in %.0f ms",
            outcome["outcome"],
            (time.perf_counter() - started) * 1000,
        )
        return outcome


def _run_stage(
    runtime: Runtime,
    job_id: str,
    stage: str,
    work: StageFn,
    on_begin: Callable[[Runtime, str], None] | None,
) -> Outcome:
    try:
        begin_stage(runtime.uow_factory, job_id, stage)
        if on_begin is not None:
            on_begin(runtime, job_id)
        job = job_snapshot(runtime.uow_factory, job_id)
        output = work(runtime, job, stage_hooks(runtime, job_id))
        save_stage_output(runtime.uow_factory, job_id, stage, output)
    except Exception as exc:  # noqa: BLE001 - mapped to a job outcome; DBOS's BaseExceptions pass
        return _outcome_of(job_id, stage, exc)
    return {"outcome": "ok", "output": output}


def run_phase_step(job_id: str, phase: str, body: Callable[[Runtime, str], None]) -> Outcome:
    """The body of a step that runs several stages' work (`body(runtime, job_id)` enters
    the stages and saves their outputs itself); failures become outcomes as in `run_stage`."""
    runtime = get_runtime()
    with job_context(job_id, phase, executor_id_for(runtime.settings)):
        log.info("phase started")
        started = time.perf_counter()
        try:
            body(runtime, job_id)
            outcome: Outcome = {"outcome": "ok"}
        except Exception as exc:  # noqa: BLE001 - mapped to a job outcome; DBOS's BaseExceptions pass
            outcome = _outcome_of(job_id, phase, exc)
        log.info(
            "phase ended: %s in %.0f ms",
            outcome["outcome"],
            (time.perf_counter() - started) * 1000,
        )
        return outcome


@DBOS.step(name="jobs.finish")
def finish_step(job_id: str, outcome: Outcome) -> None:
    """End a job that did not complete: `canceled`, or `failed` with its code."""
    uow_factory = get_runtime().uow_factory
    if outcome["outcome"] == "canceled":
        finish_canceled(uow_factory, job_id)
    else:
        fail_job(uow_factory, job_id, outcome["code"], outcome["message"])


def settle_dbos_cancel(job_id: str) -> None:
    """DBOS stopped the workflow: if the job was asked to stop, end it `canceled` now.

    Runs outside any step (a cancelled workflow can start no step); idempotent.
    """
    uow_factory = get_runtime().uow_factory
    with uow_factory() as uow:
        requested = uow.content.is_cancel_requested(job_id)
    if requested:
        finish_canceled(uow_factory, job_id)


def drive(job_id: str, steps: Sequence[StepFn], complete: StepFn) -> str:
    """Run the stage steps in order, then `complete`; end the job on the first non-ok outcome.

    Returns the job's terminal status. A crash-resumed workflow replays memoized steps.
    Lines logged between stages carry `stage: "workflow"`; each stage binds its own.
    """
    with job_context(job_id, "workflow", executor_id_for(get_runtime().settings)):
        return _drive(job_id, steps, complete)


def _drive(job_id: str, steps: Sequence[StepFn], complete: StepFn) -> str:
    try:
        for step in steps:
            outcome = step(job_id)
            if outcome["outcome"] != "ok":
                finish_step(job_id, outcome)
                return "canceled" if outcome["outcome"] == "canceled" else "failed"
        final = complete(job_id)
        if final["outcome"] != "ok":
            finish_step(job_id, final)
            return "failed"
        return "completed"
    except (DBOSWorkflowCancelledError, DBOSWorkflowConflictIDError):
        settle_dbos_cancel(job_id)
        raise
